"""The units' public scorecard: plain GROUP BY queries over reports and ratings.

A later issue replaces these with rollup tables; the definitions here are the contract:
- received: reports now with the unit, submitted in the period (duplicates merged away are not
  counted: the original is);
- handled: of those, resolved or closed (a rejected report is not handled);
- on time: handled and resolved no later than its resolve deadline (`resolve_due_at`, which a
  granted extension moves);
- satisfied: share of the residents' ratings of those reports that were "satisfied".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, F, Q
from django.utils import timezone

from reports.models import Rating, Report
from reports.workflow import Status
from units.models import Agency

SORT_KEYS = ("name", "received", "handled", "on_time", "satisfied_pct")
HANDLED = (Status.RESOLVED, Status.CLOSED)


@dataclass
class ScorecardRow:
    agency_id: int
    name: str
    received: int = 0
    handled: int = 0
    on_time: int = 0
    ratings: int = 0
    satisfied: int = 0

    @property
    def satisfied_pct(self) -> float | None:
        return round(100 * self.satisfied / self.ratings, 1) if self.ratings else None

    @property
    def on_time_pct(self) -> float | None:
        return round(100 * self.on_time / self.handled, 1) if self.handled else None


def scorecard_rows(*, since: date | None = None, sort: str = "-received") -> list[ScorecardRow]:
    reports = Report.objects.filter(agency__isnull=False).exclude(status=Status.MERGED)
    if since is not None:
        reports = reports.filter(
            created_at__gte=timezone.make_aware(datetime.combine(since, time.min))
        )
    handled = Q(status__in=HANDLED)
    counts = reports.values("agency_id").annotate(
        received=Count("id"),
        handled=Count("id", filter=handled),
        on_time=Count(
            "id",
            filter=handled
            & Q(resolved_at__isnull=False, resolve_due_at__isnull=False)
            & Q(resolved_at__lte=F("resolve_due_at")),
        ),
    )
    rows: dict[int, ScorecardRow] = {}
    names = dict(
        Agency.objects.filter(id__in=[c["agency_id"] for c in counts]).values_list("id", "name")
    )
    for c in counts:
        rows[c["agency_id"]] = ScorecardRow(
            agency_id=c["agency_id"],
            name=names[c["agency_id"]],
            received=c["received"],
            handled=c["handled"],
            on_time=c["on_time"],
        )
    ratings = (
        Rating.objects.filter(report__in=reports)
        .values("report__agency_id")
        .annotate(total=Count("id"), satisfied=Count("id", filter=Q(satisfied=True)))
    )
    for r in ratings:
        row = rows.get(r["report__agency_id"])
        if row is not None:
            row.ratings, row.satisfied = r["total"], r["satisfied"]
    return sort_rows(list(rows.values()), sort)


def sort_rows(rows: list[ScorecardRow], sort: str) -> list[ScorecardRow]:
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        key, sort = "received", "-received"
    descending = sort.startswith("-")
    if key == "name":
        return sorted(rows, key=lambda r: r.name.casefold(), reverse=descending)
    # Units with no value (no ratings yet) go last whichever way the column is sorted.
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    present.sort(key=lambda r: (getattr(r, key), r.name), reverse=descending)
    return present + sorted(missing, key=lambda r: r.name)
