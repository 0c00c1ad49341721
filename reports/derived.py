"""Tables derived from reports — the dashboard's rollups (rollups/) and the public map's cell
counts (maps/) — kept exact in the same transaction as the change that moves them.

`workflow.transition` (every status change, report creation included) and `report_rate` call
here, so no other code path can change a report without its rollups following. Writers that
bypass the services on purpose (generate_reports, restoring a backup) rebuild the derived
tables afterwards instead (`manage.py rebuild_rollups`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Rating, Report

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


def snapshot(report: Report) -> dict[str, Any]:
    return {name: getattr(report, name) for name in SNAPSHOT_FIELDS}


# Inside `deferred()`: report id -> (the report, its snapshot on entering; None if new).
_deferred: ContextVar[dict[int, tuple[Report, dict[str, Any] | None]] | None] = ContextVar(
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
    pending: dict[int, tuple[Report, dict[str, Any] | None]] = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    for report, before in pending.values():
        _apply(before=before, report=report)


def report_changed(*, before: dict[str, Any] | None, report: Report) -> None:
    """`before` is None for a new report."""
    pending = _deferred.get()
    if pending is not None:
        first_before = pending[report.pk][1] if report.pk in pending else before
        pending[report.pk] = (report, first_before)
        return
    _apply(before=before, report=report)


def _apply(*, before: dict[str, Any] | None, report: Report) -> None:
    # Imported here: rollups and maps depend on reports, not the reverse.
    from maps.services import apply_report_change as apply_to_map
    from rollups.services import apply_report_change as apply_to_rollups

    after = snapshot(report)
    apply_to_rollups(before=before, after=after)
    apply_to_map(before=before, after=after)


def rating_added(*, rating: Rating) -> None:
    from rollups.services import apply_rating

    apply_rating(rating=rating)


def rebuild_all() -> dict[str, int]:
    """Recompute every derived table from the reports (after a bulk write that bypassed the
    services). Returns row counts per table, for the caller to print."""
    from maps.services import rebuild as rebuild_map
    from rollups.services import rebuild as rebuild_rollups

    counts = dict(rebuild_rollups())
    counts["map cells"] = rebuild_map()
    return counts
