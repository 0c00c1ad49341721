"""How fast an outside system can page through reports with Open311 GeoReport v2:
`GET /open311/v2/requests.json?page_size=500` (and common filters) at N reports.

Usage: .venv/bin/python bench/open311.py [--reports 1000000] [--repeats 20]
       [--generator orm|generate_reports]
       [--database-url postgresql://…]   (an empty, throw-away database: it is migrated and
                                          filled; e.g. under scripts/with-postgres.sh)
Without --database-url it uses a fresh SQLite file in a temporary folder. Requests go through
Django's whole stack in-process (middleware, view, serialisation, database), not over a socket:
the figure is the server's work per request; issue 8's HTTP benchmark adds the network.
Each query is timed `--repeats` times after one warm-up; p95 is the target (< 150 ms at 1 M on
PostgreSQL).
"""

from __future__ import annotations

import time
from datetime import timedelta

from synthetic import (
    bench_args,
    describe_machine,
    fill,
    open_database,
    percentile,
    summary,
)


def main() -> None:
    args = bench_args(reports=1_000_000, repeats=20)
    started = time.perf_counter()
    tmp = open_database(args.database_url, "bench-open311-")
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from reports.models import Media, Report
    from routing.models import Category

    try:
        setup_s = time.perf_counter() - started
        insert_s = fill(args, photos=0.7, public=0.9)
        client = Client(HTTP_HOST="localhost")
        base = "/open311/v2/requests.json"
        week_ago = (timezone.localtime() - timedelta(days=7)).isoformat()
        category = Category.objects.order_by("sort_order", "id").first()
        queries = [
            ("newest 500", "page_size=500"),
            ("page 20 of 500", "page_size=500&page=20"),
            ("open, 500", "page_size=500&status=open"),
            (f"service_code={category.code}", f"page_size=500&service_code={category.code}"),
            ("updated_after a week ago", f"page_size=500&updated_after={week_ago}"),
            ("bbox Hoàn Kiếm", "page_size=500&bbox=105.84,21.02,105.86,21.04"),
            ("extensions=true", "page_size=500&extensions=true"),
        ]
        print(describe_machine())
        print(
            f"reports: {Report.objects.count():,} (inserted by {args.generator} in {insert_s:.1f} "
            f"s; reference "
            f"data {setup_s:.1f} s), photos: {Media.objects.count():,}"
        )
        print(f"repeats: {args.repeats} per query (after one warm-up)")
        worst = 0.0
        for label, query in queries:
            url = f"{base}?{query}"
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code} {response.content[:300]!r}")
            count = len(response.json())
            ms = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                client.get(url)
                ms.append((time.perf_counter() - t) * 1000)
            worst = max(worst, percentile(ms, 0.95))
            print(f"{label:28} {count:4} requests  {summary(ms)}")
        print(f"worst p95: {worst:.0f} ms (target < 150 ms at 1 M on PostgreSQL)")
    finally:
        connection.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
