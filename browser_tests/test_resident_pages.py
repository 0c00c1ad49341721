"""The residents' pages in real Chromium, phone-sized and in Vietnamese: rating a result,
notifications, 'my reports', the public map and the scorecard."""

from __future__ import annotations

import json

import pytest

from conftest import BA_DINH_SQUARE, GOOD_ANSWER, HOAN_KIEM_LAKE, photo_file
from notify.models import Notification
from reports.models import Report
from reports.services import report_accept, report_follow, report_resolve, report_submit
from reports.workflow import Status
from routing.models import Category

from .conftest import SCREENSHOTS, assert_accessible, open_page, sign_in


@pytest.fixture
def resolved(submit, officer_a, live_server) -> Report:
    report = submit(title="Ổ gà lớn trước số 12 Tràng Thi")
    report_accept(actor=officer_a, report=report)
    report_resolve(actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()])
    return report


def test_alice_rates_unsatisfied_and_the_report_reopens(resolved, alice, live_server):
    code = resolved.tracking_code
    with open_page() as page:
        sign_in(page, live_server.url, "alice", f"/phan-anh/{code}/")
        page.get_by_role("heading", name="Đánh giá kết quả xử lý").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "report_rate_vi.png"), full_page=True)
        assert_accessible(page)
        # Keyboard: the choices and the button are real controls with labels.
        page.get_by_role("radio", name="Chưa hài lòng").check()
        page.get_by_role("button", name="Gửi đánh giá").click()
        alert = page.get_by_role("alert")
        alert.wait_for()
        assert "Hãy cho đơn vị biết" in alert.inner_text()
        assert_accessible(page)
        page.get_by_role("radio", name="Chưa hài lòng").check()
        page.get_by_label("Ý kiến (bắt buộc nếu chưa hài lòng)").fill(
            "Ổ gà vẫn còn, chỉ đổ tạm ít đá."
        )
        page.get_by_label("Ý kiến (bắt buộc nếu chưa hài lòng)").press("Tab")
        page.keyboard.press("Enter")  # the focused submit button
        page.locator(".badge", has_text="Mở lại").first.wait_for()
        assert page.get_by_role("status").is_visible()
        timeline = page.locator("ol.timeline").inner_text()
        assert "Mở lại: người dân chưa hài lòng" in timeline
        assert "Ổ gà vẫn còn, chỉ đổ tạm ít đá." in timeline
        page.screenshot(path=str(SCREENSHOTS / "report_reopened_vi.png"), full_page=True)
    resolved.refresh_from_db()
    assert resolved.status == Status.REOPENED


def test_bob_sees_no_rating_form_on_alices_report(resolved, bob, live_server):
    code = resolved.tracking_code
    with open_page() as page:
        sign_in(page, live_server.url, "bob", f"/phan-anh/{code}/")
        page.get_by_role("heading", name="Quá trình xử lý").wait_for()
        assert page.get_by_role("button", name="Gửi đánh giá").count() == 0
        response = page.request.post(
            f"{live_server.url}/phan-anh/{code}/danh-gia/",
            form={"satisfied": "yes"},
            headers={"Referer": live_server.url},
        )
        assert response.status in (403, 404)
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED


def test_notifications_and_my_reports(resolved, alice, bob, live_server):
    report_follow(actor=alice, report=_bobs_report(bob))
    unread = Notification.objects.filter(user=alice, read_at__isnull=True).count()
    assert unread == 3  # routed, accepted, resolved
    with open_page() as page:
        sign_in(page, live_server.url, "alice", "/phan-anh-cua-toi/")
        page.get_by_role("heading", name="Phản ánh của tôi").wait_for()
        assert page.locator(".unread-count").inner_text().startswith("3")
        assert page.locator("ul.own").get_by_text("Ổ gà lớn trước số 12 Tràng Thi").is_visible()
        assert page.locator("ul.followed").get_by_text("Cây đổ ở phố Phan Đình Phùng").is_visible()
        assert page.locator("ul.own .badge", has_text="Đã xử lý").is_visible()
        page.screenshot(path=str(SCREENSHOTS / "my_reports_vi.png"), full_page=True)
        assert_accessible(page)

        page.get_by_role("link", name="Thông báo").click()
        page.get_by_role("heading", name="Thông báo").wait_for()
        assert page.locator("li.unread").count() == 3
        assert page.get_by_text("đã được xử lý: mời bạn kiểm tra và đánh giá kết quả").is_visible()
        assert page.locator(".unread-count").count() == 0
        page.screenshot(path=str(SCREENSHOTS / "notifications_vi.png"), full_page=True)
        assert_accessible(page)
        page.reload()
        assert page.locator("li.unread").count() == 0
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()


