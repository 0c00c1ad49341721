"""`manage.py generate_reports`: synthetic reports the app, the dashboard and the audit
check treat like real ones."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse

from dashboard.stats import HANDLED, Period, ranking
from demo.generate import CODE_PREFIX, WorkingClock, build_batch, load_reference, make_plan
from reports import audit
from reports.deadlines import add_working_hours
from reports.models import Media, Rating, Report, ReportEvent
from reports.search import search_text_for
from reports.workflow import Status
from units.lookup import locate

N = 2_000


def run(count: int = N, *args: str) -> str:
    out = io.StringIO()
    call_command("generate_reports", str(count), "--no-progress", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def generated(db) -> str:
    return run()


def test_writes_exactly_n_reports_with_their_events_and_says_how_fast(generated):
    assert Report.objects.count() == N
    assert Report.objects.filter(tracking_code__startswith=CODE_PREFIX).count() == N
    # Every report has its submission and routing events, and its last event leaves it in
    # its status (what verify_audit checks).
    assert ReportEvent.objects.filter(action="submit").count() == N
    assert ReportEvent.objects.filter(action="route").count() == N
    assert f"wrote {N} reports in " in generated
    assert re.search(r": [\d,]+ reports/s \(of which [\d.]+ s rebuilding", generated)


def test_outcomes_match_ihanoi_record(generated):
    received = Report.objects.exclude(status=Status.MERGED)
    handled = received.filter(status__in=HANDLED).count()
    assert abs(handled / received.count() - 0.83) <= 0.03
    rated = Rating.objects.count()
    satisfied = Rating.objects.filter(satisfied=True).count()
    assert rated > 200
    assert abs(satisfied / rated - 0.65) <= 0.05
    # An unsatisfied rating reopened the report once; it came back resolved a second time.
    assert Report.objects.filter(reopen_count=1).count() == rated - satisfied
    assert Report.objects.filter(resolution_count=2).count() == rated - satisfied


def test_rubbish_is_the_most_reported_category(generated):
    shares = dict(Report.objects.values_list("category__code").annotate(n=Count("id")).order_by())
    assert max(shares, key=shares.get) == "rac-thai-ve-sinh"
    assert abs(shares["rac-thai-ve-sinh"] / N - 0.24) <= 0.03


def test_every_report_lies_inside_its_ward(generated):
    for lat, lon, ward_id in Report.objects.values_list("lat", "lon", "ward_id"):
        hit = locate(lat, lon)
        assert (hit.unit_id, hit.distance_m) == (ward_id, 0.0)


def test_audit_chain_of_generated_reports_is_intact(generated):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    events = ReportEvent.objects.count()
    assert out.getvalue().startswith(f"Audit chain intact: {events} events checked")


def test_hash_and_search_text_are_those_the_app_computes(generated):
    report = Report.objects.filter(status=Status.CLOSED).first()
    assert report.search_text == search_text_for(
        tracking_code=report.tracking_code,
        title=report.title,
        description=report.description,
        address=report.address,
    )
    previous = ""
    for event in report.events.order_by("id"):
        assert event.prev_hash == previous
        assert event.hash == audit.event_hash(event, previous)
        previous = event.hash
    # Deadlines come from the working-hours calendar, as the services set them.
    assert report.resolve_due_at is not None


def test_public_pages_show_a_generated_report(generated, client):
    report = Report.objects.filter(is_public=True, status=Status.CLOSED).first()
    page = client.get(reverse("citizen:report_detail", args=[report.tracking_code]))
    assert page.status_code == 200
    assert report.tracking_code in page.content.decode()
    listing = client.get(reverse("citizen:report_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200
    assert CODE_PREFIX in listing.content.decode()


def test_dashboard_ranking_counts_generated_reports(generated):
    rows = ranking(Report.objects.all(), Period("all", None, None), now=datetime.now(UTC))
    received = Report.objects.exclude(status=Status.MERGED).filter(agency__isnull=False).count()
    assert sum(row.figures.received for row in rows) == received
    assert sum(row.figures.ratings for row in rows) == Rating.objects.count()


def test_running_twice_adds_more_and_the_orm_still_creates_reports(generated, submit):
    run(500, "--seed", "7")
    assert Report.objects.count() == N + 500
    codes = Report.objects.values_list("tracking_code", flat=True)
    assert len(set(codes)) == N + 500
    call_command("verify_audit", stdout=io.StringIO())
    real = submit()  # the ORM's ids come after the reserved ones: no clash
    assert real.pk == Report.objects.order_by("-id").values_list("id", flat=True).first()
    assert real.tracking_code.startswith("PA-20")
    assert real.events.count() == 2
    assert Media.objects.filter(report=real).count() == 1


def test_bad_count_is_refused_and_writes_nothing(db):
    with pytest.raises(CommandError, match="at least 1"):
        run(0)
    with pytest.raises(CommandError, match="at least 1"):
        run(10, "--days", "0")
    assert Report.objects.count() == 0


def test_working_clock_agrees_with_the_deadline_calendar(db, settings):
    from zoneinfo import ZoneInfo

    import numpy as np

    tz = ZoneInfo(settings.TIME_ZONE)
    clock = WorkingClock(
        datetime(2026, 1, 1).date(),
        datetime(2026, 6, 1).date(),
        tz,
        settings.WORKDAY_START_HOUR,
        settings.WORKDAY_END_HOUR,
    )
    starts = [
        datetime(2026, 2, 13, 16, 30, tzinfo=tz),  # the Friday before Tết
        datetime(2026, 3, 7, 10, 0, tzinfo=tz),  # a Saturday
        datetime(2026, 3, 9, 7, 15, tzinfo=tz),  # before opening
        datetime(2026, 3, 9, 17, 0, tzinfo=tz),  # at closing
    ]
    for start in starts:
        for hours in (1, 8, 9, 40):
            us = np.array([int(start.timestamp()) * 1_000_000])
            got = clock.add(us, np.array([float(hours)]))[0]
            expected = add_working_hours(start, hours)
            assert got == int(expected.timestamp()) * 1_000_000, (start, hours)


def test_same_seed_gives_the_same_reports(db):
    ref = load_reference(1)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    plan = make_plan(ref, now=now, days=30, auto_close_days=7)
    import numpy as np

    a = build_batch(plan, np.random.default_rng(3), 1, 1, 50)
    b = build_batch(plan, np.random.default_rng(3), 1, 1, 50)
    assert a.reports == b.reports
    assert a.events == b.events
    from demo.generate import REPORT_COLUMNS

    at = REPORT_COLUMNS.index("created_at")
    created = [datetime.fromisoformat(r.split("\t")[at] + "+00:00") for r in a.reports]
    assert all(now - timedelta(days=30) <= c < now for c in created)


def test_copy_text_survives_the_sqlite_path():
    from demo.generate import _sqlite_value, copy_text

    text = "a\tb\\c\nd"
    assert _sqlite_value(copy_text(text)) == text
    assert _sqlite_value("\\N") is None


def _index_definitions() -> dict[str, dict]:
    from django.db import connection

    from demo.generate import DERIVED_TABLES, TABLES

    with connection.cursor() as cursor:
        return {
            table: {
                name: (tuple(c["columns"]), c["unique"], c["primary_key"])
                for name, c in connection.introspection.get_constraints(cursor, table).items()
                if c["index"] or c["primary_key"] or c["unique"]
            }
            for table in (*TABLES, *DERIVED_TABLES)
        }


def test_a_large_run_builds_again_every_index_it_dropped(db):
    from demo.generate import generate

    before = _index_definitions()
    assert len(before["reports_report"]) > 10  # status, due_at, ward, agency, … are indexed
    assert "mapcell_viewport_idx" in before["maps_mapcell"]  # derived tables' too
    result = generate(500, seed=7, rebuild_indexes=True)
    assert _index_definitions() == before
    assert Report.objects.count() == 500 == result.reports
    # The indexes answer queries again: the tracking-code lookup and a status filter.
    code = Report.objects.order_by("id").values_list("tracking_code", flat=True).first()
    assert Report.objects.get(tracking_code=code).events.count() >= 2
    assert Report.objects.filter(status=Status.CLOSED).count() > 0


def test_a_failed_run_leaves_the_indexes_and_writes_nothing(db, monkeypatch):
    from demo import generate as module

    before = _index_definitions()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "build_batch", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        module.generate(500, seed=7, rebuild_indexes=True)
    assert _index_definitions() == before
    assert Report.objects.count() == 0


def test_open_reports_past_their_deadline_are_flagged_overdue(generated):
    from django.utils import timezone

    from reports.workflow import OPEN_STATUSES

    open_reports = Report.objects.filter(status__in=OPEN_STATUSES)
    late = open_reports.filter(due_at__lt=timezone.now())
    assert late.count() > 0
    # As the SLA sweep would have flagged them: since their deadline, and only them.
    assert all(r.overdue_since == r.due_at for r in late)
    assert Report.objects.filter(overdue_since__isnull=False).count() == late.count()


def test_the_planner_knows_the_size_of_what_was_written(db):
    """Statistics are fresh after a run, so the next queries are planned for the tables' real
    sizes (bench/open311.py at 1 M: p95 918 ms without them, under 150 ms with them)."""
    from django.db import connection

    from demo.generate import generate

    generate(300, seed=3)
    events = ReportEvent.objects.count()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname, reltuples FROM pg_class "
                "WHERE relname IN ('reports_report', 'reports_reportevent')"
            )
        else:
            # sqlite_stat1: one row per index, its "stat" starting with the table's row count.
            cursor.execute(
                "SELECT tbl, MAX(CAST(stat AS INTEGER)) FROM sqlite_stat1 "
                "WHERE tbl IN ('reports_report', 'reports_reportevent') GROUP BY tbl"
            )
        known = {table: int(rows) for table, rows in cursor.fetchall()}
    assert known == {"reports_report": 300, "reports_reportevent": events}
