"""The ward's reports per residential group (tổ dân phố, thôn): received, open, overdue now and
satisfaction, so a ward sees which of its groups' streets wait longest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from reports.models import Rating, Report

from .stats import _OPEN_Q, Period, _overdue_q, _share, received_in


@dataclass(frozen=True)
class GroupRow:
    code: str  # "" for the reports in no group
    name: str
    ward: str
    leader: str
    received: int
    open_now: int
    overdue_now: int
    ratings: int
    satisfied: int

    @property
    def satisfied_pct(self) -> float | None:
        return _share(self.satisfied, self.ratings)


def by_group(reports: QuerySet[Report], period: Period, *, now: datetime) -> list[GroupRow]:
    """One row per group with reports in the scope (received in the period, or open now),
    worst first (most overdue, then most open); the reports in no group last. Three queries."""
    received = {
        r["residential_group_id"]: r["n"]
        for r in received_in(reports, period).values("residential_group_id").annotate(n=Count("id"))
    }
    current = {
        r["residential_group_id"]: r
        for r in reports.filter(_OPEN_Q)
        .values("residential_group_id")
        .annotate(open_now=Count("id"), overdue_now=Count("id", filter=_overdue_q(now)))
    }
    ratings = {
        r["report__residential_group_id"]: r
        for r in Rating.objects.filter(report__in=received_in(reports, period).values("pk"))
        .values("report__residential_group_id")
        .annotate(n=Count("id"), yes=Count("id", filter=Q(satisfied=True)))
    }
    from units.models import AdministrativeUnit

    ids = [i for i in {*received, *current} if i is not None]
    groups = {
        g.pk: g for g in AdministrativeUnit.objects.filter(pk__in=ids).select_related("parent")
    }
    rows = []
    for group_id in {*received, *current}:
        group = groups.get(group_id) if group_id is not None else None
        rows.append(
            GroupRow(
                code=group.code if group else "",
                name=group.name if group else "",
                ward=group.parent.name if group and group.parent else "",
                leader=" ".join(x for x in (group.leader_name, group.leader_phone) if x)
                if group
                else "",
                received=received.get(group_id, 0),
                open_now=current.get(group_id, {}).get("open_now", 0),
                overdue_now=current.get(group_id, {}).get("overdue_now", 0),
                ratings=ratings.get(group_id, {}).get("n", 0),
                satisfied=ratings.get(group_id, {}).get("yes", 0),
            )
        )
    rows.sort(key=lambda r: (r.code == "", -r.overdue_now, -r.open_now, r.code))
    return rows
