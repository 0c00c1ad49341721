"""Reads of the dashboard rollups: the summed counters of the reports received in a run of
local days, for the whole city or some units, optionally one row per unit."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from django.db import connection

from .models import SUM_FIELDS, UnitDay, UnitMonth

NO_AGENCY = 0  # the rollup key of reports with no unit yet

_COLUMNS = ", ".join(connection.ops.quote_name(name) for name in SUM_FIELDS)
_SUMS = ", ".join(f"SUM({connection.ops.quote_name(name)})" for name in SUM_FIELDS)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def split_period(start: date | None, end: date | None) -> tuple[list, list]:
    """The period as (whole months [first, last] read from UnitMonth, leftover day ranges read
    from UnitDay); None = open-ended. E.g. 27 Aug – 24 Nov: months Sep–Oct, days 27–31 Aug
    and 1–24 Nov."""
    first_whole = start if start is None or start.day == 1 else _next_month(start)
    after_end = None if end is None else end + timedelta(days=1)
    # The first day of the month after the last whole month.
    stop = after_end if after_end is None or after_end.day == 1 else after_end.replace(day=1)
    if first_whole is not None and stop is not None and first_whole >= stop:
        return [], [(start, end)]  # no whole month inside
    months = [(first_whole, None if stop is None else stop - timedelta(days=1))]
    days = []
    if start is not None and first_whole is not None and start < first_whole:
        days.append((start, first_whole - timedelta(days=1)))
    if end is not None and stop is not None and stop <= end:
        days.append((stop, end))
    return months, days


def summed(
    *,
    start: date | None,
    end: date | None,
    agency_ids: Collection[int] | None,
    per_agency: bool,
) -> list[dict[str, Any]]:
    """Sums of every rollup counter over the days [start, end] (None: open-ended), over
    `agency_ids` (None: every unit, and the reports with no unit yet unless `per_agency`).

    One query: the period's whole months from UnitMonth (`rollup_unit_month`) and its leftover
    days from UnitDay (`rollup_unit_day` for units, `rollup_unit_day_day_idx` for the city), so
    a long period reads ~1 row per unit per month plus at most ~60 days at its ends: at 137
    units, ~10,000 rows for 90 days and ~2,000 for a year, whatever the number of reports.

    per_agency: one row per unit (with "agency_id") that has reports; else one row."""
    unit_where: list[str] = []
    unit_params: list[Any] = []
    if agency_ids is not None:
        ids = sorted(agency_ids)
        if not ids:
            return [] if per_agency else [dict.fromkeys(SUM_FIELDS, 0)]
        unit_where.append(f"agency_id IN ({', '.join(['%s'] * len(ids))})")
        unit_params.extend(ids)
    if per_agency:
        unit_where.append("agency_id <> %s")
        unit_params.append(NO_AGENCY)
    parts: list[str] = []
    params: list[Any] = []
    months, days = split_period(start, end)
    for table, column, ranges in (
        (UnitMonth._meta.db_table, "month", months),
        (UnitDay._meta.db_table, "day", days),
    ):
        for low, high in ranges:
            where = list(unit_where)
            part_params = list(unit_params)
            if low is not None:
                where.append(f"{column} >= %s")
                part_params.append(low)
            if high is not None:
                where.append(f"{column} <= %s")
                part_params.append(high)
            condition = f" WHERE {' AND '.join(where)}" if where else ""
            parts.append(
                f"SELECT agency_id, {_COLUMNS} FROM {connection.ops.quote_name(table)}{condition}"  # noqa: S608
            )
            params.extend(part_params)
    rows = " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        if per_agency:
            # HAVING: a unit whose reports all moved away (rows of zeros) has no line.
            cursor.execute(
                f"SELECT agency_id, {_SUMS} FROM ({rows}) r "  # noqa: S608 — names only
                f"GROUP BY agency_id HAVING SUM({connection.ops.quote_name('received')}) > 0",
                params,
            )
            return [
                {
                    "agency_id": row[0],
                    **{n: int(v) for n, v in zip(SUM_FIELDS, row[1:], strict=True)},
                }
                for row in cursor.fetchall()
            ]
        cursor.execute(f"SELECT {_SUMS} FROM ({rows}) r", params)  # noqa: S608
        row = cursor.fetchone()
    return [{name: int(value or 0) for name, value in zip(SUM_FIELDS, row, strict=True)}]
