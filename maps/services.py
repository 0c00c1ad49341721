"""The public map's counts per H3 cell (maps.models.MapCell), kept exact by the services that
change reports: `apply_report_change` runs inside their transaction; `rebuild` recomputes the
table from the reports after writers that bypass the services (generate_reports, a restore)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import islice
from typing import Any

import h3
import h3.api.basic_int as h3_int
from django.db import connection, transaction

from congdanso import counters
from reports.workflow import Status

from .models import Level, MapCell

# The cluster sizes the map serves (api/map.py h3_resolution): ~5 km², ~0.7 km², ~0.1 km².
RESOLUTIONS = (7, 8, 9)
# Not on the public map: rejected reports are not public; a merged duplicate's original is.
HIDDEN_STATUSES = frozenset({Status.REJECTED.value, Status.MERGED.value})

# (cell, level, category, status, ward)
Key = tuple[int, int, int, str, int]


def on_map(report: Mapping[str, Any]) -> bool:
    """Whether a report (a reports.derived snapshot) is counted on the public map."""
    return (
        bool(report["is_public"])
        and str(report["status"]) not in HIDDEN_STATUSES
        and report["lat"] is not None
        and report["lon"] is not None
    )


@lru_cache(maxsize=65_536)
def centre(cell: int) -> tuple[float, float]:
    """The cell's centre as the API sends it (6 decimals, ~0.1 m), rounded once here."""
    lat, lon = h3.cell_to_latlng(h3.int_to_str(cell))
    return round(lat, 6), round(lon, 6)


def keys_for(*, lat: float, lon: float, category: int, status: str, ward: int) -> list[Key]:
    """The rows one report counts in: four per resolution (see maps.models.Level)."""
    keys: list[Key] = []
    # Each resolution from the point itself, not cell_to_parent: H3's children do not tile
    # their parent exactly, and the map counts a report where its point lies at each size.
    for resolution in RESOLUTIONS:
        cell = h3.str_to_int(h3.latlng_to_cell(lat, lon, resolution))
        keys += [
            (cell, Level.ALL, 0, "", 0),
            (cell, Level.CATEGORY, category, "", 0),
            (cell, Level.STATUS, 0, status, 0),
            (cell, Level.FULL, category, status, ward),
        ]
    return keys


def _keys(report: Mapping[str, Any]) -> list[Key]:
    return keys_for(
        lat=report["lat"],
        lon=report["lon"],
        category=report["category_id"],
        status=str(report["status"]),
        ward=report["ward_id"] or 0,
    )


def _row(key: Key, n: int) -> list[Any]:
    cell, level, category, status, ward = key
    lat, lon = centre(cell)
    return [
        cell,
        h3.get_resolution(h3.int_to_str(cell)),
        int(level),  # a plain int for COPY, not the Level enum
        category,
        status,
        ward,
        lat,
        lon,
        n,
    ]


_COLUMNS = "cell, resolution, level, category, status, ward, lat, lon, n"
_KEY_COLUMNS = ("cell", "level", "category", "status", "ward")


def row_values(key: Key, n: int) -> dict[str, Any]:
    """A count row's fields by name (for the ORM, e.g. the migration that fills the table)."""
    return dict(zip(_COLUMNS.split(", "), _row(key, n), strict=True))


def _add(deltas: Mapping[Key, int]) -> None:
    """Add each delta to its row in one statement (congdanso.counters: race-safe on the unique
    index mapcell_key_uniq)."""
    rows = [_row(key, n) for key, n in sorted(deltas.items()) if n]
    if not rows:
        return
    table = MapCell._meta.db_table
    counters.add(table, _COLUMNS.split(", "), _KEY_COLUMNS, ["n"], rows)
    if any(n < 0 for n in deltas.values()):
        # Emptied rows go, so a cell a report left is not drawn as a 0 cluster.
        emptied = sorted({key[0] for key, n in deltas.items() if n < 0})
        marks = ", ".join(["%s"] * len(emptied))
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE n <= 0 AND cell IN ({marks})",  # noqa: S608
                emptied,
            )


