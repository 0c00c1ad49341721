"""The public map's API: clusters that count right, points without personal data, and
private reports nowhere."""

from __future__ import annotations

import json
from datetime import timedelta

import h3
import pytest

from conftest import BA_DINH_SQUARE, HOAN_KIEM_LAKE
from reports.models import Report
from reports.services import report_accept
from reports.workflow import Status

URL = "/api/reports/map"
HANOI_BBOX = "105.28,20.56,106.02,21.39"


def get(client, **params):
    params.setdefault("bbox", HANOI_BBOX)
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def three_near_lake_two_in_ba_dinh(submit):
    lake = [
        submit(title=f"Hồ Gươm {i}", lat=HOAN_KIEM_LAKE[0] + i * 0.0001, lon=HOAN_KIEM_LAKE[1])
        for i in range(3)
    ]
    ba_dinh = [
        submit(title=f"Ba Đình {i}", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1] + i * 0.0001)
        for i in range(2)
    ]
    return lake, ba_dinh


def test_clusters_count_reports_per_h3_cell(client, three_near_lake_two_in_ba_dinh):
    data = get(client, zoom=12)
    assert data["mode"] == "clusters" and data["resolution"] == 8
    by_cell = {c["cell"]: c["count"] for c in data["clusters"]}
    lake_cell = h3.latlng_to_cell(*HOAN_KIEM_LAKE, 8)
    ba_dinh_cell = h3.latlng_to_cell(*BA_DINH_SQUARE, 8)
    assert lake_cell != ba_dinh_cell
    assert by_cell == {lake_cell: 3, ba_dinh_cell: 2}
    assert data["total"] == 5


@pytest.mark.parametrize(("zoom", "resolution"), [(9, 7), (10, 7), (11, 8), (12, 8), (13, 9)])
def test_resolution_follows_zoom(client, db, zoom, resolution):
    assert get(client, zoom=zoom)["resolution"] == resolution


def test_street_zoom_returns_points_newest_first_without_personal_data(
    client, three_near_lake_two_in_ba_dinh, alice
):
    data = get(client, zoom=16)
    assert data["mode"] == "points" and data["truncated"] is False
    titles = [p["title"] for p in data["points"]]
    assert titles == ["Ba Đình 1", "Ba Đình 0", "Hồ Gươm 2", "Hồ Gươm 1", "Hồ Gươm 0"]
    point = data["points"][0]
    assert set(point) == {
        "code",
        "title",
        "lat",
        "lon",
        "status",
        "status_label",
        "category",
        "created_at",
        "url",
    }
    assert point["url"] == f"/phan-anh/{point['code']}/"
    raw = json.dumps(data, ensure_ascii=False)
    for secret in (alice.full_name, "Alice", alice.phone, "alice"):
        assert secret not in raw


def test_private_and_rejected_reports_never_appear_nor_count(client, submit, officer_a):
    submit(title="Công khai")
    submit(title="Riêng tư", is_public=False)
    from reports.services import report_reject

    report_reject(actor=officer_a, report=submit(title="Bị từ chối"), reason="Không đúng")
    clusters = get(client, zoom=12)
    assert clusters["total"] == 1
    assert sum(c["count"] for c in clusters["clusters"]) == 1
    points = get(client, zoom=16)
    assert [p["title"] for p in points["points"]] == ["Công khai"]


def test_a_signed_in_reporter_still_gets_only_public_data(client, submit, alice):
    submit(title="Riêng tư của Alice", is_public=False)
    client.force_login(alice)
    assert get(client, zoom=16)["points"] == []


def test_bbox_limits_the_area(client, three_near_lake_two_in_ba_dinh):
    # A box around the lake only.
    lat, lon = HOAN_KIEM_LAKE
    bbox = f"{lon - 0.003},{lat - 0.003},{lon + 0.003},{lat + 0.003}"
    assert get(client, zoom=16, bbox=bbox)["points"].__len__() == 3
    assert get(client, zoom=12, bbox=bbox)["total"] == 3


def test_filters_by_status_category_ward_and_period(client, submit, officer_a):
    old = submit(title="Cũ")
    old_created = old.created_at - timedelta(days=40)
    Report.objects.filter(pk=old.pk).update(created_at=old_created)
    accepted = submit(title="Đã tiếp nhận")
    report_accept(actor=officer_a, report=accepted)
    submit(title="Ba Đình", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])

    def titles(**params):
        return sorted(p["title"] for p in get(client, zoom=16, **params)["points"])

    assert titles(status=Status.ACCEPTED) == ["Đã tiếp nhận"]
    assert titles(ward="00004") == ["Ba Đình"]
    assert titles(category="rac-thai-ve-sinh") == ["Ba Đình", "Cũ", "Đã tiếp nhận"]
    assert titles(category="khong-co") == []
    since = (old_created - timedelta(days=10)).date().isoformat()
    assert "Cũ" in titles(since=since)
    assert titles(since=(old_created + timedelta(days=20)).date().isoformat()) == [
        "Ba Đình",
        "Đã tiếp nhận",
    ]


def test_points_are_capped(client, submit, settings, monkeypatch):
    from api import map as report_map

    monkeypatch.setattr(report_map, "MAX_POINTS", 2)
    for i in range(3):
        submit(title=f"Điểm {i}")
    data = get(client, zoom=16)
    assert [p["title"] for p in data["points"]] == ["Điểm 2", "Điểm 1"]
    assert data["truncated"] is True


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "a,b,c,d", "zoom": 12},
        {"bbox": "106,21,105,22", "zoom": 12},
        {"bbox": HANOI_BBOX, "zoom": 99},
        {"bbox": HANOI_BBOX, "zoom": 12, "status": "nope"},
    ],
)
def test_bad_parameters_are_a_400(client, params):
    assert client.get(URL, params).status_code == 400


def test_missing_bbox_is_refused(client):
    assert client.get(URL, {"zoom": 12}).status_code in (400, 422)


def test_query_count_is_fixed(client, submit, django_assert_max_num_queries):
    for i in range(5):
        submit(title=f"Điểm {i}")
    with django_assert_max_num_queries(1):
        assert len(get(client, zoom=16)["points"]) == 5
    with django_assert_max_num_queries(1):
        assert get(client, zoom=12)["total"] == 5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"bbox": "a,b,c,d", "zoom": 12}, "Vùng bản đồ (bbox) phải có dạng tây,nam,đông,bắc."),
        (
            {"bbox": "106,21,105,22", "zoom": 12},
            "Vùng bản đồ (bbox) phải có dạng tây,nam,đông,bắc.",
        ),
        ({"bbox": "105,20,106,22", "zoom": 40}, "Mức phóng to phải từ 0 đến 22."),
        ({"bbox": "105,20,106,22", "zoom": 12, "status": "bogus"}, "Trạng thái không hợp lệ."),
    ],
)
def test_bad_map_parameters_get_a_vietnamese_error(client, db, params, message):
    response = client.get("/api/reports/map", params)
    assert response.status_code == 400
    assert response.json()["detail"] == message
