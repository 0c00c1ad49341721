"""Report submission over HTTP through the whole pipeline, beside the database's own limit.

Issue 8 ("Scale"): gunicorn workers serving `POST /api/reports` (bearer token, multipart form,
one small real JPEG per report by default), the db_worker making the photos' public copies,
and the database behind them. Prints reports/s (wall), p50/p95/p99 latency, errors by status,
reports stored against reports acknowledged, the time until the photo queue is drained, the
RSS of each gunicorn worker sampled during the load, and, in the same run, a raw INSERT of
the very rows the pipeline wrote (one transaction per report, like the app) with the ratio.

The load client is `wrk` (Debian package `wrk`; C, one OS thread per connection here) with a
Lua script that builds each multipart body with its own token and idempotency key, so the
client costs the server little CPU; its CPU time is printed too. One connection per wrk
thread makes each thread strictly request → response, so the script times every request
itself (LuaJIT ffi clock_gettime) and stops after exactly its share of N: no request is
abandoned in flight, and stored must equal acknowledged.

Bench-only settings: the per-user and per-IP submit rate limits (accounts/ratelimit.py) are
raised through a settings module that imports congdanso.settings (every request still counts
its hits in the database, as in production); uploads go to a temporary MEDIA_ROOT.

    bash scripts/with-postgres.sh .venv/bin/python bench/http_submit.py \
        --database-url "$DATABASE_URL" --requests 3000 --concurrency 16 --workers 3
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from servers import (
    app_env,
    free_port,
    gunicorn_workers,
    rss_mb,
    start_gunicorn,
    start_worker,
    stop,
    wait_http,
)
from synthetic import describe_machine, open_database

# The load client's script. One connection per thread (wrk -t C -c C): request() and
# response() alternate, so the start time kept in request() belongs to the next response.
WRK_LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(0, ts)
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local function lines(path)
  local t = {}
  for line in io.lines(path) do if #line > 0 then t[#t + 1] = line end end
  return t
end

function init(args)
  datadir, run, total, nthreads = args[1], args[2], tonumber(args[3]), tonumber(args[4])
  quota = math.floor(total / nthreads)
  if tid < total % nthreads then quota = quota + 1 end
  tokens = lines(datadir .. "/tokens.txt")
  places = lines(datadir .. "/places.txt")
  local f = io.open(datadir .. "/photo.jpg", "rb")
  if f then photo = f:read("*a"); f:close() end
  out = io.open(datadir .. "/out-" .. tid .. ".txt", "w")
  sent, answered, started, n = 0, 0, 0, 0
  boundary = "----bench" .. run
end

local function field(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name ..
    "\"\r\n\r\n" .. value .. "\r\n"
end

function request()
  if answered >= quota then
    -- wrk opens a new connection after each "Connection: close" answer (gunicorn's sync
    -- workers close every one); left without a request, that connection would hold a sync
    -- worker in recv() until its timeout. A cheap 404 releases it; the loop then stops.
    wrk.thread:stop()
    return wrk.format("GET", "/bench-finished")
  end
  n = tid + sent * nthreads  -- this request's number over the whole run
  sent = sent + 1
  local category, lat, lon = places[(n % #places) + 1]:match("(%S+) (%S+) (%S+)")
  local parts = {
    field("category", category), field("lat", lat), field("lon", lon),
    field("title", "Bench report " .. n),
    field("description", "Sidewalk problem reported by the HTTP benchmark, number " .. n .. "."),
    field("idempotency_key", "bench-" .. run .. "-" .. n),
  }
  if photo then
    parts[#parts + 1] = "--" .. boundary ..
      "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"p.jpg\"" ..
      "\r\nContent-Type: image/jpeg\r\n\r\n" .. photo .. "\r\n"
  end
  parts[#parts + 1] = "--" .. boundary .. "--\r\n"
  local headers = {
    ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1],
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
    ["Accept-Language"] = "en",
  }
  started = now_us()
  return wrk.format("POST", "/api/reports", headers, table.concat(parts))
end

function response(status, headers, body)
  local elapsed = now_us() - started
  local code = body:match('"tracking_code"%s*:%s*"([^"]+)"') or "-"
  out:write(string.format("%d %d %d %d %s\n", n, status, started, elapsed, code))
  answered = answered + 1
  if answered >= quota then
    out:close()
    io.open(datadir .. "/done-" .. tid, "w"):close()
  end
end
"""

