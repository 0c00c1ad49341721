"""Dashboard rollups per unit × category × day, kept exact by the services that change reports.

Each report contributes to ONE key — (agency or 0, category or 0, local day of created_at) —
counters of its current state (received, handled, on time, unresolved, reopened, its ratings)
and one count in each duration histogram it has (rollups/histogram.py). A change moves the
report's contribution: the old snapshot's counts are subtracted from the old key and the new
ones added to the new key (a re-route, transfer or category change moves the key), in the
same transaction as the change. Merged duplicates contribute nothing, as in the dashboard.

Race safety: counters move with `INSERT … ON CONFLICT DO UPDATE SET n = n + delta`
(congdanso.counters; never read-modify-write): when another transaction is creating the same
row, ours waits on the unique constraint and then adds to it, so no count is lost.

"Overdue" counts the open reports the SLA sweep has flagged (overdue_since set through
workflow.transition, every minute): it lags `due_at < now` by at most the sweep interval, and
unlike `due_at < now` it changes only with a change, so it can be a counter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from congdanso import counters
from reports.workflow import OPEN_STATUSES, Status

from .histogram import ACCEPT_FIELDS, BUCKETS, EDGES, RESOLVE_FIELDS, bucket
from .models import SUM_FIELDS, UnitCategoryDay, UnitDay, UnitMonth

if TYPE_CHECKING:
    from reports.models import Rating

HANDLED = frozenset({Status.RESOLVED, Status.CLOSED})

Key = tuple[int, int, date]


def _key(snap: Mapping[str, Any]) -> Key | None:
    if snap["status"] == Status.MERGED:
        return None
    day = timezone.localtime(snap["created_at"], timezone.get_default_timezone()).date()
    return (snap["agency_id"] or 0, snap["category_id"] or 0, day)


def contribution(snap: Mapping[str, Any]) -> Counter[str]:
    """What one report (its snapshot) adds to its key's counters, ratings apart."""
    counts: Counter[str] = Counter(received=1)
    handled = snap["status"] in HANDLED
    if handled:
        counts["handled"] = 1
        resolved, due = snap["resolved_at"], snap.get("resolve_due_at")
        if resolved is not None and due is not None and resolved <= due:
            counts["on_time"] = 1
    if snap["status"] in OPEN_STATUSES:
        counts["unresolved"] = 1
        if snap["overdue_since"] is not None:
            counts["overdue"] = 1
    if (snap["reopen_count"] or 0) >= 1:
        counts["reopened"] = 1
    if snap["accepted_at"] is not None:
        counts[ACCEPT_FIELDS[bucket(snap["accepted_at"] - snap["created_at"])]] = 1
    if snap["resolved_at"] is not None:
        counts[RESOLVE_FIELDS[bucket(snap["resolved_at"] - snap["created_at"])]] = 1
    return counts


def _ratings_of(report_id: int) -> Counter[str]:
    from reports.models import Rating

    r = Rating.objects.filter(report_id=report_id).aggregate(
        ratings=Count("id"), satisfied=Count("id", filter=Q(satisfied=True))
    )
    return Counter(ratings=r["ratings"] or 0, satisfied=r["satisfied"] or 0)


def _bump(key: Key, delta: Mapping[str, int]) -> None:
    """Add `delta` to the rows of `key` in both tables (creating them when missing)."""
    delta = {name: n for name, n in delta.items() if n}
    if not delta:
        return
    agency_id, category_id, day = key
    _upsert(
        UnitCategoryDay, {"agency_id": agency_id, "category_id": category_id, "day": day}, delta
    )
    _upsert(UnitDay, {"agency_id": agency_id, "day": day}, delta)
    _upsert(UnitMonth, {"agency_id": agency_id, "month": day.replace(day=1)}, delta)


def _upsert(
    model: type[UnitDay] | type[UnitCategoryDay] | type[UnitMonth], key: dict, delta: dict
) -> None:
    # One statement, race-safe on the table's unique key (congdanso.counters). A new row
    # needs every counter (the zeros are model defaults, not database ones).
    row = [*key.values(), *(delta.get(name, 0) for name in SUM_FIELDS)]
    counters.add(model._meta.db_table, [*key, *SUM_FIELDS], list(key), list(delta), [row])


