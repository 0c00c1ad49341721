"""The rollups follow every service that changes a report, and equal both a rebuild from the
reports and the plain GROUP BY figures (dashboard/stats_groupby.py)."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction

from conftest import GOOD_ANSWER, photo_file
from dashboard import stats, stats_groupby
from reports import services
from reports.models import Report
from rollups.histogram import bucket_width_hours
from rollups.models import SUM_FIELDS, UnitCategoryDay, UnitDay, UnitMonth
from rollups.services import _bump, rebuild
from sla.services import sla_sweep

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=HCM)
ALL = stats.Period("all", None, None)
MARCH = stats.Period("custom", date(2026, 3, 1), date(2026, 3, 31))


def table(model) -> list[dict]:
    """The table's rows with something counted (a row whose reports all moved away is all
    zeros, the same as no row), without the surrogate id."""
    rows = []
    for row in model.objects.order_by(*[f for f in ("agency_id", "category_id", "day", "month")
                                        if hasattr(model, f)]).values():  # fmt: skip
        row.pop("id")
        if any(row[name] for name in SUM_FIELDS):
            rows.append(row)
    return rows


def assert_incremental_equals_rebuilt() -> None:
    incremental = (table(UnitCategoryDay), table(UnitDay), table(UnitMonth))
    rebuild()
    assert (table(UnitCategoryDay), table(UnitDay), table(UnitMonth)) == incremental


def same_figures(rollup: stats.Figures, groupby: stats.Figures) -> None:
    exact = {k: v for k, v in vars(rollup).items() if not k.startswith("median")}
    assert exact == {k: v for k, v in vars(groupby).items() if not k.startswith("median")}
    for name in ("median_accept_hours", "median_resolve_hours"):
        got, want = getattr(rollup, name), getattr(groupby, name)
        assert (got is None) == (want is None), name
        if want is not None:
            # The documented precision (rollups/histogram.py).
            assert abs(got - want) <= bucket_width_hours(2 * want) + 0.1, name  # + rounding


def assert_rollups_equal_groupby(reports, period, now) -> None:
    same_figures(
        stats.headline(reports, period, now=now), stats_groupby.headline(reports, period, now=now)
    )
    rollup = stats.ranking(reports, period, now=now, sort="name")
    groupby = stats_groupby.ranking(reports, period, now=now, sort="name")
    assert [(r.agency_id, r.code, r.name) for r in rollup] == [
        (r.agency_id, r.code, r.name) for r in groupby
    ]
    for a, b in zip(rollup, groupby, strict=True):
        same_figures(a.figures, b.figures)


@pytest.fixture
def dept(db):
    from units.models import Agency

    return Agency.objects.get(code="urenco")


def test_every_service_keeps_the_rollups_exact(
    submit, alice, officer_a, officer_b, coordinator, leader_a, ward_a, ward_b
):
    with time_machine.travel(MONDAY_9AM, tick=False) as clock:
        closed = submit(title="Đã xử lý xong")
        reopened = submit(title="Chưa xong, mở lại rồi chuyển")
        duplicate = submit(title="Trùng lặp")
        rejected = submit(title="Không thuộc thẩm quyền")
        late = submit(title="Quá hạn")
        assert {r.agency_id for r in (closed, reopened, duplicate, rejected, late)} == {ward_a.pk}
        clock.shift(timedelta(hours=2))
        for report in (closed, reopened):
            services.report_accept(actor=officer_a, report=report)
        clock.shift(timedelta(hours=5))
        for report in (closed, reopened):
            services.report_resolve(
                actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()]
            )
        clock.shift(timedelta(hours=1))
        services.report_rate(actor=alice, report=closed, satisfied=True)
        services.report_rate(
            actor=alice, report=reopened, satisfied=False, comment="Vẫn còn rác ở đầu ngõ."
        )
        services.report_merge(actor=officer_a, report=duplicate, into=closed)
        services.report_reject(actor=officer_a, report=rejected, reason="Đường do tỉnh quản lý.")
        # The reopened report (rated once, unsatisfied) moves to ward B with its rating.
        services.report_transfer(
            actor=coordinator, report=reopened, agency=ward_b, reason="Thuộc phường Ba Đình."
        )
        clock.shift(timedelta(hours=3))
        services.report_accept(actor=officer_b, report=reopened)
        clock.shift(timedelta(days=20))
        result = sla_sweep()
        assert result.flagged >= 2  # `late` (never accepted) and `reopened` (not resolved)
        now = datetime.now(tz=HCM)  # the travelled clock

    everything = Report.objects.all()
    a_row, b_row = (
        UnitDay.objects.get(agency_id=ward.pk, day=date(2026, 3, 2)) for ward in (ward_a, ward_b)
    )
    # Ward A: closed (on time, rated satisfied), rejected, late (open, flagged by the sweep);
    # the duplicate is gone.
    assert (
        a_row.received,
        a_row.handled,
        a_row.on_time,
        a_row.unresolved,
        a_row.overdue,
        a_row.ratings,
        a_row.satisfied,
    ) == (3, 1, 1, 1, 1, 1, 1)
    # Ward B: the transferred report, reopened once, with its unsatisfied rating.
    assert (
        b_row.received,
        b_row.unresolved,
        b_row.overdue,
        b_row.reopened,
        b_row.ratings,
        b_row.satisfied,
    ) == (1, 1, 1, 1, 1, 0)
    assert_incremental_equals_rebuilt()
    for reports in (everything, stats.scope_for(leader_a)[0]):
        for period in (ALL, MARCH):
            assert_rollups_equal_groupby(reports, period, now)


def test_rebuild_is_idempotent_and_the_command_reports_the_rows(submit, capsys):
    with time_machine.travel(MONDAY_9AM, tick=False):
        submit()
        submit(lat=21.0, lon=105.6)  # elsewhere: maybe another unit, maybe none
    before = (table(UnitCategoryDay), table(UnitDay))
    call_command("rebuild_rollups")
    call_command("rebuild_rollups")
    assert (table(UnitCategoryDay), table(UnitDay)) == before
    out = capsys.readouterr().out
    assert f"{len(before[0])} unit × category × day rows" in out


def test_a_deferred_block_counts_once_and_a_failed_one_counts_nothing(submit, officer_a, ward_a):
    from maps.models import MapCell
    from reports import derived

    with time_machine.travel(MONDAY_9AM, tick=False):
        report = submit()
        counted = (table(UnitCategoryDay), table(UnitDay), table(UnitMonth))
        cells = sorted(MapCell.objects.values_list("cell", "level", "status", "n"))
        # A block that fails after a step committed its savepoint: the step is rolled back
        # and the deferred counts are never written (here the block encloses the transaction,
        # so counts written on the way out would outlive the rollback).
        with pytest.raises(RuntimeError), derived.deferred(), transaction.atomic():
            services.report_accept(actor=officer_a, report=report)
            raise RuntimeError("the disk is full")
        assert (table(UnitCategoryDay), table(UnitDay), table(UnitMonth)) == counted
        assert sorted(MapCell.objects.values_list("cell", "level", "status", "n")) == cells
        # Two steps of one report in one block land as one change, exact as a rebuild.
        report = Report.objects.get(pk=report.pk)
        with transaction.atomic(), derived.deferred():
            services.report_accept(actor=officer_a, report=report)
            services.report_start(actor=officer_a, report=report)
        assert Report.objects.get(pk=report.pk).status == "in_progress"
        assert_incremental_equals_rebuilt()
        assert not MapCell.objects.filter(status="accepted").exists()
        assert MapCell.objects.filter(status="in_progress").exists()


def test_a_report_with_no_unit_counts_in_the_city_headline_only(submit, ward_a):
    with time_machine.travel(MONDAY_9AM, tick=False) as clock:
        routed = submit()
        unroutable = submit()
        # As if routing had found no unit: a report written past the services, then rebuilt.
        Report.objects.filter(pk=unroutable.pk).update(agency=None)
        rebuild()
        clock.shift(timedelta(hours=1))
        now = datetime(2026, 3, 2, 10, tzinfo=HCM)
    figures = stats.headline(Report.objects.all(), MARCH, now=now)
    assert (figures.received, figures.unresolved_now) == (2, 2)
    rows = stats.ranking(Report.objects.all(), MARCH, now=now)
    assert [(r.agency_id, r.figures.received) for r in rows] == [(routed.agency_id, 1)]


def test_a_scope_the_rollups_cannot_express_falls_back_to_group_by(
    submit, django_assert_num_queries
):
    with time_machine.travel(MONDAY_9AM, tick=False):
        submit(title="Đèn đường hỏng")
        submit()
    now = datetime(2026, 3, 3, tzinfo=HCM)
    narrowed = Report.objects.filter(title="Đèn đường hỏng")
    with django_assert_num_queries(3):  # the GROUP BY path: counts, ratings, timestamps
        figures = stats.headline(narrowed, MARCH, now=now)
    assert figures.received == 1
    # The rollups' sums, and the deadlines passed since the last SLA sweep (sla.selectors).
    with django_assert_num_queries(2):
        assert stats.headline(Report.objects.all(), MARCH, now=now).received == 2


@pytest.mark.django_db(transaction=True)
def test_two_transactions_creating_the_same_row_lose_no_count(ward_a, waste):
    """Both transactions find no row and INSERT; the second waits on the unique key for the
    first to commit, then adds to the first's row (ON CONFLICT DO UPDATE, PostgreSQL). SQLite takes
    the write lock at BEGIN (IMMEDIATE), so a second writer queues until the first commits; the
    test database there is in memory, where a waiting writer is refused ("table is locked")
    instead of queueing, so the second starts after the first's commit, as it would queue."""
    key = (ward_a.pk, waste.pk, date(2026, 3, 2))
    first_wrote = threading.Event()
    first_done = threading.Event()
    serialised = connection.vendor == "sqlite"
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                _bump(key, {"received": 1, "unresolved": 1})
                first_wrote.set()
                # Hold the transaction open so the second one meets the uncommitted row.
                threading.Event().wait(0.5)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            first_wrote.set()
        finally:
            connection.close()
            first_done.set()

    def second() -> None:
        (first_done if serialised else first_wrote).wait()
        try:
            with transaction.atomic():
                _bump(key, {"received": 1, "handled": 1})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    row = UnitCategoryDay.objects.get(agency_id=key[0], category_id=key[1], day=key[2])
    assert (row.received, row.unresolved, row.handled) == (2, 1, 1)
    day = UnitDay.objects.get(agency_id=key[0], day=key[2])
    assert (day.received, day.unresolved, day.handled) == (2, 1, 1)


