"""The residents' app: my reports, one report as I may see it, rating a result, and my
notifications. All but the report itself need a signed-in person (session or token)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Form, Router, Schema

from citizen.forms_resident import RatingForm
from citizen.views_resident import can_rate
from notify.services import notifications_for, notifications_mark_read, unread_count
from reports import services
from reports.models import Report
from reports.selectors import get_report_for, reports_visible_to

from .auth import actor, user_auth
from .schemas import (
    MarkReadIn,
    MarkReadOut,
    NotificationPage,
    RatingOut,
    ReportOut,
    ReportPage,
    errors,
    event_out,
    form_errors,
    media_out,
    page_body,
    paginate,
    report_row,
    tracking_code_param,
)

router = Router(tags=["residents"])


class RatingIn(Schema):
    """Documents the form; citizen's RatingForm parses it (one set of rules)."""

    satisfied: str = ""  # "yes" or "no"
    comment: str = ""


@router.get(
    "/me/reports",
    auth=user_auth,
    response={200: ReportPage, **errors(400, 401)},
    summary="My reports, newest first (followed=true: the ones I follow)",
)
def my_reports(request: HttpRequest, page: int = 1, followed: bool = False):
    user = actor(request)
    visible = reports_visible_to(user)
    if followed:
        reports = visible.filter(followers__user=user).exclude(reporter=user)
    else:
        reports = visible.filter(reporter=user)
    paginator, current = paginate(reports.order_by("-created_at", "-pk"), page)
    return page_body(paginator, current, [report_row(r) for r in current])


def report_out(user, report: Report) -> dict:
    """The report as its public page shows it: public events only, never who reported it."""
    events = (
        report.events.filter(is_public=True)
        .select_related("actor_agency")
        .prefetch_related("media")
    )
    return {
        **report_row(report),
        "description": report.description,
        "address": report.address,
        "lat": report.lat,
        "lon": report.lon,
        "unit": report.agency.name if report.agency else None,
        "updated_at": report.updated_at,
        "resolved_at": report.resolved_at,
        "closed_at": report.closed_at,
        "answer": report.answer,
        "followers": report.followers.count(),
        "is_mine": user is not None and report.reporter_id == user.pk,
        "can_rate": user is not None and can_rate(user, report),
        "media": [media_out(m) for m in report.media.filter(is_proof=False)],
        "timeline": [event_out(e) for e in events],
    }


@router.get(
    "/reports/{tracking_code}",
    response={200: ReportOut, **errors(404)},
    summary="One report as the caller may see it (public timeline, no personal data)",
)
def report_detail(request: HttpRequest, tracking_code: str = tracking_code_param()):
    # Signed in or not: anybody may open a public report; a session or token shows more.
    user = _optional_user(request)
    return report_out(user, get_report_for(user, tracking_code))


def _optional_user(request: HttpRequest):
    from .auth import session_auth, token_auth

    # A read: the session's CSRF check passes for GET, and a bad token reads as anonymous.
    for method in (session_auth, token_auth):
        user = method(request)
        if user:
            return user
    return None


@router.post(
    "/reports/{tracking_code}/rating",
    auth=user_auth,
    response={200: RatingOut, **errors(400, 401, 403, 404, 409)},
    summary="The reporter rates the result: satisfied closes, not satisfied reopens",
)
def rate(request: HttpRequest, data: Form[RatingIn], tracking_code: str = tracking_code_param()):
    user = actor(request)
    report = get_report_for(user, tracking_code)
    form = RatingForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form_errors(form), code="invalid")
    satisfied = form.cleaned_data["satisfied"]
    report = services.report_rate(
        actor=user, report=report, satisfied=satisfied, comment=form.cleaned_data["comment"]
    )
    message = (
        _("Thank you. The report is closed.")
        if satisfied
        else _("The report was reopened and sent back to the unit.")
    )
    return {
        "tracking_code": report.tracking_code,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "message": message,
    }


@router.get(
    "/me/notifications",
    auth=user_auth,
    response={200: NotificationPage, **errors(400, 401)},
    summary="My notifications, newest first (unread=true: only the unread ones)",
)
def my_notifications(request: HttpRequest, page: int = 1, unread: bool = False):
    user = actor(request)
    items = notifications_for(user)
    if unread:
        items = items.filter(read_at__isnull=True)
    paginator, current = paginate(items, page)
    return {
        "unread": unread_count(user),
        **page_body(
            paginator,
            current,
            [
                {
                    "id": n.pk,
                    "kind": n.kind,
                    "title": n.title,
                    "body": n.body,
                    "tracking_code": n.report.tracking_code if n.report else None,
                    "url": n.url,
                    "created_at": n.created_at,
                    "read_at": n.read_at,
                }
                for n in current
            ],
        ),
    }


@router.post(
    "/me/notifications/read",
    auth=user_auth,
    response={200: MarkReadOut, **errors(400, 401, 403)},
    summary="Mark some of my notifications read (another person's ids are ignored)",
)
def mark_read(request: HttpRequest, data: MarkReadIn):
    user = actor(request)
    marked = notifications_mark_read(user=user, ids=data.ids)
    return {"marked": marked, "unread": unread_count(user)}
