"""One report in the workspace and every action on it. Each action is one call to a
reports.services function (it checks permission and writes the event); the view parses the
form, calls it, and renders. With htmx the answer is the live part of the page (status,
actions, timeline); without JavaScript a success redirects back to the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.access import WORKSPACE_ROLES, role_required
from accounts.models import User
from reports import services
from reports.models import ExtensionRequest, ExtensionStatus, Report, ResponseTemplate
from reports.selectors import get_report_for_staff
from reports.workflow import Action, TransitionNotAllowed, allowed_actions, may, roles_for
from reports.workflow import Role as WorkflowRole

from .forms_report import (
    ActionForm,
    AssignForm,
    DecideForm,
    EmptyForm,
    ExtensionForm,
    GroupForm,
    MergeForm,
    ReasonForm,
    ResolveForm,
    SendForm,
    templates_for,
)

StrOrPromise = str | Promise

# Roles toward a report that make someone one of its handlers (they see the reporter's contact).
HANDLER_ROLES = frozenset(
    {WorkflowRole.OFFICER, WorkflowRole.UNIT_LEADER, WorkflowRole.COORDINATOR}
)


@dataclass(frozen=True)
class ActionSpec:
    form: type[ActionForm]
    # (actor, report, cleaned form data, request) → the one service call
    perform: Callable[[User, Report, dict[str, Any], HttpRequest], object]
    done: StrOrPromise  # the message once it worked (translated when shown)


ACTIONS: dict[str, ActionSpec] = {
    Action.ACCEPT: ActionSpec(
        EmptyForm,
        lambda u, r, d, q: services.report_accept(actor=u, report=r),
        gettext_lazy("The report is accepted."),
    ),
    Action.START: ActionSpec(
        EmptyForm,
        lambda u, r, d, q: services.report_start(actor=u, report=r),
        gettext_lazy("The report is marked in progress."),
    ),
    Action.ASSIGN: ActionSpec(
        AssignForm,
        lambda u, r, d, q: services.report_assign(actor=u, report=r, assignee=d["assignee"]),
        gettext_lazy("The report is assigned."),
    ),
    Action.RETURN: ActionSpec(
        ReasonForm,
        lambda u, r, d, q: services.report_return(actor=u, report=r, reason=d["reason"]),
        gettext_lazy("The report was returned to the coordination office."),
    ),
    Action.TRANSFER: ActionSpec(
        SendForm,
        lambda u, r, d, q: services.report_transfer(
            actor=u, report=r, agency=d["agency"], reason=d["reason"], category=d["category"]
        ),
        gettext_lazy("The report was transferred."),
    ),
    Action.REROUTE: ActionSpec(
        SendForm,
        lambda u, r, d, q: services.report_reroute(
            actor=u, report=r, agency=d["agency"], note=d["reason"], category=d["category"]
        ),
        gettext_lazy("The report was re-routed."),
    ),
    Action.REQUEST_EXTENSION: ActionSpec(
        ExtensionForm,
        lambda u, r, d, q: services.report_request_extension(
            actor=u, report=r, until=d["until"], reason=d["reason"]
        ),
        gettext_lazy("The extension request was sent to the unit's leader."),
    ),
    Action.RESOLVE: ActionSpec(
        ResolveForm,
        lambda u, r, d, q: services.report_resolve(
            actor=u, report=r, answer=d["answer"], files=q.FILES.getlist("proof")
        ),
        gettext_lazy("The report is resolved. The resident is asked to rate the result."),
    ),
    Action.MERGE: ActionSpec(
        MergeForm,
        lambda u, r, d, q: services.report_merge(actor=u, report=r, into=d["into"]),
        gettext_lazy("The report was merged into the original."),
    ),
    Action.REJECT: ActionSpec(
        ReasonForm,
        lambda u, r, d, q: services.report_reject(actor=u, report=r, reason=d["reason"]),
        gettext_lazy("The report was rejected."),
    ),
    # Not in the actions panel: a small form beside the report's place (NOT_BUTTONS).
    Action.SET_GROUP: ActionSpec(
        GroupForm,
        lambda u, r, d, q: services.report_set_group(actor=u, report=r, group_code=d["group"]),
        gettext_lazy("The residential group is saved."),
    ),
}

# The order of the actions panel: the usual next step first.
PANEL_ORDER = [
    Action.ACCEPT,
    Action.START,
    Action.RESOLVE,
    Action.ASSIGN,
    Action.REQUEST_EXTENSION,
    Action.REROUTE,
    Action.TRANSFER,
    Action.RETURN,
    Action.MERGE,
    Action.REJECT,
]


# --- access ----------------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- rendering -------------------------------------------------------------------------------


def _page_context(
    request: HttpRequest,
    report: Report,
    *,
    bound: dict[str, Any] | None = None,
    answer: str | None = None,
) -> dict[str, Any]:
    user: Any = request.user  # signed in: role_required let them through
    bound = bound or {}
    allowed = set(allowed_actions(user, report))
    pending = (
        report.extension_requests.filter(status=ExtensionStatus.PENDING)
        .select_related("requested_by")
        .first()
    )
    forms: dict[str, Any] = {}
    for action in PANEL_ORDER:
        if action not in allowed:
            continue
        if action == Action.REQUEST_EXTENSION and pending is not None:
            continue  # one request at a time: the pending one is shown instead
        form = bound.get(action)
        if form is None:
            initial: dict[str, Any] = {}
            if action == Action.RESOLVE and answer is not None:
                initial["answer"] = answer
            form = ACTIONS[action].form(action=action, report=report, user=user, initial=initial)
        forms[action] = form
    can_decide = pending is not None and bool(
        allowed & {Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION}
    )
    events = list(
        report.events.select_related("actor", "actor_agency").prefetch_related("media").all()
    )
    for event in events:
        until = event.data.get("until") if isinstance(event.data, dict) else None
        # The requested deadline of an extension event, shown on the timeline.
        event.until = parse_datetime(until) if isinstance(until, str) else None  # type: ignore[attr-defined]
    # A refusal of an action that is not (or no longer) offered, e.g. a forged POST or a report
    # someone else moved meanwhile: its message is shown above the actions.
    refusals = [
        message
        for action, form in bound.items()
        if action not in forms
        and action != Action.SET_GROUP
        and not (action == "decide" and can_decide)
        for messages_ in form.errors.values()
        for message in messages_
    ]
    roles = roles_for(user, report)
    group_form = bound.get(Action.SET_GROUP)
    if group_form is None and may(user, report, Action.SET_GROUP) and report.ward_id:
        group_form = GroupForm(action=Action.SET_GROUP, report=report, user=user)
    return {
        "group_form": group_form,
        "refusals": refusals,
        "report": report,
        "forms": forms,
        "actions": Action,
        "templates": list(templates_for(report)) if Action.RESOLVE in forms else [],
        "pending": pending,
        "decide_form": bound.get("decide") or (DecideForm() if can_decide else None),
        "events": events,
        "evidence": report.media.filter(is_proof=False),
        "may_view_original": Action.VIEW_ORIGINAL in allowed,
        "show_reporter": bool(roles & HANDLER_ROLES),
        "can_take": Action.ASSIGN in forms and report.assignee_id != user.pk,
        "is_unit_leader": WorkflowRole.UNIT_LEADER in roles,
        "read_only": not allowed,
    }


def _render(
    request: HttpRequest,
    report: Report,
    *,
    status: int = 200,
    done: str = "",
    **kwargs: Any,
) -> HttpResponse:
    context = _page_context(request, report, **kwargs)
    context["done"] = done
    template = (
        "workspace/includes/report_live.html" if _is_htmx(request) else "workspace/report.html"
    )
    return render(request, template, context, status=status)


def _done(request: HttpRequest, tracking_code: str, message: str) -> HttpResponse:
    """After a change: the live part of the page (htmx) or a redirect to the page. A report
    that left the user's unit (transferred, returned) leads back to the inbox."""
    try:
        report = get_report_for_staff(request.user, tracking_code)
    except Http404:
        messages.success(request, message)
        inbox = reverse("workspace:inbox")
        if _is_htmx(request):
            response = HttpResponse()
            response["HX-Redirect"] = inbox
            return response
        return redirect(inbox)
    if _is_htmx(request):
        return _render(request, report, done=message)
    messages.success(request, message)
    return redirect("workspace:report", tracking_code=report.tracking_code)


