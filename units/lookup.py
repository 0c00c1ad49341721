"""Point → ward lookup: which ward/commune a GPS point lies in.

Built once per process from the current era's ward boundaries into a shapely STRtree over
geometries projected to metres, so that "within 300 m of the edge" is a true distance.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

# Local equirectangular projection centred on Hanoi: at this extent (~1°) the scale error
# stays under 0.5 %, i.e. under 1.5 m on the 300 m edge tolerance; no pyproj needed.
_LAT0 = 21.0
_KY = 110_574.0
_KX = 111_320.0 * math.cos(math.radians(_LAT0))


class OutsideCity(ValueError):
    """The point is farther than the edge tolerance from every ward of the city."""

    message = _("The location is outside Hà Nội. Please choose a point inside the city.")

    def __init__(self, lat: float, lon: float, distance_m: float | None = None):
        super().__init__(str(self.message))
        self.lat = lat
        self.lon = lon
        self.distance_m = distance_m


@dataclass(frozen=True)
class WardHit:
    unit_id: int
    code: str
    full_name: str
    # 0 inside a ward; otherwise how far outside its edge the point was (edge fallback).
    distance_m: float


def _project_xy(lon, lat):
    return (np.asarray(lon, dtype=float) - 105.0) * _KX, (
        np.asarray(lat, dtype=float) - _LAT0
    ) * _KY


def _project(geom):
    return shapely.transform(geom, lambda c: np.column_stack(_project_xy(c[:, 0], c[:, 1])))


class WardLocator:
    """An immutable index of ward polygons answering point → ward.

    A grid of 500 m cells lists, for each cell, the wards whose polygon touches it (usually
    one); cells a boundary crosses are split into 62.5 m sub-cells that list only the wards
    touching them, so a lookup tests at most those with a prepared `intersects_xy` (~2 µs
    each) and usually none. Points in no ward fall back to the nearest ward within the edge
    tolerance: each cell also keeps, per ward, only the pieces of that ward's boundary lying
    within the tolerance of the cell, so the fallback measures a few dozen segments in one
    `distance` call (~6 µs in all, against ~140 µs for a nearest search over the STRtree of
    whole wards). The grid reaches one tolerance beyond the city on every side, so a point
    off the grid, or in a cell with no boundary that near, is refused without measuring.
    """

    CELL_M = 500.0
    # Cells on a boundary are cut into SPLIT × SPLIT sub-cells of 62.5 m, each knowing which of
    # the cell's wards touch it, so most points near an edge test one polygon or none.
    SPLIT = 8
    # Boundary pieces of this many segments (~25 m each) are what cells collect.
    CHUNK_SEGMENTS = 8

    def __init__(self, wards: Iterable[tuple[int, str, str, object]], tolerance_m: float):
        # Sorted by code: when a point lies on a shared edge (or in the 0.29 m² overlap of
        # 00562/00565) several wards contain it and the lowest code wins, every time.
        rows = sorted(wards, key=lambda w: w[1])
        if not rows:
            raise ValueError("no wards to index: run `manage.py load_units` first")
        self.ids = [r[0] for r in rows]
        self.codes = [r[1] for r in rows]
        self.names = [r[2] for r in rows]
        self.geoms = np.array([_project(g) for g in (r[3] for r in rows)], dtype=object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        self.tolerance_m = float(tolerance_m)
        # Answers are immutable: one per ward, shared, instead of one object per lookup.
        self._inside = [
            WardHit(i, c, n, 0.0) for i, c, n in zip(self.ids, self.codes, self.names, strict=True)
        ]
        self._build_grid()

    def _build_grid(self) -> None:
        x0, y0, x1, y1 = shapely.total_bounds(self.geoms)
        cell = self.CELL_M
        # Padded by the tolerance (plus a cell) on every side: off the grid is then always
        # farther than the tolerance from every ward.
        pad = math.ceil(max(self.tolerance_m, 0.0) / cell) + 1
        x0, y0 = x0 - pad * cell, y0 - pad * cell
        self.x0, self.y0 = float(x0), float(y0)
        self.nx = int((x1 - x0) // cell) + 1 + pad
        self.ny = int((y1 - y0) // cell) + 1 + pad
        gx, gy = np.meshgrid(x0 + np.arange(self.nx) * cell, y0 + np.arange(self.ny) * cell)
        boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell, gy.ravel() + cell)
        # Box candidates from the tree, then the predicates against the prepared wards: the
        # same answers as `tree.query(boxes, predicate=...)`, in a third of the time.
        cell_idx, ward_idx = self.tree.query(boxes)
        touches = shapely.intersects(self.geoms[ward_idx], boxes[cell_idx])
        cell_idx, ward_idx = cell_idx[touches], ward_idx[touches]
        order = np.lexsort((ward_idx, cell_idx))  # per cell, candidates in code order
        cell_idx, ward_idx = cell_idx[order], ward_idx[order]
        cells: list[list[int]] = [[] for _ in range(self.nx * self.ny)]
        for c, w in zip(cell_idx.tolist(), ward_idx.tolist(), strict=True):
            cells[c].append(w)
        self.cells = [tuple(c) for c in cells]
        # Cells lying wholly inside one ward (~70 % of the city's area) need no polygon test.
        self.interior: list[int] = [-1] * len(cells)
        within = shapely.contains(self.geoms[ward_idx], boxes[cell_idx])
        for c, w in zip(cell_idx[within].tolist(), ward_idx[within].tolist(), strict=True):
            if len(cells[c]) == 1:
                self.interior[c] = w
        width = max((len(c) for c in cells), default=0)
        # The same table padded with -1, for the vectorised path.
        self.cell_matrix = np.full((len(cells), max(width, 1)), -1, dtype=np.int32)
        for i, c in enumerate(cells):
            self.cell_matrix[i, : len(c)] = c
        self._build_subcells()
        self._build_edges(boxes)

    def _build_subcells(self) -> None:
        """`sub[cell]` for each cell that a boundary crosses, None elsewhere.

        Per sub-cell: the ward index when it lies inside that ward alone, else the tuple of
        the cell's wards touching it (code order, maybe empty). Sub-cell boxes are widened
        by a micrometre so that rounding at their sides can only add candidates, and only
        the cell's own wards are considered: a lookup then tests a subset of what the cell
        would test, in the same order, and so gives the same answer.
        """
        split = self.SPLIT
        sub_m = self.CELL_M / split
        self.sub: list[tuple[int | tuple[int, ...], ...] | None] = [None] * len(self.cells)
        open_cells = [c for c, ws in enumerate(self.cells) if ws and self.interior[c] < 0]
        if not open_cells:
            return
        cell_a = np.repeat(np.asarray(open_cells), split * split)
        k = np.tile(np.arange(split * split), len(open_cells))
        fx = (cell_a % self.nx) * split + k % split
        fy = (cell_a // self.nx) * split + k // split
        eps = 1e-6
        bx, by = self.x0 + fx * sub_m, self.y0 + fy * sub_m
        boxes = shapely.box(bx - eps, by - eps, bx + sub_m + eps, by + sub_m + eps)
        # (sub-cell, ward) for every ward of the parent cell, tested against prepared wards.
        pair_sub = np.repeat(np.arange(len(cell_a)), [len(self.cells[c]) for c in cell_a])
        pair_ward = np.asarray([w for c in cell_a.tolist() for w in self.cells[c]], dtype=np.int64)
        touches = shapely.intersects(self.geoms[pair_ward], boxes[pair_sub])
        pair_sub, pair_ward = pair_sub[touches], pair_ward[touches]
        within = shapely.contains(self.geoms[pair_ward], boxes[pair_sub])
        entries: list[list[int]] = [[] for _ in range(len(cell_a))]
        for b, w in zip(pair_sub.tolist(), pair_ward.tolist(), strict=True):
            entries[b].append(w)  # pairs come in code order per sub-cell
        inside_one = {b for b, w_in in zip(pair_sub.tolist(), within.tolist(), strict=True) if w_in}
        flat: list[int | tuple[int, ...]] = [
            e[0] if (b in inside_one and len(e) == 1) else tuple(e) for b, e in enumerate(entries)
        ]
        n = split * split
        for i, c in enumerate(open_cells):
            self.sub[c] = tuple(flat[i * n : (i + 1) * n])

    def _boundary_chunks(self) -> tuple[np.ndarray, np.ndarray]:
        """Every ward's rings cut into runs of CHUNK_SEGMENTS segments, and their wards.

        The runs reuse the rings' own vertices in their own order, so a distance measured to
        them is bit for bit the distance GEOS measures to the polygon from outside it.
        """
        parts, part_ward = shapely.get_parts(self.geoms, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
        starts = np.flatnonzero(np.r_[True, coord_ring[1:] != coord_ring[:-1]])
        ends = np.r_[starts[1:], len(coords)]
        step = self.CHUNK_SEGMENTS
        vertex: list[np.ndarray] = []
        chunk_of: list[np.ndarray] = []
        wards: list[int] = []
        for first, end in zip(starts.tolist(), ends.tolist(), strict=True):
            ward = int(part_ward[ring_part[coord_ring[first]]])
            for a in range(first, end - 1, step):
                b = min(a + step, end - 1)
                vertex.append(np.arange(a, b + 1))
                chunk_of.append(np.full(b - a + 1, len(wards)))
                wards.append(ward)
        chunks = shapely.linestrings(
            coords[np.concatenate(vertex)], indices=np.concatenate(chunk_of)
        )
        return chunks, np.asarray(wards, dtype=np.int64)

    def _build_edges(self, boxes: np.ndarray) -> None:
        """Per cell that is not wholly inside one ward: the nearby boundary, ward by ward.

        `edge_geoms[cell]` holds one MultiLineString per ward (in code order) made of that
        ward's boundary chunks within tolerance + 1 m of the cell, `edge_wards[cell]` the
        wards; None where no ward is that close. Any ward within the tolerance of a point
        has its nearest segment within the tolerance of the point's cell, so it is there;
        the extra metre covers rounding in the box-to-chunk distance.
        """
        n_cells = self.nx * self.ny
        self.edge_geoms: list[np.ndarray | None] = [None] * n_cells
        self.edge_wards: list[list[int]] = [[] for _ in range(n_cells)]
        if self.tolerance_m < 0:
            return
        chunks, chunk_ward = self._boundary_chunks()
        open_cells = np.flatnonzero(np.asarray(self.interior) < 0)
        pair_cell, pair_chunk = shapely.STRtree(chunks).query(
            boxes[open_cells], predicate="dwithin", distance=self.tolerance_m + 1.0
        )
        pair_cell = open_cells[pair_cell]
        pair_ward = chunk_ward[pair_chunk]
        order = np.lexsort((pair_chunk, pair_ward, pair_cell))
        pair_cell, pair_ward, pair_chunk = pair_cell[order], pair_ward[order], pair_chunk[order]
        new_group = np.r_[
            True, (pair_cell[1:] != pair_cell[:-1]) | (pair_ward[1:] != pair_ward[:-1])
        ]
        group = np.cumsum(new_group) - 1
        lines = shapely.multilinestrings(chunks[pair_chunk], indices=group)
        heads = np.flatnonzero(new_group)
        group_cell = pair_cell[heads].tolist()
        group_ward = pair_ward[heads].tolist()
        cell_starts = np.flatnonzero(np.r_[True, np.diff(pair_cell[heads]) != 0])
        cell_ends = np.r_[cell_starts[1:], len(heads)]
        for a, b in zip(cell_starts.tolist(), cell_ends.tolist(), strict=True):
            self.edge_geoms[group_cell[a]] = lines[a:b]
            self.edge_wards[group_cell[a]] = group_ward[a:b]

    def __len__(self) -> int:
        return len(self.ids)

    def _hit(self, index: int, distance: float) -> WardHit:
        if distance == 0.0:
            return self._inside[index]
        return WardHit(self.ids[index], self.codes[index], self.names[index], distance)

    def locate(self, lat: float, lon: float) -> WardHit:
        """The ward containing (lat, lon), the nearest within tolerance, or OutsideCity."""
        # Also refuses NaN; and keeps huge finite values from overflowing to ∞ below.
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise OutsideCity(lat, lon)
        x = (lon - 105.0) * _KX
        y = (lat - _LAT0) * _KY
        # Inlined cell arithmetic: this is the hot path (a method call costs ~10 % here).
        # The cell is derived from the sub-cell so that the two always agree.
        split = self.SPLIT
        fx = int((x - self.x0) // (self.CELL_M / split))
        fy = int((y - self.y0) // (self.CELL_M / split))
        ix, iy = fx // split, fy // split
        if not (0 <= ix < self.nx and 0 <= iy < self.ny):
            raise OutsideCity(lat, lon)
        cell = iy * self.nx + ix
        inner = self.interior[cell]
        if inner >= 0:
            return self._inside[inner]
        sub = self.sub[cell]
        if sub is not None:
            entry = sub[(fy % split) * split + fx % split]
            if isinstance(entry, int):
                return self._inside[entry]
            for w in entry:
                if shapely.intersects_xy(self.geoms[w], x, y):
                    return self._inside[w]
        return self._nearest(lat, lon, x, y, cell)

    def _nearest(self, lat: float, lon: float, x: float, y: float, cell: int) -> WardHit:
        """The nearest ward within tolerance of a point in no ward, lowest code on a tie."""
        lines = self.edge_geoms[cell]
        if lines is None:
            raise OutsideCity(lat, lon)
        # From an array: shapely.points(x, y) with two floats costs ~6 µs, this ~1.7 µs.
        distances = shapely.distance(lines, shapely.points(np.array((x, y))))
        k = int(distances.argmin())  # the first minimum: the lowest code among equals
        distance = float(distances[k])
        if not distance <= self.tolerance_m:
            raise OutsideCity(lat, lon)
        return self._hit(self.edge_wards[cell][k], distance)

    def locate_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[WardHit | None]:
        """Vectorised `locate` for bulk work (imports, generators); None where outside."""
        lat_a = np.asarray(lats, dtype=float)
        lon_a = np.asarray(lons, dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):  # huge values: off the grid
            xs, ys = _project_xy(lon_a, lat_a)
        ix = np.floor((xs - self.x0) / self.CELL_M)
        iy = np.floor((ys - self.y0) / self.CELL_M)
        in_grid = (
            np.isfinite(ix)
            & np.isfinite(iy)
            & (ix >= 0)
            & (ix < self.nx)
            & (iy >= 0)
            & (iy < self.ny)
        )
        cell = np.where(in_grid, iy * self.nx + ix, 0).astype(np.int64)
        found = np.where(in_grid, np.asarray(self.interior)[cell], -1).astype(np.int64)
        for k in range(self.cell_matrix.shape[1]):
            cand = np.where(in_grid & (found < 0), self.cell_matrix[cell, k], -1)
            todo = np.flatnonzero(cand >= 0)
            if not len(todo):
                continue
            hit = shapely.intersects_xy(self.geoms[cand[todo]], xs[todo], ys[todo])
            found[todo[hit]] = cand[todo[hit]]
        result: list[WardHit | None] = [
            None if w < 0 else self._hit(int(w), 0.0) for w in found.tolist()
        ]
        for i in np.flatnonzero(in_grid & (found < 0)).tolist():
            try:
                result[i] = self._nearest(
                    float(lat_a[i]), float(lon_a[i]), float(xs[i]), float(ys[i]), int(cell[i])
                )
            except OutsideCity:
                pass
        return result


_locator: WardLocator | None = None
_lock = threading.Lock()


def current_era() -> str:
    return getattr(settings, "UNITS_CURRENT_ERA", "2025")


def build_locator() -> WardLocator:
    from .models import WARD_LEVEL_TYPES, AdministrativeUnit

    rows = (
        AdministrativeUnit.objects.filter(era=current_era(), type__in=WARD_LEVEL_TYPES)
        .exclude(geometry="")
        .values_list("id", "code", "full_name", "geometry")
    )
    wards = [(i, code, name, shape(json.loads(geo))) for i, code, name, geo in rows]
    return WardLocator(wards, tolerance_m=settings.WARD_EDGE_TOLERANCE_M)


def get_locator() -> WardLocator:
    """The process-wide locator, built on first use (126 wards: ~1.3 s on 2 cores)."""
    global _locator
    if _locator is None:
        with _lock:
            if _locator is None:
                _locator = build_locator()
    return _locator


def reset_locator() -> None:
    """Forget the index, e.g. after `load_units` changed the boundaries."""
    global _locator
    with _lock:
        _locator = None


def locate(lat: float, lon: float) -> WardHit:
    return get_locator().locate(lat, lon)