BENCH_SETTINGS = """\
from congdanso.settings import *  # noqa: F403

# The benchmark sends thousands of reports from a few hundred residents and one address.
RATE_LIMITS = {
    "report-submit:user": (10**9, 3600),
    "report-submit:ip": (10**9, 3600),
}
"""


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a throw-away database (default: $DATABASE_URL; empty: a temporary SQLite file)",
    )
    p.add_argument("--requests", type=int, default=3000)
    p.add_argument("--concurrency", type=int, default=16, help="connections (wrk threads)")
    p.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    p.add_argument("--threads", type=int, default=1, help="gunicorn threads (>1: gthread)")
    p.add_argument("--users", type=int, default=300, help="residents with a token")
    p.add_argument("--photo", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--db-conn-max-age", type=int, default=60, help="DB_CONN_MAX_AGE of the app")
    p.add_argument("--timeout", type=float, default=900, help="seconds before giving up")
    p.add_argument("--keep-logs", action="store_true")
    return p.parse_args()


def make_photo(path: Path) -> int:
    """A real 1280×960 JPEG of ~50 KB (smoothed noise: it compresses like a photo, not a flat colour)."""
    from PIL import Image

    rng = random.Random(8)
    small = Image.frombytes("RGB", (32, 24), bytes(rng.randrange(256) for _ in range(2304)))
    image = small.resize((1280, 960), Image.BICUBIC)
    for quality in (85, 75, 65, 55, 45, 35):
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=quality)
        if buf.tell() <= 55_000:
            break
    path.write_bytes(buf.getvalue())
    return buf.tell()


def make_residents(n: int) -> list[str]:
    """`n` residents with one API token each, in bulk (the tokens as api/services.py stores them)."""
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from api import services as api_services
    from api.models import ApiToken
    from reports import clock

    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"bench{i:05d}", password=unusable) for i in range(n)]
    )
    if users[0].pk is None:  # backends that do not return ids from bulk_create
        users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    now = clock.now()
    raws = [f"{api_services.TOKEN_PREFIX}bench{i:05d}-{os.urandom(16).hex()}" for i in range(n)]
    ApiToken.objects.bulk_create(
        ApiToken(
            user=user,
            name="bench",
            token_hash=api_services._hash(raw),
            prefix=raw[: len(api_services.TOKEN_PREFIX) + 6],
            created_at=now,
            expires_at=now + timedelta(days=30),
        )
        for user, raw in zip(users, raws, strict=True)
    )
    return raws


def make_places(*, photo: bool, count: int = 500) -> list[str]:
    """`category lat lon` lines: active categories (without a photo, only those that do not
    require one) at a point inside a random ward, so routing spreads over the city."""
    import json

    from shapely.geometry import shape

    from routing.models import Category
    from units.lookup import current_era
    from units.models import WARD_LEVEL_TYPES, AdministrativeUnit

    categories = Category.objects.filter(is_active=True)
    if not photo:
        categories = categories.filter(photo_required=False)
    codes = list(categories.values_list("code", flat=True))
    if not codes:
        sys.exit("No category accepts a report without a photo: run with --photo.")
    wards = AdministrativeUnit.objects.filter(era=current_era(), type__in=WARD_LEVEL_TYPES)
    points = []
    for geometry in wards.exclude(geometry="").values_list("geometry", flat=True):
        p = shape(json.loads(geometry)).point_on_surface()
        points.append((p.y, p.x))
    rng = random.Random(2025)
    return [
        f"{rng.choice(codes)} {lat:.6f} {lon:.6f}"
        for lat, lon in (rng.choice(points) for _ in range(count))
    ]


def table_snapshot() -> dict[str, tuple[str, object]]:
    """Per table: ("max", highest integer id) or ("pks", set of primary keys)."""
    from django.apps import apps
    from django.db import models

    snap: dict[str, tuple[str, object]] = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        pk = model._meta.pk
        if isinstance(pk, models.AutoField | models.BigAutoField):
            snap[model._meta.db_table] = (
                "max",
                model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            )
        else:
            snap[model._meta.db_table] = ("pks", set(model.objects.values_list("pk", flat=True)))
    return snap


