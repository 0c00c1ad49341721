"""The unit's inbox, a unit leader's bulk actions, and the coordination office's queue.

Each list page answers an htmx request (HX-Request header) with only the list, so changing a
tab, a filter or a page swaps the list; without JavaScript the same URLs return whole pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import COORDINATOR_ROLES, WORKSPACE_ROLES, role_required
from accounts.models import Role, User
from reports import clock
from reports.selectors import DUE_SOON, get_report_for
from reports.services import report_reroute
from reports.workflow import TransitionNotAllowed
from units.models import Agency

from . import selectors
from .forms import InboxFilterForm, QueueFilterForm
from .services import BulkResult, reports_bulk_apply

PER_PAGE = 25
BUCKET_LABELS = {
    "new": gettext_lazy("New"),
    "accepted": gettext_lazy("Accepted"),
    "in_progress": gettext_lazy("In progress"),
    "due_soon": gettext_lazy("Due soon"),
    "overdue": gettext_lazy("Overdue"),
    "returned": gettext_lazy("Returned"),
    "open": gettext_lazy("All open"),
}


def _is_htmx(request) -> bool:
    # A history restore (back button, htmx cache miss) wants the whole page.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _render(request, full: str, partial: str, context: dict, status: int = 200):
    htmx = _is_htmx(request)
    response = render(
        request, partial if htmx else full, {**context, "is_htmx": htmx}, status=status
    )
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _without(params: QueryDict, *keys: str) -> str:
    """The query string minus `keys`: tabs drop the tab and page, pager links the page."""
    kept = params.copy()
    for key in keys:
        kept.pop(key, None)
    return kept.urlencode()


@require_GET
@role_required(*WORKSPACE_ROLES)
def inbox(request):
    if not selectors.unit_agency_ids(request.user):
        # Coordinators and city leaders belong to no unit: their list is the city's queue.
        return redirect("workspace:coordinator_queue")
    return _render_inbox(request, request.GET)


def _render_inbox(request, params: QueryDict, *, summary: str = "", status: int = 200):
    user = request.user
    now = clock.now()
    agency_ids = selectors.unit_agency_ids(user)
    members = selectors.unit_members(agency_ids)
    form = InboxFilterForm(
        params,
        wards=selectors.inbox_wards(user, agency_ids),
        members=members,
        buckets=selectors.INBOX_BUCKETS,
    )
    filters = form.filters()
    reports = selectors.inbox_reports(user, agency_ids, filters, now)
    page = Paginator(reports, PER_PAGE).get_page(params.get("page"))
    counts = selectors.inbox_counts(user, agency_ids, now)
    tab_query = _without(params, "bucket", "page")
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "tabs": [
            {"key": b, "label": BUCKET_LABELS[b], "count": counts[b]}
            for b in selectors.INBOX_BUCKETS
        ],
        "tab_query": tab_query,
        "page_query": _without(params, "page"),
        "is_leader": selectors.is_unit_leader(user),
        "members": members,
        "summary": summary,
        "now": now,
        "soon": now + DUE_SOON,
    }
    return _render(
        request, "workspace/inbox.html", "workspace/includes/inbox_list.html", context, status
    )


@require_POST
@role_required(*WORKSPACE_ROLES)
def bulk(request):
    """A unit leader accepts or assigns the ticked reports; the inbox comes back with a summary
    of what happened to each one. The service refuses anyone who leads no unit (403)."""
    action = request.POST.get("action", "")
    assignee = None
    assignee_id = request.POST.get("assignee", "")
    if action == "assign" and assignee_id.isdigit():
        assignee = User.objects.filter(pk=assignee_id).first()
    codes = request.POST.getlist("codes")
    if not codes:
        summary = _("Select at least one report.")
    else:
        try:
            results = reports_bulk_apply(
                actor=request.user, tracking_codes=codes, action=action, assignee=assignee
            )
        except ValidationError as exc:
            summary = " ".join(exc.messages)
        else:
            summary = _bulk_summary(results, action, assignee)
    # The list comes back as the leader was looking at it (same tab, filters and page).
    params = QueryDict(request.POST.get("filters", ""))
    return _render_inbox(request, params, summary=summary)


def _bulk_summary(results: list[BulkResult], action: str, assignee: User | None) -> str:
    done = sum(r.ok for r in results)
    if action == "accept":
        text = ngettext("%(n)d accepted", "%(n)d accepted", done) % {"n": done}
    else:
        text = ngettext("%(n)d assigned to %(name)s", "%(n)d assigned to %(name)s", done) % {
            "n": done,
            "name": assignee.display_name() if assignee else "",
        }
    failed = [r for r in results if not r.ok]
    if failed:
        text += ", " + ngettext(
            "%(n)d could not be: %(list)s", "%(n)d could not be: %(list)s", len(failed)
        ) % {"n": len(failed), "list": "; ".join(f"{r.tracking_code} {r.error}" for r in failed)}
    return text


# --- the coordination office's queue -----------------------------------------------------------


@require_GET
@role_required(*COORDINATOR_ROLES)
def coordinator_queue(request):
    return _render_queue(request, request.GET)


def _render_queue(request, params: QueryDict, *, notice: str = "", status: int = 200):
    now = clock.now()
    form = QueueFilterForm(params)
    values = form.values()
    reports = selectors.queue_reports(
        request.user, reason=values.get("reason", ""), q=values.get("q", ""), now=now
    )
    page = Paginator(reports, PER_PAGE).get_page(params.get("page"))
    # A city leader sees the queue read-only: re-routing is the coordinators' job.
    can_reroute = request.user.has_staff_role(Role.COORDINATOR)
    context = {
        "form": form,
        "page": page,
        "rows": selectors.queue_rows(list(page), now),
        "agencies": selectors.active_agencies() if can_reroute else [],
        "can_reroute": can_reroute,
        "page_query": _without(params, "page"),
        "notice": notice,
        "now": now,
    }
    return _render(
        request,
        "workspace/coordinator_queue.html",
        "workspace/includes/queue_list.html",
        context,
        status,
    )


@require_POST
@role_required(Role.COORDINATOR)
def queue_reroute(request, tracking_code: str):
    """Send one queued report to the chosen unit; htmx swaps the row for the outcome."""
    report = get_report_for(request.user, tracking_code)
    agency_id = request.POST.get("agency", "")
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id.isdigit() else None
    error = ""
    if agency is None:
        error = _("Choose the unit to send the report to.")
    else:
        try:
            report = report_reroute(
                actor=request.user, report=report, agency=agency, note=request.POST.get("note", "")
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except (PermissionDenied, TransitionNotAllowed) as exc:
            error = str(exc)
    if not _is_htmx(request):
        notice = error or _("%(code)s sent to %(unit)s.") % {"code": tracking_code, "unit": agency}
        return _render_queue(request, QueryDict(""), notice=notice, status=400 if error else 200)
    now = clock.now()
    context = {
        "row": selectors.queue_rows([report], now)[0],
        "agencies": selectors.active_agencies(),
        "can_reroute": True,
        "error": error,
        "sent_to": None if error else agency,
        "now": now,
    }
    # 200 even for a refusal: htmx swaps only successful responses, and the row must show why.
    return render(request, "workspace/includes/queue_row.html", context)
