"""Background work for area alerts. Tasks only call services; they are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def deliver_alert(alert_id: int) -> int:
    """Notify every follower of the alert's wards (or the whole city); returns how many."""
    return services.alert_deliver(alert_id=alert_id)
