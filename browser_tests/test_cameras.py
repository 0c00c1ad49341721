"""The public camera page in real Chromium, in Vietnamese: each camera's latest picture from
our cache, a dead camera marked "Mất tín hiệu", and nearest first with the phone's position."""

from __future__ import annotations

from playwright.sync_api import expect

from cameras.models import Camera
from cameras.services import cameras_probe
from cameras.testing import FeedServer
from units.models import AdministrativeUnit, Agency

from .conftest import SCREENSHOTS, assert_accessible, open_page, sign_in


def test_resident_sees_cached_pictures_and_the_dead_camera(live_server, settings, media_root):
    settings.CAMERAS_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.CAMERAS_ALLOW_PRIVATE = True
    settings.CAMERAS_TIMEOUT_SECONDS = 2
    agency = Agency.objects.get(code="so-giao-thong")
    with FeedServer() as feeds:
        for code, name, lat, lon, path in (
            ("ho-guom", "Hồ Gươm – Đinh Tiên Hoàng", 21.0285, 105.8522, "/changing.jpg"),
            ("ba-dinh", "Quảng trường Ba Đình", 21.0368, 105.8347, "/fail.jpg"),
        ):
            Camera.objects.create(
                code=code,
                name=name,
                lat=lat,
                lon=lon,
                ward=AdministrativeUnit.objects.get(
                    era="2025", code="00070" if code == "ho-guom" else "00004"
                ),
                agency=agency,
                kind="snapshot",
                url=feeds.url(path),
            )
        cameras_probe()
        fetched = dict(feeds.hits)
        with open_page(geolocation={"latitude": 21.0368, "longitude": 105.8347}) as page:
            page.goto(f"{live_server.url}/camera/")
            page.get_by_role("heading", name="Camera giao thông").wait_for()
            picture = page.get_by_role("img", name="Hình mới nhất từ Hồ Gươm – Đinh Tiên Hoàng")
            expect(picture).to_be_visible()
            assert picture.evaluate("img => img.naturalWidth") == 160
            assert "/camera/ho-guom/anh.jpg" in picture.get_attribute("src")
            expect(page.locator("#camera-ba-dinh")).to_contain_text("Mất tín hiệu từ")
            # The map: a marker per camera on the ward boundaries (no tiles needed).
            expect(page.locator("#camera-map")).to_have_attribute("data-markers", "2")
            expect(page.locator("#camera-map")).to_have_attribute("data-wards", "loaded")
            assert_accessible(page)
            page.get_by_role("button", name="Gần tôi nhất trước").click()
            expect(page.locator("#near-note")).to_have_text("Gần nhất trước.")
            expect(page.locator("#camera-list > li").first).to_have_id("camera-ba-dinh")
            page.screenshot(path=str(SCREENSHOTS / "cameras_vi.png"), full_page=True)
            assert_accessible(page)
        # The residents' browser never reached the cameras: only the prober did.
        assert feeds.hits == fetched


def test_city_leader_ranks_camera_owners_by_hours_without_a_picture(
    live_server, city_leader, media_root
):
    from datetime import timedelta

    from cameras.models import CameraFlip
    from reports import clock

    now = clock.now()
    for code, agency_code, health in (
        ("a", "so-giao-thong", "online"),
        ("b", "ubnd-00070", "offline"),
    ):
        cam = Camera.objects.create(
            code=code,
            name=f"Camera {code}",
            lat=21.0285,
            lon=105.8522,
            ward=AdministrativeUnit.objects.get(era="2025", code="00070"),
            agency=Agency.objects.get(code=agency_code),
            kind="snapshot",
            url="http://127.0.0.1/x.jpg",
            health=health,
        )
        CameraFlip.objects.create(
            camera=cam, from_health="unknown", to_health=health, at=now - timedelta(hours=10)
        )
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "city_leader", "/bang-dieu-khien/camera/")
        page.get_by_role("heading", name="Thời gian hoạt động của camera").wait_for()
        first = page.locator("#owner-table tbody tr").first
        expect(first).to_contain_text("UBND Phường Hoàn Kiếm")
        expect(page.locator('tr[data-camera="b"]')).to_contain_text("Mất kết nối")
        page.get_by_role("link", name="30 ngày").click()
        expect(page.locator("nav.back-links strong")).to_have_text("30 ngày")
        page.screenshot(path=str(SCREENSHOTS / "dashboard_cameras_vi.png"), full_page=True)
        assert_accessible(page)


def test_resident_reports_a_dead_camera_and_it_reaches_its_owner(
    live_server, alice, officer_b, ward_b, media_root
):
    from reports.models import Report

    Camera.objects.create(
        code="ba-dinh",
        name="Quảng trường Ba Đình",
        road="Hùng Vương",
        lat=21.0368,
        lon=105.8347,
        ward=AdministrativeUnit.objects.get(era="2025", code="00004"),
        agency=Agency.objects.get(code="cong-an"),
        kind="snapshot",
        url="http://127.0.0.1/x.jpg",
        health="dark",
    )
    with open_page(width=390, height=844) as page:
        sign_in(page, live_server.url, "alice", "/camera/")
        page.get_by_role("link", name="Báo camera hỏng").click()
        page.get_by_role("heading", name="Báo camera hỏng").wait_for()
        expect(page.locator("main")).to_contain_text("Công an Thành phố Hà Nội")
        expect(page.locator("main")).to_contain_text("Hình tối")
        assert_accessible(page)
        page.get_by_label("Camera bị làm sao (không bắt buộc)").fill("Hình đen cả buổi sáng")
        page.get_by_role("button", name="Gửi phản ánh").click()
        page.wait_for_url("**/phan-anh/PA-**")
        expect(page.locator("body")).to_contain_text("Đã gửi đến Công an Thành phố Hà Nội")
        page.screenshot(path=str(SCREENSHOTS / "camera_report_vi.png"), full_page=True)
        page.goto(f"{live_server.url}/camera/")
        expect(page.locator("#camera-ba-dinh")).to_contain_text("Đã được phản ánh, đang xử lý")
        expect(page.get_by_role("link", name="Báo camera hỏng")).to_have_count(0)
    report = Report.objects.get()
    assert report.agency.code == "cong-an" and "Hình đen cả buổi sáng" in report.description
