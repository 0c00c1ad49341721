"""A resident reports a broken camera: one report through the one submit path, routed to the
camera's owner (not the category's unit), carrying what our watch of the feed saw; a second
resident follows it instead of sending another."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cameras.models import Camera, CameraReport, Health
from conftest import HOAN_KIEM_LAKE, make_user, photo_file
from reports import clock
from reports.models import Media, Report, ReportEvent
from units.models import AdministrativeUnit, Agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_camera(ward_b, media_root):
    """A camera at the lake (Phường Hoàn Kiếm) owned by Ba Đình's committee, offline for an
    hour: by its category a report there would go to the transport department instead."""
    since = clock.now() - timedelta(hours=1)
    return Camera.objects.create(
        code="HK-01",
        name="Hồ Gươm - Đinh Tiên Hoàng",
        road="Đinh Tiên Hoàng",
        lat=HOAN_KIEM_LAKE[0],
        lon=HOAN_KIEM_LAKE[1],
        ward=AdministrativeUnit.objects.get(era="2025", code="00070"),
        agency=ward_b,
        kind="snapshot",
        url="http://cam.example/hk01.jpg",
        health=Health.OFFLINE,
        health_since=since,
    )


URL = "/camera/HK-01/bao-hong/"


def test_a_resident_reports_a_camera_and_it_goes_to_the_owner(
    client, alice, officer_b, dead_camera
):
    client.force_login(alice)
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hồ Gươm - Đinh Tiên Hoàng" in body and "Mất kết nối" in body
    response = client.post(URL, {"note": "Màn hình đen từ sáng"})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/phan-anh/{report.tracking_code}/"
    )
    assert report.agency.code == dead_camera.agency.code == "ubnd-00004"
    assert report.reporter == alice and report.ward.code == "00070"
    assert "Màn hình đen từ sáng" in report.description
    assert "HK-01" in report.description and "Mất kết nối" in report.description
    routed = ReportEvent.objects.get(report=report, action="route")
    assert routed.data["routing"]["basis"] == "owner"
    assert "HK-01" in routed.note and "Ba Đình" in routed.note
    submitted = ReportEvent.objects.get(report=report, action="submit")
    assert submitted.data["about"]["camera"] == "HK-01"
    assert submitted.data["about"]["health"] == "offline"
    assert CameraReport.objects.get().report == report
    # No photo needed: the feed's state is the evidence.
    assert not Media.objects.filter(report=report).exists()
    # The owner's officer has it; the camera page points at it instead of the report link.
    client.force_login(officer_b)
    assert client.get(f"/can-bo/phan-anh/{report.tracking_code}/").status_code == 200
    listed = client.get("/camera/").content.decode()
    assert report.tracking_code in listed and URL not in listed


def test_a_second_resident_follows_the_open_report(client, alice, bob, dead_camera):
    client.force_login(alice)
    client.post(URL, {"note": ""})
    first = Report.objects.get()
    client.force_login(bob)
    page = client.get(URL).content.decode()
    assert first.tracking_code in page
    response = client.post(URL, {"note": "Vẫn hỏng"})
    assert response.status_code == 302
    assert Report.objects.count() == 1
    assert set(first.followers.values_list("user__username", flat=True)) == {"alice", "bob"}
    # A private report is followed too, but its page stays its reporter's.
    Report.objects.filter(pk=first.pk).update(is_public=False)
    client.force_login(make_user("carol"))
    followed = client.post(URL, {"note": ""})
    assert followed["Location"] == "/camera/" and Report.objects.count() == 1
    assert first.followers.filter(user__username="carol").exists()
    # Once that report is closed a new one may be sent.
    Report.objects.filter(pk=first.pk).update(status="closed")
    client.post(URL, {"note": "Lại hỏng"})
    assert Report.objects.count() == 2


def test_bad_input_gets_a_vietnamese_error_and_stores_nothing(client, alice, dead_camera):
    assert client.get(URL)["Location"].startswith("/dang-nhap/")  # sign in first
    client.force_login(alice)
    fake = SimpleUploadedFile("camera.jpg", b"<html>not a picture</html>", "image/jpeg")
    response = client.post(URL, {"note": "x", "files": [fake]})
    assert response.status_code == 400
    assert "không phải" in response.content.decode().lower() or "không đọc" in (
        response.content.decode().lower()
    )
    too_long = client.post(URL, {"note": "dài " * 2000})
    assert too_long.status_code == 400 and "không được dài quá" in too_long.content.decode()
    assert not Report.objects.exists() and not CameraReport.objects.exists()
    assert client.get("/camera/KHONG-CO/bao-hong/").status_code == 404
    Camera.objects.filter(pk=dead_camera.pk).update(is_active=False)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"note": "x"}).status_code == 404


def test_a_photo_of_the_camera_is_kept_as_the_residents_evidence(client, alice, dead_camera):
    client.force_login(alice)
    client.post(URL, {"note": "Camera bị lệch", "files": [photo_file()]})
    report = Report.objects.get()
    assert Media.objects.filter(report=report, is_proof=False).count() == 1


def test_an_inactive_owner_leaves_the_report_to_the_categorys_routing(client, alice, dead_camera):
    Agency.objects.filter(pk=dead_camera.agency_id).update(is_active=False)
    client.force_login(alice)
    client.post(URL, {"note": ""})
    report = Report.objects.get()
    assert report.agency.code == "so-giao-thong"


def test_the_admin_places_an_edited_camera_and_refuses_bad_points_and_hosts(
    client, admin_user, dead_camera, settings, ward_b
):
    settings.CAMERAS_ALLOWED_HOSTS = ["cam.example"]
    client.force_login(admin_user)
    change = f"/admin/cameras/camera/{dead_camera.pk}/change/"
    form = {
        "code": "HK-01",
        "name": dead_camera.name,
        "road": dead_camera.road,
        "direction": "",
        "lat": "21.0366",  # Quảng trường Ba Đình
        "lon": "105.8346",
        "agency": ward_b.pk,
        "kind": "snapshot",
        "url": "http://cam.example/hk01.jpg",
        "is_active": "on",
    }
    assert client.post(change, form).status_code == 302
    assert Camera.objects.get(pk=dead_camera.pk).ward.code == "00004"
    outside = client.post(change, {**form, "lat": "10.77", "lon": "106.70"})  # Sài Gòn
    assert outside.status_code == 200 and "nằm ngoài Hà Nội" in outside.content.decode()
    other_host = client.post(change, {**form, "url": "http://169.254.169.254/latest"})
    assert other_host.status_code == 200 and "host not allowed" in other_host.content.decode()
    assert Camera.objects.get(pk=dead_camera.pk).url == "http://cam.example/hk01.jpg"
