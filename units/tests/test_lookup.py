"""Point → ward: known places, the city's edge, points outside Hà Nội, and overlapping wards."""

from __future__ import annotations

import json
import math

import pytest
import shapely
from django.utils import translation
from shapely.geometry import shape

from conftest import BA_DINH_SQUARE, HOAN_KIEM_LAKE, NOI_BAI_T1
from units.lookup import _KX, _KY, _LAT0, OutsideCity, WardLocator, _project, get_locator, locate
from units.models import WARD_LEVEL_TYPES, AdministrativeUnit

pytestmark = pytest.mark.django_db

OUTSIDE = {
    "sea": (20.0, 106.8),
    "ho-chi-minh-city": (10.77, 106.70),
    "hai-phong": (20.86, 106.68),
}


def ward_rows() -> list[tuple[int, str, str, object]]:
    rows = AdministrativeUnit.objects.filter(era="2025", type__in=WARD_LEVEL_TYPES).values_list(
        "id", "code", "full_name", "geometry"
    )
    return [(i, code, name, shape(json.loads(geo))) for i, code, name, geo in rows]


@pytest.fixture(scope="module")
def wards(django_db_blocker):
    with django_db_blocker.unblock():
        return ward_rows()


@pytest.fixture(scope="module")
def outline(wards):
    """The city's outline in the locator's metres: the union of its wards."""
    return shapely.union_all([_project(g) for _i, _c, _n, g in wards])


def subset(wards, *codes: str):
    return [w for w in wards if w[1] in codes]


def to_lat_lon(x: float, y: float) -> tuple[float, float]:
    """Back from the locator's metres to degrees."""
    return y / _KY + _LAT0, x / _KX + 105.0


def point_beyond_the_edge(
    wards, city, direction: str, metres: float
) -> tuple[float, float, str, float]:
    """A point `metres` outside the city's outermost extent in `direction`, with the ward
    nearest to it and the true distance to that ward, all computed from the boundaries."""
    minx, miny, maxx, maxy = city.bounds
    coords = shapely.get_coordinates(city.boundary)
    if direction == "north":
        x, y = coords[coords[:, 1].argmax()]
        x, y = x, maxy + metres
    elif direction == "south":
        x, y = coords[coords[:, 1].argmin()]
        x, y = x, miny - metres
    elif direction == "east":
        x, y = coords[coords[:, 0].argmax()]
        x, y = maxx + metres, y
    else:
        x, y = coords[coords[:, 0].argmin()]
        x, y = minx - metres, y
    point = shapely.Point(x, y)
    assert not city.intersects(point)
    distances = {code: _project(g).distance(point) for _i, code, _n, g in wards}
    nearest = min(distances, key=distances.get)
    lat, lon = to_lat_lon(x, y)
    return lat, lon, nearest, distances[nearest]


# --- known places ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "code", "name"),
    [
        (HOAN_KIEM_LAKE, "00070", "Phường Hoàn Kiếm"),
        (BA_DINH_SQUARE, "00004", "Phường Ba Đình"),
        (NOI_BAI_T1, "00433", "Xã Nội Bài"),
    ],
    ids=["hoan-kiem-lake", "ba-dinh-square", "noi-bai-t1"],
)
def test_known_place_is_in_its_ward(point, code, name):
    hit = locate(*point)
    assert hit.code == code
    assert hit.full_name == name
    assert hit.distance_m == 0.0
    assert hit.unit_id == AdministrativeUnit.objects.get(era="2025", code=code).pk


def test_locator_covers_all_126_wards():
    assert len(get_locator()) == 126


def test_bulk_lookup_agrees_with_single_lookups():
    locator = get_locator()
    points = [HOAN_KIEM_LAKE, BA_DINH_SQUARE, NOI_BAI_T1, *OUTSIDE.values(), (math.nan, 105.8)]
    # A grid over the city's box, inside and outside the outline.
    points += [(20.55 + i * 0.05, 105.27 + j * 0.05) for i in range(18) for j in range(16)]
    bulk = locator.locate_many([p[0] for p in points], [p[1] for p in points])
    for (lat, lon), hit in zip(points, bulk, strict=True):
        try:
            single = locator.locate(lat, lon)
        except OutsideCity:
            single = None
        assert hit == single, (lat, lon)
    assert sum(h is not None for h in bulk) > 100


# --- the city's edge ------------------------------------------------------------------------


@pytest.mark.parametrize("direction", ["north", "south", "east", "west"])
def test_point_just_outside_the_city_edge_goes_to_the_nearest_ward(wards, outline, direction):
    lat, lon, nearest, distance = point_beyond_the_edge(wards, outline, direction, 150)
    hit = locate(lat, lon)
    assert hit.code == nearest
    assert 0 < hit.distance_m <= 300
    assert hit.distance_m == pytest.approx(distance, abs=1.0)


@pytest.mark.parametrize("direction", ["north", "south", "east", "west"])
def test_point_well_outside_the_city_edge_is_refused(wards, outline, direction):
    lat, lon, _nearest, distance = point_beyond_the_edge(wards, outline, direction, 400)
    assert distance > 300
    with pytest.raises(OutsideCity):
        locate(lat, lon)


def test_edge_tolerance_decides_how_far_outside_a_point_may_be(wards, outline):
    lat, lon, nearest, _distance = point_beyond_the_edge(wards, outline, "north", 150)
    nearby = subset(wards, nearest)
    assert WardLocator(nearby, tolerance_m=300).locate(lat, lon).code == nearest
    with pytest.raises(OutsideCity):
        WardLocator(nearby, tolerance_m=100).locate(lat, lon)


# --- outside Hà Nội -------------------------------------------------------------------------


@pytest.mark.parametrize("point", list(OUTSIDE.values()), ids=list(OUTSIDE))
def test_point_outside_the_city_is_refused_with_a_clear_message(point):
    with pytest.raises(OutsideCity) as excinfo:
        locate(*point)
    assert "Hà Nội" in str(excinfo.value)
    assert (excinfo.value.lat, excinfo.value.lon) == point
    with translation.override("en"):
        with pytest.raises(OutsideCity) as excinfo:
            locate(*point)
    assert "outside Hà Nội" in str(excinfo.value)


@pytest.mark.parametrize("point", [(math.nan, 105.85), (21.0, math.inf)], ids=["nan", "infinite"])
def test_point_that_is_not_a_number_is_refused(point):
    with pytest.raises(OutsideCity):
        locate(*point)


# --- overlapping wards ----------------------------------------------------------------------


def test_overlap_of_00562_and_00565_has_one_answer_whatever_the_order(wards):
    by_code = {code: geom for _i, code, _n, geom in wards}
    overlap = shapely.intersection(by_code["00562"], by_code["00565"])
    patch = max(shapely.get_parts(overlap), key=lambda g: g.area)
    assert patch.area > 0  # the two wards really overlap somewhere
    inside = patch.representative_point()
    lat, lon = inside.y, inside.x
    assert by_code["00562"].contains(inside) and by_code["00565"].contains(inside)

    answers = {locate(lat, lon).code for _ in range(3)}
    answers.add(get_locator().locate_many([lat], [lon])[0].code)
    # The order the wards are read in does not matter either.
    pair = subset(wards, "00562", "00565")
    for rows in (pair, list(reversed(pair))):
        answers.add(WardLocator(rows, tolerance_m=300).locate(lat, lon).code)
    assert answers == {"00562"}