def apply_report_change(*, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> None:
    """Called by reports.derived inside the transaction that changed a report."""
    old_key = _key(before) if before is not None else None
    new_key = _key(after)
    old = contribution(before) if old_key is not None and before is not None else Counter()
    new = contribution(after) if new_key is not None else Counter()
    if old_key != new_key and before is not None:
        # The report's ratings follow it to its new key (or out, when merged away): one query,
        # only on the rare changes of unit, category or merged state.
        ratings = _ratings_of(after["id"])
        if old_key is not None:
            old.update(ratings)
        if new_key is not None:
            new.update(ratings)
    if old_key == new_key:
        if new_key is not None:
            delta = Counter(new)
            delta.subtract(old)
            _bump(new_key, delta)
        return
    if old_key is not None:
        _bump(old_key, {name: -n for name, n in old.items()})
    if new_key is not None:
        _bump(new_key, new)


def apply_rating(*, rating: Rating) -> None:
    """Called by reports.derived inside the transaction that stored a rating."""
    report = rating.report
    key = _key({"status": report.status, "agency_id": report.agency_id,
                "category_id": report.category_id, "created_at": report.created_at})  # fmt: skip
    if key is not None:
        _bump(key, {"ratings": 1, "satisfied": 1 if rating.satisfied else 0})


# --- rebuild ---------------------------------------------------------------------------------


def _span(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _per_report_sql() -> tuple[str, list[Any]]:
    """One row per counted report: its key, 0/1 flags, and its two durations (as the database
    subtracts timestamps: microseconds on SQLite, an interval on PostgreSQL — exact either
    way, so a duration on a bucket edge falls in the same bucket as in Python)."""
    from reports.models import Report

    def flag(q: Q) -> Case:
        return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())

    handled = Q(status__in=HANDLED)
    per_report = (
        Report.objects.exclude(status=Status.MERGED)
        .order_by()
        .annotate(
            agency_key=Coalesce("agency_id", Value(0)),
            category_key=Coalesce("category_id", Value(0)),
            day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()),
            is_handled=flag(handled),
            is_on_time=flag(
                handled
                & Q(resolved_at__isnull=False, resolve_due_at__isnull=False)
                & Q(resolved_at__lte=F("resolve_due_at"))
            ),
            is_unresolved=flag(Q(status__in=OPEN_STATUSES)),
            is_overdue=flag(Q(status__in=OPEN_STATUSES, overdue_since__isnull=False)),
            is_reopened=flag(Q(reopen_count__gte=1)),
            accept_span=_span("created_at", "accepted_at"),
            resolve_span=_span("created_at", "resolved_at"),
        )
        .values(
            "id",
            "agency_key",
            "category_key",
            "day",
            "is_handled",
            "is_on_time",
            "is_unresolved",
            "is_overdue",
            "is_reopened",
            "accept_span",
            "resolve_span",
        )
    )
    sql, params = per_report.query.sql_with_params()
    return sql, list(params)


def _edge(seconds: int) -> Any:
    # As the database holds a difference of timestamps: an interval on PostgreSQL,
    # microseconds on SQLite.
    if connection.vendor == "postgresql":
        return timedelta(seconds=seconds)
    return seconds * 1_000_000


def _bucket_case(column: str) -> tuple[str, list[Any]]:
    """SQL giving the histogram bucket of a duration column (-1 when missing), computed once
    per report."""
    whens = [f"WHEN {column} IS NULL THEN -1"]
    params = []
    for k in range(1, BUCKETS):
        whens.append(f"WHEN {column} < %s THEN {k - 1}")
        params.append(_edge(EDGES[k]))
    return f"CASE {' '.join(whens)} ELSE {BUCKETS - 1} END", params


