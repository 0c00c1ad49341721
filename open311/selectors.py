"""Open311 reads: public reports only (reports.selectors.public_reports), a constant number of
queries per page whatever its size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet

from reports.models import Media, MediaKind, Report, ReportEvent
from reports.search import search_reports
from reports.selectors import public_reports
from reports.workflow import OPEN_STATUSES
from routing.models import Category

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

# sort parameter → ORDER BY; the id breaks ties so pages never overlap or skip.
SORTS = {
    "requested_datetime": ("created_at", "id"),
    "-requested_datetime": ("-created_at", "-id"),
    "updated_datetime": ("updated_at", "id"),
    "-updated_datetime": ("-updated_at", "-id"),
}


def services() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "name")


def service(code: str) -> Category | None:
    return services().filter(code=code).first()


@dataclass
class RequestFilters:
    """GET requests' filters, already parsed; empty values filter nothing."""

    codes: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    start: datetime | None = None
    end: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    statuses: Sequence[str] = ()  # "open", "closed"
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    q: str = ""
    agency: str = ""
    has_photo: bool | None = None
    sort: str = "-requested_datetime"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def _photos() -> QuerySet[Media]:
    # Shown only once the worker has made the public, metadata-free copy.
    return Media.objects.filter(kind=MediaKind.PHOTO).exclude(display="")


def requests(filters: RequestFilters) -> QuerySet[Report]:
    reports = public_reports().select_related("duplicate_of")
    if filters.codes:
        # "This overrides all other arguments" (GeoReport v2), paging aside.
        return reports.filter(tracking_code__in=list(filters.codes)).order_by(*SORTS[filters.sort])
    if filters.service_codes:
        reports = reports.filter(category__code__in=list(filters.service_codes))
    if filters.start is not None:
        reports = reports.filter(created_at__gte=filters.start)
    if filters.end is not None:
        reports = reports.filter(created_at__lte=filters.end)
    # updated_after/before use report_updated_idx (updated_at, id): how a client syncs.
    if filters.updated_after is not None:
        reports = reports.filter(updated_at__gt=filters.updated_after)
    if filters.updated_before is not None:
        reports = reports.filter(updated_at__lt=filters.updated_before)
    if set(filters.statuses) == {"open"}:
        reports = reports.filter(status__in=list(OPEN_STATUSES))
    elif set(filters.statuses) == {"closed"}:
        reports = reports.exclude(status__in=list(OPEN_STATUSES))
    if filters.bbox is not None:
        west, south, east, north = filters.bbox
        reports = reports.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    if filters.q:
        reports = search_reports(reports, filters.q)
    if filters.agency:
        reports = reports.filter(Q(agency__code=filters.agency) | Q(agency__name=filters.agency))
    if filters.has_photo is not None:
        has = Exists(_photos().filter(report=OuterRef("pk"), is_proof=False))
        reports = reports.filter(has if filters.has_photo else ~has)
    return reports.order_by(*SORTS[filters.sort])


# The columns a request's representation uses: at 500 rows a page, building full model
# instances (and their category, agency, ward and parent) was most of the response time.
REQUEST_FIELDS = (
    "tracking_code",
    "status",
    "description",
    "address",
    "lat",
    "lon",
    "channel",
    "created_at",
    "updated_at",
    "resolve_due_at",
    "duplicate_of_id",
    "category__code",
    "category__name",
    "category__name_en",
    "agency__name",
    "ward__full_name",
    "duplicate_of__tracking_code",
)


def page_of(reports: QuerySet[Report], filters: RequestFilters) -> list[Report]:
    start = (filters.page - 1) * filters.page_size
    return list(reports.only(*REQUEST_FIELDS)[start : start + filters.page_size])


class EventRow(NamedTuple):
    """A public event as a request's notes show it."""

    note: str
    action: str
    created_at: datetime


@dataclass
class RequestDetails:
    """What one page of reports needs beside the rows: public events and public photo ids."""

    events: dict[int, list[EventRow]]
    photos: dict[int, list[int]]


def details_for(reports: Sequence[Report]) -> RequestDetails:
    """Two queries whatever the page size: the page's public events and public photos (plain
    tuples: a page has thousands of them)."""
    ids = [r.pk for r in reports]
    events: dict[int, list[EventRow]] = defaultdict(list)
    photos: dict[int, list[int]] = defaultdict(list)
    if ids:
        for report_id, note, action, created_at in (
            ReportEvent.objects.filter(report_id__in=ids, is_public=True)
            .order_by("created_at", "id")
            .values_list("report_id", "note", "action", "created_at")
        ):
            events[report_id].append(EventRow(note, action, created_at))
        for report_id, media_id in (
            _photos()
            .filter(report_id__in=ids)
            .order_by("is_proof", "created_at", "id")
            .values_list("report_id", "id")
        ):
            photos[report_id].append(media_id)
    return RequestDetails(events=events, photos=photos)


def updates(
    *, start: datetime | None, end: datetime | None, page: int, page_size: int
) -> list[ReportEvent]:
    """Public events of public reports, oldest first (a client syncs forward), with the proof
    photos of each (one query for the events, one for their photos)."""
    events = ReportEvent.objects.filter(
        is_public=True, report__in=public_reports().order_by().values("pk")
    ).select_related("report")
    if start is not None:
        events = events.filter(created_at__gte=start)
    if end is not None:
        events = events.filter(created_at__lte=end)
    offset = (page - 1) * page_size
    rows = list(events.order_by("created_at", "id")[offset : offset + page_size])
    by_event: dict[int, list[Media]] = defaultdict(list)
    for media in _photos().filter(event_id__in=[e.pk for e in rows]).order_by("created_at", "id"):
        assert media.event_id is not None
        by_event[media.event_id].append(media)
    for event in rows:
        event.open311_photos = by_event[event.pk]  # type: ignore[attr-defined]
    return rows
