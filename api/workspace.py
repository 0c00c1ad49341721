"""The workspace as JSON: the unit's inbox, one report with its internal timeline, every
action on it, extension decisions, and the coordination office's queue.

The actions are the workspace page's own (workspace.views_report.ACTIONS): the same form
parses the input and the same reports.services function makes the change, so the rules are
in one place. A person without a staff role, or another unit's officer, gets 404 as for a
report that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Router, Schema, UploadedFile

from accounts.access import COORDINATOR_ROLES, WORKSPACE_ROLES, has_role, is_verified
from accounts.models import User
from reports import clock, services
from reports.models import ExtensionRequest, ExtensionStatus, Report
from reports.selectors import get_report_for_staff, sla_state
from reports.workflow import Action, allowed_actions, roles_for
from workspace import selectors
from workspace.forms import InboxFilterForm, QueueFilterForm
from workspace.forms_report import DecideForm
from workspace.views_report import ACTIONS, HANDLER_ROLES

from .auth import actor, user_auth
from .schemas import (
    MAX_ID,
    ActionResult,
    InboxPage,
    QueuePage,
    StaffReportOut,
    errors,
    event_out,
    form_errors,
    media_out,
    page_body,
    paginate,
    person_out,
    report_row,
    tracking_code_param,
)

router = Router(tags=["workspace"])

CODE = tracking_code_param()
ACTION_ERRORS = errors(400, 401, 403, 404, 409)


def _staff(request: HttpRequest, roles: tuple[str, ...] = WORKSPACE_ROLES) -> User:
    """The caller if they hold one of `roles`; else 404, as the workspace pages do."""
    user = actor(request)
    if not has_role(user, roles):
        raise Http404
    # A browser session must have entered its TOTP code, as on the workspace pages; a bearer
    # token was made from a verified session (api/tokens.py).
    if not getattr(request, "via_token", False) and not is_verified(request.user):
        raise PermissionDenied(_("Enter your two-step verification code first."))
    return user


def _form_error(form) -> ValidationError:
    codes = [e.code for errs in form.errors.as_data().values() for e in errs if e.code]
    return ValidationError(form_errors(form), code=codes[0] if codes else "invalid")


def inbox_row(report: Report, now: datetime) -> dict[str, Any]:
    return {
        **report_row(report),
        "priority": report.priority,
        "due_at": report.due_at,
        "sla": sla_state(report, now),
        "assignee": person_out(report.assignee),
    }


def staff_report_out(user: User, report: Report) -> dict[str, Any]:
    now = clock.now()
    roles = roles_for(user, report)
    show_reporter = bool(roles & HANDLER_ROLES)
    pending = (
        report.extension_requests.filter(status=ExtensionStatus.PENDING)
        .select_related("requested_by")
        .first()
    )
    allowed = [str(a) for a in allowed_actions(user, report)]
    # As the page offers them: one extension request at a time, a decision only on one.
    if pending is not None:
        allowed = [a for a in allowed if a != Action.REQUEST_EXTENSION]
    else:
        allowed = [a for a in allowed if a not in (Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION)]
    events = report.events.select_related("actor", "actor_agency").prefetch_related("media")
    reporter = report.reporter if show_reporter else None
    return {
        **inbox_row(report, now),
        "description": report.description,
        "address": report.address,
        "lat": report.lat,
        "lon": report.lon,
        "unit": report.agency.name if report.agency else None,
        "unit_code": report.agency.code if report.agency else None,
        "accept_due_at": report.accept_due_at,
        "resolve_due_at": report.resolve_due_at,
        "updated_at": report.updated_at,
        "answer": report.answer,
        "reopen_count": report.reopen_count,
        "escalated_at": report.escalated_at,
        "reporter": (
            {"name": reporter.display_name(), "phone": reporter.phone} if reporter else None
        ),
        "allowed_actions": allowed,
        "pending_extension": (
            {
                "id": pending.pk,
                "requested_due_at": pending.requested_due_at,
                "reason": pending.reason,
                "requested_by": (
                    pending.requested_by.display_name() if pending.requested_by else None
                ),
                "created_at": pending.created_at,
            }
            if pending
            else None
        ),
        "media": [media_out(m) for m in report.media.filter(is_proof=False)],
        "events": [
            {
                **event_out(e),
                # The resident's name only to those who may see the reporter.
                "actor": (
                    e.actor.display_name()
                    if e.actor and (show_reporter or e.actor_id != report.reporter_id)
                    else None
                ),
                "is_public": e.is_public,
            }
            for e in events
        ],
    }


# --- lists -------------------------------------------------------------------------------------


@router.get(
    "/inbox",
    auth=user_auth,
    response={200: InboxPage, **errors(400, 401, 404)},
    summary="My unit's inbox: one bucket, filtered and sorted, 25 a page, with bucket counts",
)
def inbox(
    request: HttpRequest,
    bucket: str = "open",
    q: str = "",
    category: str = "",
    ward: str = "",
    status: str = "",
    period: str = "",
    since: str = "",
    until: str = "",
    assignee: str = "",
    sort: str = "due",
    page: int = 1,
):
    """Unknown filter values are ignored, as on the page. Coordinators and city leaders
    belong to no unit: their inbox is empty; their list is /workspace/queue."""
    user = _staff(request)
    now = clock.now()
    agency_ids = selectors.unit_agency_ids(user)
    form = InboxFilterForm(
        request.GET,
        wards=selectors.inbox_wards(user, agency_ids),
        members=selectors.unit_members(agency_ids),
        buckets=selectors.INBOX_BUCKETS,
    )
    reports = selectors.inbox_reports(user, agency_ids, form.filters(), now)
    paginator, current = paginate(reports, page)
    return {
        "counts": selectors.inbox_counts(user, agency_ids, now),
        **page_body(paginator, current, [inbox_row(r, now) for r in current]),
    }


@router.get(
    "/queue",
    auth=user_auth,
    response={200: QueuePage, **errors(400, 401, 404)},
    summary="The coordination office's queue (coordinators; city leaders read-only)",
)
def queue(request: HttpRequest, reason: str = "", q: str = "", page: int = 1):
    user = _staff(request, COORDINATOR_ROLES)
    now = clock.now()
    values = QueueFilterForm(request.GET).values()
    reports = selectors.queue_reports(
        user, reason=values.get("reason", ""), q=values.get("q", ""), now=now
    )
    paginator, current = paginate(reports.select_related("assignee"), page)
    rows = selectors.queue_rows(list(current), now)
    return page_body(
        paginator,
        current,
        [
            {
                **inbox_row(row.report, now),
                "unit": row.report.agency.name if row.report.agency else None,
                "reasons": row.reasons,
                "reason_labels": [str(label) for _r, label in row.reason_labels],
                "route_note": row.route_note,
                "return_note": row.return_note,
                "suggested_agency_id": row.suggested_agency_id,
            }
            for row in rows
        ],
    )


@router.get(
    "/reports/{tracking_code}",
    auth=user_auth,
    response={200: StaffReportOut, **errors(400, 401, 404)},
    summary="One report as the workspace shows it: internal events, allowed actions",
)
def report_detail(request: HttpRequest, tracking_code: str = CODE):
    user = _staff(request)
    return staff_report_out(user, get_report_for_staff(user, tracking_code))


# --- actions -----------------------------------------------------------------------------------


def _act(request: HttpRequest, tracking_code: str, action: str) -> dict[str, Any]:
    """Parse with the page's form, make the one service call, say what happened."""
    user = _staff(request)
    spec = ACTIONS[action]
    report = get_report_for_staff(user, tracking_code)
    form = spec.form(request.POST, request.FILES, action=action, report=report, user=user)
    if not form.is_valid():
        raise _form_error(form)
    spec.perform(user, report, form.cleaned_data, request)
    return _result(user, report, str(spec.done))


