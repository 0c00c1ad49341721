"""Background tasks of the SLA clock. Tasks only call services; they are safe to run twice."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from . import services


@task()
def sweep() -> dict[str, int]:
    """Flag overdue reports, send reminders and "deadline soon" warnings."""
    result = services.sla_sweep()
    return {"flagged": result.flagged, "reminded": result.reminded, "warned": result.warned}


@task()
def daily_digests(day: str) -> int:
    """The unit leaders' digest for `day` (ISO date); returns how many units were notified."""
    return services.send_daily_digests(today=date.fromisoformat(day))


@task()
def requeue_stale_tasks() -> int:
    """Re-queue tasks whose worker died mid-task; returns how many."""
    return services.tasks_requeue_stale()
