"""Real processes on a real database file (or the PostgreSQL test database): a worker killed
with SIGKILL in the middle of a task, and two schedulers started at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def process_env(request, tmp_path) -> dict[str, str]:
    """Environment for `manage.py` subprocesses that share a database with the test.

    pytest-django's SQLite test database lives in memory, out of reach of another process:
    there, the processes get a migrated database file of their own. On PostgreSQL they use the
    test database (committed writes: a transactional test, flushed afterwards)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "congdanso.settings"}
    if connection.vendor == "postgresql":
        request.getfixturevalue("transactional_db")
        db = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        manage(env, "migrate", "-v0")
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    # System checks are skipped: they are not what these tests are about (shell has none).
    checks = [] if args[0] == "shell" else ["--skip-checks"]
    done = subprocess.run(
        [sys.executable, "manage.py", *args, *checks],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def shell(env: dict[str, str], code: str) -> object:
    """Run `code` in a Django shell of its own; it prints one JSON value."""
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


STATE = """
import json
from django_tasks_db.models import DBTaskResult
from notify.models import Notification
row = DBTaskResult.objects.get(task_path="sla.tests.tasks_for_tests.notify_then_wait")
print(json.dumps({
    "status": row.status, "workers": len(row.worker_ids), "return": row.return_value,
    "notices": Notification.objects.filter(dedupe_key__startswith="worker-test").count(),
}))
"""


def test_worker_killed_mid_task_is_redone_once_and_notifies_once(process_env, tmp_path):
    gate = tmp_path / "gate"
    shell(
        process_env,
        "import json\n"
        "from accounts.models import User\n"
        "from sla.tests.tasks_for_tests import notify_then_wait\n"
        "u = User.objects.create_user(username='worker_test_officer')\n"
        f"notify_then_wait.enqueue(u.pk, {str(gate)!r})\n"
        "print(json.dumps(u.pk))",
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.1", "--skip-checks", "-v0"],
        cwd=ROOT, env=process_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(Path(f"{gate}.started"))
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert shell(process_env, STATE) == {
        "status": "RUNNING",
        "workers": 1,
        "return": None,
        "notices": 1,
    }

    requeue = (
        "import json\nfrom datetime import timedelta\nfrom django.utils import timezone\n"
        "from sla.services import tasks_requeue_stale\n"
        "print(json.dumps(tasks_requeue_stale(now=timezone.now() + timedelta(minutes={}))))"
    )
    # Within its 30-minute lease the task may still be running somewhere: left alone.
    assert shell(process_env, requeue.format(0)) == 0
    assert shell(process_env, requeue.format(31)) == 1

    gate.touch()
    manage(process_env, "db_worker", "--batch", "--no-reload", "--no-startup-delay", "-v0")
    # Run twice (two workers), done once: the notice exists once, the task succeeded.
    assert shell(process_env, STATE) == {
        "status": "SUCCESSFUL",
        "workers": 2,
        "return": 1,
        "notices": 1,
    }


def test_two_schedulers_started_together_enqueue_each_job_once(process_env):
    command = [sys.executable, "manage.py", "scheduler", "--once", "--skip-checks"]
    schedulers = [
        subprocess.Popen(
            command, cwd=ROOT, env=process_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in schedulers]
    assert [p.returncode for p in schedulers] == [0, 0], outputs
    enqueued = shell(
        process_env,
        "import json\nfrom collections import Counter\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "rows = DBTaskResult.objects.exclude(task_path__startswith='sla.tests.')\n"
        "print(json.dumps(Counter(rows.values_list('task_path', flat=True))))",
    )
    assert enqueued == {
        "reports.tasks.close_unrated_reports": 1,
        "sla.tasks.sweep": 1,
        "sla.tasks.requeue_stale_tasks": 1,
        "notify.tasks.retry_deliveries": 1,
        "intake.tasks.zalo_sweep": 1,
        "cameras.tasks.probe": 1,
    }
    lines = sorted(line for out, _err in outputs for line in out.decode().splitlines())
    assert lines == [
        "enqueued auto_close",
        "enqueued probe_cameras",
        "enqueued requeue_stale_tasks",
        "enqueued retry_deliveries",
        "enqueued sla_sweep",
        "enqueued zalo_sweep",
    ]
