"""The operator's page (/can-bo/tiep-nhan/) in real Chromium, in Vietnamese: a hotline operator
sends the resident the consent code, files with what the resident said and a photo, and sees
the tracking code; a ward's community helper who points outside the ward is refused and
nothing is stored."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from accounts.models import User
from conftest import BA_DINH_SQUARE, photo_file
from intake.models import AssistedFiling
from reports.models import Report

from .conftest import SCREENSHOTS, assert_accessible, open_page, sign_in

PAGE = "/can-bo/tiep-nhan/"


def photo() -> dict:
    return {"name": "hien-truong.jpg", "mimeType": "image/jpeg", "buffer": photo_file().read()}


def test_operator_files_for_a_caller_with_the_consent_code(
    operator, live_server, sms_outbox, media_root
):
    upload = photo()
    with open_page() as page:
        sign_in(page, live_server.url, "operator", PAGE)
        page.get_by_role("heading", name="Gửi phản ánh hộ người dân").wait_for()
        expect(page.locator("#helper-scope")).to_contain_text("mọi nơi trong thành phố")
        assert_accessible(page)
        page.locator("#code-phone").fill("0987 654 321")
        page.get_by_role("button", name="Gửi mã xác nhận qua SMS").click()
        expect(page.locator("#code-sent")).to_contain_text("0987 654 321")
        code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
        # The phone travels to the filing form; the operator types what the resident said.
        expect(page.locator("#f-phone")).to_have_value("0987 654 321")
        page.get_by_label("Mã (6 chữ số)").fill(code)
        page.get_by_label("Lĩnh vực").select_option("rac-thai-ve-sinh")
        page.get_by_label("Người dân cho biết").fill(
            "Bà cụ gọi báo rác đổ đầy đầu ngõ 12 ba ngày nay"
        )
        page.locator("#f-ward").select_option("00070")
        page.get_by_label("Địa chỉ").fill("Ngõ 12 phố Hàng Bài")
        page.get_by_label("Ảnh chụp tại hiện trường").set_input_files(upload)
        page.get_by_role("button", name="Gửi phản ánh").click()
        expect(page.locator("#intake-messages")).to_contain_text(
            "Đã gửi hộ người dân. Mã phản ánh: PA-"
        )
        expect(page.locator("#recent-filings")).to_contain_text("xác nhận bằng mã một lần")
        page.screenshot(path=str(SCREENSHOTS / "intake_operator_filed_vi.png"), full_page=True)
        assert_accessible(page)
    report = Report.objects.get()
    assert report.channel == "hotline" and report.reporter == User.objects.get(phone="+84987654321")
    assert AssistedFiling.objects.get().consent == "code"
    assert report.media.count() == 1


def test_helper_pointing_outside_the_ward_is_refused_and_nothing_stored(
    helper_a, live_server, media_root
):
    upload = photo()
    with open_page() as page:
        sign_in(page, live_server.url, "helper_a", PAGE)
        expect(page.locator("#helper-scope")).to_contain_text(
            "chỉ gửi hộ người dân trong phường này"
        )
        page.locator("#f-phone").fill("0987654321")
        page.get_by_label("Người dân đồng ý bằng lời (không có mã): tôi chịu trách nhiệm").check()
        page.get_by_label("Họ tên của bạn (khi người dân đồng ý bằng lời)").fill("Lý Tổ Trưởng")
        page.get_by_label("Lĩnh vực").select_option("rac-thai-ve-sinh")
        page.get_by_label("Người dân cho biết").fill("Rác đổ trộm ở quảng trường")
        page.get_by_text("Toạ độ chính xác (không bắt buộc)").click()
        page.get_by_label("Vĩ độ").fill(str(BA_DINH_SQUARE[0]))
        page.get_by_label("Kinh độ").fill(str(BA_DINH_SQUARE[1]))
        page.get_by_label("Ảnh chụp tại hiện trường").set_input_files(upload)
        page.get_by_role("button", name="Gửi phản ánh").click()
        expect(page.locator("#intake-error")).to_contain_text("ở ngoài phường của bạn")
        # What was typed stays; the photo must be attached again, and the page says so.
        expect(page.get_by_label("Người dân cho biết")).to_have_value("Rác đổ trộm ở quảng trường")
        expect(page.get_by_text("Hãy đính kèm lại ảnh")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "intake_helper_outside_ward_vi.png"), full_page=True)
        assert_accessible(page)
    assert Report.objects.count() == 0
    assert not User.objects.filter(phone="+84987654321").exists()


def test_leader_sees_reports_per_channel_and_who_filed_for_whom(
    operator, city_leader, officer_a, submit, live_server, media_root
):
    from intake.services import assisted_report_file

    web = submit()  # one from the website
    filed = assisted_report_file(
        actor=operator,
        phone_raw="0987654321",
        consent="spoken",
        consent_recorded_by="Vũ Tổng Đài",
        data={
            "category": "rac-thai-ve-sinh",
            "description": "Rác đổ đầy đầu ngõ 12",
            "ward": "00070",
        },
    )
    with open_page() as page:
        sign_in(page, live_server.url, "city_leader", "/bang-dieu-khien/kenh/")
        page.get_by_role("heading", name="Kênh tiếp nhận").wait_for()
        expect(page.locator('tr[data-channel="hotline"] td').first).to_have_text("1")
        expect(page.locator('tr[data-channel="web"] td').first).to_have_text("1")
        expect(page.locator('tr[data-channel="zalo"] td').first).to_have_text("0")
        expect(page.locator("#helper-table")).to_contain_text("Vũ Tổng Đài")
        page.screenshot(path=str(SCREENSHOTS / "dashboard_channels_vi.png"), full_page=True)
        assert_accessible(page)
        # The report itself says how it came and who answers for the consent.
        page.goto(f"{live_server.url}/can-bo/phan-anh/{filed.tracking_code}/")
        expect(page.locator("#report-channel")).to_have_text("Đường dây nóng")
        expect(page.locator("#assisted-filing")).to_contain_text(
            "Không có mã: Vũ Tổng Đài ghi nhận"
        )
        assert_accessible(page)
    with open_page() as page:
        sign_in(page, live_server.url, "officer_a", "/can-bo/")
        page.get_by_label("Kênh").select_option("hotline")
        expect(page.locator("#inbox-list")).to_contain_text(filed.tracking_code)
        # htmx swaps the list: the website's report leaves it.
        expect(page.locator("#inbox-list")).not_to_contain_text(web.tracking_code)
