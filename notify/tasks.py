"""Background tasks for notifications. Tasks only call services; they are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def send_delivery(delivery_id: int) -> str | None:
    """Send one delivery (e-mail, SMS or push) unless it was sent or is being sent."""
    return services.delivery_send(delivery_id=delivery_id)


@task()
def retry_deliveries() -> int:
    """The periodic sweep (queued by the scheduler): re-queue the failed deliveries that are
    due and those whose worker died; returns how many were queued."""
    return len(services.deliveries_retry_due())
