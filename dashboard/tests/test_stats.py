"""The dashboard's figures against a small hand-made set of reports whose numbers we know.

The reports are created directly with explicit timestamps (not through the services), so every
duration below is exact. All times are local (Asia/Ho_Chi_Minh, UTC+7). The period is the
custom one 2026-03-02 (Monday) to 2026-03-15 (Sunday); "now" is 2026-03-18 10:00.

    code  unit  created     routed      accepted    resolved    resolve_due status      other
    A1    A     3/2 08:00   3/2 09:00   3/2 11:00   3/3 08:00   3/5 08:00   closed      rating r1 satisfied 3/3 20:00
    A2    A     3/3 08:00   3/3 08:30   3/3 13:00   3/6 13:00   3/5 08:00   resolved    (late)
    A3    A     3/4 06:30   3/4 07:30   -           -           -           routed      due 3/5 10:00 (overdue)
    A4    A     3/9 09:00   3/9 10:00   3/9 17:00   -           3/20 09:00  in_progress due 3/20; reopened once,
                                                                                        rating r1 unsatisfied 3/10 09:00
    A5    A     3/10 08:00  3/10 09:00  -           -           -           rejected
    A6    A     3/10 09:00  3/10 09:30  -           -           -           merged      (never counted)
    A7    A     2/20 08:00  2/20 09:00  2/20 10:00  3/3 14:00   2/27 08:00  closed      before the period; rating r1
                                                                                        satisfied 3/4 09:00
    X1    A     3/16 00:00  3/16 01:00  -           -           -           routed      after the period, due 3/17
    B1    B     3/5 08:00   3/5 08:00   3/6 10:00   3/7 10:00   3/8 08:00   closed      reopened once, resolved twice:
                                                                                        r1 unsatisfied 3/6 08:00,
                                                                                        r2 satisfied 3/7 16:00
    B2    B     3/12 08:00  3/12 10:00  -           -           -           routed      due 3/13 10:00 (overdue)
    B3    B     3/14 08:00  3/14 08:00  3/15 10:00  -           -           accepted    due 3/30 08:00
    D1    D     3/6 08:00   3/6 12:00   3/7 13:00   3/9 12:00   3/9 08:00   resolved    (late)
    N1    -     3/11 08:00  -           -           -           -           submitted   no unit yet, due 3/11 16:00

A = ubnd-00070 (UBND Phường Hoàn Kiếm), B = ubnd-00004 (UBND Phường Ba Đình), D = urenco
(Công ty Môi trường đô thị Hà Nội (URENCO)). In the period: A1–A5, B1–B3, D1, N1 (10 reports).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Membership, Role
from conftest import make_user
from dashboard.stats import (
    DRILLDOWN_METRICS,
    PERIOD_CHOICES,
    Figures,
    Period,
    drilldown,
    headline,
    period_from_params,
    ranking,
    registrations,
    scope_for,
    stage_durations,
    trends,
)
from reports.models import Rating, Report
from reports.workflow import Status
from rollups.histogram import bucket_width_hours
from rollups.services import rebuild
from units.models import Agency

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 18, 10, 0, tzinfo=HCM)
TODAY = date(2026, 3, 18)
PERIOD = Period("custom", date(2026, 3, 2), date(2026, 3, 15))


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=HCM)


def make_report(code: str, agency: Agency | None, category, **fields) -> Report:
    fields.setdefault("status", Status.ROUTED)
    fields.setdefault("updated_at", fields["created_at"])
    return Report.objects.create(
        tracking_code=f"PA-2026-{code}",
        title=f"Report {code}",
        description="…",
        category=category,
        lat=21.0285,
        lon=105.8522,
        agency=agency,
        ward=agency.unit if agency is not None else None,
        **fields,
    )


def rate(report: Report, round_: int, satisfied: bool, when: datetime) -> None:
    Rating.objects.create(report=report, round=round_, satisfied=satisfied, created_at=when)


@pytest.fixture
def dept(db) -> Agency:
    return Agency.objects.get(code="urenco")


@pytest.fixture
def hand_made(ward_a, ward_b, dept, waste):
    a, b, d, c = ward_a, ward_b, dept, waste
    r = {}
    r["A1"] = make_report(
        "A1", a, c, status=Status.CLOSED, created_at=at(3, 2, 8), routed_at=at(3, 2, 9),
        accepted_at=at(3, 2, 11), resolved_at=at(3, 3, 8), resolve_due_at=at(3, 5, 8),
        closed_at=at(3, 3, 20), resolution_count=1,
    )  # fmt: skip
    rate(r["A1"], 1, True, at(3, 3, 20))
    r["A2"] = make_report(
        "A2", a, c, status=Status.RESOLVED, created_at=at(3, 3, 8), routed_at=at(3, 3, 8, 30),
        accepted_at=at(3, 3, 13), resolved_at=at(3, 6, 13), resolve_due_at=at(3, 5, 8),
        resolution_count=1,
    )  # fmt: skip
    # 06:30 local is 23:30 UTC the day before: it counts on the local day 3/4.
    r["A3"] = make_report(
        "A3", a, c, status=Status.ROUTED, created_at=at(3, 4, 6, 30), routed_at=at(3, 4, 7, 30),
        due_at=at(3, 5, 10), overdue_since=at(3, 5, 10),
    )  # fmt: skip
    r["A4"] = make_report(
        "A4", a, c, status=Status.IN_PROGRESS, created_at=at(3, 9, 9), routed_at=at(3, 9, 10),
        accepted_at=at(3, 9, 17), resolve_due_at=at(3, 20, 9), due_at=at(3, 20, 9),
        reopen_count=1, resolution_count=1,
    )  # fmt: skip
    rate(r["A4"], 1, False, at(3, 10, 9))
    r["A5"] = make_report(
        "A5", a, c, status=Status.REJECTED, created_at=at(3, 10, 8), routed_at=at(3, 10, 9),
        closed_at=at(3, 10, 10),
    )  # fmt: skip
    r["A6"] = make_report(
        "A6", a, c, status=Status.MERGED, created_at=at(3, 10, 9), routed_at=at(3, 10, 9, 30),
        duplicate_of=r["A4"],
    )  # fmt: skip
    r["A7"] = make_report(
        "A7", a, c, status=Status.CLOSED, created_at=at(2, 20, 8), routed_at=at(2, 20, 9),
        accepted_at=at(2, 20, 10), resolved_at=at(3, 3, 14), resolve_due_at=at(2, 27, 8),
        closed_at=at(3, 4, 9), resolution_count=1,
    )  # fmt: skip
    rate(r["A7"], 1, True, at(3, 4, 9))
    # Local midnight after the period's last day: outside it.
    r["X1"] = make_report(
        "X1", a, c, status=Status.ROUTED, created_at=at(3, 16, 0), routed_at=at(3, 16, 1),
        due_at=at(3, 17, 9), overdue_since=at(3, 17, 9),
    )  # fmt: skip
    r["B1"] = make_report(
        "B1", b, c, status=Status.CLOSED, created_at=at(3, 5, 8), routed_at=at(3, 5, 8),
        accepted_at=at(3, 6, 10), resolved_at=at(3, 7, 10), resolve_due_at=at(3, 8, 8),
        closed_at=at(3, 7, 16), reopen_count=1, resolution_count=2,
    )  # fmt: skip
    rate(r["B1"], 1, False, at(3, 6, 8))
    rate(r["B1"], 2, True, at(3, 7, 16))
    r["B2"] = make_report(
        "B2", b, c, status=Status.ROUTED, created_at=at(3, 12, 8), routed_at=at(3, 12, 10),
        due_at=at(3, 13, 10), overdue_since=at(3, 13, 10),
    )  # fmt: skip
    r["B3"] = make_report(
        "B3", b, c, status=Status.ACCEPTED, created_at=at(3, 14, 8), routed_at=at(3, 14, 8),
        accepted_at=at(3, 15, 10), due_at=at(3, 30, 8),
    )  # fmt: skip
    r["D1"] = make_report(
        "D1", d, c, status=Status.RESOLVED, created_at=at(3, 6, 8), routed_at=at(3, 6, 12),
        accepted_at=at(3, 7, 13), resolved_at=at(3, 9, 12), resolve_due_at=at(3, 9, 8),
        resolution_count=1,
    )  # fmt: skip
    r["N1"] = make_report(
        "N1",
        None,
        c,
        status=Status.SUBMITTED,
        created_at=at(3, 11, 8),
        due_at=at(3, 11, 16),
        overdue_since=at(3, 11, 16),
    )
    # Written past the services, as generate_reports does: the rollups are rebuilt after.
    rebuild()
    return r


class near:  # lower case: reads as a value in the expected dicts
    """An exact median, equal to a rollup median within the documented precision
    (rollups/histogram.py): the width of the bucket of the larger middle value, which is at
    most twice the median."""

    def __init__(self, exact: float) -> None:
        self.exact = exact

    def __eq__(self, other: object) -> bool:
        return isinstance(other, float) and abs(other - self.exact) <= bucket_width_hours(
            2 * self.exact
        )

    def __repr__(self) -> str:
        return f"near({self.exact})"


def everything():
    return Report.objects.all()


def as_dict(figures: Figures) -> dict:
    return {
        "received": figures.received,
        "handled": figures.handled,
        "on_time": figures.on_time,
        "late": figures.late,
        "overdue_now": figures.overdue_now,
        "unresolved_now": figures.unresolved_now,
        "ratings": figures.ratings,
        "satisfied": figures.satisfied,
        "reopened": figures.reopened,
        "median_accept_hours": figures.median_accept_hours,
        "median_resolve_hours": figures.median_resolve_hours,
        "handled_pct": figures.handled_pct,
        "on_time_pct": figures.on_time_pct,
        "satisfied_pct": figures.satisfied_pct,
        "reopened_pct": figures.reopened_pct,
        "unresolved_per_100": figures.unresolved_per_100,
        "overdue_per_100": figures.overdue_per_100,
    }


# City: 10 received (A1–A5, B1–B3, D1, N1; A6 merged, A7 before, X1 after are left out).
# handled: A1, A2, B1, D1 = 4; on time: A1 (3/3 ≤ 3/5), B1 (3/7 10:00 ≤ 3/8) = 2; late: A2, D1.
# overdue now: open with due < 3/18 10:00, so flagged by the SLA sweep (overdue_since set as
# the sweep sets it): A3 (3/5), B2 (3/13), N1 (3/11) = 3.
# unresolved now: A3, A4, B2, B3, N1 = 5. ratings: A1 r1 +, A4 r1 −, B1 r1 −, B1 r2 + = 4, 2 +.
# reopened: A4, B1 = 2.
# accept hours (accepted − created): A1 3, A2 5, A4 8, B1 26, B3 26, D1 29 → median (8+26)/2 = 17.
# resolve hours (resolved − created): A1 24, A2 77, B1 50, D1 76 → median (50+76)/2 = 63.
CITY = {
    "received": 10,
    "handled": 4,
    "on_time": 2,
    "late": 2,
    "overdue_now": 3,
    "unresolved_now": 5,
    "ratings": 4,
    "satisfied": 2,
    "reopened": 2,
    "median_accept_hours": near(17.0),
    "median_resolve_hours": near(63.0),
    "handled_pct": 40.0,  # 4/10
    "on_time_pct": 50.0,  # 2/4
    "satisfied_pct": 50.0,  # 2/4
    "reopened_pct": 20.0,  # 2/10
    "unresolved_per_100": 50.0,  # 5×100/10
    "overdue_per_100": 30.0,  # 3×100/10
}
# Ward A: A1–A5. handled A1, A2; on time A1; overdue A3; unresolved A3, A4; ratings A1 +, A4 −;
# reopened A4; accept 3, 5, 8 → 5; resolve 24, 77 → 50.5.
WARD_A = {
    "received": 5,
    "handled": 2,
    "on_time": 1,
    "late": 1,
    "overdue_now": 1,
    "unresolved_now": 2,
    "ratings": 2,
    "satisfied": 1,
    "reopened": 1,
    "median_accept_hours": near(5.0),
    "median_resolve_hours": near(50.5),
    "handled_pct": 40.0,
    "on_time_pct": 50.0,
    "satisfied_pct": 50.0,
    "reopened_pct": 20.0,
    "unresolved_per_100": 40.0,
    "overdue_per_100": 20.0,
}
# Ward B: B1–B3. handled B1 (on time); overdue B2; unresolved B2, B3; ratings B1 −, B1 +;
# reopened B1; accept 26, 26 → 26; resolve 50.
WARD_B = {
    "received": 3,
    "handled": 1,
    "on_time": 1,
    "late": 0,
    "overdue_now": 1,
    "unresolved_now": 2,
    "ratings": 2,
    "satisfied": 1,
    "reopened": 1,
    "median_accept_hours": near(26.0),
    "median_resolve_hours": near(50.0),
    "handled_pct": 33.3,  # 1/3
    "on_time_pct": 100.0,
    "satisfied_pct": 50.0,
    "reopened_pct": 33.3,
    "unresolved_per_100": 66.7,  # 2×100/3
    "overdue_per_100": 33.3,
}
# URENCO: D1 only, handled late, no rating: satisfied % has nothing to divide by.
DEPT = {
    "received": 1,
    "handled": 1,
    "on_time": 0,
    "late": 1,
    "overdue_now": 0,
    "unresolved_now": 0,
    "ratings": 0,
    "satisfied": 0,
    "reopened": 0,
    "median_accept_hours": near(29.0),
    "median_resolve_hours": near(76.0),
    "handled_pct": 100.0,
    "on_time_pct": 0.0,
    "satisfied_pct": None,
    "reopened_pct": 0.0,
    "unresolved_per_100": 0.0,
    "overdue_per_100": 0.0,
}


# --- headline and ranking --------------------------------------------------------------------


def test_city_headline_matches_the_hand_counted_figures(hand_made):
    assert as_dict(headline(everything(), PERIOD, now=NOW)) == CITY


def test_unit_leader_headline_counts_only_their_ward(hand_made, leader_a):
    reports, _ = scope_for(leader_a)
    assert as_dict(headline(reports, PERIOD, now=NOW)) == WARD_A


def test_empty_period_has_zero_counts_and_no_percentages(hand_made):
    empty = Period("custom", date(2025, 1, 1), date(2025, 1, 31))
    figures = headline(everything(), empty, now=NOW)
    assert as_dict(figures) == {
        **dict.fromkeys(CITY, 0),
        **dict.fromkeys(
            [
                "median_accept_hours",
                "median_resolve_hours",
                "handled_pct",
                "on_time_pct",
                "satisfied_pct",
                "reopened_pct",
                "unresolved_per_100",
                "overdue_per_100",
            ],
            None,
        ),
    }


def test_ranking_has_one_row_per_unit_with_its_figures(hand_made, ward_a, ward_b, dept):
    rows = ranking(everything(), PERIOD, now=NOW)
    # N1 has no unit: it is in the city headline only.
    assert {r.agency_id: as_dict(r.figures) for r in rows} == {
        ward_a.pk: WARD_A,
        ward_b.pk: WARD_B,
        dept.pk: DEPT,
    }
    assert {r.agency_id: (r.code, r.name) for r in rows} == {
        ward_a.pk: ("ubnd-00070", "UBND Phường Hoàn Kiếm"),
        ward_b.pk: ("ubnd-00004", "UBND Phường Ba Đình"),
        dept.pk: ("urenco", "Công ty Môi trường đô thị Hà Nội (URENCO)"),
    }


def codes(rows) -> list[str]:
    return [r.code for r in rows]


def test_ranking_puts_most_unresolved_then_most_overdue_first(hand_made):
    # A and B: 2 unresolved, 1 overdue each → by name (Ba Đình before Hoàn Kiếm); URENCO 0.
    assert codes(ranking(everything(), PERIOD, now=NOW)) == ["ubnd-00004", "ubnd-00070", "urenco"]
    # An unknown sort key gives the default order too.
    assert codes(ranking(everything(), PERIOD, now=NOW, sort="-bogus")) == [
        "ubnd-00004",
        "ubnd-00070",
        "urenco",
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # "Công ty …" < "UBND Phường Ba Đình" < "UBND Phường Hoàn Kiếm"
        ("name", ["urenco", "ubnd-00004", "ubnd-00070"]),
        ("-name", ["ubnd-00070", "ubnd-00004", "urenco"]),
        # accept hours: URENCO 29, B 26, A 5
        ("-median_accept_hours", ["urenco", "ubnd-00004", "ubnd-00070"]),
        ("median_accept_hours", ["ubnd-00070", "ubnd-00004", "urenco"]),
        # on time: URENCO 0 %, A 50 %, B 100 %
        ("on_time_pct", ["urenco", "ubnd-00070", "ubnd-00004"]),
        ("-on_time_pct", ["ubnd-00004", "ubnd-00070", "urenco"]),
        # satisfied: A and B 50 % (tie → by name), URENCO none: last both ways
        ("satisfied_pct", ["ubnd-00004", "ubnd-00070", "urenco"]),
        ("-satisfied_pct", ["ubnd-00004", "ubnd-00070", "urenco"]),
        # unresolved per 100: B 66.7, A 40, URENCO 0
        ("-unresolved_per_100", ["ubnd-00004", "ubnd-00070", "urenco"]),
        # received: URENCO 1, B 3, A 5
        ("received", ["urenco", "ubnd-00004", "ubnd-00070"]),
    ],
)
def test_ranking_sorts_by_the_chosen_column(hand_made, sort, expected):
    assert codes(ranking(everything(), PERIOD, now=NOW, sort=sort)) == expected


# --- stages ----------------------------------------------------------------------------------


def stage_table(row) -> dict:
    return {name: (s.count, s.median_hours, s.p90_hours) for name, s in row.stages.items()} | {
        "bottleneck": row.bottleneck
    }


def test_stage_durations_per_unit_and_bottleneck(hand_made, ward_a, ward_b, dept):
    whole, units = stage_durations(everything(), PERIOD)
    assert whole.agency_id is None
    # City, 10 reports:
    # routing (routed − created): A1 1, A2 0.5, A3 1, A4 1, A5 1, B1 0, B2 2, B3 0, D1 4 (N1 not
    #   routed) → sorted 0 0 .5 1 1 1 1 2 4: median 1, p90 = sorted[ceil(8.1)−1 = 8] = 4.
    # accepting (accepted − routed): A1 2, A2 4.5, A4 7, B1 26, B3 26, D1 25 → sorted
    #   2 4.5 7 25 26 26: median (7+25)/2 = 16, p90 sorted[5] = 26.
    # resolving (resolved − accepted): A1 21, A2 72, B1 24, D1 47 → median (24+47)/2 = 35.5,
    #   p90 sorted[3] = 72.
    # rating (rating of the current round − resolved): A1 12 (20:00 − 08:00), B1 round 2 6
    #   (16:00 − 10:00); A4's round-1 rating has no resolved_at (reopened) → median 9, p90 12.
    assert stage_table(whole) == {
        "routing": (9, 1.0, 4.0),
        "accepting": (6, 16.0, 26.0),
        "resolving": (4, 35.5, 72.0),
        "rating": (2, 9.0, 12.0),
        "bottleneck": "resolving",
    }
    # Units sorted by name: URENCO, Ba Đình, Hoàn Kiếm.
    assert [u.agency_id for u in units] == [dept.pk, ward_b.pk, ward_a.pk]
    by_unit = {u.agency_id: stage_table(u) for u in units}
    # A: routing 1 .5 1 1 1 → median 1, p90 sorted[ceil(4.5)−1 = 4] = 1; accepting 2 4.5 7 →
    # 4.5, p90 sorted[2] = 7; resolving 21 72 → 46.5, p90 72; rating 12.
    assert by_unit[ward_a.pk] == {
        "routing": (5, 1.0, 1.0),
        "accepting": (3, 4.5, 7.0),
        "resolving": (2, 46.5, 72.0),
        "rating": (1, 12.0, 12.0),
        "bottleneck": "resolving",
    }
    # B: routing 0 2 0 → median 0, p90 sorted[2] = 2; accepting 26 26; resolving 24; rating 6.
    # Its bottleneck is accepting (26 > 24).
    assert by_unit[ward_b.pk] == {
        "routing": (3, 0.0, 2.0),
        "accepting": (2, 26.0, 26.0),
        "resolving": (1, 24.0, 24.0),
        "rating": (1, 6.0, 6.0),
        "bottleneck": "accepting",
    }
    assert by_unit[dept.pk] == {
        "routing": (1, 4.0, 4.0),
        "accepting": (1, 25.0, 25.0),
        "resolving": (1, 47.0, 47.0),
        "rating": (0, None, None),
        "bottleneck": "resolving",
    }


# --- trends ----------------------------------------------------------------------------------


def test_trends_count_received_and_handled_per_local_day_and_satisfaction_per_week(hand_made):
    t = trends(everything(), PERIOD, now=NOW)
    assert t.days == [date(2026, 3, 2) + timedelta(days=i) for i in range(14)]
    # received: 3/2 A1, 3/3 A2, 3/4 A3 (06:30 local = 3/3 UTC), 3/5 B1, 3/6 D1, 3/9 A4,
    # 3/10 A5 (A6 merged: not counted), 3/11 N1, 3/12 B2, 3/14 B3.
    assert t.received == [1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0]
    # handled (resolved/closed, by the day of resolved_at, whenever received): 3/3 A1 and A7
    # (received in February), 3/6 A2, 3/7 B1, 3/9 D1.
    assert t.handled == [0, 2, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    assert t.weeks == [date(2026, 3, 2), date(2026, 3, 9)]
    # Week of 3/2: A1 +, A7 + (3/4), B1 − (3/6), B1 + (3/7) → 3 of 4 = 75 %;
    # week of 3/9: A4 − → 0 %.
    assert t.satisfied_pct == [75.0, 0.0]


def test_trends_for_all_time_start_at_the_first_report(hand_made):
    t = trends(everything(), Period("all", None, None), now=NOW)
    # A7 (2/20) is the first report; up to today 3/18: 9 days of February + 18 of March.
    assert (t.days[0], t.days[-1], len(t.days)) == (date(2026, 2, 20), TODAY, 27)
    assert sum(t.received) == 12  # every report but the merged A6
    assert t.weeks[0] == date(2026, 2, 16)  # the Monday of 2/20's week
    assert t.weeks[-1] == date(2026, 3, 16)


# --- drill-down ------------------------------------------------------------------------------


EXPECTED_DRILLDOWN = {
    "received": {"A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "D1", "N1"},
    "handled": {"A1", "A2", "B1", "D1"},
    "on_time": {"A1", "B1"},
    "late": {"A2", "D1"},
    "overdue_now": {"A3", "B2", "N1"},
    "unresolved_now": {"A3", "A4", "B2", "B3", "N1"},
    "satisfied": {"A1", "B1"},
    "unsatisfied": {"A4", "B1"},
    "reopened": {"A4", "B1"},
}


def short(queryset) -> set[str]:
    return {
        code.removeprefix("PA-2026-") for code in queryset.values_list("tracking_code", flat=True)
    }


@pytest.mark.parametrize("metric", DRILLDOWN_METRICS)
def test_drilldown_lists_the_reports_behind_each_figure(hand_made, metric):
    assert short(drilldown(everything(), PERIOD, metric, now=NOW)) == EXPECTED_DRILLDOWN[metric]


def test_drilldown_of_a_unit_leader_stays_in_their_ward(hand_made, leader_a):
    reports, _ = scope_for(leader_a)
    assert short(drilldown(reports, PERIOD, "received", now=NOW)) == {"A1", "A2", "A3", "A4", "A5"}
    assert short(drilldown(reports, PERIOD, "overdue_now", now=NOW)) == {"A3"}


def test_drilldown_refuses_an_unknown_metric(hand_made):
    with pytest.raises(ValueError):
        drilldown(everything(), PERIOD, "bogus", now=NOW)


# --- scope -----------------------------------------------------------------------------------


def test_unit_leader_sees_only_their_ward(hand_made, leader_a, ward_a):
    reports, agency_ids = scope_for(leader_a)
    assert agency_ids == [ward_a.pk]
    # All of ward A's reports, whatever their period or status.
    assert short(reports) == {"A1", "A2", "A3", "A4", "A5", "A6", "A7", "X1"}


def test_city_leader_and_coordinator_see_the_whole_city(hand_made, city_leader, coordinator):
    for user in (city_leader, coordinator):
        reports, agency_ids = scope_for(user)
        assert agency_ids is None
        assert reports.count() == 13  # every report, merged and out-of-period included


def test_officer_and_resident_get_no_dashboard_data(hand_made, officer_a, alice):
    for user in (officer_a, alice, None):
        reports, agency_ids = scope_for(user)
        assert (reports.count(), agency_ids) == (0, [])


def test_leader_of_two_units_sees_both(hand_made, ward_a, ward_b):
    leader = make_user("leader_ab", agency=ward_a, role=Role.UNIT_LEADER)
    Membership.objects.create(user=leader, agency=ward_b, role=Role.UNIT_LEADER)
    # An inactive membership gives nothing.
    Membership.objects.create(
        user=leader, agency=Agency.objects.get(code="urenco"), role=Role.UNIT_LEADER,
        is_active=False,
    )  # fmt: skip
    reports, agency_ids = scope_for(leader)
    assert agency_ids == sorted([ward_a.pk, ward_b.pk])
    assert headline(reports, PERIOD, now=NOW).received == 8  # A1–A5, B1–B3


# --- registrations ---------------------------------------------------------------------------


def test_registrations_count_residents_per_home_ward(db, ward_a, ward_b, officer_b):
    home_a, home_b = ward_a.unit, ward_b.unit
    make_user("r1", home_ward=home_a, date_joined=at(3, 3, 9))  # new in the period
    make_user("r2", home_ward=home_a, date_joined=at(2, 1, 9))
    make_user("r3", home_ward=home_a, date_joined=at(3, 15, 23, 59))  # last minute: new
    make_user("r4", home_ward=home_b, date_joined=at(3, 16, 0))  # the day after: not new
    make_user("r5", date_joined=at(3, 10, 9))  # ward not stated, new
    make_user("gone", home_ward=home_a, is_active=False, date_joined=at(3, 4))  # not counted
    make_user("staff", home_ward=home_a, agency=ward_a, role=Role.OFFICER)  # staff: not counted
    former = make_user("former", home_ward=home_b, date_joined=at(1, 5))
    Membership.objects.create(user=former, agency=ward_b, role=Role.OFFICER, is_active=False)
    # officer_b (staff, no home ward) is not counted either.
    rows = registrations(PERIOD)
    assert [(r.ward_id, r.code, r.name, r.accounts, r.new_in_period) for r in rows] == [
        (home_a.pk, home_a.code, home_a.full_name, 3, 2),  # r1, r2, r3; new r1, r3
        (home_b.pk, home_b.code, home_b.full_name, 2, 0),  # r4, former (inactive membership)
        (None, "", "Chưa khai báo phường/xã", 1, 1),  # r5; "Ward not stated" in Vietnamese
    ]
    all_time = registrations(Period("all", None, None))
    assert [(r.accounts, r.new_in_period) for r in all_time] == [(3, 3), (2, 2), (1, 1)]


def test_registrations_always_list_the_ward_not_stated_row(db):
    assert [(r.ward_id, r.accounts, r.new_in_period) for r in registrations(PERIOD)] == [
        (None, 0, 0)
    ]


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "key", "start", "end"),
    [
        ({}, "90d", date(2025, 12, 19), TODAY),  # 90 days including today
        ({"period": "7d"}, "7d", date(2026, 3, 12), TODAY),
        ({"period": "30d"}, "30d", date(2026, 2, 17), TODAY),
        ({"period": "90d"}, "90d", date(2025, 12, 19), TODAY),
        ({"period": "year"}, "year", date(2026, 1, 1), TODAY),
        ({"period": "all"}, "all", None, None),
        (
            {"period": "custom", "from": "2026-03-02", "to": "2026-03-15"},
            "custom",
            date(2026, 3, 2),
            date(2026, 3, 15),
        ),
        (
            {"period": "custom", "from": "2026-03-02", "to": "2026-03-02"},
            "custom",
            date(2026, 3, 2),
            date(2026, 3, 2),
        ),
        # Invalid → the default 90 days.
        (
            {"period": "custom", "from": "2026-03-15", "to": "2026-03-02"},
            "90d",
            date(2025, 12, 19),
            TODAY,
        ),
        (
            {"period": "custom", "from": "15/03/2026", "to": "2026-03-20"},
            "90d",
            date(2025, 12, 19),
            TODAY,
        ),
        ({"period": "custom", "from": "2026-03-02"}, "90d", date(2025, 12, 19), TODAY),
        ({"period": "365"}, "90d", date(2025, 12, 19), TODAY),
    ],
)
def test_period_from_params(params, key, start, end):
    assert period_from_params(params, today=TODAY) == Period(key, start, end)


def test_period_choices_are_the_documented_ones():
    assert PERIOD_CHOICES == ("7d", "30d", "90d", "year", "all", "custom")


def test_period_bounds_are_local_midnights():
    start, end = PERIOD.bounds()
    assert start == datetime(2026, 3, 2, tzinfo=HCM)
    assert end == datetime(2026, 3, 16, tzinfo=HCM)
    assert start.utcoffset() == timedelta(hours=7)
    assert start.astimezone(ZoneInfo("UTC")) == datetime(2026, 3, 1, 17, tzinfo=ZoneInfo("UTC"))
    assert Period("all", None, None).bounds() == (None, None)


def test_period_params_for_links():
    assert PERIOD.as_params() == {"period": "custom", "from": "2026-03-02", "to": "2026-03-15"}
    assert period_from_params({"period": "7d"}, today=TODAY).as_params() == {"period": "7d"}
    # Round trip.
    assert period_from_params(PERIOD.as_params(), today=TODAY) == PERIOD
