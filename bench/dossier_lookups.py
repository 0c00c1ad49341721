"""10,000 dossier look-ups a minute from one address: how many get through, what the refused
ones cost, and that the real applicant from another address is still answered.

A real gunicorn (2 workers) serves the app on a fresh SQLite file (or --database-url); one
dossier is synced through `manage.py sync_dossiers`. Look-ups leave open-loop at --rate per
minute for --seconds, each with a different code (a script walking codes), all from 127.0.0.1;
the proxy header names the address (TRUSTED_PROXY_COUNT=1, as behind our nginx) so that one
"other" applicant can be told apart. Prints the answers by status and the answer times.

Usage: .venv/bin/python bench/dossier_lookups.py [--rate 10000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from servers import app_env, free_port, manage, start_gunicorn, stop, wait_http
from synthetic import describe_machine

DOSSIER = {
    "code": "HS-BENCH-0001",
    "procedure_code": "MAU-HT-001",
    "agency_code": "ubnd-00070",
    "applicant_phone": "0912345678",
    "received_at": "2026-12-01T08:00:00+07:00",
    "due_at": "2099-12-05T17:00:00+07:00",
    "status": "in_progress",
    "steps": [{"at": "2026-12-01T08:00:00+07:00", "status": "received", "unit": "Một cửa"}],
}


def get(base: str, path: str, address: str) -> tuple[float, int]:
    request = urllib.request.Request(base + path, headers={"X-Forwarded-For": address})  # noqa: S310
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    return (time.perf_counter() - started) * 1000, status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=10_000, help="look-ups a minute")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-dossiers-")
    database_url = args.database_url or f"sqlite:///{tmp.name}/bench.sqlite3"
    env = app_env(database_url, TRUSTED_PROXY_COUNT="1")
    logdir = Path(tmp.name) / "logs"
    export = Path(tmp.name) / "dossiers.json"
    export.write_text(json.dumps({"dossiers": [DOSSIER]}), encoding="utf-8")
    for command in (
        ("migrate", "-v0"),
        ("load_units", "--no-progress"),
        ("load_agencies",),
        ("sync_dossiers", "--from", str(export)),
    ):
        manage(env, *command)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port=port, workers=2, logdir=logdir)
    try:
        wait_http(base + "/", process=server)
        right = f"/api/dossiers/{DOSSIER['code']}?phone_last4=5678"
        assert get(base, right, "203.0.113.1")[1] == 200, "the dossier is not found at all"
        total = int(args.rate / 60 * args.seconds)
        results: list[tuple[float, int]] = []
        lock = threading.Lock()
        start = time.perf_counter()
        per_second = args.rate / 60

        def fire(i: int) -> None:
            delay = start + i / per_second - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            outcome = get(base, f"/api/dossiers/HS-{i:07d}?phone_last4=1234", "198.51.100.7")
            with lock:
                results.append(outcome)

        with ThreadPoolExecutor(max_workers=64) as pool:
            list(pool.map(fire, range(total)))
        wall = time.perf_counter() - start
        statuses = Counter(status for _ms, status in results)
        refused = sorted(ms for ms, status in results if status == 429)
        # After the flood: the scanning address is refused even for a real dossier, and the
        # applicant at another address is answered.
        scanner_right = get(base, right, "198.51.100.7")[1]
        applicant = get(base, right, "203.0.113.2")[1]
        # What one refusal costs the server with nothing else running: one at a time.
        alone = sorted(
            get(base, f"/api/dossiers/HS-X{i:06d}?phone_last4=1234", "198.51.100.7")[0]
            for i in range(300)
        )
        print(describe_machine())
        print(
            f"{total} look-ups from one address in {wall:.1f} s "
            f"({total / wall * 60:,.0f} a minute, asked {args.rate:,.0f})"
        )
        print("answers:", dict(sorted(statuses.items())))
        if refused:
            print(
                f"refused (429): p50 {statistics.median(refused):.1f} ms, "
                f"p95 {refused[int(len(refused) * 0.95) - 1]:.1f} ms, max {refused[-1]:.1f} ms"
            )
        print(
            f"refused one at a time (300, no other load): p50 {statistics.median(alone):.1f} ms, "
            f"p95 {alone[int(len(alone) * 0.95) - 1]:.1f} ms"
        )
        print(f"the scanner asking the real dossier afterwards: {scanner_right}")
        print(f"the applicant from another address: {applicant}")
    finally:
        stop(server)


if __name__ == "__main__":
    main()