def new_rows(before: dict[str, tuple[str, object]]) -> dict[str, tuple[list[str], list[tuple]]]:
    """The rows inserted since `before`, per table: (columns, rows)."""
    from django.apps import apps
    from django.db import connection

    rows: dict[str, tuple[list[str], list[tuple]]] = {}
    for model in apps.get_models():
        table = model._meta.db_table
        if table not in before:
            continue
        kind, value = before[table]
        columns = [f.column for f in model._meta.concrete_fields]
        pk = model._meta.pk.column
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cur:
            if kind == "max":
                cur.execute(
                    f"SELECT {quoted} FROM {connection.ops.quote_name(table)} "  # noqa: S608
                    f"WHERE {connection.ops.quote_name(pk)} > %s",
                    [value],
                )
                found = cur.fetchall()
            else:
                cur.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
                index = columns.index(pk)
                found = [r for r in cur.fetchall() if r[index] not in value]  # type: ignore[operator]
        if found:
            rows[table] = (columns, found)
    return rows


def scratch_tables(tables: list[str]) -> dict[str, str]:
    """An empty copy of each table with the same indexes and unique constraints (not the
    foreign keys: the copies hold the same ids, the checks would find the originals)."""
    from django.db import connection

    names = {}
    with connection.cursor() as cur:
        for table in tables:
            scratch = f"bench_raw_{table}"[:63]
            names[table] = scratch
            if connection.vendor == "postgresql":
                cur.execute(f'DROP TABLE IF EXISTS "{scratch}"')
                cur.execute(f'CREATE TABLE "{scratch}" (LIKE "{table}" INCLUDING ALL)')
            else:
                cur.execute(f'DROP TABLE IF EXISTS "{scratch}"')
                cur.execute(f'CREATE TABLE "{scratch}" AS SELECT * FROM "{table}" WHERE 0')  # noqa: S608
                cur.execute(
                    "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=%s "
                    "AND sql IS NOT NULL",
                    [table],
                )
                for (sql,) in cur.fetchall():
                    sql = sql.replace(f'"{table}"', f'"{scratch}"', 1)
                    sql = sql.replace('INDEX "', f'INDEX "bench_raw_{len(names)}_', 1)
                    cur.execute(sql)
    return names


def raw_insert(rows: dict[str, tuple[list[str], list[tuple]]]) -> tuple[float, int, int]:
    """Insert the pipeline's rows again into scratch copies, one transaction per report (its
    report row, and the rows of every table with a report_id; rows of tables without one are
    dealt round-robin over the same transactions). Returns (seconds, transactions, rows)."""
    from django.db import connection, transaction

    report_table = "reports_report"
    if report_table not in rows:
        return 0.0, 0, 0
    names = scratch_tables(list(rows))
    rcols, rrows = rows[report_table]
    rid = rcols.index("id")
    order = [r[rid] for r in rrows]
    slot = {pk: i for i, pk in enumerate(order)}
    groups: list[dict[str, list[tuple]]] = [{} for _ in order]
    spread = 0
    for table, (columns, found) in rows.items():
        key = "id" if table == report_table else ("report_id" if "report_id" in columns else None)
        for row in found:
            if key is not None and row[columns.index(key)] in slot:
                i = slot[row[columns.index(key)]]
            else:
                i = spread % len(order)
                spread += 1
            groups[i].setdefault(table, []).append(row)
    statements = {
        table: (
            f'INSERT INTO "{names[table]}" ({", ".join(connection.ops.quote_name(c) for c in cols)}) '  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(cols))})"
        )
        for table, (cols, _found) in rows.items()
    }
    # The report first, then the tables in the order the app writes them does not matter
    # without foreign keys; the report table first keeps it readable.
    tables = [report_table] + [t for t in rows if t != report_table]
    total = sum(len(found) for _c, found in rows.values())
    start = time.perf_counter()
    for group in groups:
        with transaction.atomic(), connection.cursor() as cur:
            for table in tables:
                if table in group:
                    cur.executemany(statements[table], group[table])
    seconds = time.perf_counter() - start
    with connection.cursor() as cur:
        for scratch in names.values():
            cur.execute(f'DROP TABLE "{scratch}"')
    return seconds, len(groups), total


