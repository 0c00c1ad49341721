"""Background tasks for reports. Tasks only call services; they are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def close_unrated_reports() -> int:
    """Close resolved reports nobody rated within AUTO_CLOSE_DAYS; returns how many."""
    return services.reports_auto_close()