def _refusal(form: Any, exc: Exception) -> int:
    """Put a service's refusal on the form; the HTTP status that goes with it."""
    if isinstance(exc, ValidationError):
        form.add_service_error(exc)
        return 400
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or _("You are not allowed to do this on this report."))
        return 403
    form.add_error(None, str(exc))  # TransitionNotAllowed: someone else moved it meanwhile
    return 400


# --- views -----------------------------------------------------------------------------------


@role_required(*WORKSPACE_ROLES)
@require_safe
def report(request, tracking_code: str):
    report = get_report_for_staff(request.user, tracking_code)
    # Without JavaScript the template picker reloads the page with ?template=<id>.
    answer = None
    template_id = request.GET.get("template", "")
    if template_id.isdigit():
        template = templates_for(report).filter(pk=int(template_id)).first()
        answer = template.body if template else None
    return _render(request, report, answer=answer)


@role_required(*WORKSPACE_ROLES)
@require_POST
def report_action(request, tracking_code: str, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    report = get_report_for_staff(request.user, tracking_code)
    form = spec.form(request.POST, request.FILES, action=action, report=report, user=request.user)
    status = 400
    if form.is_valid():
        try:
            spec.perform(request.user, report, form.cleaned_data, request)
        except (ValidationError, PermissionDenied, TransitionNotAllowed) as exc:
            status = _refusal(form, exc)
        else:
            return _done(request, tracking_code, str(spec.done))
    # Someone else may have changed the report meanwhile: show it as it is now.
    report.refresh_from_db()
    return _render(request, report, status=status, bound={action: form})


@role_required(*WORKSPACE_ROLES)
@require_POST
def extension_decide(request, request_id: int):
    extension = get_object_or_404(ExtensionRequest.objects.select_related("report"), pk=request_id)
    report = get_report_for_staff(request.user, extension.report.tracking_code)
    form = DecideForm(request.POST)
    status = 400
    if form.is_valid():
        grant = form.cleaned_data["decision"] == "grant"
        try:
            services.report_decide_extension(
                actor=request.user, request=extension, grant=grant, note=form.cleaned_data["note"]
            )
        except (ValidationError, PermissionDenied, TransitionNotAllowed) as exc:
            status = _refusal(form, exc)
        else:
            message = _("The extension is granted.") if grant else _("The extension is refused.")
            return _done(request, report.tracking_code, message)
    return _render(request, report, status=status, bound={"decide": form})


@role_required(*WORKSPACE_ROLES)
@require_safe
def response_template(request, template_id: int):
    """The answer field filled with a template's text (htmx swaps it into the resolve form)."""
    template = get_object_or_404(ResponseTemplate, pk=template_id, is_active=True)
    form = ResolveForm(
        action=Action.RESOLVE,
        report=Report(),
        user=request.user,
        initial={"answer": template.body},
    )
    return render(request, "workspace/includes/report_answer.html", {"form": form})
