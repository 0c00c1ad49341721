"""Reads for the workspace lists: the unit's inbox and the coordination office's queue.

Both start from `reports_visible_to(user)`: the one access rule for reports. The inbox only
narrows it to the user's own units; it never widens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from classify import services as classify
from classify.services import CategorySuggestion
from reports.models import Report, ReportEvent
from reports.search import search_reports
from reports.selectors import DUE_SOON, reports_visible_to
from reports.services import coordination_office
from reports.workflow import OPEN_STATUSES, Action, Status
from routing.models import OTHER_CATEGORY, Category
from sla.selectors import due_soon_q, is_overdue, overdue_q
from units.models import Agency

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrOrPromise

UNIT_ROLES = (Role.OFFICER, Role.UNIT_LEADER)
INBOX_BUCKETS = ("new", "accepted", "in_progress", "due_soon", "overdue", "returned", "open")
INBOX_SORTS = {
    # Open work is read most urgent first; a report with no deadline sorts last.
    "due": (F("due_at").asc(nulls_last=True), "-created_at"),
    "-created": ("-created_at",),
    "created": ("created_at",),
    "status": ("status", F("due_at").asc(nulls_last=True)),
}
QUEUE_REASONS = ("returned", "unroutable", "escalated", "reopened", "overdue")
QUEUE_REASON_LABELS = {
    "returned": _("Returned"),
    "unroutable": _("Unroutable"),
    "escalated": _("Escalated"),
    "reopened": _("Reopened twice"),
    "overdue": _("Overdue"),
}


def unit_agency_ids(user: User, roles: tuple[str, ...] = UNIT_ROLES) -> list[int]:
    """The agencies whose inbox `user` works: their officer / unit leader memberships."""
    return sorted({m.agency_id for m in user.active_memberships() if m.role in roles})


def unit_members(agency_ids: list[int]) -> list[User]:
    """The officers and leaders of these units: whom a report may be assigned to."""
    return list(
        User.objects.filter(
            memberships__agency_id__in=agency_ids,
            memberships__is_active=True,
            memberships__role__in=UNIT_ROLES,
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "username")
    )


def _returned_by(agency_ids: list[int]) -> Q:
    # Still "returned" and returned by one of these units since it was last routed: after a
    # re-route and a second return by another unit, the report is that other unit's return.
    returned_here = ReportEvent.objects.filter(
        report=OuterRef("pk"),
        action=Action.RETURN,
        actor_agency_id__in=agency_ids,
        created_at__gte=OuterRef("routed_at"),
    )
    return Q(status=Status.RETURNED) & Q(Exists(returned_here))


def _bucket_q(bucket: str, agency_ids: list[int], now: datetime) -> Q:
    with_unit = Q(agency_id__in=agency_ids)
    if bucket == "returned":
        return _returned_by(agency_ids)
    open_here = with_unit & Q(status__in=OPEN_STATUSES)
    return {
        # A reopened report is new work again until the unit accepts it once more.
        "new": with_unit & Q(status__in=[Status.ROUTED, Status.REOPENED]),
        "accepted": with_unit & Q(status=Status.ACCEPTED),
        "in_progress": with_unit & Q(status=Status.IN_PROGRESS),
        "due_soon": open_here & due_soon_q(now, now + DUE_SOON),
        # due_at is set only while a step is owed, so this is the indexed "overdue" query: the
        # clock's own answer, exact at the deadline, never the sweep's lagging flag.
        "overdue": with_unit & overdue_q(now),
        "open": open_here,
    }[bucket]


def inbox_counts(user: User, agency_ids: list[int], now: datetime) -> dict[str, int]:
    """How many reports each tab holds, in one query."""
    reports = reports_visible_to(user).filter(
        Q(agency_id__in=agency_ids) | _returned_by(agency_ids)
    )
    return reports.aggregate(
        **{b: Count("pk", filter=_bucket_q(b, agency_ids, now)) for b in INBOX_BUCKETS}
    )


@dataclass(frozen=True)
class InboxFilters:
    bucket: str = "open"
    q: str = ""
    category: str = ""
    ward: str = ""
    status: str = ""
    channel: str = ""
    since: date | None = None
    until: date | None = None
    assignee: str = ""  # a user id, "none" or "me"
    sort: str = "due"


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def inbox_reports(
    user: User, agency_ids: list[int], filters: InboxFilters, now: datetime
) -> QuerySet[Report]:
    """The reports of one tab of the unit's inbox, filtered and sorted."""
    reports = (
        reports_visible_to(user)
        .filter(_bucket_q(filters.bucket, agency_ids, now))
        .select_related("assignee")
    )
    if filters.q:
        reports = search_reports(reports, filters.q)
    if filters.category:
        reports = reports.filter(category__code=filters.category)
    if filters.ward:
        reports = reports.filter(ward__code=filters.ward)
    if filters.status:
        reports = reports.filter(status=filters.status)
    if filters.channel:
        reports = reports.filter(channel=filters.channel)
    if filters.since:
        reports = reports.filter(created_at__gte=_local_midnight(filters.since))
    if filters.until:
        # "Until 5 May" includes the whole of 5 May.
        reports = reports.filter(created_at__lt=_local_midnight(filters.until + timedelta(days=1)))
    if filters.assignee == "none":
        reports = reports.filter(assignee__isnull=True)
    elif filters.assignee == "me":
        reports = reports.filter(assignee=user)
    elif filters.assignee.isdigit():
        reports = reports.filter(assignee_id=int(filters.assignee))
    return reports.order_by(*INBOX_SORTS.get(filters.sort, INBOX_SORTS["due"]), "-pk")


