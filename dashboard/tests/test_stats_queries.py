"""The dashboard's queries do not grow with the number of units (no N+1)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dashboard.stats import Period, headline, ranking, stage_durations, trends
from reports.models import Rating, Report
from reports.workflow import Status
from rollups.histogram import bucket_width_hours
from rollups.services import rebuild
from units.models import Agency, AgencyKind

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 18, 10, tzinfo=HCM)
PERIOD = Period("custom", date(2026, 3, 2), date(2026, 3, 15))


def fill(units: int, category) -> None:
    """Three reports per unit (one resolved and rated, one accepted, one overdue)."""
    agencies = Agency.objects.filter(kind=AgencyKind.WARD_COMMITTEE).order_by("code")[:units]
    start = datetime(2026, 3, 3, 8, tzinfo=HCM)
    for n, agency in enumerate(agencies):
        for i, status in enumerate((Status.RESOLVED, Status.ACCEPTED, Status.ROUTED)):
            created = start + timedelta(hours=n + i)
            report = Report.objects.create(
                tracking_code=f"PA-Q-{n}-{i}",
                title="t",
                description="d",
                category=category,
                lat=21.0,
                lon=105.8,
                agency=agency,
                status=status,
                created_at=created,
                updated_at=created,
                routed_at=created + timedelta(hours=1),
                accepted_at=created + timedelta(hours=3) if i < 2 else None,
                resolved_at=created + timedelta(hours=20) if i == 0 else None,
                resolve_due_at=created + timedelta(hours=40),
                due_at=created + timedelta(hours=5) if i == 2 else None,
                # As the SLA sweep flags it once due_at has passed.
                overdue_since=created + timedelta(hours=5) if i == 2 else None,
                resolution_count=1 if i == 0 else 0,
            )
            if i == 0:
                Rating.objects.create(
                    report=report, round=1, satisfied=n % 2 == 0, created_at=created + timedelta(1)
                )


@pytest.mark.parametrize("units", [2, 20])
def test_dashboard_queries_stay_constant_whatever_the_number_of_units(
    units, waste, django_assert_num_queries
):
    fill(units, waste)
    rebuild()  # fill() writes past the services, as generate_reports does
    reports = Report.objects.select_related("category", "ward", "agency")
    # The rollups' sums; the deadlines passed since the last sweep (sla.selectors).
    with django_assert_num_queries(2):
        figures = headline(reports, PERIOD, now=NOW)
    assert (figures.received, figures.handled, figures.overdue_now) == (3 * units, units, units)
    # The rollups per unit, the units' names, the deadlines passed since the last sweep.
    with django_assert_num_queries(3):
        rows = ranking(reports, PERIOD, now=NOW, sort="-satisfied_pct")
    assert len(rows) == units
    # 3 h exactly, read from the histogram: within its bucket (rollups/histogram.py).
    assert all(abs(r.figures.median_accept_hours - 3.0) <= bucket_width_hours(3.0) for r in rows)
    with django_assert_num_queries(2):  # ratings of the current round, timestamps
        _whole, unit_rows = stage_durations(reports, PERIOD)
    assert len(unit_rows) == units
    with django_assert_num_queries(3):  # received per day, handled per day, ratings per day
        t = trends(reports, PERIOD, now=NOW)
    assert sum(t.received) == 3 * units
