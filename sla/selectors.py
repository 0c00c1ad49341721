"""Reads of the SLA clock: what "overdue" means at a given moment, and the reports whose
deadline has passed but that the SLA sweep has not flagged yet.

One definition everywhere (inbox, queue, API, dashboard, sweep): a report is overdue from
the instant of its deadline, `due_at <= now`. A deadline of 14:00 is missed at 14:00:00.

Why the "not flagged yet" reports matter: the dashboard's "overdue now" is read from the
rollups, which can only count a flag (`overdue_since`, set by the sweep through the workflow),
not the clock. The sweep runs every minute, so between a deadline and the next sweep the flag
lags. The read path adds the reports in that gap (open, `due_at <= now`, `overdue_since IS
NULL`): at most a sweep interval's worth of deadlines, found on the partial index
`report_due_unflagged_idx` (sla/migrations/0002), so the figure is exact at read time and
costs one small indexed query. Once the sweep flags a report it leaves the gap and enters the
rollups in the same transaction: it is never counted twice.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from reports.models import Report
from reports.workflow import OPEN_STATUSES


def overdue_q(now: datetime) -> Q:
    """Overdue at `now`, on the indexed column (report_due_at_idx). `due_at` is set only
    while a unit owes a step, so no status test is needed."""
    return Q(due_at__lte=now)


def due_soon_q(now: datetime, horizon: datetime) -> Q:
    """Not overdue yet, and due by `horizon`."""
    return Q(due_at__gt=now, due_at__lte=horizon)


def is_overdue(due_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and due_at <= now


def unflagged_overdue(reports: QuerySet[Report], now: datetime) -> QuerySet[Report]:
    """Of `reports`, the open ones past their deadline the sweep has not flagged yet."""
    return reports.filter(
        overdue_q(now), status__in=OPEN_STATUSES, overdue_since__isnull=True
    ).order_by()


def unflagged_overdue_count(reports: QuerySet[Report], now: datetime) -> int:
    return unflagged_overdue(reports, now).count()


def unflagged_overdue_by_agency(
    reports: QuerySet[Report], now: datetime, *, agency_ids: Collection[int] | None = None
) -> dict[int, int]:
    """{agency id: how many} of the not-yet-flagged overdue reports (reports with no unit
    left out: the ranking has no row for them)."""
    gap = unflagged_overdue(reports, now).filter(agency__isnull=False)
    if agency_ids is not None:
        gap = gap.filter(agency_id__in=list(agency_ids))
    return dict(gap.values("agency_id").annotate(n=Count("id")).values_list("agency_id", "n"))
