"""Django's own CPU per `POST /api/reports`, in-process (no socket, no gunicorn): a whole
submission beside one refused at the category check, which pays only the fixed part (the
middleware, django-ninja's form parsing, the bearer token, the two rate-limit counters, one
query). The difference is what the submission itself costs this process; the database's CPU is
not in either figure (bench/http_submit.py measures both, over HTTP).

    bash scripts/with-postgres.sh .venv/bin/python bench/submit_cost.py --database-url "$DATABASE_URL"
"""

from __future__ import annotations

import argparse
import os
import time
import uuid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--requests", type=int, default=500, help="per round (2 rounds each)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")
    from synthetic import describe_machine, open_database

    tmp = open_database(args.database_url, "bench-submit-cost-")
    from django.conf import settings
    from django.test import Client
    from http_submit import make_places, make_residents

    # Every request comes from one address and a few residents: the limits would refuse them.
    settings.RATE_LIMITS = {
        "report-submit:user": (10**9, 3600),
        "report-submit:ip": (10**9, 3600),
    }
    tokens = make_residents(50)
    places = make_places(photo=False)
    client = Client(HTTP_HOST="localhost")

    def post(i: int, whole: bool) -> None:
        category, lat, lon = places[i % len(places)].split()
        response = client.post(
            "/api/reports",
            {
                "category": category if whole else "no-such-category",
                "lat": lat,
                "lon": lon,
                "description": f"Rác thải tồn đọng ở đầu ngõ ({i})",
                "idempotency_key": uuid.uuid4().hex,
            },
            HTTP_AUTHORIZATION="Bearer " + tokens[i % len(tokens)],
        )
        assert response.status_code == (201 if whole else 400), response.content[:300]

    try:
        import logging

        logging.disable(logging.WARNING)  # one "Bad Request" line per refused request
        for i in range(100):  # warm-up: imports, the ward index, the day's counter rows
            post(i, True)
            post(i, False)
        print(describe_machine())
        n = args.requests
        for round_no, whole in ((1, False), (1, True), (2, False), (2, True)):
            cpu, wall = time.process_time(), time.perf_counter()
            for i in range(n):
                post(10_000 * round_no + i, whole)
            cpu_ms = (time.process_time() - cpu) / n * 1000
            wall_ms = (time.perf_counter() - wall) / n * 1000
            label = "whole submission" if whole else "refused at the category"
            print(f"round {round_no}, {label:24}: {cpu_ms:5.2f} ms CPU, {wall_ms:5.2f} ms wall")
    finally:
        tmp.cleanup()


if __name__ == "__main__":
    main()
