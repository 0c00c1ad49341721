"""A resident signs in with VNeID in Chromium, in Vietnamese: our sign-in page, the real test
provider's login and consent pages (testing/oidc_provider, its own process), back to us."""

from __future__ import annotations

from urllib.parse import urlparse

from accounts import vneid
from accounts.models import ExternalIdentity, User
from browser_tests.conftest import SCREENSHOTS, assert_accessible, open_page
from testing.oidc_provider.harness import PASSWORD, oidc_provider  # noqa: F401

NEXT = "/tai-khoan/du-lieu-cua-toi/"
AN_SUB = "001099012345"


def _at_provider(page, provider, *, allow: bool, username: str = "an") -> None:
    page.wait_for_url(lambda url: url.startswith(provider.issuer.rsplit("/o", 1)[0]))
    if urlparse(page.url).path == "/accounts/login/":
        page.get_by_label("Số định danh").fill(username)
        page.get_by_label("Mật khẩu VNeID").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập VNeID").click()
    page.locator("#allow" if allow else "#deny").click()


def test_resident_signs_in_with_vneid(live_server, settings, oidc_provider):  # noqa: F811
    settings.VNEID_ISSUER = oidc_provider.issuer
    settings.VNEID_CLIENT_ID = oidc_provider.client_id
    settings.VNEID_CLIENT_SECRET = oidc_provider.client_secret
    base = live_server.url
    with open_page() as page:
        page.goto(f"{base}/dang-nhap/?next={NEXT}")
        assert_accessible(page)
        page.locator('a[href^="/dang-nhap/vneid/"]').click()
        _at_provider(page, oidc_provider, allow=True)
        page.wait_for_url(f"{base}{NEXT}")
        page.get_by_role("button", name="Đăng xuất").wait_for()
        assert "Nguyễn Văn An" in page.content()

        # Signed out, then in again: the provider remembers its own session, asks consent.
        page.get_by_role("button", name="Đăng xuất").click()
        page.goto(f"{base}/dang-nhap/?next={NEXT}")
        page.locator('a[href^="/dang-nhap/vneid/"]').click()
        _at_provider(page, oidc_provider, allow=True)
        page.wait_for_url(f"{base}{NEXT}")
        page.get_by_role("button", name="Đăng xuất").click()

        # Refusing consent at the provider: back on our sign-in page, told so, signed out.
        page.goto(f"{base}/dang-nhap/")
        page.locator('a[href^="/dang-nhap/vneid/"]').click()
        _at_provider(page, oidc_provider, allow=False)
        page.wait_for_url(lambda url: urlparse(url).path == "/dang-nhap/")
        notice = page.get_by_role("status")
        assert notice.inner_text().strip() == "Đăng nhập bằng VNeID đã bị hủy. Bạn chưa đăng nhập."
        assert_accessible(page)

        # A forged callback (state not ours): refused with a message on the sign-in page.
        page.goto(f"{base}/dang-nhap/vneid/callback/?state=forged&code=stolen")
        page.wait_for_url(lambda url: urlparse(url).path == "/dang-nhap/")
        assert page.get_by_role("status").inner_text().strip() == (
            "Không kiểm tra được lượt đăng nhập VNeID này (đã hết hạn hoặc được mở hai lần). "
            "Vui lòng bắt đầu lại."
        )
        page.screenshot(path=SCREENSHOTS / "vneid-refused.png", full_page=True)
        assert page.get_by_role("button", name="Đăng xuất").count() == 0

    identity = ExternalIdentity.objects.get()
    assert identity.subject_hash == vneid.subject_hash(issuer=oidc_provider.issuer, subject=AN_SUB)
    assert AN_SUB not in identity.subject_hash
    resident = User.objects.get(external_identities=identity)
    assert resident.full_name == "Nguyễn Văn An"
    assert resident.phone == "+84912345678"
    assert User.objects.filter(username__startswith="vneid-").count() == 1


def test_vneid_without_a_verified_phone_is_offered_the_link_by_phone_code(
    live_server,
    settings,
    oidc_provider,  # noqa: F811
    sms_outbox,
):
    """Bình's VNeID does not vouch for her phone; she signed in by SMS code before. After the
    VNeID sign-in she is offered the link, types her phone and the code, and is one account."""
    import re

    settings.VNEID_ISSUER = oidc_provider.issuer
    settings.VNEID_CLIENT_ID = oidc_provider.client_id
    settings.VNEID_CLIENT_SECRET = oidc_provider.client_secret
    by_phone = User(username="sdt84987654321", phone="+84987654321")
    by_phone.set_unusable_password()
    by_phone.save()
    base = live_server.url
    with open_page() as page:
        page.goto(f"{base}/dang-nhap/?next={NEXT}")
        page.locator('a[href^="/dang-nhap/vneid/"]').click()
        _at_provider(page, oidc_provider, allow=True, username="binh")
        page.wait_for_url(lambda url: urlparse(url).path == "/tai-khoan/lien-ket-so-dien-thoai/")
        assert (
            "VNeID chưa xác nhận số điện thoại của bạn" in page.locator("#link-offer").inner_text()
        )
        assert_accessible(page)
        page.get_by_label("Số điện thoại di động").fill("0987 654 321")
        page.get_by_role("button", name="Gửi mã").click()
        page.wait_for_url(lambda url: urlparse(url).path.endswith("/ma/"))
        code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
        page.get_by_label("Mã trong tin nhắn SMS").fill(code)
        page.get_by_role("button", name="Liên kết số này").click()
        page.wait_for_url(f"{base}{NEXT}")
        assert "Đã liên kết số điện thoại 0987 654 321" in page.get_by_role("status").inner_text()
        page.screenshot(path=SCREENSHOTS / "vneid-phone-linked.png", full_page=True)
    identity = ExternalIdentity.objects.get()
    assert identity.user == by_phone and identity.linked_via == "phone_code"
    assert User.objects.filter(username__startswith="vneid-", is_active=True).count() == 0
