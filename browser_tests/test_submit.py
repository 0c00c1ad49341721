"""The residents' reporting flow in real Chromium: photos, a map pin, the ward shown before
sending, the tracking code after; "me too" on a report nearby; and sending while offline."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from conftest import photo_file
from reports.models import Report, ReportFollower
from reports.services import report_submit
from routing.models import Category

from .conftest import SCREENSHOTS, assert_accessible, open_page

PASSWORD = "correct horse battery"  # noqa: S105 (the test cast's, see conftest.py)
# The submit page's map opens centred here (basemap.js's default centre): a click in the
# middle of the map drops the pin in Phường Hoàn Kiếm.
MAP_CENTRE = (21.0285, 105.8542)
SENT = re.compile(r"Đã gửi\. Mã phản ánh: (PA-\d{4}-\d{6})")


def jpeg(name: str) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": photo_file(name).read()}


def sign_in_to_submit(page: Page, base: str) -> None:
    page.goto(f"{base}/dang-nhap/?next=/gui-phan-anh/")
    page.get_by_label("Tên đăng nhập").fill("alice")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Gửi phản ánh").wait_for()
    page.locator("#submit-map.leaflet-container[data-wards=loaded]").wait_for()


def drop_pin_in_the_middle(page: Page) -> None:
    the_map = page.locator("#submit-map")
    box = the_map.bounding_box()
    the_map.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.locator("#submit-map .leaflet-marker-icon").wait_for()


def test_resident_sends_a_report_with_two_photos_and_a_pin(live_server, alice, media_root):
    with open_page() as page:
        sign_in_to_submit(page, live_server.url)
        page.locator("#gallery").set_input_files([jpeg("truoc.jpg"), jpeg("gan.jpg")])
        expect(page.locator("#previews img")).to_have_count(2)
        expect(page.get_by_role("img", name="Ảnh 2")).to_be_visible()

        drop_pin_in_the_middle(page)
        expect(page.locator("#location-status")).to_have_text("Phường Hoàn Kiếm")

        page.get_by_label("Địa chỉ").fill("Đầu ngõ 12 Hàng Bài")
        page.get_by_label("Mô tả vấn đề").fill("Rác thải tồn đọng nhiều ngày, bốc mùi hôi")
        # The description suggests the category; taking the suggestion selects it.
        suggestion = page.locator("#suggestions").get_by_role(
            "button", name=re.compile("Rác thải, vệ sinh môi trường")
        )
        suggestion.click()
        expect(page.get_by_role("radio", name=re.compile("Rác thải, vệ sinh"))).to_be_checked()
        page.screenshot(path=str(SCREENSHOTS / "submit_filled_vi.png"), full_page=True)
        assert_accessible(page)

        page.get_by_role("button", name="Gửi phản ánh").click()
        sent = page.get_by_role("link", name=SENT)
        sent.wait_for()
        code = SENT.search(sent.inner_text()).group(1)
        page.screenshot(path=str(SCREENSHOTS / "submit_sent_vi.png"), full_page=True)
        assert_accessible(page)
        # Keyboard: the file buttons, GPS button, ward list and send button are all reachable.
        for control in ("#gallery", "#camera", "#use-gps", "#ward", "#send"):
            assert page.locator(control).evaluate("e => e.tabIndex >= 0 && !e.disabled")

    report = Report.objects.get()
    assert report.tracking_code == code
    assert report.reporter == alice
    assert report.ward.code == "00070"
    assert report.category.code == "rac-thai-ve-sinh"
    assert abs(report.lat - MAP_CENTRE[0]) < 0.001 and abs(report.lon - MAP_CENTRE[1]) < 0.001
    assert report.address == "Đầu ngõ 12 Hàng Bài"
    photos = list(report.media.all())
    assert len(photos) == 2
    assert all(m.content_type == "image/jpeg" for m in photos)


def test_existing_report_nearby_is_offered_and_me_too_follows_it(
    live_server, alice, bob, waste, media_root
):
    existing = report_submit(
        reporter=bob,
        category=waste,
        lat=MAP_CENTRE[0],
        lon=MAP_CENTRE[1],
        title="Rác chất đống trên vỉa hè Đinh Tiên Hoàng",
        description="Rác chất đống ba ngày chưa thu gom.",
        files=[photo_file()],
    )
    with open_page() as page:
        sign_in_to_submit(page, live_server.url)
        drop_pin_in_the_middle(page)
        # The category search ignores diacritics: "rac thai" finds "Rác thải".
        page.get_by_label("Tìm lĩnh vực").fill("ve sinh")
        expect(page.get_by_text("Hạ tầng giao thông")).to_be_hidden()
        expect(page.get_by_text("Ô nhiễm môi trường")).to_be_hidden()
        page.get_by_role("radio", name=re.compile("Rác thải, vệ sinh")).check()

        nearby = page.get_by_role("region", name="Đã có người phản ánh gần đây")
        expect(nearby.get_by_role("link", name=existing.title)).to_be_visible()
        expect(nearby).to_contain_text("Đã chuyển đơn vị xử lý")
        page.screenshot(path=str(SCREENSHOTS / "submit_nearby_vi.png"), full_page=True)
        assert_accessible(page)
        nearby.get_by_role("button", name="Tôi cũng gặp vấn đề này").click()
        expect(nearby).to_contain_text(f"Bạn đang theo dõi {existing.tracking_code}")

        page.goto(f"{live_server.url}/phan-anh/{existing.tracking_code}/")
        expect(page.locator("dd.followers")).to_have_text("2 người theo dõi phản ánh này")

    assert Report.objects.count() == 1
    assert ReportFollower.objects.filter(report=existing, user=alice).exists()


def test_report_composed_offline_waits_then_is_sent_once(live_server, alice, media_root):
    assert Category.objects.filter(code="rac-thai-ve-sinh").exists()
    with open_page() as page:
        sign_in_to_submit(page, live_server.url)
        # The service worker must control the page before the network goes.
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
        page.context.set_offline(True)

        page.locator("#camera").set_input_files([jpeg("offline.jpg")])
        expect(page.locator("#previews img")).to_have_count(1)
        drop_pin_in_the_middle(page)
        expect(page.locator("#location-status")).to_contain_text("ngoại tuyến")
        page.get_by_label("Mô tả vấn đề").fill("Rác đổ trộm ở góc phố, không có mạng để gửi")
        page.get_by_role("radio", name=re.compile("Rác thải, vệ sinh")).check()
        page.get_by_role("button", name="Gửi phản ánh").click()
        expect(page.locator("#queue-status")).to_have_text("Đang chờ gửi: 1")
        page.screenshot(path=str(SCREENSHOTS / "submit_offline_vi.png"), full_page=True)
        assert_accessible(page)

        # Still offline, the page comes from the service worker's cache with the queue.
        page.reload()
        expect(page.locator("#queue-status")).to_have_text("Đang chờ gửi: 1")
        # Keep a copy of the queued report to send it a second time later.
        page.evaluate("CongDanSoQueue.all().then(r => { window.copy = r[0]; })")

        page.context.set_offline(False)
        sent = page.get_by_role("link", name=SENT)
        sent.wait_for()
        code = SENT.search(sent.inner_text()).group(1)
        expect(page.locator("#queue-status")).to_be_hidden()

        # The same report again (as a reload racing Background Sync would): stored once.
        again = page.evaluate(
            "CongDanSoQueue.add(window.copy).then(() => CongDanSoQueue.flush())"
            ".then(r => r.map(x => x.tracking_code))"
        )
        assert again == [code]
        page.reload()
        page.get_by_role("link", name=SENT).first.wait_for()
        expect(page.locator("#queue-status")).to_be_hidden()

    report = Report.objects.get()
    assert report.tracking_code == code
    assert report.media.count() == 1
    assert report.ward.code == "00070"


def jpeg_with_gps(lat: float, lon: float) -> dict:
    """A phone-like JPEG whose EXIF carries the GPS position where it was taken."""
    import io
    from fractions import Fraction

    from PIL import Image

    def dms(x: float):
        d = int(x)
        m = int((x - d) * 60)
        return (
            Fraction(d),
            Fraction(m),
            Fraction((x - d - m / 60) * 3600).limit_denominator(10_000),
        )

    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: dms(lat), 3: "E", 4: dms(lon)}
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 120, 200)).save(buf, "JPEG", exif=exif.tobytes())
    return {"name": "gps.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}


def test_location_comes_from_the_photos_exif_and_the_gps_is_not_uploaded(
    live_server, alice, media_root
):
    from PIL import Image

    with open_page() as page:
        sign_in_to_submit(page, live_server.url)
        page.locator("#gallery").set_input_files([jpeg_with_gps(21.0368, 105.8347)])
        expect(page.locator("#location-status")).to_have_text("Vị trí lấy từ ảnh. Phường Ba Đình")
        page.get_by_label("Mô tả vấn đề").fill("Rác thải bừa bãi quanh quảng trường")
        page.get_by_role("radio", name=re.compile("Rác thải, vệ sinh")).check()
        page.get_by_role("button", name="Gửi phản ánh").click()
        page.get_by_role("link", name=SENT).wait_for()

    report = Report.objects.get()
    assert report.ward.code == "00004"
    assert abs(report.lat - 21.0368) < 0.0001 and abs(report.lon - 105.8347) < 0.0001
    # The browser re-encoded the photo: the upload carries no EXIF position.
    with report.media.get().file.open("rb") as f, Image.open(f) as image:
        assert 0x8825 not in image.getexif()


def test_keyboard_alone_places_the_pin(live_server, alice):
    with open_page() as page:
        sign_in_to_submit(page, live_server.url)
        page.locator("#use-gps").focus()
        page.keyboard.press("Tab")  # from the GPS button to the map
        assert page.evaluate("document.activeElement.id") == "submit-map"
        page.keyboard.press("Enter")
        expect(page.locator("#location-status")).to_have_text("Phường Hoàn Kiếm")


def test_without_the_map_the_resident_picks_a_ward_from_the_list(live_server, alice, media_root):
    with open_page() as page:
        sign_in_to_submit(page, live_server.url)
        page.locator("#gallery").set_input_files([jpeg("a.jpg")])
        page.get_by_text("Không dùng được bản đồ").click()
        page.get_by_label("Phường hoặc xã").select_option(label="Phường Ba Đình")
        expect(page.locator("#location-status")).to_contain_text("Phường Ba Đình")
        page.get_by_label("Địa chỉ").fill("Số 2 Hùng Vương")
        page.get_by_label("Mô tả vấn đề").fill("Rác thải bừa bãi trên vỉa hè")
        page.get_by_role("radio", name=re.compile("Rác thải, vệ sinh")).check()
        assert_accessible(page)
        page.get_by_role("button", name="Gửi phản ánh").click()
        page.get_by_role("link", name=SENT).wait_for()

    report = Report.objects.get()
    assert report.ward.code == "00004"
    assert report.address == "Số 2 Hùng Vương"


def test_queued_report_refused_by_the_server_says_why_and_can_be_discarded(
    live_server, alice, media_root
):
    broken = {"name": "hong.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0 broken"}
    with open_page() as page:
        sign_in_to_submit(page, live_server.url)
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
        page.context.set_offline(True)
        # The browser cannot decode it either, so it goes as it is (and the server refuses it).
        page.locator("#gallery").set_input_files([broken])
        drop_pin_in_the_middle(page)
        page.get_by_label("Mô tả vấn đề").fill("Ảnh hỏng gửi lúc không có mạng")
        page.get_by_role("radio", name=re.compile("Rác thải, vệ sinh")).check()
        page.get_by_role("button", name="Gửi phản ánh").click()
        expect(page.locator("#queue-status")).to_have_text("Đang chờ gửi: 1")

        page.context.set_offline(False)
        refused = page.locator("#sent-list li.error")
        expect(refused).to_contain_text("không phải ảnh thật")
        expect(page.locator("#queue-status")).to_be_hidden()
        assert_accessible(page)
        refused.get_by_role("button", name="Bỏ phản ánh này").click()
        expect(refused).to_have_count(0)
        assert page.evaluate("CongDanSoQueue.count()") == 0

    assert Report.objects.count() == 0
