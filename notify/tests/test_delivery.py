"""Delivery through the channels a person chose: e-mail to a real local SMTP server, SMS to the
outbox, Web Push to a local push service that verifies the VAPID signature and decrypts the
message; sending once however often the task runs; retries with back-off; muting."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notify import services
from notify.models import Channel, ChannelPreference, Delivery, Notification, PushSubscription
from notify.services import deliveries_retry_due, delivery_send, notify_staff
from reports.services import report_accept, report_follow

REPORT_TITLE = "Rác thải tràn ra vỉa hè"


@pytest.fixture
def alice_email(alice):
    alice.email = "alice@example.vn"
    alice.save(update_fields=["email"])
    return alice


def deliveries(user, channel=None):
    qs = Delivery.objects.filter(notification__user=user).order_by("id")
    if channel:
        qs = qs.filter(channel=channel)
    return list(qs)


def test_routing_emails_the_reporter_through_smtp(
    run_on_commit, run_worker, smtp_inbox, submit, alice_email
):
    report = run_on_commit(submit)
    [delivery] = deliveries(alice_email)
    assert (delivery.channel, delivery.status) == ("email", "pending")
    run_worker()
    assert len(smtp_inbox) == 1
    message = smtp_inbox[0]
    assert message.rcpt_tos == ["alice@example.vn"]
    assert message["To"] == "alice@example.vn"
    assert message["Subject"].strip() == (
        f"Phản ánh {report.tracking_code} đã được chuyển đến UBND Phường Hoàn Kiếm"
    )
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = f"https://congdanso.example.vn/phan-anh/{report.tracking_code}/"
    assert REPORT_TITLE in text and link in text
    assert f'href="{link}"' in html and REPORT_TITLE in html
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None


def test_a_task_run_twice_sends_one_email(run_on_commit, smtp_inbox, submit, alice_email):
    run_on_commit(submit)
    [delivery] = deliveries(alice_email)
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    # The second run (a retried task, a second worker) finds the row no longer pending.
    assert delivery_send(delivery_id=delivery.pk) is None
    assert len(smtp_inbox) == 1


def test_the_queue_holding_the_task_twice_still_sends_once(
    run_on_commit, run_worker, smtp_inbox, submit, alice_email
):
    from notify.tasks import send_delivery

    run_on_commit(submit)
    [delivery] = deliveries(alice_email)
    send_delivery.enqueue(delivery.pk)  # a duplicate beside the one notify_event queued
    run_worker()
    assert len(smtp_inbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_sms_is_unaccented_one_part_with_the_link(
    run_on_commit, run_worker, sms_outbox, submit, alice, settings
):
    settings.SITE_URL = "https://cds.vn"
    ChannelPreference.objects.create(user=alice, email=True, sms=True, push=False)
    report = run_on_commit(submit)
    run_worker()
    [sms] = sms_outbox
    assert sms.to == "+84912345678"
    assert sms.text == (
        f"Phan anh {report.tracking_code} da duoc chuyen den UBND Phuong Hoan Kiem "
        f"https://cds.vn/phan-anh/{report.tracking_code}/"
    )
    assert deliveries(alice)[0].status == "sent"


def test_a_long_sms_is_cut_in_the_title_never_in_the_link(
    run_on_commit, sms_outbox, alice, settings
):
    settings.SITE_URL = "https://cds.vn"
    ChannelPreference.objects.create(user=alice, email=False, sms=True, push=False)
    run_on_commit(
        notify_staff,
        users=[alice],
        kind="alert",
        title="Cảnh báo ngập úng " * 20,
        url="/canh-bao/7/",
        dedupe_key="alert:7",
    )
    [delivery] = deliveries(alice)
    delivery_send(delivery_id=delivery.pk)
    [sms] = sms_outbox
    assert len(sms.text) == 160
    assert sms.text.startswith("Canh bao ngap ung Canh bao")
    assert sms.text.endswith("... https://cds.vn/canh-bao/7/")


def test_channels_follow_the_preference_and_what_the_person_can_receive(
    run_on_commit, alice, bob, push_service
):
    # alice: phone, no e-mail; bob: e-mail, no phone, a browser subscription.
    bob.email = "bob@example.vn"
    bob.save(update_fields=["email"])
    endpoint, sub = push_service.endpoint("bob")
    PushSubscription.objects.create(
        user=bob, endpoint=endpoint, p256dh=sub.p256dh, auth=sub.auth_b64
    )
    ChannelPreference.objects.create(user=alice, email=True, sms=True, push=True)
    run_on_commit(
        notify_staff, users=[alice, bob], kind="alert", title="Mất nước", dedupe_key="a:1"
    )
    assert [d.channel for d in deliveries(alice)] == ["sms"]
    assert [d.channel for d in deliveries(bob)] == ["email", "push"]
    ChannelPreference.objects.create(user=bob, email=False, sms=True, push=False)
    run_on_commit(notify_staff, users=[bob], kind="alert", title="Mất điện", dedupe_key="a:2")
    assert [d.channel for d in deliveries(bob)] == ["email", "push"]  # nothing for a:2
    assert Notification.objects.filter(user=bob).count() == 2  # in-app is always on


def test_web_push_is_signed_and_encrypted_for_the_subscriber(
    run_on_commit, run_worker, push_service, submit, alice, vapid
):
    endpoint, subscriber = push_service.endpoint("alice-phone")
    PushSubscription.objects.create(
        user=alice, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth_b64
    )
    report = run_on_commit(submit)
    run_worker()
    assert push_service.refused == []
    [message] = push_service.received
    assert message.path == "/push/alice-phone"
    assert message.claims["aud"] == push_service.origin
    assert message.claims["sub"] == "mailto:admin@congdanso.example.vn"
    assert (
        message.payload["title"]
        == f"Phản ánh {report.tracking_code} đã được chuyển đến UBND Phường Hoàn Kiếm"
    )
    assert message.payload["body"] == (
        f"{REPORT_TITLE}\nRác thải, vệ sinh môi trường do cấp xã xử lý: Phường Hoàn Kiếm"
    )
    assert message.payload["url"].endswith(f"/phan-anh/{report.tracking_code}/")
    assert deliveries(alice, Channel.PUSH)[0].status == "sent"


def test_a_push_signed_with_another_key_is_refused_by_the_push_service(
    run_on_commit, push_service, alice, settings
):
    from notify.testing import VapidKeys

    endpoint, subscriber = push_service.endpoint("alice-phone")
    PushSubscription.objects.create(
        user=alice, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth_b64
    )
    settings.VAPID_PRIVATE_KEY = VapidKeys.generate().private  # not the key the service knows
    run_on_commit(notify_staff, users=[alice], kind="alert", title="Mất nước", dedupe_key="a:1")
    [delivery] = deliveries(alice, Channel.PUSH)
    assert delivery_send(delivery_id=delivery.pk) == "failed"
    assert push_service.received == []
    delivery.refresh_from_db()
    assert "401" in delivery.last_error


def test_a_gone_subscription_is_deleted(run_on_commit, push_service, alice):
    endpoint, subscriber = push_service.endpoint("old-phone")
    PushSubscription.objects.create(
        user=alice, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth_b64
    )
    push_service.gone.add("/push/old-phone")
    run_on_commit(notify_staff, users=[alice], kind="alert", title="Mất nước", dedupe_key="a:1")
    [delivery] = deliveries(alice, Channel.PUSH)
    assert delivery_send(delivery_id=delivery.pk) == "gave_up"
    assert not PushSubscription.objects.filter(user=alice).exists()
    delivery.refresh_from_db()
    assert delivery.last_error == "the person has no push subscription any more"


def test_failures_back_off_then_give_up(run_on_commit, smtp_inbox, alice_email, settings):
    settings.EMAIL_PORT = 1  # nothing listens there: every attempt fails
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        run_on_commit(
            notify_staff, users=[alice_email], kind="k", title="Hạn xử lý", dedupe_key="d:1"
        )
        [delivery] = deliveries(alice_email)
        assert delivery_send(delivery_id=delivery.pk) == "failed"
        expected = []
        for attempt, wait in enumerate([1, 5, 25, 125], start=1):
            delivery.refresh_from_db()
            assert delivery.attempts == attempt
            assert delivery.next_attempt_at == timezone.now() + timedelta(minutes=wait)
            assert "Error" in delivery.last_error
            clock.shift(timedelta(minutes=wait) - timedelta(seconds=1))
            assert deliveries_retry_due() == []  # not yet due
            assert delivery_send(delivery_id=delivery.pk) is None
            clock.shift(timedelta(seconds=1))
            with_due = run_on_commit(deliveries_retry_due)
            assert with_due == [delivery.pk]
            expected.append(delivery_send(delivery_id=delivery.pk))
        assert expected == ["failed", "failed", "failed", "gave_up"]
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.next_attempt_at) == (5, None)
        clock.shift(timedelta(days=1))
        assert deliveries_retry_due() == []
    assert smtp_inbox == []


def test_a_retry_succeeds_once_the_server_is_back(
    run_on_commit, run_worker, smtp_inbox, alice_email, settings
):
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1
    with time_machine.travel(timezone.now(), tick=False) as clock:
        run_on_commit(
            notify_staff, users=[alice_email], kind="k", title="Hạn xử lý", dedupe_key="d:1"
        )
        run_worker()
        [delivery] = deliveries(alice_email)
        assert (delivery.status, delivery.attempts) == ("failed", 1)
        settings.EMAIL_PORT = port
        clock.shift(timedelta(minutes=1))
        from notify.tasks import retry_deliveries

        run_on_commit(retry_deliveries.call)
        run_worker()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert [m["Subject"] for m in smtp_inbox] == ["Hạn xử lý"]


def test_a_worker_that_died_mid_send_is_taken_back_after_the_lease(
    run_on_commit, smtp_inbox, alice_email
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        run_on_commit(
            notify_staff, users=[alice_email], kind="k", title="Quá hạn", dedupe_key="o:1"
        )
        [delivery] = deliveries(alice_email)
        # Claimed by a worker that was killed before it sent.
        assert services._claim(delivery.pk, timezone.now())
        assert delivery_send(delivery_id=delivery.pk) is None  # another worker keeps off
        clock.shift(services.sending_lease() + timedelta(seconds=1))
        assert deliveries_retry_due() == []  # taken back, due after its back-off
        delivery.refresh_from_db()
        assert (delivery.status, delivery.last_error) == (
            "failed",
            "the worker stopped while sending",
        )
        clock.shift(timedelta(minutes=1))
        assert deliveries_retry_due() == [delivery.pk]
        assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert len(smtp_inbox) == 1


def test_a_muted_report_notifies_nobody_who_muted_it(
    run_on_commit, smtp_inbox, submit, alice_email, bob, officer_a
):
    report = run_on_commit(submit)
    report_follow(actor=bob, report=report)
    client = Client()
    client.force_login(alice_email)
    response = client.post(
        reverse("notify:report_mute", args=[report.tracking_code]), {"muted": "1"}
    )
    assert response.status_code == 302
    run_on_commit(report_accept, actor=officer_a, report=report)
    assert list(Notification.objects.filter(user=alice_email).values_list("kind", flat=True)) == [
        "route"
    ]
    assert len(deliveries(alice_email)) == 1  # the route e-mail only
    assert Notification.objects.filter(user=bob, kind="accept").count() == 1
    # Unmuted: the next step reaches her again.
    client.post(reverse("notify:report_mute", args=[report.tracking_code]), {"muted": "0"})
    page = client.get(
        reverse("citizen:report_detail", args=[report.tracking_code]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert b"Stop notifications about this report" in page.content


def test_the_report_page_shows_the_muted_state(client, submit, alice):
    report = submit()
    client.force_login(alice)
    url = reverse("citizen:report_detail", args=[report.tracking_code])
    client.post(reverse("notify:report_mute", args=[report.tracking_code]), {"muted": "1"})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You get no notifications about this report." in page
    assert "Notify me about this report again" in page


def test_email_off_means_no_email(run_on_commit, submit, alice_email):
    ChannelPreference.objects.create(user=alice_email, email=False, sms=False, push=False)
    run_on_commit(submit)
    assert deliveries(alice_email) == []
    assert mail.outbox == []