def test_the_dashboard_scopes_read_the_rollups(leader_a, city_leader, ward_a, ward_b):
    """The querysets scope_for and the views build are answered from the rollups."""
    from accounts.models import Membership, Role

    assert stats._rollup_scope(stats.scope_for(city_leader)[0]) == (True, None)
    leader_scope = stats.scope_for(leader_a)[0]
    assert stats._rollup_scope(leader_scope) == (True, frozenset({ward_a.pk}))
    narrowed = leader_scope.filter(agency_id=ward_a.pk)  # the views' ?agency=
    assert stats._rollup_scope(narrowed) == (True, frozenset({ward_a.pk}))
    Membership.objects.create(user=leader_a, agency=ward_b, role=Role.UNIT_LEADER)
    leader_a.refresh_from_db()
    both = stats.scope_for(type(leader_a).objects.get(pk=leader_a.pk))[0]
    assert stats._rollup_scope(both) == (True, frozenset({ward_a.pk, ward_b.pk}))
    # Not expressible by unit: the GROUP BY path answers.
    assert stats._rollup_scope(both.filter(is_public=True))[0] is False
    assert stats._rollup_scope(Report.objects.none())[0] is False


def test_a_period_reads_whole_months_and_leftover_days():
    from rollups.selectors import split_period

    assert split_period(date(2026, 8, 27), date(2026, 11, 24)) == (
        [(date(2026, 9, 1), date(2026, 10, 31))],
        [(date(2026, 8, 27), date(2026, 8, 31)), (date(2026, 11, 1), date(2026, 11, 24))],
    )
    assert split_period(date(2026, 3, 1), date(2026, 3, 31)) == (
        [(date(2026, 3, 1), date(2026, 3, 31))],
        [],
    )
    assert split_period(date(2026, 3, 2), date(2026, 3, 15)) == (
        [],
        [(date(2026, 3, 2), date(2026, 3, 15))],
    )
    assert split_period(None, None) == ([(None, None)], [])