class Sampler(threading.Thread):
    """Every 0.25 s: each gunicorn worker's RSS (by pid: a restarted worker is a new line)."""

    def __init__(self, master: subprocess.Popen) -> None:
        super().__init__(daemon=True)
        self.master = master
        self.rss: dict[int, list[float]] = {}
        self.cpu_busy: list[float] = []
        self.halt = threading.Event()

    def run(self) -> None:
        psutil.cpu_percent()
        while not self.halt.wait(0.25):
            for worker in gunicorn_workers(self.master):
                try:
                    self.rss.setdefault(worker.pid, []).append(rss_mb(worker))
                except psutil.NoSuchProcess:
                    pass
            self.cpu_busy.append(psutil.cpu_percent())


def cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def database_processes(database_url: str) -> list[psutil.Process]:
    """The PostgreSQL server on the URL's port and its backends (for their CPU time); empty
    for SQLite (its work runs inside the app processes) or a server not on this machine."""
    from urllib.parse import urlsplit

    parts = urlsplit(database_url)
    if not parts.scheme.startswith("postgres") or parts.hostname not in ("127.0.0.1", "localhost"):
        return []
    port = str(parts.port or 5432)
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmd = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and "-p" in cmd and port in " ".join(cmd).split():
            try:
                return [proc, *proc.children(recursive=True)]
            except psutil.NoSuchProcess:
                return []
    return []


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def warm_up(port: int, token: str, place: str, photo: bytes | None, count: int) -> int:
    """A few submissions so every worker has imported its code and built the ward index."""
    import httpx

    category, lat, lon = place.split()
    ok = 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        for i in range(count):
            files = {"files": ("w.jpg", photo, "image/jpeg")} if photo else None
            r = client.post(
                "/api/reports",
                headers={"Authorization": f"Bearer {token}"},
                data={
                    "category": category,
                    "lat": lat,
                    "lon": lon,
                    "title": f"Warm-up {i}",
                    "description": "Warm-up report of the HTTP benchmark.",
                },
                files=files,
            )
            ok += r.status_code == 201
    return ok


