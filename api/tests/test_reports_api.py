"""The reporting flow's JSON API: locate, category suggestions, nearby reports, "me too",
and sending a report with files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import BA_DINH_SQUARE, HOAN_KIEM_LAKE, photo_file
from reports import clock
from reports.models import Media, Report, ReportFollower
from reports.services import report_accept, report_reject
from routing.models import Category

pytestmark = pytest.mark.django_db

OUTSIDE = (10.7769, 106.7009)  # Hồ Chí Minh City
# ~180 m north of the lake point and ~400 m north of it.
NEAR = (HOAN_KIEM_LAKE[0] + 0.0016, HOAN_KIEM_LAKE[1])
FAR = (HOAN_KIEM_LAKE[0] + 0.0036, HOAN_KIEM_LAKE[1])


def signed_in(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def send(client: Client, **overrides):
    data = {
        "category": "rac-thai-ve-sinh",
        "lat": str(HOAN_KIEM_LAKE[0]),
        "lon": str(HOAN_KIEM_LAKE[1]),
        "description": "Rác tồn đọng nhiều ngày ở đầu ngõ 12 Hàng Bài, bốc mùi hôi.",
        "address": "Ngõ 12 Hàng Bài",
        "files": [photo_file("a.jpg"), photo_file("b.jpg")],
    }
    data.update(overrides)
    return client.post("/api/reports", data)


# --- locate ----------------------------------------------------------------------------------


def test_locate_names_the_ward_of_a_point(client):
    response = client.get("/api/locate", {"lat": HOAN_KIEM_LAKE[0], "lon": HOAN_KIEM_LAKE[1]})
    assert response.status_code == 200
    assert response.json()["name"] == "Phường Hoàn Kiếm"
    assert response.json()["code"] == "00070"


def test_locate_outside_hanoi_is_a_400_in_vietnamese(client):
    response = client.get("/api/locate", {"lat": OUTSIDE[0], "lon": OUTSIDE[1]})
    assert response.status_code == 400
    assert response.json()["code"] == "outside_city"
    assert response.json()["detail"].startswith("Vị trí nằm ngoài Hà Nội")


@pytest.mark.parametrize("lat,lon", [("abc", "105.85"), ("", ""), ("nan", "105.8"), ("91", "1")])
def test_locate_malformed_point_is_a_400(client, lat, lon):
    response = client.get("/api/locate", {"lat": lat, "lon": lon})
    assert response.status_code == 400
    assert response.json() == {"code": "bad_point", "detail": "Vị trí không hợp lệ."}


# --- suggestions -----------------------------------------------------------------------------


def test_suggest_finds_categories_by_keyword_without_diacritics(client):
    response = client.get("/api/categories/suggest", {"text": "Co nhieu rac va phe thai o dau ngo"})
    codes = [c["code"] for c in response.json()]
    assert codes[0] == "rac-thai-ve-sinh"
    assert len(codes) <= 3


def test_suggest_with_accents_and_nothing_matching(client):
    hit = client.get("/api/categories/suggest", {"text": "Mặt đường có ổ gà rất sâu"}).json()
    assert hit[0]["code"] == "ha-tang-giao-thong"
    assert client.get("/api/categories/suggest", {"text": "xyz"}).json() == []


# --- nearby ----------------------------------------------------------------------------------


def test_nearby_lists_open_reports_of_the_category_within_250_m(client, submit):
    near = submit(lat=NEAR[0], lon=NEAR[1], title="Rác gần hồ")
    submit(lat=FAR[0], lon=FAR[1], title="Rác xa")
    submit(
        lat=NEAR[0],
        lon=NEAR[1],
        title="Ổ gà",
        category=Category.objects.get(code="ha-tang-giao-thong"),
    )
    response = client.get(
        "/api/reports/nearby",
        {"lat": HOAN_KIEM_LAKE[0], "lon": HOAN_KIEM_LAKE[1], "category": "rac-thai-ve-sinh"},
    )
    assert response.status_code == 200
    found = response.json()
    assert [r["tracking_code"] for r in found] == [near.tracking_code]
    assert found[0]["status_label"] == "Đã chuyển đơn vị xử lý"
    # The public thumbnail appears once the media task has made it; never the private upload.
    assert found[0]["thumbnail"] is None or "/public/" in found[0]["thumbnail"]
    assert 150 < found[0]["distance_m"] < 250


def test_nearby_leaves_out_closed_and_old_reports(client, submit, officer_a):
    rejected = submit(lat=NEAR[0], lon=NEAR[1])
    report_reject(actor=officer_a, report=rejected, reason="Trùng lặp")
    with clock.travel(clock.now() - timedelta(days=31)):
        submit(lat=NEAR[0], lon=NEAR[1], title="Cũ")
    accepted = submit(lat=NEAR[0], lon=NEAR[1], title="Đang xử lý")
    report_accept(actor=officer_a, report=accepted)
    found = client.get(
        "/api/reports/nearby",
        {"lat": HOAN_KIEM_LAKE[0], "lon": HOAN_KIEM_LAKE[1], "category": "rac-thai-ve-sinh"},
    ).json()
    assert [r["tracking_code"] for r in found] == [accepted.tracking_code]


# --- me too ----------------------------------------------------------------------------------


def test_follow_is_idempotent_and_stores_no_report(submit, bob):
    report = submit()
    client = signed_in(bob)
    first = client.post(f"/api/reports/{report.tracking_code}/follow")
    second = client.post(f"/api/reports/{report.tracking_code}/follow")
    assert first.status_code == second.status_code == 200
    assert second.json()["followers"] == 2  # alice (the reporter) and bob
    assert ReportFollower.objects.filter(report=report, user=bob).count() == 1
    assert Report.objects.count() == 1


def test_follow_needs_sign_in_and_csrf(client, submit, bob):
    report = submit()
    assert client.post(f"/api/reports/{report.tracking_code}/follow").status_code == 401
    response = signed_in(bob, csrf=True).post(f"/api/reports/{report.tracking_code}/follow")
    assert response.status_code == 403
    assert not ReportFollower.objects.filter(user=bob).exists()


def test_follow_unknown_report_is_404(bob):
    assert signed_in(bob).post("/api/reports/PA-2099-000001/follow").status_code == 404


# --- submit ----------------------------------------------------------------------------------


def test_submit_stores_the_report_with_its_photos_in_its_ward(alice, media_root):
    response = send(signed_in(alice))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ward"] == "Phường Hoàn Kiếm"
    report = Report.objects.get(tracking_code=body["tracking_code"])
    assert report.reporter == alice
    assert report.ward.code == "00070"
    assert report.media.count() == 2
    assert report.title.startswith("Rác tồn đọng")  # no title given: the description's line


def test_fake_image_is_refused_in_vietnamese_and_nothing_is_stored(alice, media_root):
    fake = SimpleUploadedFile("anh.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg")
    response = send(signed_in(alice), files=[photo_file(), fake])
    assert response.status_code == 400
    assert response.json()["code"] == "file_corrupt"
    assert "anh.jpg" in response.json()["detail"]
    assert "không phải ảnh thật" in response.json()["detail"]
    assert Report.objects.count() == 0 and Media.objects.count() == 0


def test_text_file_named_jpg_is_refused(alice, media_root):
    fake = SimpleUploadedFile("x.jpg", b"hello", "image/jpeg")
    response = send(signed_in(alice), files=[fake])
    assert response.status_code == 400
    assert response.json()["code"] == "file_type"
    assert Report.objects.count() == 0


def test_point_outside_hanoi_is_refused(alice, media_root):
    response = send(signed_in(alice), lat=str(OUTSIDE[0]), lon=str(OUTSIDE[1]))
    assert response.status_code == 400
    assert response.json()["code"] == "outside_city"
    assert Report.objects.count() == 0


def test_malformed_coordinates_are_refused(alice, media_root):
    response = send(signed_in(alice), lat="21,03", lon="")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_point"


def test_same_idempotency_key_twice_stores_one_report(alice, media_root):
    client = signed_in(alice)
    first = send(client, idempotency_key="c0ffee00-1111-2222-3333-444455556666")
    second = send(client, idempotency_key="c0ffee00-1111-2222-3333-444455556666")
    assert first.status_code == second.status_code == 201
    assert first.json()["tracking_code"] == second.json()["tracking_code"]
    assert Report.objects.count() == 1


def test_submit_without_csrf_token_is_refused(alice, media_root):
    response = send(signed_in(alice, csrf=True))
    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_submit_anonymous_is_refused(client, media_root, db):
    assert send(client).status_code == 401
    assert Report.objects.count() == 0


def test_address_only_report_gets_the_chosen_wards_inner_point(alice, media_root):
    response = send(signed_in(alice), lat="", lon="", ward="00004", address="Số 1 Hùng Vương")
    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert report.ward.code == "00004" and report.address == "Số 1 Hùng Vương"


def test_more_than_six_photos_are_refused(alice, media_root):
    response = send(signed_in(alice), files=[photo_file() for _ in range(7)])
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_photos"


def test_pdf_only_for_administrative_procedures(alice, media_root):
    def pdf():
        return SimpleUploadedFile("don.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")

    refused = send(signed_in(alice), files=[photo_file(), pdf()])
    assert refused.status_code == 400
    assert refused.json()["code"] == "document_not_allowed"
    accepted = send(
        signed_in(alice),
        category="dich-vu-cong-thu-tuc",
        lat=str(BA_DINH_SQUARE[0]),
        lon=str(BA_DINH_SQUARE[1]),
        files=[pdf()],
    )
    assert accepted.status_code == 201, accepted.content
