"""The public map's counts per H3 cell stay exact through the report services, equal a fresh
rebuild, and give the API the same clusters as counting the reports' points."""

from __future__ import annotations

import h3
import pytest
from django.core.management import call_command

from api.map import clusters, public_map_reports
from conftest import BA_DINH_SQUARE, GOOD_ANSWER, HOAN_KIEM_LAKE, photo_file
from maps.models import Level, MapCell
from maps.services import rebuild
from reports.services import (
    report_accept,
    report_merge,
    report_rate,
    report_reject,
    report_resolve,
)
from reports.workflow import Status

URL = "/api/reports/map"
HANOI = (105.28, 20.56, 106.02, 21.39)
HANOI_BBOX = ",".join(map(str, HANOI))


def stored() -> dict[tuple, int]:
    return {(c.cell, c.level, c.category, c.status, c.ward): c.n for c in MapCell.objects.all()}


def by_cell(**params) -> dict[str, int]:
    from django.test import Client

    response = Client().get(URL, {"bbox": HANOI_BBOX, **params})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["total"] == sum(c["count"] for c in data["clusters"])
    return {c["cell"]: c["count"] for c in data["clusters"]}


def cell(point: tuple[float, float], resolution: int) -> str:
    return h3.latlng_to_cell(*point, resolution)


@pytest.fixture
def city(submit, officer_a, alice):
    """Six reports through the real services: two still on the map at the lake (one closed),
    one at Ba Đình; one rejected, one merged into another, one private."""
    waiting = submit(title="Chờ xử lý")
    closed = submit(title="Đã đóng")
    report_accept(actor=officer_a, report=closed)
    report_resolve(actor=officer_a, report=closed, answer=GOOD_ANSWER, files=[photo_file()])
    report_rate(actor=alice, report=closed, satisfied=True)
    report_reject(actor=officer_a, report=submit(title="Bị từ chối"), reason="Không đúng")
    report_merge(actor=officer_a, report=submit(title="Trùng lặp"), into=waiting)
    submit(title="Riêng tư", is_public=False)
    submit(title="Ba Đình", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    closed.refresh_from_db()
    waiting.refresh_from_db()
    assert closed.status == Status.CLOSED
    return waiting


def test_counts_follow_every_service_and_equal_a_rebuild(city):
    lake, ba_dinh = cell(HOAN_KIEM_LAKE, 9), cell(BA_DINH_SQUARE, 9)
    assert by_cell(zoom=13) == {lake: 2, ba_dinh: 1}
    # Resolution 9 holds exactly: ALL, per category, per status, full, for the lake's cell.
    lake_rows = {
        (level, status): n
        for level, status, n in MapCell.objects.filter(cell=h3.str_to_int(lake)).values_list(
            "level", "status", "n"
        )
    }
    assert lake_rows == {
        (Level.ALL, ""): 2,
        (Level.CATEGORY, ""): 2,
        (Level.STATUS, city.status): 1,
        (Level.STATUS, Status.CLOSED): 1,
        (Level.FULL, city.status): 1,
        (Level.FULL, Status.CLOSED): 1,
    }
    maintained = stored()
    assert rebuild() == len(maintained)
    assert stored() == maintained


@pytest.mark.parametrize("zoom", [9, 11, 13])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"category": "rac-thai-ve-sinh"},
        {"status": Status.CLOSED},
        {"category": "rac-thai-ve-sinh", "status": Status.CLOSED},
        {"ward": "00004"},
        {"ward": "00070", "status": Status.CLOSED},
        {"category": "khong-co"},
        {"ward": "99999"},
    ],
)
def test_api_clusters_equal_counting_the_points(city, zoom, filters):
    expected = clusters(public_map_reports(bbox=HANOI, **filters), zoom)
    assert by_cell(zoom=zoom, **filters) == {c["cell"]: c["count"] for c in expected}


def test_exact_filtered_counts(city):
    lake, ba_dinh = cell(HOAN_KIEM_LAKE, 8), cell(BA_DINH_SQUARE, 8)
    assert by_cell(zoom=12, status=Status.CLOSED) == {lake: 1}
    assert by_cell(zoom=12, ward="00004") == {ba_dinh: 1}
    assert by_cell(zoom=12, category="rac-thai-ve-sinh") == {lake: 2, ba_dinh: 1}
    assert by_cell(zoom=12, category="khong-co") == {}


