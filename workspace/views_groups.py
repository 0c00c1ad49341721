"""Residential groups in the workspace: the group leader's (and community team's) page of the
reports of their place with the check on the ground, and the ward staff's list of groups.
Views parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import GROUP_EDITOR_ROLES, GROUP_ROLES, role_required
from reports import clock, services
from reports.models import GroundOutcome
from reports.selectors import get_report_for_group_member, reports_of_groups, sla_state
from reports.workflow import OPEN_STATUSES, Action, TransitionNotAllowed, may
from units import groups as residential_groups
from units.models import GROUP_TYPES, AdministrativeUnit, UnitType

PAGE_SIZE = 50


@role_required(*GROUP_ROLES)
def group_reports(request):
    """The reports of the groups (or ward) this person looks after, open ones first."""
    show = request.GET.get("show", "open")
    reports = reports_of_groups(request.user)
    if show != "all":
        reports = reports.filter(status__in=OPEN_STATUSES)
    page = Paginator(reports.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = clock.now()
    for report in page:
        report.sla = sla_state(report, now)
    return render(request, "workspace/group_reports.html", {"page": page, "show": show})


@role_required(*GROUP_ROLES)
@require_http_methods(["GET", "POST"])
def group_report(request, tracking_code: str):
    """One report of the group: what the resident said, where it stands, and the form for a
    check on the ground (with a photo)."""
    report = get_report_for_group_member(request.user, tracking_code)
    error = ""
    values = {"outcome": "", "note": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            services.report_ground_check(
                actor=request.user,
                report=report,
                outcome=values["outcome"],
                note=values["note"],
                files=request.FILES.getlist("photos"),
            )
        except (ValidationError, PermissionDenied, TransitionNotAllowed) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        else:
            messages.success(request, _("Your check on the ground is recorded."))
            return redirect("workspace:group_report", tracking_code=report.tracking_code)
        report.refresh_from_db()
    outcomes = [(o, GroundOutcome(o).label) for o in services.ground_outcomes_for(report)]
    events = report.events.filter(is_public=True).select_related("actor", "actor_agency")
    return render(
        request,
        "workspace/group_report.html",
        {
            "report": report,
            "events": events.prefetch_related("media"),
            "evidence": report.media.filter(is_proof=False),
            "may_check": may(request.user, report, Action.GROUND_CHECK),
            "outcomes": outcomes,
            "values": values,
            "error": error,
            "sla": sla_state(report, clock.now()),
        },
        status=400 if error else 200,
    )


# --- the ward staff's list of groups ----------------------------------------------------------


def _own_wards(user) -> list[AdministrativeUnit]:
    ids = residential_groups.editable_ward_ids(user)
    return list(AdministrativeUnit.objects.filter(pk__in=ids).order_by("name"))


GROUP_FIELDS = ("code", "name", "kind", "streets", "leader_name", "leader_phone", "boundary")


def _save(request, ward, group=None):
    values = {k: request.POST.get(k, "") for k in GROUP_FIELDS}
    try:
        unit = residential_groups.group_save(
            actor=request.user,
            ward=ward,
            group=group,
            **values,
        )
    except ValidationError as exc:
        return None, values, " ".join(exc.messages)
    return unit, values, ""


def _kinds():
    return [(k, label) for k, label in UnitType.choices if k in GROUP_TYPES]


@role_required(*GROUP_EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def group_admin(request):
    """The groups of the ward(s) this person's committee governs, and the form to add one."""
    wards = _own_wards(request.user)
    error = ""
    values: dict[str, str] = {"kind": UnitType.RESIDENTIAL_GROUP}
    if request.method == "POST":
        ward = next((w for w in wards if w.code == request.POST.get("ward", "")), None)
        if ward is None:
            raise Http404
        unit, values, error = _save(request, ward)
        if unit is not None:
            messages.success(request, _("The group %(name)s was added.") % {"name": unit.name})
            return redirect("workspace:group_admin")
    rows = [(w, residential_groups.groups_of(w)) for w in wards]
    for _ward, groups in rows:
        groups.sort(key=lambda g: g.code)
    return render(
        request,
        "workspace/group_admin.html",
        {"rows": rows, "values": values, "error": error, "kinds": _kinds()},
        status=400 if error else 200,
    )


@role_required(*GROUP_EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def group_edit(request, code: str):
    wards = {w.pk: w for w in _own_wards(request.user)}
    group = (
        AdministrativeUnit.objects.filter(code=code, parent_id__in=wards)
        .filter(type__in=GROUP_TYPES)
        .first()
    )
    if group is None:  # another ward's group, or none: the same 404
        raise Http404
    error = ""
    values = {
        "code": group.code,
        "name": group.name,
        "kind": group.type,
        "streets": group.streets,
        "leader_name": group.leader_name,
        "leader_phone": group.leader_phone,
        "boundary": group.geometry,
    }
    if request.method == "POST":
        unit, values, error = _save(request, wards[group.parent_id], group)
        if unit is not None:
            messages.success(request, _("The group %(name)s was saved.") % {"name": unit.name})
            return redirect("workspace:group_admin")
        values["code"] = group.code
    return render(
        request,
        "workspace/group_edit.html",
        {
            "group": group,
            "values": values,
            "error": error,
            "kinds": _kinds(),
            "history": residential_groups.group_history(group),
        },
        status=400 if error else 200,
    )
