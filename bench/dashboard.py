"""How long the leaders' dashboard takes to compute its ranking table and headline for the
whole city, from the rollups (dashboard.stats) and the plain GROUP BY over reports
(dashboard.stats_groupby) side by side, at N reports (default 100,000).

Usage: .venv/bin/python bench/dashboard.py [--reports 100000] [--repeats 5]
       [--generator orm|generate_reports] [--groupby-repeats N]
       [--database-url postgresql://…]   (an empty, throw-away database: it is migrated and
                                          filled; e.g. under scripts/with-postgres.sh with
                                          --database-url "$DATABASE_URL")
Without --database-url it builds a fresh SQLite file in a temporary folder (removed at the
end), never touching db.sqlite3. Reference data (units, agencies, categories) is loaded as in
the tests. `--generator orm` (default) bulk-inserts reports with bench/synthetic.py's seeded
spread; `--generator generate_reports` uses demo/generate.py (`manage.py generate_reports`,
the fast path for 10 M). Either way `rebuild_rollups` then runs, timed, and the rollups' row
counts are printed. The last line compares the two paths' figures (they must agree; the
medians within the histogram's precision, rollups/histogram.py). `--groupby-repeats` (default:
--repeats) times the GROUP BY side fewer times: at 10 M one GROUP BY takes tens of seconds.
"""

from __future__ import annotations

import time


def main() -> None:
    from synthetic import bench_args, describe_machine, fill, open_database, summary, timed

    args = bench_args(
        reports=100_000,
        repeats=5,
        more=lambda p: p.add_argument("--groupby-repeats", type=int, default=None),
    )
    generator = args.generator
    started = time.perf_counter()
    tmp = open_database(args.database_url, "bench-dashboard-")
    from django.db import connection
    from django.utils import timezone

    from dashboard import stats_groupby
    from dashboard.stats import headline, period_from_params, ranking
    from reports.models import Rating, Report
    from rollups.models import UnitCategoryDay, UnitDay
    from rollups.services import rebuild

    try:
        setup_s = time.perf_counter() - started
        insert_s = fill(args)
        rebuild_started = time.perf_counter()
        rows = rebuild()
        rebuild_s = time.perf_counter() - rebuild_started
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "ANALYZE rollups_unitday, rollups_unitcategoryday, rollups_unitmonth"
                )
            else:
                cursor.execute("ANALYZE")
        now = timezone.now()
        today = timezone.localdate()
        period = period_from_params({"period": "90d"}, today=today)
        everything = period_from_params({"period": "all"}, today=today)
        # The city leader's scope: reports_visible_to() gives them every report.
        scope = Report.objects.select_related("category", "ward", "agency")
        in_period = headline(scope, period, now=now).received

        print(describe_machine())
        print(
            f"reports: {Report.objects.count():,} ({args.reports:,} inserted by {generator} in "
            f"{insert_s:.1f} s; reference data {setup_s:.1f} s), "
            f"ratings: {Rating.objects.count():,}"
        )
        print(
            f"rebuild_rollups: {rebuild_s:.1f} s; rows: {rows['unit_category_day']:,} unit × "
            f"category × day, {rows['unit_day']:,} unit × day, {rows['unit_month']:,} unit × month "
            f"({UnitDay.objects.filter(day__gte=period.start).count():,} in the 90 days; "
            f"UnitCategoryDay {UnitCategoryDay.objects.count():,})"
        )
        print(
            f"period: last 90 days ({period.start} to {period.end}), {in_period:,} reports received"
        )
        groupby_repeats = args.groupby_repeats or args.repeats
        print(
            f"repeats: {args.repeats} from rollups, {groupby_repeats} by GROUP BY "
            "(each after one warm-up run)"
        )
        runs = [
            ("ranking(), city, 90 days", None, period),
            ("headline(), city, 90 days", None, period),
            ("ranking(), city, all time", None, everything),
            ("headline(), city, all time", None, everything),
        ]
        for label, _fn, p in runs:
            name = label.split("(")[0]
            rollup_fn = {"ranking": ranking, "headline": headline}[name]
            groupby_fn = getattr(stats_groupby, name)
            rollup_ms = timed(lambda f=rollup_fn, p=p: f(scope, p, now=now), args.repeats)
            print(f"{label:28} rollups:  {summary(rollup_ms)}")
            groupby_ms = timed(lambda f=groupby_fn, p=p: f(scope, p, now=now), groupby_repeats)
            print(f"{label:28} GROUP BY: {summary(groupby_ms)}")
        # Where the rollup path's time goes: the one query on the rollups (the rest is Python).
        from rollups.selectors import summed

        for label, p in (("90 days", period), ("all time", everything)):
            sums_ms = timed(
                lambda p=p: summed(start=p.start, end=p.end, agency_ids=None, per_agency=True),
                args.repeats,
            )
            print(f"  rollup sums per unit, {label:9}: {summary(sums_ms)}")
        a = ranking(scope, period, now=now, sort="name")
        b = stats_groupby.ranking(scope, period, now=now, sort="name")
        counts = ("received", "handled", "on_time", "overdue_now", "unresolved_now", "ratings")
        agree = len(a) == len(b) and all(
            all(getattr(x.figures, c) == getattr(y.figures, c) for c in counts)
            for x, y in zip(a, b, strict=True)
        )
        worst = max(
            (
                abs(x.figures.median_resolve_hours - y.figures.median_resolve_hours)
                / y.figures.median_resolve_hours
                for x, y in zip(a, b, strict=True)
                if y.figures.median_resolve_hours
            ),
            default=0.0,
        )
        print(
            f"ranking rows: {len(a)} units; counts agree: {agree}; "
            f"largest relative median-resolve difference: {worst:.1%}"
        )
    finally:
        connection.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
