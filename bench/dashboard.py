"""How long the leaders' dashboard takes to compute its ranking table (and headline) for the
whole city over the last 90 days, at N reports (default 100,000).

Usage: .venv/bin/python bench/dashboard.py [--reports 100000] [--repeats 5]
       [--database-url postgresql://…]   (an empty, throw-away database: it is migrated and
                                          filled; e.g. under scripts/with-postgres.sh with
                                          --database-url "$DATABASE_URL")
Without --database-url it builds a fresh SQLite file in a temporary folder (removed at the
end), never touching db.sqlite3. Reference data (units, agencies, categories) is loaded as in
the tests; reports are bulk-inserted with a seeded spread over the 126 wards' committees and
the departments, one year of submission times, statuses and timestamps, and ratings of
about 40 % of the handled ones.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", default="")
    return parser.parse_args()


ARGS = parse_args()
TMP = tempfile.TemporaryDirectory(prefix="bench-dashboard-")
# Before django.setup(): settings read DATABASE_URL once.
os.environ["DATABASE_URL"] = ARGS.database_url or f"sqlite:///{TMP.name}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from dashboard.stats import headline, period_from_params, ranking, stage_durations  # noqa: E402
from reports.models import Rating, Report  # noqa: E402
from reports.workflow import Status  # noqa: E402
from routing.models import Category  # noqa: E402
from units.models import Agency, AgencyKind  # noqa: E402

BATCH = 5_000
OPEN = [Status.SUBMITTED, Status.ROUTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REOPENED]


def hours(rng: random.Random, mean: float) -> timedelta:
    return timedelta(hours=rng.expovariate(1 / mean))


def build_reports(n: int, seed: int) -> None:
    rng = random.Random(seed)
    wards = list(Agency.objects.filter(kind=AgencyKind.WARD_COMMITTEE).values_list("id", "unit_id"))
    departments = list(
        Agency.objects.filter(kind=AgencyKind.DEPARTMENT).values_list("id", flat=True)
    )
    categories = list(Category.objects.values_list("id", flat=True))
    now = timezone.now()
    batch: list[Report] = []
    for i in range(n):
        created = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
        pick = rng.random()
        if pick < 0.85:
            agency_id, ward_id = rng.choice(wards)
        elif pick < 0.97:
            agency_id, ward_id = rng.choice(departments), None
        else:
            agency_id, ward_id = None, None  # not routable: waits for the coordinator
        outcome = rng.random()
        report = Report(
            tracking_code=f"PA-B-{i:07d}",
            title="Bench",
            description="Bench",
            category_id=rng.choice(categories),
            lat=21.0285,
            lon=105.8522,
            ward_id=ward_id,
            agency_id=agency_id,
            created_at=created,
            updated_at=created,
            resolve_due_at=created + timedelta(hours=72),
        )
        if agency_id is None:
            report.status = Status.SUBMITTED
            report.due_at = created + timedelta(hours=8)
        else:
            report.routed_at = created + hours(rng, 1)
            if outcome < 0.03:
                report.status = Status.REJECTED
                report.closed_at = report.routed_at + hours(rng, 4)
            elif outcome < 0.05:
                report.status = Status.MERGED
            elif outcome < 0.80:
                report.accepted_at = report.routed_at + hours(rng, 8)
                report.resolved_at = report.accepted_at + hours(rng, 40)
                report.resolution_count = 1
                report.reopen_count = 1 if rng.random() < 0.06 else 0
                report.status = Status.CLOSED if rng.random() < 0.8 else Status.RESOLVED
            else:
                report.status = rng.choice(OPEN)
                if report.status in (Status.ACCEPTED, Status.IN_PROGRESS):
                    report.accepted_at = report.routed_at + hours(rng, 8)
                report.due_at = created + timedelta(hours=rng.choice([8, 48, 120]))
        batch.append(report)
        if len(batch) == BATCH:
            Report.objects.bulk_create(batch)
            batch = []
    Report.objects.bulk_create(batch)
    ratings: list[Rating] = []
    for pk, resolved in Report.objects.filter(
        status__in=[Status.RESOLVED, Status.CLOSED]
    ).values_list("id", "resolved_at"):
        if rng.random() < 0.4:
            ratings.append(
                Rating(
                    report_id=pk,
                    round=1,
                    satisfied=rng.random() < 0.75,
                    created_at=resolved + hours(rng, 24),
                )
            )
    Rating.objects.bulk_create(ratings, batch_size=BATCH)


def timed(fn, repeats: int) -> list[float]:
    fn()  # warm the caches (and the database's) once, untimed
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]
    return f"min {ordered[0]:.0f} ms, median {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms"


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if Report.objects.exists():
        sys.exit("The database already has reports: give an empty, throw-away database.")
    quiet = {"verbosity": 0, "stdout": io.StringIO()}
    call_command("load_units", "--no-progress", **quiet)
    call_command("load_agencies", **quiet)
    call_command("load_categories", **quiet)
    setup_s = time.perf_counter() - started
    started = time.perf_counter()
    build_reports(ARGS.reports, ARGS.seed)
    insert_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics for the planner, as a live database has

    now = timezone.now()
    period = period_from_params({"period": "90d"}, today=timezone.localdate())
    everything = period_from_params({"period": "all"}, today=timezone.localdate())
    # The city leader's scope: reports_visible_to() gives them every report.
    scope = Report.objects.select_related("category", "ward", "agency")
    in_period = headline(scope, period, now=now).received
    rows = ranking(scope, period, now=now)

    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    version = ".".join(map(str, connection.get_database_version()))
    print(f"database: {connection.vendor} {version}")
    print(
        f"reports: {Report.objects.count():,} ({ARGS.reports:,} inserted in {insert_s:.1f} s; "
        f"reference data {setup_s:.1f} s), ratings: {Rating.objects.count():,}"
    )
    print(f"period: last 90 days ({period.start} to {period.end}), {in_period:,} reports received")
    print(f"ranking rows: {len(rows)} units; repeats: {ARGS.repeats} (after one warm-up run)")
    runs = [
        ("ranking(), whole city, 90 days: ", lambda: ranking(scope, period, now=now)),
        ("headline(), whole city, 90 days:", lambda: headline(scope, period, now=now)),
        ("stage_durations(), 90 days:     ", lambda: stage_durations(scope, period)),
        ("ranking(), whole city, all time:", lambda: ranking(scope, everything, now=now)),
    ]
    for label, fn in runs:
        print(f"{label} {summary(timed(fn, ARGS.repeats))}")


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        TMP.cleanup()
