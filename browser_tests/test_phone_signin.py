"""A resident signs in with a phone number in Chromium, in Vietnamese: from the sign-in page to
the phone step, the code read from the SMS (the test's SMS outbox), a wrong code refused, then
the right one lands her signed in on the page she came from."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from playwright.sync_api import expect

from accounts.models import User
from notify import sms

from .conftest import SCREENSHOTS, assert_accessible, open_page


def test_resident_signs_in_with_phone_and_sms_code(live_server, sms_outbox):
    with open_page() as page:
        page.goto(f"{live_server.url}/dang-nhap/?next=/phan-anh-cua-toi/")
        page.get_by_role("link", name="Đăng nhập bằng số điện thoại").click()
        page.get_by_role("heading", name="Đăng nhập bằng số điện thoại").wait_for()
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "phone_start_vi.png"), full_page=True)

        page.get_by_label("Số điện thoại di động").fill("0987 654 321")
        page.get_by_role("button", name="Gửi mã").click()
        page.wait_for_url(lambda url: urlparse(url).path == "/dang-nhap/so-dien-thoai/ma/")
        expect(page.locator("main")).to_contain_text("0987 654 321")
        # The live server runs in a thread of this process: its SMS are in the same list.
        [message] = sms.outbox
        assert message.to == "+84987654321"
        code = re.search(r"\b(\d{6})\b", message.text).group(1)
        assert_accessible(page)

        field = page.get_by_label("Mã trong tin nhắn SMS")
        assert field.get_attribute("inputmode") == "numeric"
        assert field.get_attribute("autocomplete") == "one-time-code"
        field.fill("000000" if code != "000000" else "111111")
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
        expect(page.locator("#code-error")).to_have_text("Mã không đúng. Còn 4 lần thử.")
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "phone_verify_vi.png"), full_page=True)

        page.get_by_label("Mã trong tin nhắn SMS").fill(code)
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
        page.wait_for_url(lambda url: urlparse(url).path == "/phan-anh-cua-toi/")
        page.get_by_role("button", name="Đăng xuất").wait_for()
    user = User.objects.get(phone="+84987654321")
    assert not user.has_usable_password()
    assert not user.memberships.exists()
