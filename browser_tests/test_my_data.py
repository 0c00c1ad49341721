"""A resident's personal data page in Chromium, in Vietnamese: what we hold, a refused
confirmation word, then deleting the account (signed out, the report stays, anonymous)."""

from __future__ import annotations

from playwright.sync_api import expect

from accounts.models import User
from reports.models import Report

from .conftest import SCREENSHOTS, assert_accessible, open_page, sign_in


def test_resident_sees_her_data_and_deletes_her_account(submit, alice, live_server):
    report = submit(title="Cây đổ chắn ngõ 8")
    with open_page() as page:
        sign_in(page, live_server.url, "alice", "/tai-khoan/du-lieu-cua-toi/")
        page.get_by_role("heading", name="Dữ liệu cá nhân của tôi").wait_for()
        expect(page.locator(".profile")).to_contain_text("+84912345678")
        expect(page.locator(".my-data-reports")).to_contain_text(report.tracking_code)
        page.screenshot(path=str(SCREENSHOTS / "my_data_vi.png"), full_page=True)
        assert_accessible(page)

        page.get_by_label("Gõ XOÁ để xác nhận").fill("xoa nhe")
        page.get_by_role("button", name="Xoá tài khoản của tôi").click()
        expect(page.get_by_role("alert")).to_contain_text("Gõ XOÁ để xác nhận.")

        page.get_by_label("Gõ XOÁ để xác nhận").fill("XOÁ")
        page.get_by_role("button", name="Xoá tài khoản của tôi").click()
        page.get_by_role("link", name="Đăng nhập").wait_for()  # signed out
    kept = Report.objects.get(pk=report.pk)
    gone = User.objects.get(pk=alice.pk)
    assert kept.reporter_id == alice.pk and kept.title == "Cây đổ chắn ngõ 8"
    assert (gone.is_active, gone.phone, gone.full_name) == (False, "", "")
