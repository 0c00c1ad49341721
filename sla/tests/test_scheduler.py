"""The scheduler's claims: a due run is enqueued by one scheduler only."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from sla.models import ScheduledJob
from sla.services import (
    JOBS,
    Job,
    scheduled_job_claim,
    scheduled_jobs_due,
    scheduler_run_due,
)

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SWEEP = Job("sla_sweep", "sla.tasks.sweep", every=timedelta(minutes=1))
DIGESTS = next(j for j in JOBS if j.name == "daily_digests")

pytestmark = pytest.mark.django_db


def hanoi(*args) -> datetime:
    return datetime(*args, tzinfo=HANOI)


def test_second_scheduler_that_read_the_same_due_run_enqueues_nothing():
    now = hanoi(2027, 2, 11, 9, 0)
    # Both schedulers read the job as due at the same moment…
    [seen_by_a] = scheduled_jobs_due(now=now, jobs=[SWEEP])
    [seen_by_b] = scheduled_jobs_due(now=now, jobs=[SWEEP])
    # …A claims first; B's compare-and-set finds next_run_at moved and changes nothing.
    assert scheduled_job_claim(row=seen_by_a, job=SWEEP, now=now, worker="a") is not None
    assert scheduled_job_claim(row=seen_by_b, job=SWEEP, now=now, worker="b") is None
    assert DBTaskResult.objects.filter(task_path="sla.tasks.sweep").count() == 1
    job = ScheduledJob.objects.get(name="sla_sweep")
    assert (job.claimed_by, job.runs, job.next_run_at) == ("a", 1, now + timedelta(minutes=1))


def test_interval_job_runs_again_only_when_due_and_once_after_a_gap():
    start = hanoi(2027, 2, 11, 9, 0)
    assert scheduler_run_due(now=start, jobs=[SWEEP], worker="a") == ["sla_sweep"]
    assert scheduler_run_due(now=start + timedelta(seconds=59), jobs=[SWEEP]) == []
    assert scheduler_run_due(now=start + timedelta(minutes=1), jobs=[SWEEP]) == ["sla_sweep"]
    # The scheduler was stopped for an hour: one run now, not sixty.
    later = start + timedelta(hours=1, seconds=5)
    assert scheduler_run_due(now=later, jobs=[SWEEP]) == ["sla_sweep"]
    assert scheduler_run_due(now=later, jobs=[SWEEP]) == []
    assert ScheduledJob.objects.get(name="sla_sweep").next_run_at == later + timedelta(minutes=1)
    assert DBTaskResult.objects.filter(task_path="sla.tasks.sweep").count() == 3


def test_digest_job_runs_at_half_past_seven_local_with_that_day():
    assert DIGESTS.daily_at == time(7, 30)
    evening = hanoi(2027, 2, 10, 20, 0)
    assert scheduler_run_due(now=evening, jobs=[DIGESTS]) == []
    assert ScheduledJob.objects.get(name="daily_digests").next_run_at == hanoi(2027, 2, 11, 7, 30)
    assert scheduler_run_due(now=hanoi(2027, 2, 11, 7, 29), jobs=[DIGESTS]) == []
    assert scheduler_run_due(now=hanoi(2027, 2, 11, 7, 30, 4), jobs=[DIGESTS]) == ["daily_digests"]
    [result] = DBTaskResult.objects.filter(task_path="sla.tasks.daily_digests")
    assert result.args_kwargs == {"args": [], "kwargs": {"day": "2027-02-11"}}
    assert ScheduledJob.objects.get(name="daily_digests").next_run_at == hanoi(2027, 2, 12, 7, 30)


def test_job_whose_task_does_not_exist_yet_is_skipped_and_stays_due(caplog):
    caplog.set_level(logging.INFO, logger="sla.services")
    missing = Job("retry_deliveries", "notify.tasks_not_written_yet.retry", every=timedelta(1))
    now = hanoi(2027, 2, 11, 9, 0)
    assert scheduler_run_due(now=now, jobs=[missing, SWEEP]) == ["sla_sweep"]
    assert ScheduledJob.objects.get(name="retry_deliveries").next_run_at == now
    assert "retry_deliveries skipped" in caplog.text


def test_task_of_a_dead_worker_is_requeued_after_its_lease_and_failed_after_three_deaths():
    from django.utils import timezone

    from sla.services import tasks_requeue_stale
    from sla.tasks import sweep

    claimed = timezone.now()
    dead_once = DBTaskResult.objects.get(pk=sweep.enqueue().id)
    dead_thrice = DBTaskResult.objects.get(pk=sweep.enqueue().id)
    DBTaskResult.objects.filter(pk=dead_once.pk).update(
        status="RUNNING", started_at=claimed, worker_ids=["w1"]
    )
    DBTaskResult.objects.filter(pk=dead_thrice.pk).update(
        status="RUNNING", started_at=claimed, worker_ids=["w1", "w2", "w3"]
    )
    assert tasks_requeue_stale(now=claimed + timedelta(minutes=30)) == 0
    assert tasks_requeue_stale(now=claimed + timedelta(minutes=31)) == 1
    dead_once.refresh_from_db()
    dead_thrice.refresh_from_db()
    assert (dead_once.status, dead_thrice.status) == ("READY", "FAILED")
    assert dead_thrice.exception_class_path == "builtins.RuntimeError"
    assert list(DBTaskResult.objects.ready().values_list("pk", flat=True)) == [dead_once.pk]
