"""Reads for the dashboard: how often residents take the suggestion, and what wrong picks
cost (reports re-routed to another category)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from reports.models import Report, ReportEvent
from reports.workflow import Action

from .models import CategoryModel, ModelState, Suggestion


@dataclass
class MonthRow:
    month: date
    suggested: int  # reports filed with a suggestion on record
    took_first: int  # the resident's category was the first suggestion
    among_three: int  # ... one of the (up to) three
    rerouted_for_category: int  # reports whose category a coordinator or unit corrected

    @property
    def took_first_share(self) -> float | None:
        return self.took_first / self.suggested if self.suggested else None

    @property
    def among_three_share(self) -> float | None:
        return self.among_three / self.suggested if self.suggested else None


def _months_back(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def acceptance_by_month(
    reports: QuerySet[Report], *, now: datetime, months: int = 12
) -> list[MonthRow]:
    """The last `months` months (local time), newest first, over the reports in `reports`."""
    tz = timezone.get_current_timezone()
    start_day = _months_back(timezone.localtime(now).date(), months)
    start = datetime.combine(start_day, datetime.min.time(), tz)
    taken = (
        Suggestion.objects.filter(report__in=reports, created_at__gte=start)
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month")
        .annotate(
            n=Count("pk"),
            first=Count("pk", filter=Q(chosen_rank=1)),
            three=Count("pk", filter=Q(chosen_rank__isnull=False)),
        )
        .order_by()
    )
    # A report corrected twice in a month counts once: the figure is reports, not clicks.
    corrected = (
        ReportEvent.objects.filter(
            report__in=reports,
            action__in=[Action.REROUTE, Action.TRANSFER],
            created_at__gte=start,
            data__has_key="from_category",
        )
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("report", distinct=True))
        .order_by()
    )
    rows: dict[date, MonthRow] = {}

    def row(month: datetime) -> MonthRow:
        key = timezone.localtime(month, tz).date() if timezone.is_aware(month) else month.date()
        return rows.setdefault(key, MonthRow(key, 0, 0, 0, 0))

    for t in taken:
        r = row(t["month"])
        r.suggested, r.took_first, r.among_three = t["n"], t["first"], t["three"]
    for c in corrected:
        row(c["month"]).rerouted_for_category = c["n"]
    return sorted(rows.values(), key=lambda r: r.month, reverse=True)


def serving_model_row() -> CategoryModel | None:
    return (
        CategoryModel.objects.filter(state=ModelState.SERVING).defer("blob").order_by("-pk").first()
    )
