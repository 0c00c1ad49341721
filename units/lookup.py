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
    one); a lookup tests only those with a prepared `intersects_xy` (~3 µs each). Points in
    no ward fall back to the STRtree's nearest search within the edge tolerance.
    """

    CELL_M = 500.0

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
        self.x0, self.y0 = float(x0), float(y0)
        self.nx = int((x1 - x0) // cell) + 1
        self.ny = int((y1 - y0) // cell) + 1
        gx, gy = np.meshgrid(x0 + np.arange(self.nx) * cell, y0 + np.arange(self.ny) * cell)
        boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell, gy.ravel() + cell)
        cell_idx, ward_idx = self.tree.query(boxes, predicate="intersects")
        order = np.lexsort((ward_idx, cell_idx))  # per cell, candidates in code order
        cells: list[list[int]] = [[] for _ in range(self.nx * self.ny)]
        for c, w in zip(cell_idx[order].tolist(), ward_idx[order].tolist(), strict=True):
            cells[c].append(w)
        self.cells = [tuple(c) for c in cells]
        # Cells lying wholly inside one ward (~70 % of the city's area) need no polygon test.
        self.interior: list[int] = [-1] * len(cells)
        inner_cell, inner_ward = self.tree.query(boxes, predicate="within")
        for c, w in zip(inner_cell.tolist(), inner_ward.tolist(), strict=True):
            if len(cells[c]) == 1:
                self.interior[c] = w
        width = max((len(c) for c in cells), default=0)
        # The same table padded with -1, for the vectorised path.
        self.cell_matrix = np.full((len(cells), max(width, 1)), -1, dtype=np.int32)
        for i, c in enumerate(cells):
            self.cell_matrix[i, : len(c)] = c

    def __len__(self) -> int:
        return len(self.ids)

    def _hit(self, index: int, distance: float) -> WardHit:
        if distance == 0.0:
            return self._inside[index]
        return WardHit(self.ids[index], self.codes[index], self.names[index], distance)

    def locate(self, lat: float, lon: float) -> WardHit:
        """The ward containing (lat, lon), the nearest within tolerance, or OutsideCity."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise OutsideCity(lat, lon)
        x = (lon - 105.0) * _KX
        y = (lat - _LAT0) * _KY
        # Inlined cell arithmetic: this is the hot path (a method call costs ~10 % here).
        ix = int((x - self.x0) // self.CELL_M)
        iy = int((y - self.y0) // self.CELL_M)
        if 0 <= ix < self.nx and 0 <= iy < self.ny:
            cell = iy * self.nx + ix
            inner = self.interior[cell]
            if inner >= 0:
                return self._inside[inner]
            for w in self.cells[cell]:
                if shapely.intersects_xy(self.geoms[w], x, y):
                    return self._inside[w]
        return self._nearest(lat, lon, x, y)

    def _nearest(self, lat: float, lon: float, x: float, y: float) -> WardHit:
        nearest, distances = self.tree.query_nearest(
            shapely.points(x, y),
            max_distance=self.tolerance_m,
            return_distance=True,
            all_matches=True,
        )
        if not len(nearest):
            raise OutsideCity(lat, lon)
        distance, index = min(zip(distances.tolist(), nearest.tolist(), strict=True))
        return self._hit(index, distance)

    def locate_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[WardHit | None]:
        """Vectorised `locate` for bulk work (imports, generators); None where outside."""
        lat_a = np.asarray(lats, dtype=float)
        lon_a = np.asarray(lons, dtype=float)
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
        for i in np.flatnonzero(found < 0).tolist():
            if math.isfinite(xs[i]) and math.isfinite(ys[i]):
                try:
                    result[i] = self._nearest(
                        float(lat_a[i]), float(lon_a[i]), float(xs[i]), float(ys[i])
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
    """The process-wide locator, built on first use (126 wards: ~0.3 s)."""
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