def apply_report_change(*, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> None:
    """Called by reports.derived inside the transaction that changed a report: moves its counts
    when it enters or leaves the map (created, rejected, merged, made private) or changes
    status, category, ward or place. At most two statements; none when nothing moved."""
    deltas: Counter[Key] = Counter()
    if before is not None and on_map(before):
        deltas.subtract(_keys(before))
    if on_map(after):
        deltas.update(_keys(after))
    _add(deltas)


def count_reports(rows: Iterable[tuple[Any, Any, int, str, int | None]]) -> Counter[Key]:
    """Counts per key for (lat, lon, category id, status, ward id) rows already on the map."""
    counts: Counter[Key] = Counter()
    for lat, lon, category, status, ward in rows:
        counts.update(keys_for(lat=lat, lon=lon, category=category, status=status, ward=ward or 0))
    return counts


def _copy(table: str, columns: str, rows: Iterable[Sequence[Any]]) -> None:
    """Insert rows fast: COPY on PostgreSQL, executemany on SQLite (the ORM's bulk_create
    spends ~30 s per million rows preparing values)."""
    if connection.vendor == "postgresql":
        # The psycopg connection itself, inside Django's transaction.
        with connection.connection.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns.split(", ")))
    with connection.cursor() as cursor:
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 20_000:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)  # noqa: S608
                batch = []
        if batch:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)  # noqa: S608


# Temporary tables of a rebuild: each report's cells, and each cell's centre.
_POINTS = "map_rebuild_point"
_CENTRES = "map_rebuild_centre"


def rebuild(*, chunk: int = 20_000) -> int:
    """Recompute every count from the reports; returns the number of rows written.
    Run after writers that bypass the services (generate_reports, restoring a backup).

    h3 is not in the database (no PostGIS/h3-pg), so Python computes each report's three cells
    (< 1 µs each) and COPYs them beside the report's category, status and ward into a temporary
    table; the database then counts every level with GROUP BY. Counting in a Python dict
    instead (count_reports, which the migration filling the table still uses, and which gives
    the same rows: tested) took longer and held every key in memory at once."""
    from reports.models import Report

    reports = (
        Report.objects.filter(is_public=True, lat__isnull=False, lon__isnull=False)
        .exclude(status__in=HIDDEN_STATUSES)
        .values_list("lat", "lon", "category_id", "status", "ward_id")
        .order_by()
    )
    cells: set[int] = set()

    def points() -> Iterator[list[tuple[Any, ...]]]:
        """The rows for the temporary table, a chunk at a time: on PostgreSQL the reports are
        read through a server-side cursor of the same connection, which cannot fetch while a
        COPY is under way, so each chunk is read whole before it is copied."""
        cell_of = h3_int.latlng_to_cell
        rows = reports.iterator(chunk_size=chunk)
        while batch := list(islice(rows, chunk)):
            out = []
            for lat, lon, category, status, ward in batch:
                at = tuple(cell_of(lat, lon, resolution) for resolution in RESOLUTIONS)
                cells.update(at)
                out.append((*at, category, status, ward or 0))
            yield out

    cell_columns = [f"cell{resolution}" for resolution in RESOLUTIONS]
    table = MapCell._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Room to count in memory (hash aggregation) instead of sorting on disk; for this
            # transaction only.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        for name in (_POINTS, _CENTRES):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_POINTS} ("
            + ", ".join(f"{c} bigint" for c in cell_columns)
            + ", category integer, status text, ward integer)"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_CENTRES} "
            "(cell bigint PRIMARY KEY, resolution integer, lat double precision, "
            "lon double precision)"
        )
        for batch in points():
            _copy(_POINTS, ", ".join([*cell_columns, "category", "status", "ward"]), batch)
        _copy(
            _CENTRES,
            "cell, resolution, lat, lon",
            ((c, h3_int.get_resolution(c), *centre(c)) for c in sorted(cells)),
        )
        MapCell.objects.all().delete()
        # Per level: the key columns it keeps (the others are 0 or "").
        levels = (
            (Level.ALL, ()),
            (Level.CATEGORY, ("category",)),
            (Level.STATUS, ("status",)),
            (Level.FULL, ("category", "status", "ward")),
        )
        blank = {"category": "0", "status": "''", "ward": "0"}
        written = 0
        for cell_column in cell_columns:
            for level, kept in levels:
                values = ", ".join(f"g.{k}" if k in kept else blank[k] for k in blank)
                groups = ", ".join([cell_column, *kept])
                # Counted first, the centres joined to the counts (fewer rows than points).
                cursor.execute(
                    f"INSERT INTO {table} ({_COLUMNS}) "  # noqa: S608 - our constants
                    f"SELECT g.{cell_column}, c.resolution, {int(level)}, {values}, c.lat, c.lon, "
                    f"g.n FROM (SELECT {groups}, COUNT(*) AS n FROM {_POINTS} GROUP BY {groups}) g "
                    f"JOIN {_CENTRES} c ON c.cell = g.{cell_column}"
                )
                written += cursor.rowcount
        for name in (_POINTS, _CENTRES):
            cursor.execute(f"DROP TABLE {name}")
    return written
