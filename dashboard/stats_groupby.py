"""The dashboard's headline and ranking computed the plain way: GROUP BY over the reports and
ratings, medians exact from every timestamp. The reference the rollups (dashboard.stats,
rollups/) are tested and benchmarked against, and the fallback for a scope the rollups cannot
express (a queryset filtered other than by unit). Same definitions as dashboard/stats.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from reports.models import Rating, Report

from .stats import (
    _COUNT_FIELDS,
    Figures,
    Period,
    UnitRow,
    _counts,
    _hours,
    _set_medians,
    _timing_rows,
    received_in,
    sort_ranking,
)


def headline(reports: QuerySet[Report], period: Period, *, now: datetime) -> Figures:
    """The scope's figures for the period (3 queries)."""
    received = received_in(reports, period).order_by()
    counts = received.aggregate(**_counts(now))
    figures = Figures(**{name: counts[name] or 0 for name in _COUNT_FIELDS})
    rated = Rating.objects.filter(report__in=received).aggregate(
        total=Count("id"), satisfied=Count("id", filter=Q(satisfied=True))
    )
    figures.ratings, figures.satisfied = rated["total"] or 0, rated["satisfied"] or 0
    accept: list[float] = []
    resolve: list[float] = []
    for _agency, to_accept, to_resolve in _timing_rows(received):
        if to_accept is not None:
            accept.append(_hours(to_accept))
        if to_resolve is not None:
            resolve.append(_hours(to_resolve))
    _set_medians(figures, accept, resolve)
    return figures


def ranking(
    reports: QuerySet[Report], period: Period, *, now: datetime, sort: str = ""
) -> list[UnitRow]:
    """One row per unit with reports in the scope and period, sorted by `sort` ("key" or
    "-key" for descending, keys in RANKING_SORTS); by default the units with the most
    unresolved, then the most overdue, first. Three queries whatever the number of units."""
    received = received_in(reports, period).filter(agency__isnull=False).order_by()
    rows: dict[int, UnitRow] = {}
    for c in received.values("agency_id", "agency__code", "agency__name").annotate(**_counts(now)):
        rows[c["agency_id"]] = UnitRow(
            agency_id=c["agency_id"],
            code=c["agency__code"],
            name=c["agency__name"],
            figures=Figures(**{name: c[name] for name in _COUNT_FIELDS}),
        )
    rated = (
        Rating.objects.filter(report__in=received)
        .values("report__agency_id")
        .annotate(total=Count("id"), satisfied=Count("id", filter=Q(satisfied=True)))
        .order_by()
    )
    for r in rated:
        row = rows.get(r["report__agency_id"])
        if row is not None:
            row.figures.ratings, row.figures.satisfied = r["total"], r["satisfied"]
    accept: dict[int, list[float]] = defaultdict(list)
    resolve: dict[int, list[float]] = defaultdict(list)
    for agency_id, to_accept, to_resolve in _timing_rows(received):
        if to_accept is not None:
            accept[agency_id].append(_hours(to_accept))
        if to_resolve is not None:
            resolve[agency_id].append(_hours(to_resolve))
    for agency_id, row in rows.items():
        _set_medians(row.figures, accept.get(agency_id, []), resolve.get(agency_id, []))
    return sort_ranking(list(rows.values()), sort)
