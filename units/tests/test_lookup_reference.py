"""Point → ward against a brute-force reference over every ward, for random points inside the
city, near its edges (within and just beyond the tolerance) and far outside.

The reference states the semantics in full: a point inside (or on) a ward belongs to the ward
of lowest code containing it; otherwise to the nearest ward if that ward is at most the
tolerance away, measured in metres in the locator's projection, lowest code on a tie, with
that distance; otherwise it is refused. The locator's grids and boundary pieces are only
shortcuts: they must give exactly these answers, distance included to the last bit.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import shapely
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from shapely.geometry import shape

from units.lookup import _KX, _KY, _LAT0, OutsideCity, WardHit, WardLocator, _project
from units.models import WARD_LEVEL_TYPES, AdministrativeUnit

pytestmark = pytest.mark.django_db

TOLERANCE_M = float(settings.WARD_EDGE_TOLERANCE_M)
EXAMPLES = hypothesis_settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


class Reference:
    """Every ward tested for every point: slow and plainly right."""

    def __init__(self, rows, tolerance_m: float):
        rows = sorted(rows, key=lambda r: r[1])
        self.rows = rows
        self.geoms = np.array([_project(r[3]) for r in rows], dtype=object)
        self.tolerance_m = tolerance_m

    def locate(self, lat: float, lon: float) -> WardHit | None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None  # not a place on Earth (NaN included)
        point = shapely.Point((lon - 105.0) * _KX, (lat - _LAT0) * _KY)
        containing = np.flatnonzero(shapely.intersects(self.geoms, point))
        if len(containing):
            i = int(containing[0])
            return WardHit(self.rows[i][0], self.rows[i][1], self.rows[i][2], 0.0)
        distances = shapely.distance(self.geoms, point)
        i = int(np.argmin(distances))  # the first of equals: the lowest code
        if not distances[i] <= self.tolerance_m:
            return None
        return WardHit(self.rows[i][0], self.rows[i][1], self.rows[i][2], float(distances[i]))


@pytest.fixture(scope="module")
def rows(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        found = AdministrativeUnit.objects.filter(
            era="2025", type__in=WARD_LEVEL_TYPES
        ).values_list("id", "code", "full_name", "geometry")
        return [(i, code, name, shape(json.loads(geo))) for i, code, name, geo in found]


@pytest.fixture(scope="module")
def locator(rows):
    return WardLocator(rows, tolerance_m=TOLERANCE_M)


@pytest.fixture(scope="module")
def reference(rows):
    return Reference(rows, TOLERANCE_M)


@pytest.fixture(scope="module")
def outline_vertices(reference):
    """Vertices of the city's outer edge, in metres."""
    city = shapely.union_all(reference.geoms)
    return shapely.get_coordinates(shapely.get_exterior_ring(shapely.get_parts(city)))


@pytest.fixture(scope="module")
def ward_vertices(reference):
    """Vertices of every ward's boundary, inner ones included (shared edges, slivers)."""
    return shapely.get_coordinates(reference.geoms)


def answer(locator: WardLocator, lat: float, lon: float) -> WardHit | None:
    try:
        return locator.locate(lat, lon)
    except OutsideCity:
        return None


def agrees(locator, reference, lat: float, lon: float) -> WardHit | None:
    expected = reference.locate(lat, lon)
    got = answer(locator, lat, lon)
    assert got == expected, (lat, lon)
    assert locator.locate_many([lat], [lon]) == [expected], (lat, lon)
    return expected


def offset(vertices, index: int, angle: float, metres: float) -> tuple[float, float]:
    x, y = vertices[index % len(vertices)]
    x, y = x + metres * math.cos(angle), y + metres * math.sin(angle)
    return y / _KY + _LAT0, x / _KX + 105.0


angles = st.floats(0, 2 * math.pi)
indices = st.integers(0, 10**9)


@EXAMPLES
@given(lat=st.floats(20.55, 21.40), lon=st.floats(105.28, 106.03))
def test_points_over_the_city_box_agree_with_the_reference(locator, reference, lat, lon):
    agrees(locator, reference, lat, lon)