def _result(user: User, report: Report, message: str) -> dict[str, Any]:
    report.refresh_from_db()
    try:
        get_report_for_staff(user, report.tracking_code)
    except Http404:
        still_yours = False
    else:
        still_yours = True
    return {
        "tracking_code": report.tracking_code,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "message": message,
        "still_yours": still_yours,
    }


class ReasonIn(Schema):
    reason: str = ""


class AssignIn(Schema):
    assignee: str = ""  # a user id from the unit's staff


class SendIn(Schema):
    agency: str = ""  # an active agency's id
    reason: str = ""


class ExtensionIn(Schema):
    until: str = ""  # Hanoi time, "2026-03-12T17:00"
    reason: str = ""


class ResolveIn(Schema):
    answer: str = ""


class MergeIn(Schema):
    into: str = ""  # the original report's tracking code


class DecideIn(Schema):
    decision: str = ""  # "grant" or "refuse"
    note: str = ""


def _action_endpoint(action: str, summary: str, body: type[Schema] | None) -> None:
    """POST /workspace/reports/{code}/<action>: one endpoint per action, each with its own
    form fields in the schema."""
    if body is None:

        def view(request, tracking_code=CODE):
            return _act(request, tracking_code, action)

        annotations: dict[str, Any] = {}
    else:

        def view(request, data, tracking_code=CODE):  # type: ignore[misc]
            return _act(request, tracking_code, action)

        annotations = {"data": Form[body]}  # type: ignore[misc,valid-type]
    # Given here, not written in the signature: `from __future__ import annotations` would
    # turn them into strings that ninja cannot resolve inside this function.
    view.__annotations__ = {"request": HttpRequest, **annotations, "tracking_code": str}
    view.__name__ = f"report_{action}"
    router.post(
        f"/reports/{{tracking_code}}/{action}",
        auth=user_auth,
        response={200: ActionResult, **ACTION_ERRORS},
        summary=summary,
        operation_id=f"workspace_report_{action}",
    )(view)


