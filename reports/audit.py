"""Tamper evidence for a report's timeline: every ReportEvent carries the hash of the event
before it (of the same report) and its own hash over its content and that one, so editing or
deleting a row directly in the database breaks the chain, and `manage.py verify_audit` says
where.

The chain follows the events' ids: under the report's row lock events are inserted one after
another, so id order is insertion order on both databases (SQLite AUTOINCREMENT, PostgreSQL
sequences), while `created_at` comes from a clock that can be moved (NTP, time-machine).

The hash is a plain SHA-256, not keyed: it shows edits made by hand or by a careless script,
and a backup taken earlier shows what the chain looked like; someone who can write to the
database and knows this file can recompute a whole chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# Part of the hashed text: a change of the serialisation below needs a new version, and the
# verifier then has to know both.
FORMAT = "v1"


def _normalise(value: Any) -> Any:
    """JSON values as both databases give them back: PostgreSQL's jsonb returns 12.0 as 12.0
    but 1e20 as an integer, so integral floats are hashed as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def canonical(
    *,
    report_id: int,
    action: str,
    from_status: str,
    to_status: str,
    actor_id: int | None,
    actor_agency_id: int | None,
    note: str,
    data: Any,
    is_public: bool,
    created_at: datetime,
    prev_hash: str,
) -> bytes:
    """The bytes an event's hash is taken over: its content and the previous event's hash."""
    content = [
        FORMAT,
        int(report_id),
        str(action),
        str(from_status),
        str(to_status),
        None if actor_id is None else int(actor_id),
        None if actor_agency_id is None else int(actor_agency_id),
        str(note),
        _normalise(data if data is not None else {}),
        bool(is_public),
        # UTC with microseconds: what both databases store and return.
        created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        str(prev_hash),
    ]
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: Any, prev_hash: str) -> str:
    """The SHA-256 (hex) of `event` chained to `prev_hash` ("" for a report's first event)."""
    return hashlib.sha256(
        canonical(
            report_id=event.report_id,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            actor_id=event.actor_id,
            actor_agency_id=event.actor_agency_id,
            note=event.note,
            data=event.data,
            is_public=event.is_public,
            created_at=event.created_at,
            prev_hash=prev_hash,
        )
    ).hexdigest()


def chain_fields(event: Any, *, report_is_new: bool) -> dict[str, str]:
    """`prev_hash` and `hash` for `event`, about to be inserted.

    Must run under the report's row lock (every service takes it; a new report is invisible
    to others until committed), so that two events cannot both chain to the same predecessor.
    One query, the hash of the report's last event; none for a new report.
    """
    from .models import ReportEvent

    prev = ""
    if not report_is_new:
        prev = (
            ReportEvent.objects.filter(report_id=event.report_id)
            .order_by("-id")
            .values_list("hash", flat=True)
            .first()
        ) or ""
    return {"prev_hash": prev, "hash": event_hash(event, prev)}


# --- checking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One break in a report's chain, named by the report's tracking code and the event id."""

    tracking_code: str
    event_id: int | None
    kind: str  # edited, deleted, inserted, unsealed, missing_last, no_events
    detail: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "report"
        return f"{self.tracking_code} {where}: {self.kind}: {self.detail}"


# The columns verify reads, in order (values_list: no model instances, constant memory).
FIELDS = (
    "id",
    "report_id",
    "report__tracking_code",
    "report__status",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_agency_id",
    "note",
    "data",
    "is_public",
    "created_at",
    "prev_hash",
    "hash",
)


@dataclass
class _Row:
    id: int
    report_id: int
    tracking_code: str
    report_status: str
    action: str
    from_status: str
    to_status: str
    actor_id: int | None
    actor_agency_id: int | None
    note: str
    data: Any
    is_public: bool
    created_at: datetime
    prev_hash: str
    hash: str


def rows(queryset: Any, chunk_size: int = 2000) -> Iterator[_Row]:
    """Events in chain order (report, id), streamed: a server-side cursor on PostgreSQL."""
    for values in (
        queryset.order_by("report_id", "id").values_list(*FIELDS).iterator(chunk_size=chunk_size)
    ):
        yield _Row(*values)


def check_chain(chain: list[_Row]) -> list[Problem]:
    """The problems in one report's events (in id order)."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}  # hash → position, to tell an inserted row from a deleted one
    previous = ""
    for position, row in enumerate(chain):
        code = row.tracking_code
        if not row.hash:
            problems.append(
                Problem(code, row.id, "unsealed", "no hash (older than the audit chain)")
            )
        elif event_hash(row, row.prev_hash) != row.hash:
            problems.append(Problem(code, row.id, "edited", "its content does not match its hash"))
        if row.prev_hash != previous:
            if row.prev_hash and row.prev_hash in seen:
                # Chained to an older event of this chain: something was put in between.
                problems.append(
                    Problem(
                        code,
                        row.id,
                        "inserted",
                        f"it is chained to event {chain[seen[row.prev_hash]].id}, "
                        f"not to event {chain[position - 1].id} before it",
                    )
                )
            else:
                problems.append(
                    Problem(
                        code,
                        row.id,
                        "deleted",
                        "the event it was chained to is missing"
                        if row.prev_hash
                        else "it names no previous event but follows one",
                    )
                )
        if row.hash:
            seen[row.hash] = position
        previous = row.hash
    if chain and chain[-1].to_status != chain[-1].report_status:
        # Every transition writes the report's new status on its event: a last event that
        # disagrees means the events after it were deleted (or the status was edited).
        problems.append(
            Problem(
                chain[-1].tracking_code,
                chain[-1].id,
                "missing_last",
                f"the last event leaves the report “{chain[-1].to_status}” "
                f"but it is “{chain[-1].report_status}”",
            )
        )
    return problems


def verify(queryset: Any, chunk_size: int = 2000) -> Iterator[Problem]:
    """Walk every chain in `queryset` (ReportEvents), one report in memory at a time."""
    chain: list[_Row] = []
    for row in rows(queryset, chunk_size):
        if chain and row.report_id != chain[0].report_id:
            yield from check_chain(chain)
            chain = []
        chain.append(row)
    if chain:
        yield from check_chain(chain)
