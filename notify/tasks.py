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


@task()
def notify_event_again(event_id: int) -> int:
    """The safety net of one step's notice (queued by notify_event_later): runs notify_event
    again when a process killed after the commit left it undone; returns the notices made.

    A step's notices and deliveries commit together (notify_event), so one notice of the
    event means the first run completed: one indexed query (on the event foreign key), and
    the worker is done — this runs once for every notified step."""
    from reports.models import ReportEvent

    from .models import Notification

    if Notification.objects.filter(event_id=event_id).exists():
        return 0
    event = ReportEvent.objects.select_related("report").filter(pk=event_id).first()
    return 0 if event is None else len(services.notify_event(event))