def main() -> None:
    args = parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed: apt-get install -y wrk (Debian package).")
    if args.concurrency > args.requests:
        sys.exit("--concurrency must not exceed --requests.")
    tmp = open_database(args.database_url, prefix="cds-http-")
    work = Path(tmp.name)
    from django.db import connection

    from reports.models import Media, Report

    database_url = os.environ["DATABASE_URL"]
    (work / "bench_settings.py").write_text(BENCH_SETTINGS)
    photo_bytes = make_photo(work / "photo.jpg") if args.photo else 0
    tokens = make_residents(args.users)
    places = make_places(photo=args.photo)
    (work / "tokens.txt").write_text("\n".join(tokens) + "\n")
    (work / "places.txt").write_text("\n".join(places) + "\n")
    logdir = work / "logs"
    env = app_env(
        database_url,
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=os.pathsep.join([str(work), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
        MEDIA_ROOT=str(work / "media"),
        PRIVATE_MEDIA_ROOT=str(work / "private_media"),
        DB_CONN_MAX_AGE=str(args.db_conn_max_age),
    )
    port = free_port()
    extra = ["--worker-class", "gthread"] if args.threads > 1 else []
    server = start_gunicorn(
        env, port=port, workers=args.workers, threads=args.threads, logdir=logdir, extra_args=extra
    )
    worker = start_worker(env, logdir=logdir)
    client: subprocess.Popen | None = None
    try:
        wait_http(f"http://127.0.0.1:{port}/", process=server, timeout=120)
        photo = (work / "photo.jpg").read_bytes() if args.photo else None
        warmed = warm_up(port, tokens[0], places[0], photo, 4 * args.workers)
        if warmed != 4 * args.workers:
            sys.exit(f"warm-up: {warmed} of {4 * args.workers} accepted; see {logdir}")
        _wait_drained(timeout=args.timeout)
        rss_idle = {w.pid: rss_mb(w) for w in gunicorn_workers(server)}
        before = table_snapshot()
        connection.close()  # the bench holds no connection open during the load

        sampler = Sampler(server)
        served_by = gunicorn_workers(server)
        wk = psutil.Process(worker.pid)
        cpu0 = (cpu_seconds(served_by), cpu_seconds([wk]))
        db_procs = database_processes(database_url)
        db_cpu0 = cpu_seconds(db_procs)
        run = f"{os.getpid()}x{int(time.time())}"
        sampler.start()
        started = time.monotonic()
        client = subprocess.Popen(
            [
                wrk,
                "-t",
                str(args.concurrency),
                "-c",
                str(args.concurrency),
                "-d",
                f"{int(args.timeout)}s",
                "--timeout",
                "60s",
                "-s",
                str(_lua(work)),
                f"http://127.0.0.1:{port}",
                "--",
                str(work),
                run,
                str(args.requests),
                str(args.concurrency),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        client_ps = psutil.Process(client.pid)
        client_cpu = 0.0
        while time.monotonic() - started < args.timeout:
            if len(list(work.glob("done-*"))) == args.concurrency or client.poll() is not None:
                break
            client_cpu = cpu_seconds([client_ps])
            time.sleep(0.05)
        load_end = time.monotonic()
        client_cpu = max(client_cpu, cpu_seconds([client_ps]))
        if client.poll() is None:
            client.send_signal(signal.SIGINT)  # wrk's main thread sleeps -d seconds otherwise
        client_out = client.communicate(timeout=30)[0].decode(errors="replace")
        if "rror" in client_out:
            print(client_out)
        cpu1 = (cpu_seconds(served_by), cpu_seconds([wk]))
        # Backends started during the load (gunicorn's connections) are the postmaster's children.
        db_procs = database_processes(database_url) if db_procs else []
        db_cpu = cpu_seconds(db_procs) - db_cpu0 if db_procs else float("nan")
        drained_at = _wait_drained(timeout=args.timeout)
        sampler.halt.set()
        sampler.join()
        cpu2 = cpu_seconds([wk])

        results = _read_results(work)
        acknowledged = {code for _n, status, _s, _e, code in results if status == 201}
        stored = set(
            Report.objects.exclude(title__startswith="Warm-up").values_list(
                "tracking_code", flat=True
            )
        )
        media_run = Media.objects.filter(report__tracking_code__in=list(stored))
        unprocessed = media_run.filter(display="", processing_error="").count()
        failed_media = media_run.exclude(processing_error="").count()
        rows = new_rows(before)
        raw_seconds, raw_tx, raw_rows = raw_insert(rows)
        _print(
            args=args,
            results=results,
            acknowledged=acknowledged,
            stored=stored,
            wall=load_end - started,
            drained=drained_at - started,
            sampler=sampler,
            rss_idle=rss_idle,
            server_cpu=cpu1[0] - cpu0[0],
            worker_cpu=cpu2 - cpu0[1],
            client_cpu=client_cpu,
            db_cpu=db_cpu,
            rows=rows,
            raw=(raw_seconds, raw_tx, raw_rows),
            photo_bytes=photo_bytes,
            unprocessed=unprocessed,
            failed_media=failed_media,
        )
    finally:
        if client is not None and client.poll() is None:
            client.kill()
        stop(server)
        stop(worker)
        if args.keep_logs:
            kept = Path(tempfile.mkdtemp(prefix="cds-http-logs-"))
            shutil.copytree(logdir, kept, dirs_exist_ok=True)
            print(f"logs kept in {kept}")
        connection.close()
        tmp.cleanup()


def _lua(work: Path) -> Path:
    path = work / "submit.lua"
    path.write_text(WRK_LUA)
    return path


def _wait_drained(*, timeout: float) -> float:
    """Until the task queue has nothing ready or running (the photos' public copies made)."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
            return time.monotonic()
        time.sleep(0.1)
    raise TimeoutError("the task queue was not drained in time")


def _read_results(work: Path) -> list[tuple[int, int, int, int, str]]:
    results = []
    for path in sorted(work.glob("out-*.txt")):
        for line in path.read_text().splitlines():
            n, status, start, elapsed, code = line.split()
            results.append((int(n), int(status), int(start), int(elapsed), code))
    return results


def _print(
    *,
    args,
    results,
    acknowledged,
    stored,
    wall,
    drained,
    sampler,
    rss_idle,
    server_cpu,
    worker_cpu,
    client_cpu,
    db_cpu,
    rows,
    raw,
    photo_bytes,
    unprocessed,
    failed_media,
) -> None:
    from collections import Counter

    latencies = [e / 1000 for _n, _st, _s, e, _c in results]
    statuses = Counter(st for _n, st, _s, _e, _c in results)
    ok = statuses.get(201, 0)
    # Wall time from the first request sent to the last answer, as the client timed them.
    first = min(s for _n, _st, s, _e, _c in results)
    last = max(s + e for _n, _st, s, e, _c in results)
    span = (last - first) / 1e6
    rate = ok / span
    raw_seconds, raw_tx, raw_rows = raw
    raw_rate = raw_tx / raw_seconds if raw_seconds else float("nan")
    peaks = {pid: max(v) for pid, v in sampler.rss.items()}
    steady = {pid: statistics.median(v) for pid, v in sampler.rss.items()}
    mode = f"gthread ×{args.threads}" if args.threads > 1 else "sync"
    print()
    print(describe_machine())
    print(
        f"load: {len(results)} submissions, {args.concurrency} connections (wrk), "
        f"{args.users} residents, photo {f'{photo_bytes} B JPEG' if args.photo else 'none'}; "
        f"gunicorn {args.workers} × {mode}, DB_CONN_MAX_AGE={args.db_conn_max_age}, 1 db_worker"
    )
    print()
    print("| figure | value |")
    print("|---|---|")
    print(f"| reports/s (HTTP, wall {span:.2f} s) | {rate:,.0f} /s |")
    print(
        f"| latency p50 / p95 / p99 / max | {pct(latencies, 50):.0f} / {pct(latencies, 95):.0f} / "
        f"{pct(latencies, 99):.0f} / {max(latencies):.0f} ms |"
    )
    print(f"| answers by status | {', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))} |")
    print(
        f"| reports stored / acknowledged (201) | {len(stored)} / {len(acknowledged)}"
        f"{' ✓ same set' if stored == acknowledged else ' ✗ DIFFER'} |"
    )
    if args.photo:
        print(
            f"| photo queue drained after load start | {drained:.1f} s "
            f"({unprocessed} unprocessed, {failed_media} failed) |"
        )
    print(
        f"| raw INSERT of the same rows, 1 tx/report | {raw_rate:,.0f} reports/s "
        f"({raw_rows:,} rows in {raw_tx:,} tx, {raw_seconds:.2f} s) |"
    )
    print(f"| HTTP / raw INSERT | {rate / raw_rate:.1%} |")
    print(
        f"| rows written per report | {raw_rows / max(raw_tx, 1):.1f} "
        f"({', '.join(f'{t} {len(r)}' for t, (_c, r) in sorted(rows.items()))}) |"
    )
    for i, pid in enumerate(sorted(peaks)):
        print(
            f"| gunicorn worker {i + 1} RSS idle / steady / peak | "
            f"{rss_idle.get(pid, float('nan')):.0f} / {steady[pid]:.0f} / {peaks[pid]:.0f} MB |"
        )
    print(
        f"| CPU s: gunicorn workers / db_worker / wrk client | {server_cpu:.1f} / "
        f"{worker_cpu:.1f} / {client_cpu:.2f} (machine busy {statistics.mean(sampler.cpu_busy or [0]):.0f} %) |"
    )
    app_ms = server_cpu / max(ok, 1) * 1000
    db_ms = db_cpu / max(ok, 1) * 1000
    print(f"| CPU per report: gunicorn / PostgreSQL | {app_ms:.1f} / {db_ms:.1f} ms |")
    cores = os.cpu_count() or 1
    worker_ms = worker_cpu / max(ok, 1) * 1000
    per_report = app_ms + (0 if db_ms != db_ms else db_ms) + worker_ms  # db_ms is NaN on SQLite
    # What the cores could serve if nothing else ran (the photos' copies included): a ceiling
    # from CPU time, not a measurement.
    print(
        f"| ceiling if alone: {cores} cores / (gunicorn + PostgreSQL + db_worker CPU per report "
        f"{per_report:.1f} ms) | {cores * 1000 / per_report:,.0f} /s |"
    )
    worst = max(peaks.values()) if peaks else float("nan")
    print()
    print(
        f"targets: ≥ 300 reports/s: {'met' if rate >= 300 else 'NOT met'} ({rate:,.0f}); "
        f"worker RSS < 200 MB: {'met' if worst < 200 else 'NOT met'} (peak {worst:.0f} MB)"
    )


if __name__ == "__main__":
    main()
