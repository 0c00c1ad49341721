"""Synthetic reports for the benchmarks: a throw-away database filled with a seeded, realistic
spread (ward committees 85 %, departments 12 %, unroutable 3 %; one year of submissions;
iHanoi-like outcomes), and the timing helpers every bench prints with.

Import it after setting DATABASE_URL and before anything touches Django's settings:
`open_database(url)` does both and returns the temporary folder to clean up.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")

BATCH = 5_000


def bench_args(
    *, reports: int, repeats: int, more: Callable[[argparse.ArgumentParser], None] | None = None
) -> argparse.Namespace:
    """The options every data benchmark takes (sizes, seed, how the reports are made, and the
    throw-away database); `more` adds a benchmark's own."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=reports)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--generator",
        choices=("orm", "generate_reports"),
        default="orm",
        help="orm: bulk-insert build_reports' seeded spread; generate_reports: demo/generate.py "
        "(`manage.py generate_reports`, the fast path for millions, with every report's events)",
    )
    if more is not None:
        more(parser)
    return parser.parse_args()


def fill(args: argparse.Namespace, **build_options: float) -> float:
    """Insert `args.reports` reports with the chosen generator; the seconds it took.
    `build_options` (photos, public) are build_reports'; generate_reports has its own spread."""
    seconds = _fill(args, **build_options)
    # The objects the generator left in this process are not a server's: a gunicorn worker
    # starts without them. Left to the collector, every full collection walks them all during
    # the timed queries (at 1 M: ~150 ms more in 2 runs of 20, the p95).
    gc.collect()
    gc.freeze()
    return seconds


def _fill(args: argparse.Namespace, **build_options: float) -> float:
    if args.generator == "generate_reports":
        from django.db import connection

        from demo.generate import generate

        seconds = generate(args.reports, seed=args.seed).seconds
        if connection.vendor == "postgresql":
            # As on a live database, whose tables autovacuum keeps vacuumed and analysed (the
            # visibility map lets index-only scans skip the heap).
            vacuum_started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            print(
                f"VACUUM (ANALYZE) after generating: {time.perf_counter() - vacuum_started:.1f} s"
            )
        return seconds
    return build_reports(args.reports, args.seed, **build_options)


def open_database(database_url: str, prefix: str) -> tempfile.TemporaryDirectory:
    """Point Django at `database_url` (or a fresh SQLite file in a temporary folder), set it
    up, migrate, and load the reference data. Refuses a database that already has reports."""
    tmp = tempfile.TemporaryDirectory(prefix=prefix)
    # Before django.setup(): settings read DATABASE_URL once.
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp.name}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    from reports.models import Report

    call_command("migrate", verbosity=0)
    if Report.objects.exists():
        sys.exit("The database already has reports: give an empty, throw-away database.")
    quiet = {"verbosity": 0, "stdout": io.StringIO()}
    call_command("load_units", "--no-progress", **quiet)
    call_command("load_agencies", **quiet)
    call_command("load_categories", **quiet)
    return tmp


def _hours(rng: random.Random, mean: float) -> timedelta:
    return timedelta(hours=rng.expovariate(1 / mean))


def _ward_points() -> dict[int, tuple[float, float]]:
    """A point inside each ward (its committee's reports scatter ~300 m around it)."""
    from shapely.geometry import shape

    from units.models import AdministrativeUnit

    points = {}
    for pk, geometry in AdministrativeUnit.objects.exclude(geometry="").values_list(
        "id", "geometry"
    ):
        p = shape(json.loads(geometry)).point_on_surface()
        points[pk] = (p.y, p.x)
    return points


