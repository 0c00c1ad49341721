"""A task for the killed-worker test: it sends an in-app notice, then waits for the test."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task

from accounts.models import User
from notify.models import Notification
from notify.services import notify_staff


@task()
def notify_then_wait(user_id: int, gate: str) -> int:
    notify_staff(
        users=[User.objects.get(pk=user_id)],
        kind="test",
        title="Worker test",
        dedupe_key="worker-test",
    )
    # The notice is committed (autocommit): now the test may kill this worker.
    Path(f"{gate}.started").touch()
    while not Path(gate).exists():
        time.sleep(0.05)
    return Notification.objects.filter(dedupe_key__startswith="worker-test").count()