def rebuild() -> dict[str, int]:
    """Recompute every rollup row from the reports, in bulk, atomically replacing the old rows
    (readers see the old rows until the commit). Idempotent. Returns the row counts.

    INSERT … SELECT … GROUP BY over one pass of the reports: the innermost query gives each
    report's key, flags and durations, the next its two buckets (computed once, not once per
    bucket column), the outer one sums per key, with the ratings joined pre-aggregated per
    report (a hash join at 10 M, not a correlated subquery per report)."""
    from reports.models import Rating

    qn = connection.ops.quote_name
    ucd, ud = UnitCategoryDay._meta.db_table, UnitDay._meta.db_table
    um = UnitMonth._meta.db_table
    per_report, params = _per_report_sql()
    accept_case, accept_params = _bucket_case("p.accept_span")
    resolve_case, resolve_params = _bucket_case("p.resolve_span")
    buckets = ", ".join(
        [f"SUM(CASE WHEN b.accept_b = {k} THEN 1 ELSE 0 END)" for k in range(BUCKETS)]
        + [f"SUM(CASE WHEN b.resolve_b = {k} THEN 1 ELSE 0 END)" for k in range(BUCKETS)]
    )
    rating = qn(Rating._meta.db_table)
    # Each step is computed once per report only if the database does not inline it into the
    # next: SQLite would re-run the duration (a Python function there) in every CASE branch
    # and the CASE in every SUM (10× slower at 20,000 reports); MATERIALIZED stops it there,
    # OFFSET 0 on PostgreSQL (which then streams rather than writing 10 M rows aside).
    if connection.vendor == "sqlite":
        steps, keep = "AS MATERIALIZED", ""
    else:
        steps, keep = "AS", " OFFSET 0"
    # Names, bucket numbers and compiled SQL are formatted in; values are parameters.
    select = (
        f"WITH p {steps} ({per_report}{keep}), "  # noqa: S608
        f"b {steps} (SELECT p.*, {accept_case} AS accept_b, {resolve_case} AS resolve_b "
        f"FROM p{keep}) "
        "SELECT b.agency_key, b.category_key, b.day, COUNT(*), SUM(b.is_handled), "
        "SUM(b.is_on_time), SUM(b.is_unresolved), SUM(b.is_overdue), SUM(b.is_reopened), "
        f"COALESCE(SUM(r.n), 0), COALESCE(SUM(r.yes), 0), {buckets} "
        "FROM b LEFT JOIN (SELECT report_id, COUNT(*) AS n, "
        f"SUM(CASE WHEN satisfied THEN 1 ELSE 0 END) AS yes FROM {rating} GROUP BY report_id) r "
        "ON r.report_id = b.id "
        "GROUP BY b.agency_key, b.category_key, b.day"
    )
    # Parameters in the order their placeholders appear: the inner query, then the CASEs.
    select_params = [*params, *accept_params, *resolve_params]
    columns = ", ".join(qn(c) for c in ("agency_id", "category_id", "day", *SUM_FIELDS))
    sums = ", ".join(f"SUM({qn(c)})" for c in SUM_FIELDS)
    day_columns = ", ".join(qn(c) for c in ("agency_id", "day", *SUM_FIELDS))
    # Only quoted table and column names and bucket numbers are formatted into the SQL;
    # values are parameters.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {qn(ucd)}")  # noqa: S608
        cursor.execute(f"DELETE FROM {qn(ud)}")  # noqa: S608
        cursor.execute(f"DELETE FROM {qn(um)}")  # noqa: S608
        cursor.execute(f"INSERT INTO {qn(ucd)} ({columns}) {select}", select_params)
        # The per-unit rows are the per-category ones summed: cheap, and equal by construction.
        day_sql = (
            f"INSERT INTO {qn(ud)} ({day_columns}) SELECT {qn('agency_id')}, {qn('day')}, "  # noqa: S608
            f"{sums} FROM {qn(ucd)} GROUP BY {qn('agency_id')}, {qn('day')}"
        )
        cursor.execute(day_sql)
        month_sql, month_params = (
            UnitDay.objects.annotate(first_day=TruncMonth("day"))
            .values("agency_id", "first_day")
            .annotate(**{f"s_{c}": Sum(c) for c in SUM_FIELDS})
            .order_by()
            .values_list("agency_id", "first_day", *[f"s_{c}" for c in SUM_FIELDS])
            .query.sql_with_params()
        )
        month_columns = ", ".join(qn(c) for c in ("agency_id", "month", *SUM_FIELDS))
        cursor.execute(f"INSERT INTO {qn(um)} ({month_columns}) {month_sql}", month_params)
    return {
        "unit_category_day": UnitCategoryDay.objects.count(),
        "unit_day": UnitDay.objects.count(),
        "unit_month": UnitMonth.objects.count(),
    }
