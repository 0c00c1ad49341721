"""The shapes the API answers with (ninja Schemas), so /api/openapi.json says exactly what
comes back, and the builders that fill them from models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.paginator import Paginator
from django.utils.translation import get_language
from ninja import Path, Schema
from pydantic import Field

from accounts.models import User
from reports.models import Media, MediaKind, Report, ReportEvent

# Ids and page numbers beyond a 32-bit integer are refused by the schema (400) before they can
# overflow a database integer.
MAX_ID = 2**31 - 1


def tracking_code_param() -> Any:
    """A tracking code in a path (PA-2026-000123). Anything else is refused before it reaches
    the database: PostgreSQL answers a NUL character in a query with an error."""
    return Path(..., max_length=30, pattern=r"^[A-Za-z0-9_-]+$")


class Error(Schema):
    code: str
    detail: str


def errors(*statuses: int) -> dict[int, type[Schema]]:
    """The error statuses an endpoint may answer, all with the Error shape."""
    return {status: Error for status in statuses}


class MediaOut(Schema):
    id: int
    kind: str
    is_proof: bool
    # False while the worker has not made the public copies yet (url/thumbnail_url are null).
    ready: bool
    url: str | None
    thumbnail_url: str | None


class TimelineEvent(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    note: str
    unit: str | None
    created_at: datetime
    media: list[MediaOut]


class ReportRow(Schema):
    tracking_code: str
    title: str
    status: str
    status_label: str
    status_colour: str
    category: str
    category_name: str
    ward: str | None
    created_at: datetime
    url: str


class ReportOut(ReportRow):
    description: str
    address: str
    lat: float | None
    lon: float | None
    unit: str | None
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    answer: str
    followers: int
    is_mine: bool
    can_rate: bool
    media: list[MediaOut]
    timeline: list[TimelineEvent]


class ReportPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ReportRow]


class RatingOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    message: str


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    # None for a message about no single report (an area alert, a digest).
    tracking_code: str | None
    # Where the message leads, when not the report's page.
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    page: int
    pages: int
    items: list[NotificationOut]


class MarkReadIn(Schema):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(..., max_length=500)


class MarkReadOut(Schema):
    marked: int
    unread: int


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime


class TokenCreated(TokenOut):
    # Shown once: only its hash is stored.
    token: str


class TokenIn(Schema):
    name: str
    days: int = 90


# --- workspace ---------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str


class ReporterOut(Schema):
    name: str
    phone: str


class StaffEvent(TimelineEvent):
    actor: str | None
    is_public: bool


class ExtensionOut(Schema):
    id: int
    requested_due_at: datetime
    reason: str
    requested_by: str | None
    created_at: datetime


class InboxRow(ReportRow):
    priority: str
    due_at: datetime | None
    # "overdue", "due_soon", "on_track", or "" when nobody owes a step.
    sla: str
    assignee: PersonOut | None


class StaffReportOut(InboxRow):
    description: str
    address: str
    lat: float | None
    lon: float | None
    unit: str | None
    unit_code: str | None
    accept_due_at: datetime | None
    resolve_due_at: datetime | None
    updated_at: datetime
    answer: str
    reopen_count: int
    escalated_at: datetime | None
    # Only for the staff who handle it (its unit, coordinators); null for others.
    reporter: ReporterOut | None
    allowed_actions: list[str]
    pending_extension: ExtensionOut | None
    media: list[MediaOut]
    events: list[StaffEvent]


class InboxPage(Schema):
    counts: dict[str, int]
    count: int
    page: int
    pages: int
    items: list[InboxRow]


class QueueRowOut(InboxRow):
    unit: str | None
    reasons: list[str]
    reason_labels: list[str]
    route_note: str
    return_note: str
    suggested_agency_id: int | None


class QueuePage(Schema):
    count: int
    page: int
    pages: int
    items: list[QueueRowOut]


class ActionResult(Schema):
    tracking_code: str
    status: str
    status_label: str
    message: str
    # False when the report left the caller's reach (returned, transferred to another unit).
    still_yours: bool


# --- helpers ---------------------------------------------------------------------------------

PER_PAGE = 25


def paginate(items: Any, number: int) -> tuple[Paginator, Any]:
    """25 a page, as the web lists; a page past the end is the last one, below 1 the first."""
    paginator = Paginator(items, PER_PAGE)
    return paginator, paginator.get_page(min(max(number, 1), MAX_ID))


def page_body(paginator: Paginator, current: Any, items: list) -> dict[str, Any]:
    """A list endpoint's paging envelope around the page's items."""
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": items,
    }


def form_errors(form: Any) -> str:
    """A Django form's messages (already in the request's language) as one sentence."""
    return " ".join(str(m) for messages in form.errors.values() for m in messages)


# --- builders ----------------------------------------------------------------------------------

_MAIN_VARIANT = {
    MediaKind.PHOTO: "display",
    MediaKind.VIDEO: "video",
    MediaKind.DOCUMENT: "document",
}
_THUMB_VARIANT = {MediaKind.PHOTO: "thumbnail", MediaKind.VIDEO: "poster"}


def media_out(media: Media) -> dict:
    ready = media.is_ready
    thumb = _THUMB_VARIANT.get(MediaKind(media.kind))
    has_thumb = thumb is not None and bool(getattr(media, thumb))
    return {
        "id": media.pk,
        "kind": media.kind,
        "is_proof": media.is_proof,
        "ready": ready,
        # Always the access-checked view: the original upload has no URL.
        "url": media.public_url(_MAIN_VARIANT[MediaKind(media.kind)]) if ready else None,
        "thumbnail_url": media.public_url(thumb) if thumb and has_thumb else None,
    }


def category_name(report: Report) -> str:
    category = report.category
    return category.name_en if (get_language() or "").startswith("en") else category.name


def report_row(report: Report) -> dict:
    from django.urls import reverse

    return {
        "tracking_code": report.tracking_code,
        "title": report.title,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "status_colour": report.status_colour,
        "category": report.category.code,
        "category_name": category_name(report),
        "ward": report.ward.full_name if report.ward else None,
        "created_at": report.created_at,
        "url": reverse("citizen:report_detail", args=[report.tracking_code]),
    }


def event_out(event: ReportEvent) -> dict:
    return {
        "action": event.action,
        "label": str(event.get_action_display()),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": event.note,
        "unit": event.actor_agency.name if event.actor_agency else None,
        "created_at": event.created_at,
        "media": [media_out(m) for m in event.media.all()],
    }


def person_out(user: User | None) -> dict | None:
    return {"id": user.pk, "name": user.display_name()} if user is not None else None
