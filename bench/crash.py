"""Crash safety under load: kill -9 the app's processes while residents submit, then check that
nothing acknowledged was lost or doubled.

A bounded load of N submissions (default 10,000), each with its own idempotency key, goes
through the JSON API (POST /api/reports, bearer tokens) to a real gunicorn, while a real
`manage.py db_worker` sends the e-mails and a real `manage.py scheduler` re-queues what dead
workers left behind. A chaos thread SIGKILLs, at random moments of the run, a gunicorn worker
(its master forks a new one), the task worker (a new one is started), or the gunicorn master with
its workers (the whole server is started again on the same port). Clients retry the SAME key
with back-off on a connection error, a timeout or a 5xx until they get a 201 with a tracking code.

After the load the worker and the scheduler drain the queue, then the script checks:
- every acknowledged key is stored exactly once, with the tracking code the client was given;
  no two reports share a key or a submission text; nothing stored that no client sent;
- each report's reporter got exactly one "routed" notification (notify.services.NOTIFIED_ACTIONS:
  submission itself notifies nobody, routing does) and its e-mail reached the SMTP server
  (aiosmtpd, in this process) exactly once — counted by recipient + subject, the subject
  carrying the tracking code;
- every attached photo was processed; `manage.py verify_audit` passes (hash chains intact).
It prints a markdown table and exits non-zero on any violation.

Settings changed for the run (and only for it): report-submit rate limits raised (every client
comes from 127.0.0.1) through a generated settings module that imports congdanso.settings;
TASK_LEASE_MINUTES=1 so the scheduler re-queues a killed worker's task within the run, and
NOTIFY_SENDING_LEASE_SECONDS=60 so an e-mail claimed by a killed worker is retried a minute
later. Each notified step also queues a safety-net check 2 minutes later (notify_event_later):
the drain lasts at least that long.

Usage: bash scripts/with-postgres.sh .venv/bin/python bench/crash.py --database-url "$DATABASE_URL"
       [--submissions 10000] [--clients 16] [--kills 12] [--seed 1]
Without --database-url: a SQLite file (WAL) in a temporary folder.
"""

from __future__ import annotations

import argparse
import collections
import email
import email.policy
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import (
    PYTHON,
    ROOT,
    app_env,
    free_port,
    gunicorn_workers,
    kill9,
    manage,
    start_gunicorn,
    start_scheduler,
    start_worker,
    stop,
    wait_http,
)

CATEGORY = "khac"  # "other": no photo required, routed to the ward's committee
WEB_WORKER, TASK_WORKER, MASTER = "gunicorn worker", "task worker", "gunicorn master"
OVERLAY = """from congdanso.settings import *  # noqa: F403

# Every bench client comes from 127.0.0.1 and each resident sends many reports: the
# production limits would answer 429 (see accounts/ratelimit.py DEFAULT_LIMITS).
RATE_LIMITS = {"report-submit:user": (10**9, 3600), "report-submit:ip": (10**9, 3600)}
"""


# --- the e-mail side ---------------------------------------------------------------------------


