from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.core.management import call_command

from accounts.models import User
from reports.models import Report
from reports.services import report_accept, report_resolve

from .conftest import SCREENSHOTS, assert_accessible, open_page, pass_second_factor


@pytest.fixture
def two_reports(submit, officer_a, live_server):
    first = submit(title="Rác thải tràn ra vỉa hè phố Hàng Bài")
    second = submit(title="Đèn đường hỏng ở ngõ 5 Lý Thái Tổ")
    from conftest import GOOD_ANSWER, photo_file

    report_accept(actor=officer_a, report=second)
    report_resolve(
        actor=officer_a, report=second, answer=GOOD_ANSWER, files=[photo_file("after.jpg")]
    )
    return first, second


def test_resident_sees_report_list_and_timeline_in_vietnamese(two_reports, live_server):
    with open_page() as page:
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "vi"
        page.get_by_role("heading", name="Phản ánh hiện trường của người dân").wait_for()
        assert page.get_by_text("2 phản ánh").is_visible()
        assert page.get_by_text("Rác thải tràn ra vỉa hè phố Hàng Bài").is_visible()
        assert page.locator(".badge", has_text="Đã chuyển đơn vị xử lý").first.is_visible()
        page.screenshot(path=str(SCREENSHOTS / "report_list_vi.png"), full_page=True)
        assert_accessible(page)

        page.get_by_role("link", name="Đèn đường hỏng ở ngõ 5 Lý Thái Tổ").click()
        page.get_by_role("heading", name="Quá trình xử lý").wait_for()
        timeline = page.locator("ol.timeline").inner_text()
        for step in ("Đã gửi", "Đã chuyển đơn vị", "Đã tiếp nhận", "Đã xử lý"):
            assert step in timeline
        assert "UBND Phường Hoàn Kiếm" in timeline
        # The proof photo is served and decodes in the browser.
        page.screenshot(path=str(SCREENSHOTS / "report_detail_vi.png"), full_page=True)
        assert_accessible(page)
        proof = page.get_by_role("img", name="Ảnh kết quả xử lý")
        assert proof.evaluate("img => img.complete && img.naturalWidth > 0")
        # Residents are anonymous on public pages.
        assert "Alice" not in page.content()


def test_filter_by_status_keeps_only_matching_reports(two_reports, live_server):
    with open_page() as page:
        page.goto(live_server.url + "/")
        page.get_by_label("Trạng thái").select_option(label="Đã xử lý")
        page.get_by_role("button", name="Lọc").click()
        page.wait_for_url(re.compile(r"status=resolved"))
        assert page.get_by_text("1 phản ánh").is_visible()
        assert page.get_by_text("Đèn đường hỏng ở ngõ 5 Lý Thái Tổ").is_visible()
        assert page.get_by_text("Rác thải tràn ra vỉa hè phố Hàng Bài").count() == 0


def test_language_switch_to_english(two_reports, live_server):
    with open_page() as page:
        page.goto(live_server.url + "/")
        page.get_by_role("button", name="EN").click()
        page.get_by_role("heading", name="Reports from residents").wait_for()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator(".badge", has_text="Sent to the handling unit").first.is_visible()


def test_unknown_report_code_is_a_404_page(live_server):
    with open_page() as page:
        response = page.goto(live_server.url + "/phan-anh/PA-2099-999999/")
        assert response.status == 404


def test_admin_signs_in_and_sees_reports(two_reports, live_server):
    User.objects.create_superuser("quantri", "qt@example.org", "mat-khau-quan-tri-2026")
    code = Report.objects.order_by("id").first().tracking_code
    with open_page(width=1280, height=900) as page:
        page.goto(live_server.url + "/admin/")
        page.get_by_label("Tên đăng nhập").fill("quantri")
        page.get_by_label("Mật khẩu").fill("mat-khau-quan-tri-2026")
        page.get_by_role("button", name="Đăng nhập").click()
        # The admin too asks a staff member for the second factor (here: set it up first).
        page.wait_for_url(lambda url: "/admin/login/" not in url)
        assert urlparse(page.url).path == "/tai-khoan/xac-thuc-hai-buoc/"
        pass_second_factor(page, "quantri")
        page.get_by_role("heading", name="Quản trị").first.wait_for(state="attached")
        page.goto(live_server.url + "/admin/reports/report/")
        page.get_by_role("link", name=code).click()
        # The read-only change page shows the report's events (its audit trail).
        page.get_by_text("Phường Hoàn Kiếm").first.wait_for()
        events = page.locator("#events-group").inner_text()
        assert "route" in events and "submit" in events


def test_demo_command_output_opens(live_server, media_root):
    # `seed_demo` needs reference data only; a tiny run proves the demo pages render its data.
    call_command("seed_demo", "--reports", "12", verbosity=0)
    with open_page() as page:
        page.goto(live_server.url + "/")
        text = page.locator("p.count").inner_text()
        assert int(text.split()[0]) > 0
        page.locator("ul.reports li a").first.click()
        page.get_by_role("heading", name="Quá trình xử lý").wait_for()


def test_sign_in_page_is_accessible_and_refuses_a_wrong_password(live_server, alice):
    with open_page() as page:
        page.goto(live_server.url + "/dang-nhap/")
        assert_accessible(page)
        page.get_by_label("Tên đăng nhập").fill("alice")
        page.get_by_label("Mật khẩu").fill("sai mat khau")
        page.get_by_role("button", name="Đăng nhập").click()
        assert page.get_by_role("alert").is_visible()
        page.get_by_label("Mật khẩu").fill("correct horse battery")
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_role("button", name="Đăng xuất").wait_for()
