"""What follows from the lifecycle: the apps that subscribe to its recorded steps.

The lifecycle (`workflow.transition`, every status change, report creation included) writes
its event and then tells the subscribers here, inside the same transaction; `report_rate`
does the same for a rating. The apps built on reports register at start-up (their
`AppConfig.ready`): the dashboard's rollups and the public map's cell counts follow every
change exactly, in the change's transaction; notify makes the resident's notice once the step
commits and queues its safety net in the step's transaction; the SLA clock tells an officer of
an assignment. Dependencies point one way: those apps import reports, reports imports none of
them, and a new channel or feature plugs in here rather than into the lifecycle's insides.

Writers that bypass the services on purpose (generate_reports, restoring a backup) rebuild the
derived tables afterwards instead (`rebuild_all`, `manage.py rebuild_rollups`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Rating, Report, ReportEvent

Snapshot = dict[str, Any]


@dataclass(frozen=True)
class Subscriber:
    """One app's hooks on the lifecycle. Every hook runs inside the transaction of the change
    (so a failed hook rolls the change back with it: no counter drifts from its reports);
    work that must wait for the commit is scheduled by the hook with `on_commit`."""

    name: str
    # A report's state moved from `before` (None: a new report) to `after` (snapshots of
    # SNAPSHOT_FIELDS). Inside `deferred()` it is called once per report, on leaving.
    report_changed: Callable[[Snapshot | None, Snapshot], None] | None = None
    # A step was recorded (every ReportEvent, creation included), after report_changed.
    event_recorded: Callable[[ReportEvent], None] | None = None
    rating_added: Callable[[Rating], None] | None = None
    # Recompute what the app derives from the reports; returns row counts to print.
    rebuild: Callable[[], dict[str, int]] | None = None


# By name, in registration order; registering a name again replaces it (ready() may run twice
# in tests that reload apps).
_subscribers: dict[str, Subscriber] = {}


def subscribe(subscriber: Subscriber) -> None:
    _subscribers[subscriber.name] = subscriber


def subscribers() -> list[Subscriber]:
    return list(_subscribers.values())


# What the derived tables may depend on: a snapshot of these before and after each change.
SNAPSHOT_FIELDS = (
    "id",
    "status",
    "agency_id",
    "category_id",
    "ward_id",
    "is_public",
    "lat",
    "lon",
    "priority",
    "created_at",
    "routed_at",
    "accepted_at",
    "resolved_at",
    "closed_at",
    "due_at",
    "resolve_due_at",
    "overdue_since",
    "reopen_count",
    "resolution_count",
    "duplicate_of_id",
)


def snapshot(report: Report) -> Snapshot:
    return {name: getattr(report, name) for name in SNAPSHOT_FIELDS}


# Inside `deferred()`: report id -> (the report, its snapshot on entering; None if new).
_deferred: ContextVar[dict[int, tuple[Report, Snapshot | None]] | None] = ContextVar(
    "derived_deferred", default=None
)


@contextmanager
def deferred() -> Iterator[None]:
    """Within this block (inside the caller's transaction), the reports' changes reach the
    derived tables once, on leaving it, as one change from each report's state on entering
    to its state on leaving. A submission is created and routed in one transaction: without
    this, every counter it touches would be added to under "submitted" and moved at once to
    "routed" (twice the statements, and a ratings query, for the same result).

    Nothing is written if the block raises: the transaction is rolled back anyway."""
    pending: dict[int, tuple[Report, Snapshot | None]] = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    for report, before in pending.values():
        _apply(before=before, report=report)


def report_changed(*, before: Snapshot | None, report: Report) -> None:
    """`before` is None for a new report."""
    pending = _deferred.get()
    if pending is not None:
        first_before = pending[report.pk][1] if report.pk in pending else before
        pending[report.pk] = (report, first_before)
        return
    _apply(before=before, report=report)


def _apply(*, before: Snapshot | None, report: Report) -> None:
    after = snapshot(report)
    for subscriber in _subscribers.values():
        if subscriber.report_changed is not None:
            subscriber.report_changed(before, after)


def event_recorded(*, event: ReportEvent) -> None:
    """Called by the lifecycle once it has written `event` (inside its transaction)."""
    for subscriber in _subscribers.values():
        if subscriber.event_recorded is not None:
            subscriber.event_recorded(event)


def rating_added(*, rating: Rating) -> None:
    for subscriber in _subscribers.values():
        if subscriber.rating_added is not None:
            subscriber.rating_added(rating)


def rebuild_all() -> dict[str, int]:
    """Recompute every derived table from the reports (after a bulk write that bypassed the
    services). Returns row counts per table, for the caller to print."""
    counts: dict[str, int] = {}
    for subscriber in _subscribers.values():
        if subscriber.rebuild is not None:
            counts.update(subscriber.rebuild())
    return counts