class Inbox:
    """aiosmtpd handler: counts the messages received per (recipient, subject)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: collections.Counter[tuple[str, str]] = collections.Counter()
        self.total = 0

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        # Django folds a long subject into encoded words; compare it with the title unfolded.
        subject = " ".join(str(message["Subject"] or "").split())
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received[(rcpt.lower(), subject)] += 1
                self.total += 1
        return "250 OK"


# --- the processes -------------------------------------------------------------------------------


class Cluster:
    """gunicorn + task worker(s) + scheduler, and the ways to kill them."""

    def __init__(self, env: dict[str, str], logdir: Path, *, web_workers: int, task_workers: int):
        self.env, self.logdir, self.web_workers = env, logdir, web_workers
        self.port = free_port()
        self.lock = threading.Lock()
        self.kills: collections.Counter[str] = collections.Counter()
        self.server = self._start_server()
        self.task_workers = [self._start_task_worker() for _ in range(task_workers)]
        self.scheduler = start_scheduler(env, logdir=logdir, interval=1)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _start_server(self) -> subprocess.Popen:
        server = start_gunicorn(
            self.env, port=self.port, workers=self.web_workers, logdir=self.logdir
        )
        wait_http(f"{self.base}/api/units/", timeout=90, process=server)
        return server

    def _start_task_worker(self) -> subprocess.Popen:
        return start_worker(self.env, logdir=self.logdir, name="worker")

    def kill(self, kind: str) -> str:
        with self.lock:
            if kind == WEB_WORKER:
                workers = gunicorn_workers(self.server)
                if not workers:
                    return "no web worker to kill"
                victim = random.choice(workers)
                kill9(victim.pid)
                detail = f"pid {victim.pid}"
            elif kind == TASK_WORKER:
                i = random.randrange(len(self.task_workers))
                victim_p = self.task_workers[i]
                kill9(victim_p.pid)
                victim_p.wait()
                self.task_workers[i] = self._start_task_worker()
                detail = f"pid {victim_p.pid}, replaced by {self.task_workers[i].pid}"
            else:
                # The whole server dies at once (a power cut): master and workers, so the port
                # is free for the new master.
                children = gunicorn_workers(self.server)
                kill9(self.server.pid)
                for child in children:
                    kill9(child.pid)
                self.server.wait()
                old = self.server.pid
                self.server = self._start_server()
                detail = f"pid {old} and {len(children)} workers, restarted as {self.server.pid}"
            self.kills[kind] += 1
            return detail

    def ensure_up(self) -> None:
        """After the load: every process alive (a worker killed last is already replaced)."""
        with self.lock:
            if self.server.poll() is not None:
                self.server = self._start_server()
            for i, worker in enumerate(self.task_workers):
                if worker.poll() is not None:
                    self.task_workers[i] = self._start_task_worker()
            if self.scheduler.poll() is not None:
                self.scheduler = start_scheduler(self.env, logdir=self.logdir, interval=1)

    def stop(self) -> None:
        for process in [self.server, self.scheduler, *self.task_workers]:
            stop(process)


# --- the residents -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the client saw for one logical submission (one idempotency key)."""

    key: str
    token: str
    email: str
    ward: str
    photo: bool
    attempts: int = 0
    errors: list[str] = field(default_factory=list)
    tracking_code: str | None = None
    codes_seen: set[str] = field(default_factory=set)
    last_attempt_started: float = 0.0
    rejected: str = ""


def tiny_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 90)).save(out, "JPEG", quality=80)
    return out.getvalue()


def submit_one(client: httpx.Client, cluster: Cluster, o: Outcome, photo: bytes, give_up: float):
    data = {
        "category": CATEGORY,
        "ward": o.ward,
        "title": f"Crash bench {o.key}",
        "description": f"Submission {o.key}: a loose drain cover on the pavement.",
        "idempotency_key": o.key,
    }
    headers = {"Authorization": f"Bearer {o.token}", "Accept-Language": "en"}
    files = [("files", ("drain.jpg", photo, "image/jpeg"))] if o.photo else None
    deadline = time.monotonic() + give_up
    while time.monotonic() < deadline:
        o.attempts += 1
        o.last_attempt_started = time.time()
        try:
            r = client.post(f"{cluster.base}/api/reports", data=data, files=files, headers=headers)
        except httpx.HTTPError as exc:
            o.errors.append(type(exc).__name__)
        else:
            if r.status_code == 201:
                code = r.json()["tracking_code"]
                o.codes_seen.add(code)
                o.tracking_code = code
                return
            if r.status_code < 500 and r.status_code != 429:
                # A 4xx other than 429 will not change on retry: a bug in the bench or the app.
                o.rejected = f"{r.status_code} {r.text[:200]}"
                return
            o.errors.append(str(r.status_code))
        time.sleep(min(2.0, 0.1 * 2 ** min(len(o.errors), 5)) * random.uniform(0.5, 1.5))


# --- the run ---------------------------------------------------------------------------------------


