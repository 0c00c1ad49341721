"""Tamper evidence for a report's timeline: every ReportEvent carries the hash of the event
before it (of the same report) and its own hash over its content and that one, so editing or
deleting a row directly in the database breaks the chain, and `manage.py verify_audit` says
where.

The chain follows the events' ids: under the report's row lock events are inserted one after
another, so id order is insertion order on both databases (SQLite AUTOINCREMENT, PostgreSQL
sequences), while `created_at` comes from a clock that can be moved (NTP, time-machine).

Keyed (issue 16): the hash is an HMAC-SHA256 with AUDIT_KEY, a secret kept outside the
database (environment or AUDIT_KEY_FILE), so someone who can write to the database but does
not hold the key cannot recompute a chain after editing it. Each event also carries its
position (`seq`), so a deleted event is named by the number that is missing.

The report row is sealed too: with every event, `Report.audit_seal` is the keyed hash of the
row's audited fields (status, unit, answer, deadlines …) and the last event's hash, so an
answer or a unit edited in the database, or a last event deleted, no longer verifies.

What a key holder could still do (rewrite a whole chain) is caught by the daily signed
checkpoints (checkpoint() below, `manage.py audit_checkpoint`): a digest of every chain's
head, signed with an Ed25519 key, published for others to keep; `verify_audit` recomputes
the digest of the past and compares.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

# Part of the hashed text: a change of the serialisation below needs a new version. v1 was a
# plain SHA-256 without `seq`; its chains are re-sealed by `verify_audit --seal-unsealed`.
FORMAT = "v2"
LEGACY_FORMAT = "v1"


def audit_key() -> bytes:
    return str(settings.AUDIT_KEY).encode()


def keyed(content: bytes) -> str:
    return hmac.new(audit_key(), content, hashlib.sha256).hexdigest()


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
    seq: int = 0,
    fmt: str = FORMAT,
) -> bytes:
    """The bytes an event's hash is taken over: its content and the previous event's hash."""
    content: list[Any] = [
        fmt,
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
    if fmt != LEGACY_FORMAT:
        content.append(int(seq))
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _event_canonical(event: Any, prev_hash: str, fmt: str) -> bytes:
    return canonical(
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
        seq=getattr(event, "seq", 0),
        fmt=fmt,
    )


def event_hash(event: Any, prev_hash: str) -> str:
    """The keyed hash (HMAC-SHA256 hex) of `event` chained to `prev_hash` ("" for a report's
    first event)."""
    return keyed(_event_canonical(event, prev_hash, FORMAT))


def legacy_event_hash(event: Any, prev_hash: str) -> str:
    """The v1 hash (plain SHA-256, no position): only to re-seal chains written before v2."""
    return hashlib.sha256(_event_canonical(event, prev_hash, LEGACY_FORMAT)).hexdigest()


def chain_fields(event: Any, *, report_is_new: bool) -> dict[str, Any]:
    """`seq`, `prev_hash` and `hash` for `event`, about to be inserted.

    Must run under the report's row lock (every service takes it; a new report is invisible
    to others until committed), so that two events cannot both chain to the same predecessor.
    One query, the report's last event; none for a new report.
    """
    from .models import ReportEvent

    prev, seq = "", 0
    if not report_is_new:
        last = (
            ReportEvent.objects.filter(report_id=event.report_id)
            .order_by("-id")
            .values_list("hash", "seq")
            .first()
        )
        if last is not None:
            prev, seq = last[0] or "", last[1] or 0
    event.seq = seq + 1
    return {"seq": event.seq, "prev_hash": prev, "hash": event_hash(event, prev)}


# The report's columns the seal covers: what the lifecycle decides and a resident or a leader
# reads as the record (who handles it, where it stands, by when, the answer). Counters kept
# by other apps and the search text are not part of it.
SEALED_FIELDS = (
    "tracking_code",
    "title",
    "description",
    "category_id",
    "lat",
    "lon",
    "address",
    "ward_id",
    "agency_id",
    "assignee_id",
    "reporter_id",
    "priority",
    "is_public",
    "status",
    "accept_due_at",
    "resolve_due_at",
    "due_at",
    "overdue_since",
    "routed_at",
    "accepted_at",
    "resolved_at",
    "closed_at",
    "answer",
    "reopen_count",
    "resolution_count",
    "duplicate_of_id",
)


def _sealable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, float):
        return repr(value)
    return value


def report_seal(values: dict[str, Any], *, report_id: int, seq: int, last_hash: str) -> str:
    """The keyed seal of a report row (`values`: SEALED_FIELDS) after its event `seq`."""
    content = [FORMAT, int(report_id), int(seq), str(last_hash)]
    content += [[name, _sealable(values.get(name))] for name in SEALED_FIELDS]
    return keyed(
        json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )


def seal_of(report: Any, *, seq: int, last_hash: str) -> str:
    values = {name: getattr(report, name) for name in SEALED_FIELDS}
    return report_seal(values, report_id=report.pk, seq=seq, last_hash=last_hash)


def seal_reports(report_ids: Iterable[int], *, batch: int = 1000) -> int:
    """Write the seal of these reports from their rows and last events as they are now: for
    rows written outside the lifecycle (the demo generator, an old chain re-sealed). Trusts
    what the rows say: only for data one trusts."""
    from .models import Report, ReportEvent

    ids = list(report_ids)
    done = 0
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        last: dict[int, tuple[int, str]] = {}
        for report_id, seq, digest in (
            ReportEvent.objects.filter(report_id__in=chunk)
            .order_by("report_id", "id")
            .values_list("report_id", "seq", "hash")
        ):
            last[report_id] = (seq, digest)
        rows = []
        for values in Report.objects.filter(pk__in=chunk).values("id", *SEALED_FIELDS):
            seq, digest = last.get(values["id"], (0, ""))
            rows.append(
                Report(
                    pk=values["id"],
                    audit_seq=seq,
                    audit_seal=report_seal(
                        values, report_id=values["id"], seq=seq, last_hash=digest
                    ),
                )
            )
        Report.objects.bulk_update(rows, ["audit_seq", "audit_seal"], batch_size=500)
        done += len(rows)
    return done


# --- checking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One break in a report's chain, named by the report's tracking code and the event id."""

    tracking_code: str
    event_id: int | None
    kind: str  # edited, deleted, inserted, unsealed, unkeyed, missing_last, state, no_events
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
    "seq",
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
    seq: int