@EXAMPLES
@given(index=indices, angle=angles, metres=st.floats(0, 2.5 * TOLERANCE_M))
def test_points_near_the_city_edge_agree_with_the_reference(
    locator, reference, outline_vertices, index, angle, metres
):
    agrees(locator, reference, *offset(outline_vertices, index, angle, metres))


@EXAMPLES
@given(index=indices, angle=angles, metres=st.floats(0.9 * TOLERANCE_M, 1.1 * TOLERANCE_M))
def test_points_about_the_tolerance_away_agree_with_the_reference(
    locator, reference, outline_vertices, index, angle, metres
):
    agrees(locator, reference, *offset(outline_vertices, index, angle, metres))


@EXAMPLES
@given(index=indices, angle=angles, metres=st.floats(0, 80))
def test_points_near_any_ward_boundary_agree_with_the_reference(
    locator, reference, ward_vertices, index, angle, metres
):
    agrees(locator, reference, *offset(ward_vertices, index, angle, metres))


@EXAMPLES
@given(
    lat=st.floats(allow_nan=True, allow_infinity=True) | st.floats(15.0, 25.0),
    lon=st.floats(allow_nan=True, allow_infinity=True) | st.floats(100.0, 110.0),
)
def test_points_far_outside_agree_with_the_reference(locator, reference, lat, lon):
    agrees(locator, reference, lat, lon)


@pytest.mark.parametrize(
    "point",
    [(1e308, 105.8), (21.0, 1.7e308), (-1.7e308, -1.7e308), (90.0, 180.0), (-90.0, -180.0)],
)
def test_coordinates_off_the_earth_are_refused_not_crashed_on(locator, point):
    with pytest.raises(OutsideCity):
        locator.locate(*point)
    assert locator.locate_many([point[0]], [point[1]]) == [None]


def test_a_batch_of_mixed_points_agrees_with_the_reference(locator, reference, outline_vertices):
    rng = np.random.default_rng(16)
    points = [
        (float(a), float(b))
        for a, b in zip(
            rng.uniform(20.5, 21.45, 3000), rng.uniform(105.2, 106.1, 3000), strict=True
        )
    ]
    points += [
        offset(outline_vertices, int(i), float(a), float(m))
        for i, a, m in zip(
            rng.integers(0, len(outline_vertices), 3000),
            rng.uniform(0, 2 * math.pi, 3000),
            rng.uniform(0, 2 * TOLERANCE_M, 3000),
            strict=True,
        )
    ]
    expected = [reference.locate(lat, lon) for lat, lon in points]
    assert locator.locate_many([p[0] for p in points], [p[1] for p in points]) == expected
    assert [answer(locator, lat, lon) for lat, lon in points] == expected
    edge = [e for e in expected if e is not None and e.distance_m > 0]
    assert len(edge) > 500  # the band outside the edge really was exercised
    assert max(e.distance_m for e in edge) <= TOLERANCE_M


@pytest.mark.parametrize("index", [0, 1234, 5678])
def test_the_tolerance_is_inclusive_to_the_last_bit(rows, reference, outline_vertices, index):
    # A point 250 m out; a locator whose tolerance is exactly its distance takes it, one
    # whose tolerance is the next float below refuses it.
    lat, lon = offset(outline_vertices, index, 0.0, 0.0)
    for angle in np.linspace(0, 2 * math.pi, 16, endpoint=False):
        lat, lon = offset(outline_vertices, index, float(angle), 250.0)
        hit = Reference(rows, math.inf).locate(lat, lon)
        if hit.distance_m > 0:
            break
    distance = hit.distance_m
    exact = WardLocator(rows, tolerance_m=distance).locate(lat, lon)
    assert (exact.code, exact.distance_m) == (hit.code, distance)
    with pytest.raises(OutsideCity):
        WardLocator(rows, tolerance_m=float(np.nextafter(distance, 0))).locate(lat, lon)
