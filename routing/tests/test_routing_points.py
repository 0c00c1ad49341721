"""Submissions at real places reach the right ward; points outside Hà Nội are refused and
nothing is stored."""

from __future__ import annotations

import json

import pytest
import shapely
from django.core.exceptions import ValidationError
from shapely.geometry import shape

from conftest import BA_DINH_SQUARE, HOAN_KIEM_LAKE, NOI_BAI_T1
from reports.models import Media, Report, ReportEvent
from units.lookup import _KX, _KY, _LAT0, _project
from units.models import WARD_LEVEL_TYPES, AdministrativeUnit, Agency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def stored() -> tuple[int, int, int]:
    return Report.objects.count(), ReportEvent.objects.count(), Media.objects.count()


@pytest.mark.parametrize(
    ("point", "ward_code"),
    [(HOAN_KIEM_LAKE, "00070"), (BA_DINH_SQUARE, "00004"), (NOI_BAI_T1, "00433")],
    ids=["hoan-kiem-lake", "ba-dinh-square", "noi-bai-t1"],
)
def test_report_at_a_known_place_goes_to_that_wards_committee(submit, point, ward_code):
    report = submit(lat=point[0], lon=point[1])
    assert report.ward.code == ward_code
    assert report.ward.era == "2025"
    assert report.agency == Agency.objects.get(code=f"ubnd-{ward_code}")
    assert report.status == "routed"
    # Inside a ward: no edge distance recorded.
    assert report.events.get(action="submit").data == {}


@pytest.mark.parametrize(
    "point",
    [(20.0, 106.8), (10.77, 106.70), (20.86, 106.68)],
    ids=["sea", "ho-chi-minh-city", "hai-phong"],
)
def test_report_outside_ha_noi_is_refused_and_nothing_is_stored(submit, media_root, point):
    before = stored()
    with pytest.raises(ValidationError) as excinfo:
        submit(lat=point[0], lon=point[1])
    assert excinfo.value.code == "outside_city"
    assert "Hà Nội" in excinfo.value.messages[0]
    assert stored() == before
    assert [p for p in media_root.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("abc", "105.85"), (None, 105.85), (91, 105.85), ("nan", "105.85")],
    ids=["text", "missing", "beyond-the-pole", "nan"],
)
def test_report_without_a_usable_point_is_refused(submit, lat, lon):
    before = stored()
    with pytest.raises(ValidationError) as excinfo:
        submit(lat=lat, lon=lon)
    assert excinfo.value.code == "bad_point"
    assert stored() == before


def test_report_just_outside_the_city_edge_goes_to_the_nearest_ward(submit):
    rows = AdministrativeUnit.objects.filter(era="2025", type__in=WARD_LEVEL_TYPES).values_list(
        "code", "geometry"
    )
    wards = {code: _project(shape(json.loads(geo))) for code, geo in rows}
    # 120 m due south of the city's southernmost point.
    coords = shapely.get_coordinates(shapely.union_all(list(wards.values())).boundary)
    x, y = coords[coords[:, 1].argmin()]
    point = shapely.Point(x, y - 120)
    nearest = min(wards, key=lambda code: wards[code].distance(point))
    assert not any(w.contains(point) for w in wards.values())

    report = submit(lat=point.y / _KY + _LAT0, lon=point.x / _KX + 105.0)

    assert report.ward.code == nearest
    assert report.agency.code == f"ubnd-{nearest}"
    assert report.events.get(action="submit").data["ward_edge_distance_m"] == pytest.approx(
        120, abs=2
    )
