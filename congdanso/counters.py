"""Counter rows kept exact under concurrency: one `INSERT … ON CONFLICT … DO UPDATE SET n =
n + excluded.n` per table (PostgreSQL; SQLite ≥ 3.24): `add` for the dashboard rollups and the
public map's cell counts, `increment` for the rate limits and the tracking numbers.

Race-safe without a savepoint or a retry: two transactions adding to the same missing row
cannot both insert; the second waits on the unique index, then adds to the first's row. Never
read-modify-write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection


def add(
    table: str,
    columns: Sequence[str],
    conflict: Sequence[str],
    added: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Insert `rows` (values in `columns` order) into `table`; a row whose `conflict` columns
    (a unique constraint) match an existing row adds its `added` columns to it instead; the
    other columns keep their stored values.

    Give the rows in one order (e.g. sorted by key) everywhere: two transactions touching the
    same rows then lock them in the same order and queue instead of deadlocking."""
    if not rows:
        return
    quote = connection.ops.quote_name
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(
        f"{quote(c)} = {quote(table)}.{quote(c)} + excluded.{quote(c)}" for c in added
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
            f"VALUES {', '.join([marks] * len(rows))} "
            f"ON CONFLICT ({', '.join(map(quote, conflict))}) DO UPDATE SET {updates}",
            [value for row in rows for value in row],
        )


def increment(table: str, key: Mapping[str, Any], column: str) -> int:
    """Add 1 to `column` of the row with `key` (a unique constraint's columns), creating the
    row at 1 when there is none; the new value. One statement (SQLite ≥ 3.35 for RETURNING):
    the row stays locked (PostgreSQL; SQLite: the database) until the caller's transaction
    ends, so two callers never get the same value."""
    quote = connection.ops.quote_name
    columns = ", ".join(map(quote, [*key, column]))
    marks = ", ".join(["%s"] * (len(key) + 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT ({', '.join(map(quote, key))}) "
            f"DO UPDATE SET {quote(column)} = {quote(table)}.{quote(column)} + 1 "
            f"RETURNING {quote(column)}",
            [*key.values(), 1],
        )
        (value,) = cursor.fetchone()
    return int(value)