def prepare(args, tmp: Path) -> tuple[dict[str, str], list[tuple[str, str]], list[str]]:
    """Settings, schema, reference data, residents; returns the env, (token, email)s, wards."""
    (tmp / "crash_settings.py").write_text(OVERLAY)
    database_url = args.database_url or f"sqlite:///{tmp}/crash.sqlite3"
    env = app_env(
        database_url,
        DJANGO_SETTINGS_MODULE="crash_settings",
        PYTHONPATH=os.pathsep.join([str(tmp), str(ROOT)]),
        TASK_LEASE_MINUTES="1",
        # An e-mail a killed worker had claimed is taken back after a minute, not ten.
        NOTIFY_SENDING_LEASE_SECONDS="60",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(args.smtp_port),
        SITE_URL="http://127.0.0.1:8000",
        MEDIA_ROOT=str(tmp / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp / "private_media"),
    )
    os.environ.update(env)
    sys.path[:0] = [str(tmp), str(ROOT)]
    import django

    django.setup()
    manage(env, "migrate", "-v0")
    from reports.models import Report

    if Report.objects.exists():
        sys.exit("The database already has reports: give an empty, throw-away database.")
    manage(env, "load_units", "--no-progress", "-v0")
    manage(env, "load_agencies", "-v0")
    manage(env, "load_categories", "-v0")

    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from api.services import token_issue
    from notify.models import ChannelPreference
    from units.lookup import current_era
    from units.models import WARD_LEVEL_TYPES, AdministrativeUnit, Agency, AgencyKind

    password = make_password(None)
    User.objects.bulk_create(
        User(username=f"crash{i}", email=f"crash{i}@example.vn", password=password)
        for i in range(args.residents)
    )
    residents = list(User.objects.filter(username__startswith="crash").order_by("id"))
    # E-mail on, SMS off; push needs a browser subscription, which nobody here has.
    ChannelPreference.objects.bulk_create(
        ChannelPreference(user=u, email=True, sms=False, push=False) for u in residents
    )
    tokens = [(token_issue(actor=u, name="crash bench")[1], u.email) for u in residents]
    # Wards that have a committee to route to (a report sent with a ward code and no pin).
    committee_units = Agency.objects.filter(kind=AgencyKind.WARD_COMMITTEE).values("unit_id")
    wards = list(
        AdministrativeUnit.objects.filter(
            era=current_era(), type__in=WARD_LEVEL_TYPES, id__in=committee_units
        )
        .exclude(geometry="")
        .values_list("code", flat=True)
    )
    if not wards:
        sys.exit("No ward with a committee: load_units / load_agencies loaded nothing?")
    return env, tokens, wards


def drain(timeout: float) -> tuple[bool, float]:
    """Wait until no notice, delivery or media task is queued (deferred ones included: the
    notices' safety net runs 2 minutes after each step) or running, and every delivery is
    final."""
    from django.db.models import Count
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from notify.models import Delivery

    started = time.monotonic()
    last_print = 0.0
    work = [
        "notify.tasks.send_delivery",
        "notify.tasks.notify_event_again",
        "reports.tasks.process_media",
    ]
    while True:
        open_tasks = DBTaskResult.objects.filter(
            task_path__in=work, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).count()
        open_deliveries = Delivery.objects.exclude(
            status__in=[Delivery.Status.SENT, Delivery.Status.GAVE_UP]
        ).count()
        elapsed = time.monotonic() - started
        if not open_tasks and not open_deliveries:
            return True, elapsed
        if elapsed > timeout:
            return False, elapsed
        if elapsed - last_print >= 15:
            last_print = elapsed
            by_status = dict(
                Delivery.objects.values("status").annotate(n=Count("id")).values_list("status", "n")
            )
            # A delivery a killed worker had claimed stays "sending" for the sending lease
            # (60 s here) before the retry sweep takes it back.
            print(f"  drain {elapsed:5.0f} s: {open_tasks} tasks open, deliveries {by_status}")
        time.sleep(1)


