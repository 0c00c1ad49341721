"""Background work of the channels. Tasks only call services; each is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import zalo


@task()
def handle_zalo_event(event_id: int) -> int:
    """One step of a Zalo conversation; returns the replies queued."""
    return len(zalo.event_handle(event_id=event_id))


@task()
def send_zalo_replies(reply_ids: list[int]) -> int:
    """Send a conversation's replies in order; returns how many went out now."""
    sent = 0
    for pk in reply_ids:
        sent += zalo.reply_send(reply_id=pk) == "sent"
    return sent


@task()
def zalo_sweep() -> int:
    """The periodic job: lost events and replies due for a retry."""
    return zalo.sweep()
