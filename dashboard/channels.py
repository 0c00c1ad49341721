"""Where reports come from: counts per channel, and per helper (hotline operators and
community digital teams) for the reports they filed on residents' behalf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from intake.models import AssistedFiling, Consent
from reports.models import Rating, Report, ReportChannel

from .stats import _HANDLED_Q, Period, _overdue_q, _share, received_in


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    label: str
    received: int
    handled: int
    overdue_now: int
    ratings: int
    satisfied: int

    @property
    def handled_pct(self) -> float | None:
        return _share(self.handled, self.received)

    @property
    def satisfied_pct(self) -> float | None:
        return _share(self.satisfied, self.ratings)


@dataclass(frozen=True)
class HelperRow:
    helper: str
    agency: str
    filed: int
    by_code: int
    spoken: int


def by_channel(reports: QuerySet[Report], period: Period, *, now: datetime) -> list[ChannelRow]:
    """Every channel, the empty ones too (a channel nobody uses is worth seeing): two queries."""
    received = received_in(reports, period)
    counts = {
        r["channel"]: r
        for r in received.values("channel").annotate(
            received=Count("id"),
            handled=Count("id", filter=_HANDLED_Q),
            overdue_now=Count("id", filter=_overdue_q(now)),
        )
    }
    ratings = {
        r["report__channel"]: r
        for r in Rating.objects.filter(report__in=received.values("pk"))
        .values("report__channel")
        .annotate(n=Count("id"), yes=Count("id", filter=Q(satisfied=True)))
    }
    return [
        ChannelRow(
            channel=value,
            label=str(label),
            received=counts.get(value, {}).get("received", 0),
            handled=counts.get(value, {}).get("handled", 0),
            overdue_now=counts.get(value, {}).get("overdue_now", 0),
            ratings=ratings.get(value, {}).get("n", 0),
            satisfied=ratings.get(value, {}).get("yes", 0),
        )
        for value, label in ReportChannel.choices
    ]


def by_helper(reports: QuerySet[Report], period: Period) -> list[HelperRow]:
    """Reports filed for residents per helper, most first; how many by spoken consent."""
    rows = (
        AssistedFiling.objects.filter(report__in=received_in(reports, period).values("pk"))
        .values("helper_id", "helper__full_name", "helper__username", "helper_agency__name")
        .annotate(
            filed=Count("id"),
            by_code=Count("id", filter=Q(consent=Consent.CODE)),
            spoken=Count("id", filter=Q(consent=Consent.SPOKEN)),
        )
        .order_by("-filed", "helper__username")
    )
    return [
        HelperRow(
            helper=r["helper__full_name"] or r["helper__username"],
            agency=r["helper_agency__name"],
            filed=r["filed"],
            by_code=r["by_code"],
            spoken=r["spoken"],
        )
        for r in rows
    ]