def test_a_report_leaving_the_map_leaves_no_empty_cluster(submit, officer_a):
    report_reject(actor=officer_a, report=submit(title="Bị từ chối"), reason="Không đúng")
    assert MapCell.objects.count() == 0
    assert by_cell(zoom=12) == {}


def test_a_report_without_a_point_is_not_counted(submit, db):
    from reports.models import Report

    report = submit(title="Có tọa độ")
    Report.objects.filter(pk=report.pk).update(lat=None, lon=None)
    rebuild()
    assert MapCell.objects.count() == 0


def test_one_statement_per_change(submit, officer_a, django_assert_num_queries):
    from maps.services import apply_report_change
    from reports.derived import snapshot

    report = submit(title="Một")
    before = snapshot(report)
    after = {**before, "status": Status.ACCEPTED}
    private = {**after, "is_public": False}
    with django_assert_num_queries(1):  # a new report: the upsert only
        apply_report_change(before=None, after=before)
    with django_assert_num_queries(2):  # the upsert, then the rows it emptied go
        apply_report_change(before=before, after=after)
    # A private report moving: nothing on the map moves, nothing is sent.
    with django_assert_num_queries(0):
        apply_report_change(before=private, after={**private, "status": Status.IN_PROGRESS})
    assert MapCell.objects.get(level=Level.STATUS, resolution=9, status=Status.ACCEPTED).n == 1
    assert MapCell.objects.get(level=Level.ALL, resolution=9).n == 2


def test_cluster_view_is_one_query_with_every_filter(city, django_assert_num_queries):
    for filters in ({}, {"category": "rac-thai-ve-sinh", "status": "closed"}, {"ward": "00070"}):
        with django_assert_num_queries(1):
            by_cell(zoom=11, **filters)


def test_since_falls_back_to_counting_points(city):
    assert by_cell(zoom=12, since="2000-01-01") == {
        cell(HOAN_KIEM_LAKE, 8): 2,
        cell(BA_DINH_SQUARE, 8): 1,
    }
    assert by_cell(zoom=12, since="2999-01-01") == {}


def test_rebuild_command(city):
    maintained = stored()
    MapCell.objects.all().delete()
    call_command("rebuild_map_cells", stdout=__import__("io").StringIO())
    assert stored() == maintained


def test_rebuild_after_generated_reports_matches_counting_the_points(db):
    from demo.generate import generate

    generate(300, seed=7)
    rows = rebuild()
    assert rows == MapCell.objects.count() > 0
    on_map = public_map_reports().count()
    assert 0 < on_map <= 300
    for zoom in (9, 11, 13):
        expected = clusters(public_map_reports(bbox=HANOI), zoom)
        assert by_cell(zoom=zoom) == {c["cell"]: c["count"] for c in expected}
        assert sum(by_cell(zoom=zoom).values()) == on_map
    expected = clusters(public_map_reports(bbox=HANOI, category="rac-thai-ve-sinh"), 11)
    assert by_cell(zoom=11, category="rac-thai-ve-sinh") == {
        c["cell"]: c["count"] for c in expected
    }


def test_rebuild_in_the_database_gives_the_rows_of_counting_in_python(db):
    """rebuild() counts with GROUP BY over a temporary table; count_reports (used by the
    migration that filled the table) counts in Python. Every row, centre included, agrees."""
    from demo.generate import generate
    from maps.services import HIDDEN_STATUSES, count_reports, row_values
    from reports.models import Report

    generate(400, seed=11)
    rows = rebuild()
    points = (
        Report.objects.filter(is_public=True, lat__isnull=False)
        .exclude(status__in=HIDDEN_STATUSES)
        .values_list("lat", "lon", "category_id", "status", "ward_id")
    )
    expected = sorted(
        tuple(row_values(key, n).values()) for key, n in count_reports(points).items()
    )
    columns = ("cell", "resolution", "level", "category", "status", "ward", "lat", "lon", "n")
    assert sorted(MapCell.objects.values_list(*columns)) == expected
    assert rows == len(expected) > 400