_action_endpoint(Action.ACCEPT, "Accept the report for the unit", None)
_action_endpoint(Action.START, "Mark the report in progress", None)
_action_endpoint(Action.ASSIGN, "Assign the report to an officer of the unit", AssignIn)
_action_endpoint(Action.RETURN, "Return the report to the coordination office", ReasonIn)
_action_endpoint(Action.TRANSFER, "Transfer the report to another unit", SendIn)
_action_endpoint(Action.REROUTE, "Re-route the report (coordinators)", SendIn)
_action_endpoint(Action.REQUEST_EXTENSION, "Ask the unit's leader for more time", ExtensionIn)
_action_endpoint(Action.MERGE, "Close the report as a duplicate of another", MergeIn)
_action_endpoint(Action.REJECT, "Reject the report, with the reason", ReasonIn)


@router.post(
    "/reports/{tracking_code}/resolve",
    auth=user_auth,
    response={200: ActionResult, **ACTION_ERRORS},
    summary="Resolve with an answer and proof files (multipart, files under `proof`)",
    operation_id="workspace_report_resolve",
)
def report_resolve(
    request: HttpRequest,
    data: Form[ResolveIn],
    proof: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    tracking_code: str = CODE,
):
    return _act(request, tracking_code, Action.RESOLVE)


@router.post(
    "/extensions/{extension_id}/decision",
    auth=user_auth,
    response={200: ActionResult, **ACTION_ERRORS},
    summary="The unit leader grants or refuses an extension request",
)
def extension_decide(
    request: HttpRequest,
    data: Form[DecideIn],
    extension_id: int = Path(..., ge=1, le=MAX_ID),
):
    user = _staff(request)
    extension = ExtensionRequest.objects.select_related("report").filter(pk=extension_id).first()
    if extension is None:
        raise Http404
    report = get_report_for_staff(user, extension.report.tracking_code)
    form = DecideForm(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    grant = form.cleaned_data["decision"] == "grant"
    services.report_decide_extension(
        actor=user, request=extension, grant=grant, note=form.cleaned_data["note"]
    )
    message = _("The extension is granted.") if grant else _("The extension is refused.")
    return _result(user, report, message)
