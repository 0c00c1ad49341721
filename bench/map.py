"""How long the public map's API takes for a viewport over N reports (default 200,000; the
issue's figure is 1,000,000): the city at zoom 11 (clusters per H3 cell from maps.MapCell),
a district at zoom 13, the street at zoom 15 and 16 (points on report_map_point_idx), with and
without a category filter; beside each, the database's own time for the SQL the view issued,
and a bare `SELECT count(*)` of the reports on the map as the floor of any per-report approach.

Usage: .venv/bin/python bench/map.py [--reports 200000] [--repeats 20]
       [--database-url postgresql://…]   (an empty, throw-away database: it is migrated and
                                          filled; e.g. under scripts/with-postgres.sh with
                                          --database-url "$DATABASE_URL")
Reports come from demo.generate.generate (COPY on PostgreSQL): spread over the wards by
population, every status; rejected, merged and private ones are not on the map. The counts
per cell are then rebuilt (maps.services.rebuild), as after `manage.py generate_reports`.
"""

from __future__ import annotations

import time

from synthetic import bench_args, describe_machine, open_database, percentile, timed

# The viewports, as Leaflet sends them for a 1280 × 800 px map (toBBoxString).
CENTRE = (21.0285, 105.8522)  # Hoàn Kiếm Lake
OUTSKIRTS = (21.2145, 105.8036)  # Nội Bài: few reports, so "newest first" must use the box
HANOI = (105.28, 20.56, 106.02, 21.39)


def around(zoom: int, centre: tuple[float, float] = CENTRE) -> str:
    # Degrees per pixel at `zoom`: 360 / (256 · 2^zoom); lat about the same near 21° N × cos.
    per_px = 360 / (256 * 2**zoom)
    half_lon, half_lat = 640 * per_px, 400 * per_px * 0.93
    lat, lon = centre
    return f"{lon - half_lon},{lat - half_lat},{lon + half_lon},{lat + half_lat}"


def main() -> None:
    args = bench_args(reports=200_000, repeats=20)
    started = time.perf_counter()
    tmp = open_database(args.database_url, "bench-map-")
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from api.map import clusters, public_map_reports
    from demo.generate import generate
    from maps.models import MapCell
    from maps.services import rebuild
    from reports.models import Report

    # As in production: no query log kept; the test client's host allowed.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    try:
        setup_s = time.perf_counter() - started
        result = generate(args.reports, seed=args.seed)
        t = time.perf_counter()
        cell_rows = rebuild()
        rebuild_s = time.perf_counter() - t
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        on_map = public_map_reports()
        top = on_map.values("category__code").annotate(n=Count("id")).order_by("-n").first() or {}
        category = top.get("category__code", "")
        client = Client()
        city = ",".join(map(str, HANOI))
        views = [
            ("city, zoom 11", {"bbox": city, "zoom": 11}),
            ("city, zoom 11, one category", {"bbox": city, "zoom": 11, "category": category}),
            ("district, zoom 13", {"bbox": around(13), "zoom": 13}),
            (
                "district, zoom 13, one category",
                {"bbox": around(13), "zoom": 13, "category": category},
            ),
            ("district, zoom 13, one ward", {"bbox": around(13), "zoom": 13, "ward": "00070"}),
            ("street, zoom 15", {"bbox": around(15), "zoom": 15}),
            (
                "street, zoom 15, one category",
                {"bbox": around(15), "zoom": 15, "category": category},
            ),
            ("street, zoom 16", {"bbox": around(16), "zoom": 16}),
            ("street, zoom 15, outskirts", {"bbox": around(15, OUTSKIRTS), "zoom": 15}),
        ]

        print(describe_machine())
        print(
            f"reports: {Report.objects.count():,} ({result.reports:,} generated in "
            f"{result.seconds:.1f} s; reference data {setup_s:.1f} s); on the public map: "
            f"{on_map.count():,}; map cell rows: {cell_rows:,} (rebuilt in {rebuild_s:.1f} s)"
        )
        print(f"category filter: {category}; repeats: {args.repeats} (after one warm-up run)\n")
        print("| view | items | API min | API median | API p95 | its SQL alone, p95 |")
        print("|---|---:|---:|---:|---:|---:|")
        plans = []
        for label, params in views:
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/api/reports/map", params)
            assert response.status_code == 200, response.content[:300]
            data = response.json()
            items = len(data.get("clusters", data.get("points", [])))
            sql = [q["sql"] for q in queries.captured_queries]

            def run_sql(sql=sql):
                with connection.cursor() as cursor:
                    for statement in sql:
                        cursor.execute(statement)
                        cursor.fetchall()

            api = sorted(
                timed(lambda params=params: client.get("/api/reports/map", params), args.repeats)
            )
            raw = timed(run_sql, args.repeats)
            print(
                f"| {label} | {items:,} {data['mode']} | {api[0]:.1f} ms | "
                f"{api[len(api) // 2]:.1f} ms | {percentile(api, 0.95):.1f} ms | "
                f"{percentile(raw, 0.95):.1f} ms ({len(sql)} query) |"
            )
            if connection.vendor == "postgresql" and label in (
                "city, zoom 11",
                "street, zoom 15",
                "street, zoom 15, outskirts",
            ):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql[0])
                    plans.append((label, [row[0] for row in cursor.fetchall()]))

        table = Report._meta.db_table
        floor_sql = (
            f"SELECT count(*) FROM {table} WHERE is_public AND lat IS NOT NULL "  # noqa: S608
            "AND status NOT IN ('rejected', 'merged')"
        )
        if connection.vendor != "postgresql":
            floor_sql = floor_sql.replace("WHERE is_public", "WHERE is_public = 1")

        def floor():
            with connection.cursor() as cursor:
                cursor.execute(floor_sql)
                cursor.fetchall()

        bare = timed(floor, args.repeats)
        print(
            f"| database floor: bare `SELECT count(*)` of the reports on the map | 1 | "
            f"{min(bare):.1f} ms | {sorted(bare)[len(bare) // 2]:.1f} ms | "
            f"{percentile(bare, 0.95):.1f} ms | |"
        )
        old = timed(lambda: clusters(public_map_reports(bbox=HANOI), 11), min(args.repeats, 3))
        print(
            f"| before (lat/lon of every report into Python, H3 there), city zoom 11 | | "
            f"{min(old):.0f} ms | {sorted(old)[len(old) // 2]:.0f} ms | "
            f"{percentile(old, 0.95):.0f} ms | |"
        )
        for label, plan in plans:
            print(f"\nEXPLAIN ANALYZE, {label}:\n    " + "\n    ".join(plan))
        print(
            f"\nmap cell rows by level: {list(MapCell.objects.values_list('level').annotate(Count('id')).order_by('level'))}"
        )
    finally:
        connection.close()
        tmp.cleanup()


if __name__ == "__main__":
    main()
