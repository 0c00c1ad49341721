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

import time

from synthetic import bench_args, build_reports, describe_machine, open_database, summary, timed


def main() -> None:
    args = bench_args(reports=100_000, repeats=5)
    started = time.perf_counter()
    tmp = open_database(args.database_url, "bench-dashboard-")
    from django.db import connection
    from django.utils import timezone

    from dashboard.stats import headline, period_from_params, ranking, stage_durations
    from reports.models import Rating, Report

    try:
        setup_s = time.perf_counter() - started
        insert_s = build_reports(args.reports, args.seed)
        now = timezone.now()
        period = period_from_params({"period": "90d"}, today=timezone.localdate())
        everything = period_from_params({"period": "all"}, today=timezone.localdate())
        # The city leader's scope: reports_visible_to() gives them every report.
        scope = Report.objects.select_related("category", "ward", "agency")
        in_period = headline(scope, period, now=now).received
        rows = ranking(scope, period, now=now)

        print(describe_machine())
        print(
            f"reports: {Report.objects.count():,} ({args.reports:,} inserted in {insert_s:.1f} s; "
            f"reference data {setup_s:.1f} s), ratings: {Rating.objects.count():,}"
        )
        print(
            f"period: last 90 days ({period.start} to {period.end}), {in_period:,} reports received"
        )
        print(f"ranking rows: {len(rows)} units; repeats: {args.repeats} (after one warm-up run)")
        runs = [
            ("ranking(), whole city, 90 days: ", lambda: ranking(scope, period, now=now)),
            ("headline(), whole city, 90 days:", lambda: headline(scope, period, now=now)),
            ("stage_durations(), 90 days:     ", lambda: stage_durations(scope, period)),
            ("ranking(), whole city, all time:", lambda: ranking(scope, everything, now=now)),
        ]
        for label, fn in runs:
            print(f"{label} {summary(timed(fn, args.repeats))}")
    finally:
        connection.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
