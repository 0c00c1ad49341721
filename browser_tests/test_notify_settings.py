"""The resident's notification settings in Chromium, in Vietnamese: choosing channels, turning
on push notifications in the browser, then a real Web Push message from the server to a local
push service that checks its VAPID signature and decrypts it."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from notify.models import ChannelPreference, PushSubscription, ReportMute
from notify.services import notify_staff
from notify.testing import PushService, Subscriber, VapidKeys

from .conftest import SCREENSHOTS, assert_accessible, open_page, sign_in


@pytest.fixture
def push_service(settings):
    keys = VapidKeys.generate()
    settings.VAPID_PRIVATE_KEY = keys.private
    settings.VAPID_PUBLIC_KEY = keys.public
    settings.VAPID_SUBJECT = "mailto:admin@congdanso.example.vn"
    settings.SITE_URL = "https://congdanso.example.vn"
    with PushService(keys.public) as service:
        yield service


def fake_subscribe_script(endpoint: str, subscriber: Subscriber) -> str:
    """Headless Chromium cannot reach a real push service (offline, and no Google account), so
    PushManager.prototype.subscribe is replaced, before the page's scripts run, by one that
    answers with a subscription to OUR local push service, whose browser keys the test made.
    Everything else is real: the service worker registration, the page's script, the POST with
    its CSRF token, and the server's signed, encrypted message."""
    subscription = {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": subscriber.p256dh, "auth": subscriber.auth_b64},
    }
    return f"""
        PushManager.prototype.subscribe = function (options) {{
            window.__pushOptions = {{
                userVisibleOnly: options.userVisibleOnly,
                keyLength: new Uint8Array(options.applicationServerKey).length
            }};
            var sub = {json.dumps(subscription)};
            return Promise.resolve({{endpoint: sub.endpoint, toJSON: function () {{ return sub; }}}});
        }};
    """


def test_resident_chooses_channels_and_gets_a_push_message(
    alice, live_server, push_service, sms_outbox
):
    endpoint, subscriber = push_service.endpoint("alice-chromium")
    with open_page() as page:
        page.add_init_script(fake_subscribe_script(endpoint, subscriber))
        sign_in(page, live_server.url, "alice", "/tai-khoan/thong-bao/")
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.locator("#id_email")).to_be_checked()
        expect(page.locator("#id_sms")).not_to_be_checked()
        expect(page.locator(".channel-settings")).to_contain_text("+84912345678")
        assert_accessible(page)

        # alice has a phone but no e-mail: SMS on, e-mail off, push stays on.
        page.locator("#id_sms").check()
        page.locator("#id_email").uncheck()
        page.locator(".channel-settings button[type=submit]").click()
        page.wait_for_url("**/tai-khoan/thong-bao/?saved=1")
        expect(page.locator("p.success[role=status]")).to_be_visible()
        expect(page.locator("#id_sms")).to_be_checked()
        expect(page.locator("#id_email")).not_to_be_checked()

        page.locator("#push-subscribe").click()
        # The server's answer, shown by the page's script (201 → its message, not an error).
        expect(page.locator("#push-status")).not_to_be_empty()
        page.wait_for_function("window.__pushOptions !== undefined")
        options = page.evaluate("window.__pushOptions")
        page.screenshot(path=str(SCREENSHOTS / "notify_settings_vi.png"), full_page=True)
        assert_accessible(page)
    # The page asked for user-visible pushes with our 65-byte VAPID public key.
    assert options == {"userVisibleOnly": True, "keyLength": 65}
    pref = ChannelPreference.objects.get(user=alice)
    assert (pref.email, pref.sms, pref.push) == (False, True, True)
    sub = PushSubscription.objects.get(user=alice)
    assert (sub.endpoint, sub.p256dh, sub.auth) == (
        endpoint,
        subscriber.p256dh,
        subscriber.auth_b64,
    )

    # A message for alice: the live server's tasks run as they are queued (root conftest).
    notify_staff(
        users=[alice],
        kind="alert",
        title="Cảnh báo ngập úng tại phường Hoàn Kiếm",
        body="Tránh phố Hàng Bài từ 17 giờ.",
        url="/",
        dedupe_key="alert:browser",
    )
    assert push_service.refused == []
    [message] = push_service.received
    assert message.path == "/push/alice-chromium"
    assert message.claims["aud"] == push_service.origin
    assert message.payload == {
        "title": "Cảnh báo ngập úng tại phường Hoàn Kiếm",
        "body": "Tránh phố Hàng Bài từ 17 giờ.",
        "url": "https://congdanso.example.vn/",
    }
    # SMS, chosen on the page, too; e-mail, turned off, not.
    assert [m.text for m in sms_outbox] == [
        "Canh bao ngap ung tai phuong Hoan Kiem https://congdanso.example.vn/"
    ]


def test_resident_mutes_her_report_from_its_page(submit, alice, live_server):
    report = submit()
    with open_page() as page:
        sign_in(page, live_server.url, "alice", f"/phan-anh/{report.tracking_code}/")
        box = page.locator("form.mute-box")
        expect(box.locator("input[name=muted]")).to_have_value("1")
        box.locator("button[type=submit]").click()
        page.wait_for_url(f"**/phan-anh/{report.tracking_code}/")
        expect(page.locator("form.mute-box input[name=muted]")).to_have_value("0")
        expect(page.locator("form.mute-box p")).to_be_visible()  # "no notifications" note
        assert_accessible(page)
    assert ReportMute.objects.filter(user=alice, report=report).count() == 1