def build_reports(n: int, seed: int, *, photos: float = 0.0, public: float = 1.0) -> float:
    """Bulk-insert `n` reports (and ratings for ~40 % of the handled ones; a photo row for a
    `photos` share of them). Returns the seconds spent inserting."""
    from django.utils import timezone

    from reports.models import Media, MediaKind, Rating, Report
    from reports.workflow import Status
    from routing.models import Category
    from units.models import Agency, AgencyKind

    started = time.perf_counter()
    open_statuses = [
        Status.SUBMITTED,
        Status.ROUTED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.REOPENED,
    ]
    rng = random.Random(seed)
    wards = list(Agency.objects.filter(kind=AgencyKind.WARD_COMMITTEE).values_list("id", "unit_id"))
    departments = list(
        Agency.objects.filter(kind=AgencyKind.DEPARTMENT).values_list("id", flat=True)
    )
    categories = list(Category.objects.values_list("id", flat=True))
    centres = _ward_points()
    city_centre = (21.0285, 105.8522)
    now = timezone.now()
    batch: list[Report] = []

    def flush() -> None:
        Report.objects.bulk_create(batch)
        if photos:
            Media.objects.bulk_create(
                [
                    Media(
                        report=r,
                        kind=MediaKind.PHOTO,
                        file=f"reports/bench/{r.tracking_code}.jpg",
                        content_type="image/jpeg",
                        size=200_000,
                        sha256=f"{r.pk:064x}",
                        created_at=r.created_at,
                        display=f"public/{r.tracking_code}-d.jpg",
                        thumbnail=f"public/{r.tracking_code}-t.jpg",
                        processed_at=r.created_at,
                    )
                    for r in batch
                    if rng.random() < photos
                ]
            )
        batch.clear()

    for i in range(n):
        created = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
        pick = rng.random()
        if pick < 0.85:
            agency_id, ward_id = rng.choice(wards)
        elif pick < 0.97:
            agency_id, ward_id = rng.choice(departments), None
        else:
            agency_id, ward_id = None, None  # not routable: waits for the coordinator
        lat, lon = centres.get(ward_id) or city_centre
        outcome = rng.random()
        report = Report(
            tracking_code=f"PA-B-{i:07d}",
            title=f"Bench report {i}",
            description="Rác thải tràn ra vỉa hè, đề nghị thu gom.",
            category_id=rng.choice(categories),
            lat=lat + rng.gauss(0, 0.003),
            lon=lon + rng.gauss(0, 0.003),
            ward_id=ward_id,
            agency_id=agency_id,
            created_at=created,
            updated_at=created,
            is_public=rng.random() < public,
            resolve_due_at=created + timedelta(hours=72),
            search_text=f"pa-b-{i:07d} bench report {i} rac thai tran ra via he",
        )
        if agency_id is None:
            report.status = Status.SUBMITTED
            report.due_at = created + timedelta(hours=8)
        else:
            report.routed_at = created + _hours(rng, 1)
            report.updated_at = report.routed_at
            if outcome < 0.03:
                report.status = Status.REJECTED
                report.closed_at = report.updated_at = report.routed_at + _hours(rng, 4)
            elif outcome < 0.05:
                report.status = Status.MERGED
            elif outcome < 0.80:
                report.accepted_at = report.routed_at + _hours(rng, 8)
                report.resolved_at = report.accepted_at + _hours(rng, 40)
                report.updated_at = report.resolved_at
                report.resolution_count = 1
                report.reopen_count = 1 if rng.random() < 0.06 else 0
                report.status = Status.CLOSED if rng.random() < 0.8 else Status.RESOLVED
            else:
                report.status = rng.choice(open_statuses)
                if report.status in (Status.ACCEPTED, Status.IN_PROGRESS):
                    report.accepted_at = report.updated_at = report.routed_at + _hours(rng, 8)
                report.due_at = created + timedelta(hours=rng.choice([8, 48, 120]))
        batch.append(report)
        if len(batch) == BATCH:
            flush()
    flush()
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
                    created_at=resolved + _hours(rng, 24),
                )
            )
    Rating.objects.bulk_create(ratings, batch_size=BATCH)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics for the planner, as a live database has
    return time.perf_counter() - started


def timed(fn, repeats: int) -> list[float]:
    fn()  # warm the caches (and the database's) once, untimed
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def percentile(ms: list[float], q: float) -> float:
    ordered = sorted(ms)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(ms: list[float]) -> str:
    ordered = sorted(ms)
    return (
        f"min {ordered[0]:.0f} ms, median {statistics.median(ordered):.0f} ms, "
        f"p95 {percentile(ordered, 0.95):.0f} ms"
    )


def describe_machine() -> str:
    from django.db import connection

    machine = platform.processor() or platform.machine()
    version = ".".join(map(str, connection.get_database_version()))
    return (
        f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}\n"
        f"database: {connection.vendor} {version}"
    )
