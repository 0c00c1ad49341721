"""The resident's notification settings page, the push subscription endpoint, the admin's view
of failed deliveries."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from notify.models import ChannelPreference, Delivery, Notification, PushSubscription
from notify.testing import Subscriber

SETTINGS = "/tai-khoan/thong-bao/"
SUBSCRIBE = "/tai-khoan/thong-bao/dang-ky-day/"


def test_settings_show_the_defaults_then_save(client, alice):
    client.force_login(alice)
    page = client.get(SETTINGS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="email" id="id_email" checked' in page
    assert 'name="sms" id="id_sms">' in page  # SMS is off until chosen
    assert "+84912345678" in page
    response = client.post(SETTINGS, {"sms": "on", "push": "on"})
    assert response.status_code == 302 and response["Location"] == SETTINGS + "?saved=1"
    pref = ChannelPreference.objects.get(user=alice)
    assert (pref.email, pref.sms, pref.push) == (False, True, True)
    page = client.get(SETTINGS + "?saved=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your notification settings were saved." in page
    assert 'name="sms" id="id_sms" checked' in page


def test_sms_without_a_phone_is_refused_and_nothing_changes(client, bob):
    client.force_login(bob)
    response = client.post(SETTINGS, {"sms": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Add a phone number to your account to get SMS." in response.content.decode()
    assert not ChannelPreference.objects.filter(user=bob).exists()


def subscription_json(endpoint="https://fcm.googleapis.com/fcm/send/abc123", sub=None):
    sub = sub or Subscriber()
    return {"endpoint": endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth_b64}}


def test_push_subscription_is_saved_for_the_person(client, alice, bob):
    client.force_login(alice)
    body = subscription_json()
    response = client.post(
        SUBSCRIBE, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 201
    assert response.json() == {"message": "Push notifications are on for this browser."}
    sub = PushSubscription.objects.get()
    assert (sub.user, sub.endpoint, sub.p256dh) == (alice, body["endpoint"], body["keys"]["p256dh"])
    # The same browser, now used by bob: the subscription follows the person signed in.
    client.force_login(bob)
    assert (
        client.post(SUBSCRIBE, json.dumps(body), content_type="application/json").status_code == 201
    )
    assert PushSubscription.objects.get().user == bob


@pytest.mark.parametrize(
    ("change", "what"),
    [
        ({"endpoint": "http://push.example.com/x"}, "endpoint"),
        ({"endpoint": "javascript:alert(1)"}, "endpoint"),
        ({"keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "p256dh"),
        ({"keys": {"p256dh": Subscriber().p256dh, "auth": "short"}}, "auth"),
    ],
)
def test_a_bad_subscription_is_refused_with_a_reason(client, alice, change, what):
    client.force_login(alice)
    body = {**subscription_json(), **change}
    response = client.post(
        SUBSCRIBE, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"error": f"The browser sent an invalid push subscription ({what})."}
    assert not PushSubscription.objects.exists()


def test_not_json_is_refused(client, alice):
    client.force_login(alice)
    response = client.post(
        SUBSCRIBE, "{not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"error": "The browser sent an invalid push subscription."}


def test_push_subscribe_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(
        SUBSCRIBE, json.dumps(subscription_json()), content_type="application/json"
    )
    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_admin_lists_failed_deliveries_with_their_error(client, alice):
    admin = User.objects.create_superuser("root", password="correct horse battery", email="r@x.vn")
    n = Notification.objects.create(user=alice, kind="k", title="T", created_at=timezone.now())
    Delivery.objects.create(
        notification=n, channel="sms", status="gave_up", attempts=5,
        last_error="SmsError: provider answered 503", created_at=timezone.now(),
    )  # fmt: skip
    Delivery.objects.create(
        notification=n, channel="email", status="sent", created_at=timezone.now()
    )
    client.force_login(admin)
    page = client.get(
        "/admin/notify/delivery/?status__exact=gave_up", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "SmsError: provider answered 503" in page
    assert "1 delivery" in page