def inbox_wards(user: User, agency_ids: list[int]) -> list[tuple[str, str]]:
    """The wards the unit's reports are in: the ward filter's choices."""
    rows = (
        reports_visible_to(user)
        .filter(agency_id__in=agency_ids, ward__isnull=False)
        .values_list("ward__code", "ward__full_name")
        .order_by("ward__full_name")
        .distinct()
    )
    return list(rows)


# --- the coordination office's queue -----------------------------------------------------------


def _queue_q(reason: str, office_id: int, now: datetime) -> Q:
    still_open = Q(status__in=OPEN_STATUSES)
    return {
        "returned": Q(status=Status.RETURNED, agency_id=office_id),
        # Routing found no unit and left the report with the office.
        "unroutable": Q(status=Status.ROUTED, agency_id=office_id),
        "escalated": still_open & Q(escalated_at__isnull=False),
        "reopened": still_open & Q(reopen_count__gte=2),
        "overdue": overdue_q(now),
    }[reason]


def queue_reports(user: User, *, reason: str, q: str, now: datetime) -> QuerySet[Report]:
    """Reports anywhere in the city that need the coordination office, oldest deadline first."""
    office_id = coordination_office().pk
    reasons = [reason] if reason in QUEUE_REASONS else QUEUE_REASONS
    wanted = Q()
    for r in reasons:
        wanted |= _queue_q(r, office_id, now)
    reports = reports_visible_to(user).filter(wanted)
    if q:
        reports = search_reports(reports, q)
    return reports.order_by(F("due_at").asc(nulls_last=True), "-pk")


def queue_reasons_for(report: Report, office_id: int, now: datetime) -> list[str]:
    """Why a report is in the queue (from its own fields: no query)."""
    is_open = report.status in OPEN_STATUSES
    reasons = []
    if report.status == Status.RETURNED and report.agency_id == office_id:
        reasons.append("returned")
    if report.status == Status.ROUTED and report.agency_id == office_id:
        reasons.append("unroutable")
    if is_open and report.escalated_at is not None:
        reasons.append("escalated")
    if is_open and report.reopen_count >= 2:
        reasons.append("reopened")
    if is_overdue(report.due_at, now):
        reasons.append("overdue")
    return reasons


def latest_notes(report_ids: list[int], actions: tuple[str, ...]) -> dict[tuple[int, str], str]:
    """{(report id, action): note of the latest such event} for a page of reports, in one
    query (a page holds 25 reports with a handful of route/return events each)."""
    notes: dict[tuple[int, str], str] = {}
    events = (
        ReportEvent.objects.filter(report_id__in=report_ids, action__in=actions)
        .order_by("created_at", "pk")
        .values_list("report_id", "action", "note")
    )
    for report_id, action, note in events:
        notes[(report_id, action)] = note  # later events overwrite earlier ones
    return notes


def suggested_agencies(reports: list[Report]) -> dict[int, int]:
    """{report id: agency id} to pre-select when re-routing: the ward's committee, else the
    category's default department. One query for the page."""
    ward_ids = {r.ward_id for r in reports if r.ward_id}
    committees = dict(
        Agency.objects.filter(unit_id__in=ward_ids, is_active=True).values_list("unit_id", "pk")
    )
    suggestion = {}
    for r in reports:
        agency_id = (committees.get(r.ward_id) if r.ward_id else None) or (
            r.category.default_agency_id
        )
        if agency_id:
            suggestion[r.pk] = agency_id
    return suggestion


def active_agencies() -> list[Agency]:
    return list(Agency.objects.filter(is_active=True).order_by("kind", "name"))


def active_categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("sort_order", "name"))


def is_unit_leader(user: User) -> bool:
    return any(m.role == Role.UNIT_LEADER for m in user.active_memberships())


@dataclass
class QueueRow:
    report: Report
    reasons: list[str]
    route_note: str
    return_note: str
    suggested_agency_id: int | None
    # The classifier's category when the resident chose "Khác"/Other or another category.
    model_pick: CategorySuggestion | None = None

    @property
    def reason_labels(self) -> list[tuple[str, StrOrPromise]]:
        return [(r, QUEUE_REASON_LABELS[r]) for r in self.reasons]


def queue_rows(
    reports: list[Report], now: datetime, categories: list[Category] | None = None
) -> list[QueueRow]:
    """A page of the queue with why each report is there and the notes that explain it; a
    fixed number of queries whatever the page holds."""
    office_id = coordination_office().pk
    notes = latest_notes([r.pk for r in reports], (Action.ROUTE, Action.RETURN))
    suggestion = suggested_agencies(reports)
    picks = model_picks(reports, categories)
    return [
        QueueRow(
            report=r,
            reasons=queue_reasons_for(r, office_id, now),
            route_note=notes.get((r.pk, Action.ROUTE), ""),
            # Only a report now back with the office has a return reason worth showing.
            return_note=notes.get((r.pk, Action.RETURN), "") if r.status == Status.RETURNED else "",
            suggested_agency_id=suggestion.get(r.pk),
            model_pick=picks.get(r.pk),
        )
        for r in reports
    ]


def model_picks(
    reports: list[Report], categories: list[Category] | None = None
) -> dict[int, CategorySuggestion]:
    """{report id: the serving classifier's first choice} where it disagrees with the
    category on the report, or the report sits under "Khác"/Other (about 1 ms a report)."""
    found = classify.suggest_many(
        [f"{r.title}\n{r.description}" for r in reports], limit=1, categories=categories
    )
    picks = {}
    for report, suggestions in zip(reports, found, strict=True):
        if not suggestions:
            continue
        pick = suggestions[0]
        filed_as = report.category.code
        if pick.category.code == filed_as and filed_as != OTHER_CATEGORY:
            continue
        if pick.category.code == OTHER_CATEGORY:
            continue  # "Other" is no advice
        picks[report.pk] = pick
    return picks