def check(outcomes: list[Outcome], inbox: Inbox, env: dict[str, str]) -> dict[str, object]:
    from django.db.models import Count

    from notify.models import Delivery, Notification
    from reports.models import Media, Report
    from reports.workflow import Action

    r: dict[str, object] = {}
    acked = {o.key: o for o in outcomes if o.tracking_code}
    sent_keys = {o.key for o in outcomes}
    reports = {
        k: (code, created)
        for k, code, created in Report.objects.values_list(
            "idempotency_key", "tracking_code", "created_at"
        )
    }
    r["acknowledged"] = len(acked)
    r["never acknowledged"] = sum(1 for o in outcomes if not o.tracking_code)
    r["rejected (4xx)"] = sum(1 for o in outcomes if o.rejected)
    r["stored"] = Report.objects.count()
    r["lost (acked, not stored)"] = sum(1 for k in acked if k not in reports)
    r["wrong tracking code"] = sum(
        1 for k, o in acked.items() if k in reports and reports[k][0] != o.tracking_code
    )
    r["two codes for one key"] = sum(1 for o in outcomes if len(o.codes_seen) > 1)
    r["stored without a key"] = Report.objects.filter(idempotency_key__isnull=True).count()
    r["stored, key never sent"] = sum(1 for k in reports if k is not None and k not in sent_keys)
    r["stored, never acknowledged"] = sum(1 for k in reports if k in sent_keys and k not in acked)
    # Duplicates by content as well as by key: a copy stored without (or with another) key.
    r["duplicates"] = sum(
        n - 1
        for n in Report.objects.values("title").annotate(n=Count("id")).values_list("n", flat=True)
        if n > 1
    ) + sum(
        n - 1
        for n in Report.objects.exclude(idempotency_key=None)
        .values("idempotency_key")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
        if n > 1
    )
    retried = [o for o in acked.values() if o.attempts > 1]
    r["submissions retried"] = len(retried)
    r["retries"] = sum(o.attempts - 1 for o in outcomes)
    # The server committed an earlier attempt, whose answer the kill lost; the retry with the
    # same key found the stored report (created before the successful attempt began).
    r["acks lost, found by retry"] = sum(
        1
        for o in retried
        if o.key in reports and reports[o.key][1].timestamp() < o.last_attempt_started
    )

    # Notifications: submission notifies nobody; routing notifies the reporter (once).
    by_report = dict(
        Notification.objects.filter(kind=Action.ROUTE)
        .values("report__idempotency_key")
        .annotate(n=Count("id"))
        .values_list("report__idempotency_key", "n")
    )
    r["notifications expected"] = len(reports)
    r["notifications missing"] = sum(1 for k in reports if by_report.get(k, 0) == 0)
    r["notifications duplicated"] = sum(n - 1 for n in by_report.values() if n > 1)
    r["notifications other"] = Notification.objects.exclude(kind=Action.ROUTE).count()
    deliveries = dict(
        Delivery.objects.values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    r["deliveries by status"] = deliveries
    r["notifications without e-mail delivery"] = Notification.objects.filter(
        deliveries__isnull=True
    ).count()
    counts = []
    for title, mail in Notification.objects.values_list("title", "user__email"):
        counts.append(inbox.received.get((mail.lower(), " ".join(title.split())), 0))
    r["e-mails received"] = inbox.total
    r["e-mails delivered once"] = sum(1 for n in counts if n == 1)
    r["e-mails never received"] = sum(1 for n in counts if n == 0)
    r["e-mails duplicated"] = sum(n - 1 for n in counts if n > 1)
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    r["tasks failed"] = dict(
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
        .values("task_path")
        .annotate(n=Count("id"))
        .values_list("task_path", "n")
    )
    r["photos"] = Media.objects.count()
    r["photos unprocessed"] = Media.objects.filter(processed_at__isnull=True).count()

    audit = subprocess.run(
        [PYTHON, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    r["audit"] = audit.stdout.strip() or audit.stderr.strip().splitlines()[-1:] or ["?"]
    r["audit ok"] = audit.returncode == 0
    if audit.returncode:
        print(audit.stderr[-3000:])
    return r


VIOLATIONS = [
    "never acknowledged",
    "rejected (4xx)",
    "lost (acked, not stored)",
    "wrong tracking code",
    "two codes for one key",
    "stored without a key",
    "stored, key never sent",
    "stored, never acknowledged",
    "duplicates",
    "notifications missing",
    "notifications duplicated",
    "notifications without e-mail delivery",
    "e-mails never received",
    "e-mails duplicated",
    "photos unprocessed",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--task-workers", type=int, default=1)
    parser.add_argument("--photo-share", type=float, default=0.1)
    parser.add_argument("--give-up", type=float, default=300, help="seconds per submission")
    parser.add_argument("--drain-timeout", type=float, default=900)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args()
    # Stopped from outside (timeout, Ctrl-C's cousin): still run the `finally` that stops the
    # servers, which live in their own sessions and would otherwise outlive the script.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    random.seed(args.seed)
    rng = random.Random(args.seed)

    tmp = Path(tempfile.mkdtemp(prefix="bench-crash-"))
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    args.smtp_port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=args.smtp_port)
    smtp.start()
    cluster: Cluster | None = None
    started = time.monotonic()
    try:
        env, tokens, wards = prepare(args, tmp)
        print(f"set up in {time.monotonic() - started:.0f} s; logs in {tmp}", flush=True)
        cluster = Cluster(
            env, tmp / "logs", web_workers=args.web_workers, task_workers=args.task_workers
        )
        photo = tiny_jpeg()
        outcomes = []
        for i in range(args.submissions):
            token, mail = tokens[i % len(tokens)]
            outcomes.append(
                Outcome(
                    key=f"crash-{args.seed}-{i:06d}",
                    token=token,
                    email=mail,
                    ward=rng.choice(wards),
                    photo=rng.random() < args.photo_share,
                )
            )
        # K kills at random points of the run's progress; the first three are one of each kind.
        kinds = [WEB_WORKER, TASK_WORKER, MASTER]
        rng.shuffle(kinds)
        plan = kinds[: args.kills] + rng.choices(
            [WEB_WORKER, TASK_WORKER, MASTER], weights=[5, 4, 1], k=max(0, args.kills - 3)
        )
        rng.shuffle(plan)
        at = sorted(rng.uniform(0.05, 0.9) for _ in plan)
        done = [0]
        done_lock = threading.Lock()
        kill_log: list[str] = []

        def client_loop(share: list[Outcome]) -> None:
            with httpx.Client(timeout=30) as client:
                for o in share:
                    submit_one(client, cluster, o, photo, args.give_up)
                    with done_lock:
                        done[0] += 1

        def chaos() -> None:
            for kind, fraction in zip(plan, at, strict=True):
                while done[0] < fraction * args.submissions:
                    time.sleep(0.05)
                time.sleep(rng.uniform(0, 0.5))
                detail = cluster.kill(kind)
                line = f"  kill -9 {kind} at {done[0]}/{args.submissions}: {detail}"
                kill_log.append(line)
                print(line, flush=True)

        load_started = time.monotonic()
        clients = [
            threading.Thread(target=client_loop, args=(outcomes[c :: args.clients],), daemon=True)
            for c in range(args.clients)
        ]
        chaos_thread = threading.Thread(target=chaos, daemon=True)
        for t in [*clients, chaos_thread]:
            t.start()
        while any(t.is_alive() for t in clients):
            time.sleep(10)
            print(f"  {done[0]}/{args.submissions} submitted", flush=True)
        load_s = time.monotonic() - load_started
        chaos_thread.join(timeout=5)
        cluster.ensure_up()
        print(f"load done in {load_s:.0f} s; draining the queue", flush=True)
        drained, drain_s = drain(args.drain_timeout)
        time.sleep(2)  # the last e-mails' SMTP sessions close
        result = check(outcomes, inbox, env)
        kills = cluster.kills
    finally:
        if cluster is not None:
            cluster.stop()
        smtp.stop()
    wall = time.monotonic() - started

    db = (args.database_url or "sqlite").split(":", 1)[0]
    rows = [
        ("database", db),
        ("submissions", args.submissions),
        ("clients", args.clients),
        ("web workers / task workers", f"{args.web_workers} / {args.task_workers}"),
        ("kills (planned)", args.kills),
        *((f"kills: {k}", kills.get(k, 0)) for k in (WEB_WORKER, TASK_WORKER, MASTER)),
        *result.items(),
        ("drained", f"{'yes' if drained else 'NO (timeout)'} in {drain_s:.0f} s"),
        ("load time (s)", f"{load_s:.0f}"),
        ("wall time (s)", f"{wall:.0f}"),
    ]
    print("\n| measure | value |\n|---|---|")
    for name, value in rows:
        if isinstance(value, list):
            value = " ".join(value)
        elif isinstance(value, dict):
            value = json.dumps(value)
        print(f"| {name} | {value} |")
    failed = [name for name in VIOLATIONS if result[name]]
    if not result["audit ok"]:
        failed.append("audit")
    if not drained:
        failed.append("drain timeout")
    if failed:
        print(f"\nFAILED: {', '.join(failed)} (logs in {tmp})")
    else:
        print(
            "\nOK: every acknowledged report stored once, notified once, e-mailed once; audit intact"
        )
    if not args.keep and not failed:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