def _bobs_report(bob) -> Report:
    return report_submit(
        reporter=bob,
        category=Category.objects.get(code="rac-thai-ve-sinh"),
        lat=BA_DINH_SQUARE[0],
        lon=BA_DINH_SQUARE[1],
        title="Cây đổ ở phố Phan Đình Phùng",
        description="Cây đổ chắn nửa lòng đường.",
        files=[photo_file()],
    )


def test_public_map_shows_a_point_without_the_reporter(submit, alice, live_server):
    report = submit(title="Rác thải tràn ra vỉa hè phố Hàng Bài")
    submit(title="Phản ánh riêng tư", is_public=False)
    lat, lon = HOAN_KIEM_LAKE
    with open_page() as page:
        # City zoom: one cluster counting the one public report.
        page.goto(f"{live_server.url}/ban-do/")
        page.locator("#map[data-state=loaded][data-mode=clusters]").wait_for()
        # No tile URL configured: the 126 ward boundaries are the base map.
        page.locator("#map[data-wards=loaded][data-tiles=none]").wait_for()
        assert page.evaluate("window.CongDanSo.publicMap.wardsLayer.getLayers().length") == 126
        cluster = page.locator(".map-cluster")
        assert cluster.count() == 1 and cluster.inner_text() == "1"
        assert "1 phản ánh trong khu vực này." in page.get_by_role("status").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "map_city_vi.png"), full_page=True)
        assert_accessible(page)

        # Street zoom: the report itself, with a popup linking to its page.
        page.goto(f"{live_server.url}/ban-do/?lat={lat}&lon={lon}&zoom=16")
        page.locator("#map[data-state=loaded][data-mode=points][data-wards=loaded]").wait_for()
        marker = page.get_by_role("button", name="Rác thải tràn ra vỉa hè phố Hàng Bài")
        marker.focus()
        page.keyboard.press("Enter")  # markers are keyboard-reachable
        link = page.locator(".leaflet-popup").get_by_role(
            "link", name="Rác thải tràn ra vỉa hè phố Hàng Bài"
        )
        link.wait_for()
        assert link.get_attribute("href") == f"/phan-anh/{report.tracking_code}/"
        assert page.get_by_role("button", name="Phản ánh riêng tư").count() == 0
        page.screenshot(path=str(SCREENSHOTS / "map_street_vi.png"), full_page=True)
        assert_accessible(page)
        html = page.content()
        api = page.request.get(
            f"{live_server.url}/api/reports/map?bbox={lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}&zoom=16"
        )
        data = api.json()
        raw = json.dumps(data, ensure_ascii=False)
        link.click()
        page.get_by_role("heading", name="Rác thải tràn ra vỉa hè phố Hàng Bài").wait_for()
    for secret in ("Alice", "+84912345678", "0912345678"):
        assert secret not in html and secret not in raw
    assert [p["title"] for p in data["points"]] == ["Rác thải tràn ra vỉa hè phố Hàng Bài"]


def test_map_filters_reload_the_data(submit, officer_a, live_server):
    report_accept(actor=officer_a, report=submit(title="Đã tiếp nhận"))
    submit(title="Mới chuyển")
    lat, lon = HOAN_KIEM_LAKE
    with open_page() as page:
        page.goto(f"{live_server.url}/ban-do/?lat={lat}&lon={lon}&zoom=16")
        page.locator("#map[data-state=loaded][data-mode=points][data-wards=loaded]").wait_for()
        assert page.locator(".map-point").count() == 2
        page.get_by_label("Trạng thái").select_option(label="Đã tiếp nhận")
        page.get_by_role("button", name="Lọc").click()
        page.wait_for_function("document.querySelectorAll('.map-point').length === 1")
        assert page.get_by_role("button", name="Đã tiếp nhận").count() == 1


def test_scorecard_page(resolved, live_server):
    with open_page() as page:
        page.goto(f"{live_server.url}/bang-xep-hang/")
        page.get_by_role("heading", name="Bảng xếp hạng các đơn vị").wait_for()
        row = page.get_by_role("row", name="UBND Phường Hoàn Kiếm")
        assert row.locator("td.received").inner_text() == "1"
        assert row.locator("td.handled").inner_text() == "1"
        page.screenshot(path=str(SCREENSHOTS / "scorecard_vi.png"), full_page=True)
        assert_accessible(page)
        page.get_by_role("link", name="Đơn vị").click()
        page.wait_for_url("**/bang-xep-hang/?sort=name")
        assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Đơn vị")
        page.get_by_label("Thời gian").select_option(label="30 ngày qua")
        page.get_by_role("button", name="Lọc").click()
        page.wait_for_url("**period=30**")
        assert page.get_by_role("row", name="UBND Phường Hoàn Kiếm").is_visible()