def rows(queryset: Any, chunk_size: int = 2000) -> Iterator[_Row]:
    """Events in chain order (report, id), streamed: a server-side cursor on PostgreSQL."""
    for values in (
        queryset.order_by("report_id", "id").values_list(*FIELDS).iterator(chunk_size=chunk_size)
    ):
        yield _Row(*values)


def _missing(code: str, before: _Row | None, after: _Row | None, first: int, last: int) -> Problem:
    numbers = f"#{first}" if first == last else f"#{first}–#{last}"
    around = []
    if before is not None:
        around.append(f"after event {before.id}")
    if after is not None:
        around.append(f"before event {after.id}")
    plural = "s" if first != last else ""
    return Problem(
        code,
        after.id if after is not None else (before.id if before is not None else None),
        "deleted",
        f"event{plural} {numbers} of this report {'is' if not plural else 'are'} missing"
        + (f" ({', '.join(around)})" if around else ""),
    )


def check_chain(chain: list[_Row], report: dict[str, Any] | None = None) -> list[Problem]:
    """The problems in one report's events (in id order), and, given the report's row
    (`report`: id, tracking_code, audit_seq, audit_seal and SEALED_FIELDS), in its seal."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}  # hash → position, to tell an inserted row from a deleted one
    previous = ""
    previous_row: _Row | None = None
    for position, row in enumerate(chain):
        code = row.tracking_code
        if not row.hash:
            problems.append(
                Problem(code, row.id, "unsealed", "no hash (older than the audit chain)")
            )
        elif not row.seq:
            problems.append(
                Problem(code, row.id, "unkeyed", "sealed without the key (audit chain v1)")
            )
        elif not hmac.compare_digest(event_hash(row, row.prev_hash), row.hash):
            problems.append(Problem(code, row.id, "edited", "its content does not match its hash"))
        expected_seq = (previous_row.seq if previous_row is not None else 0) + 1
        if row.seq and row.seq > expected_seq:
            # Positions are sealed into each hash: a gap is the events that were taken out.
            problems.append(_missing(code, previous_row, row, expected_seq, row.seq - 1))
        elif row.prev_hash != previous:
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
        previous_row = row
    if not chain:
        return problems
    last = chain[-1]
    if report is not None and report.get("audit_seq", 0) > last.seq > 0:
        # The row says its chain is longer than what is left: the last events were deleted.
        problems.append(_missing(last.tracking_code, last, None, last.seq + 1, report["audit_seq"]))
    elif last.to_status != last.report_status:
        # Every transition writes the report's new status on its event: a last event that
        # disagrees means the events after it were deleted (or the status was edited).
        problems.append(
            Problem(
                last.tracking_code,
                last.id,
                "missing_last",
                f"the last event leaves the report “{last.to_status}” "
                f"but it is “{last.report_status}”",
            )
        )
    if report is not None and last.seq:
        expected = report_seal(
            report, report_id=report["id"], seq=report.get("audit_seq", 0), last_hash=last.hash
        )
        if not report.get("audit_seal"):
            problems.append(Problem(last.tracking_code, None, "state", "the report is not sealed"))
        elif not hmac.compare_digest(expected, report["audit_seal"]):
            problems.append(
                Problem(
                    last.tracking_code,
                    None,
                    "state",
                    "the report's stored fields (status, unit, answer, deadlines …) are not "
                    f"what its events left (sealed with event {last.id}): edited outside the "
                    "lifecycle",
                )
            )
    return problems


REPORT_FIELDS = ("id", "tracking_code", "audit_seq", "audit_seal", *SEALED_FIELDS)


def verify(queryset: Any, chunk_size: int = 2000, *, reports: Any = None) -> Iterator[Problem]:
    """Walk every chain in `queryset` (ReportEvents), one report in memory at a time; given
    `reports` (a Report queryset), check each report's seal too, the two streams merged by
    report id."""
    report_rows: Iterator[dict[str, Any]] = iter(())
    if reports is not None:
        report_rows = reports.order_by("id").values(*REPORT_FIELDS).iterator(chunk_size=chunk_size)
    pending: dict[str, Any] | None = next(report_rows, None)

    def report_for(report_id: int) -> dict[str, Any] | None:
        nonlocal pending
        while pending is not None and pending["id"] < report_id:
            pending = next(report_rows, None)
        if pending is not None and pending["id"] == report_id:
            return pending
        return None

    chain: list[_Row] = []
    for row in rows(queryset, chunk_size):
        if chain and row.report_id != chain[0].report_id:
            yield from check_chain(chain, report_for(chain[0].report_id))
            chain = []
        chain.append(row)
    if chain:
        yield from check_chain(chain, report_for(chain[0].report_id))


# --- signed checkpoints -----------------------------------------------------------------------
# A checkpoint states, for every report, the hash of its last event with an id ≤ max_event_id,
# digested into one `head`, signed with an Ed25519 key that is not in the database. Anyone may
# keep the published copies (GET /api/audit/checkpoints); later, `verify_audit` recomputes the
# head of the same events: an event of the past that was edited, deleted or re-chained (even
# by someone holding AUDIT_KEY) gives another head.

CHECKPOINT_FORMAT = "congdanso-audit-checkpoint/1"


def _signing_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    configured = str(getattr(settings, "AUDIT_SIGNING_KEY", "") or "")
    if configured:
        seed = base64.b64decode(configured)
    else:
        # Development: derived from the audit key (still outside the database).
        seed = hashlib.sha256(b"audit-checkpoint-signing:" + audit_key()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed[:32])


def public_key() -> str:
    """The checkpoints' verification key, base64 of the raw 32-byte Ed25519 public key."""
    from cryptography.hazmat.primitives import serialization

    raw = (
        _signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode()


@dataclass(frozen=True)
class Head:
    max_event_id: int
    events: int
    reports: int
    head: str


def chain_head(max_event_id: int, chunk_size: int = 5000) -> Head:
    """The digest of every report's last event with id ≤ `max_event_id`, streamed."""
    from .models import ReportEvent

    digest = hashlib.sha256()
    events = reports = 0
    current: tuple[int, int, str] | None = None
    for report_id, seq, event_hash_ in (
        ReportEvent.objects.filter(id__lte=max_event_id)
        .order_by("report_id", "id")
        .values_list("report_id", "seq", "hash")
        .iterator(chunk_size=chunk_size)
    ):
        events += 1
        if current is not None and current[0] != report_id:
            digest.update(f"{current[0]}:{current[1]}:{current[2]}\n".encode())
            reports += 1
        current = (report_id, seq, event_hash_)
    if current is not None:
        digest.update(f"{current[0]}:{current[1]}:{current[2]}\n".encode())
        reports += 1
    return Head(max_event_id, events, reports, digest.hexdigest())


def sign(body: str) -> str:
    return base64.b64encode(_signing_key().sign(body.encode())).decode()


def checkpoint_create(*, now: datetime) -> Any:
    """Sign and store the checkpoint of every event recorded so far; also written as a file
    to AUDIT_CHECKPOINT_DIR when that is set. Returns the AuditCheckpoint."""
    from pathlib import Path

    from django.db.models import Max

    from .models import AuditCheckpoint, ReportEvent

    max_id = ReportEvent.objects.aggregate(m=Max("id"))["m"] or 0
    head = chain_head(max_id)
    body = json.dumps(
        {
            "format": CHECKPOINT_FORMAT,
            "site": str(settings.SITE_URL),
            "created_at": now.astimezone(UTC).isoformat(timespec="seconds"),
            "max_event_id": head.max_event_id,
            "events": head.events,
            "reports": head.reports,
            "head": head.head,
            "public_key": public_key(),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    checkpoint = AuditCheckpoint.objects.create(
        created_at=now,
        max_event_id=head.max_event_id,
        events=head.events,
        reports=head.reports,
        head=head.head,
        body=body,
        signature=sign(body),
    )
    folder = str(getattr(settings, "AUDIT_CHECKPOINT_DIR", "") or "")
    if folder:
        path = Path(folder) / f"checkpoint-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps({"body": body, "signature": checkpoint.signature}) + "\n", encoding="utf-8"
        )
    return checkpoint


def checkpoint_problems(body: str, signature: str) -> list[str]:
    """What is wrong with a kept checkpoint today: its signature (against our key), or the
    events it covers (their head recomputed now). [] when the past is as it was signed."""
    from cryptography.exceptions import InvalidSignature

    try:
        _signing_key().public_key().verify(base64.b64decode(signature), body.encode())
    except (InvalidSignature, ValueError):
        return ["the checkpoint's signature does not verify with this site's key"]
    stated = json.loads(body)
    now = chain_head(int(stated["max_event_id"]))
    problems = []
    if now.events != stated["events"]:
        problems.append(
            f"{stated['events']} events up to event {stated['max_event_id']} were signed, "
            f"{now.events} are there now"
        )
    if now.head != stated["head"]:
        problems.append(
            f"the chains up to event {stated['max_event_id']} are not those signed on "
            f"{stated['created_at']}: the past was rewritten"
        )
    return problems
