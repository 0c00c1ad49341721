"""The Zalo channel through its webhook: signed events in, a conversation, the OA's messages
out (to a local server speaking the OA API's JSON)."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from conftest import HOAN_KIEM_LAKE, photo_file
from intake import zalo
from intake.models import ZaloContact, ZaloEvent, ZaloReply
from intake.testing import event, signed
from notify.models import Delivery
from reports.models import Report
from reports.services import report_accept, report_resolve

pytestmark = pytest.mark.django_db
URL = "/kenh/zalo/webhook/"


def post(client, payload=None, *, body=None, signature=None):
    if payload is not None:
        body, good = signed(payload)
        signature = good if signature is None else signature
    headers = {"HTTP_X_ZEVENT_SIGNATURE": signature} if signature else {}
    return client.post(URL, data=body, content_type="application/json", **headers)


@pytest.fixture
def say(client, zalo_server, run_on_commit, media_root):
    """Send one event through the webhook and handle it as the worker would; returns the
    replies the resident received on Zalo for it."""

    def _say(name="user_send_text", user="2468", **kwargs):
        before = len(zalo_server.texts_to(user))
        payload = event(name, user=user, **kwargs)
        response = run_on_commit(post, client, payload)
        assert response.status_code == 200, response.content
        for stored in ZaloEvent.objects.filter(handled_at__isnull=True):
            run_on_commit(zalo.event_handle, event_id=stored.pk)
        for reply in ZaloReply.objects.filter(status="pending"):
            zalo.reply_send(reply_id=reply.pk)
        return zalo_server.texts_to(user)[before:]

    return _say


def location(lat, lon):
    return [
        {
            "type": "location",
            "payload": {"coordinates": {"latitude": str(lat), "longitude": str(lon)}},
        }
    ]


def image(server, name="p1.jpg", content=None):
    server.media[name] = content if content is not None else photo_file().read()
    return [{"type": "image", "payload": {"url": f"{server.base}/media/{name}", "thumbnail": ""}}]


def test_conversation_files_a_report_in_four_messages(say, zalo_server, serving_model):
    first = say(text="Rác thải đổ bừa bãi đầy vỉa hè đầu ngõ, bốc mùi hôi thối")
    assert "Gửi ảnh" in " ".join(first) or "ảnh" in " ".join(first)
    say("user_send_image", attachments=image(zalo_server))
    summary = say("user_send_location", attachments=location(*HOAN_KIEM_LAKE))
    assert "CÓ" in summary[-1] and "Ảnh: 1" in summary[-1]
    done = say(text="có")
    report = Report.objects.get()
    assert report.channel == "zalo"
    assert report.ward.code == "00070"
    assert report.media.count() == 1
    assert report.tracking_code in done[0]
    contact = ZaloContact.objects.get(zalo_user_id="2468")
    assert report.reporter == contact.user and contact.state == "idle"
    # Four messages from the resident, first to tracking code (the target is five at most).
    assert ZaloEvent.objects.count() == 4


def test_an_address_instead_of_a_location_goes_to_the_coordinators(say, zalo_server, serving_model):
    say(text="Đèn đường hỏng cả tuần nay, tối om không ai sửa")
    say("user_send_image", attachments=image(zalo_server))
    say(text="Số 12 ngõ 5 phố Hàng Bài")
    say(text="co")
    report = Report.objects.get()
    assert report.lat is None and report.address == "Số 12 ngõ 5 phố Hàng Bài"
    assert report.agency.code == "dieu-phoi"


def test_a_fake_photo_is_refused_and_nothing_is_stored(say, zalo_server, serving_model):
    say(text="Rác thải đổ bừa bãi đầy vỉa hè đầu ngõ")
    say("user_send_image", attachments=image(zalo_server, "fake.jpg", b"<html>not a photo</html>"))
    say("user_send_location", attachments=location(*HOAN_KIEM_LAKE))
    answer = say(text="có")
    assert Report.objects.count() == 0
    assert "HUỶ" in answer[-1]
    # The resident cancels: the conversation starts over.
    say(text="huỷ")
    assert ZaloContact.objects.get().draft == {}


def test_a_photo_from_another_host_is_never_fetched(say, serving_model):
    say(text="Rác thải đổ bừa bãi đầy vỉa hè đầu ngõ")
    say(
        "user_send_image",
        attachments=[{"type": "image", "payload": {"url": "http://169.254.169.254/latest"}}],
    )
    say("user_send_location", attachments=location(*HOAN_KIEM_LAKE))
    answer = say(text="có")
    assert Report.objects.count() == 0
    assert "không đến từ Zalo" in answer[0]


def test_a_location_outside_the_city_is_refused(say, serving_model):
    say(text="Rác thải đổ bừa bãi đầy vỉa hè đầu ngõ")
    answer = say("user_send_location", attachments=location(10.776, 106.700))  # Sài Gòn
    assert "Hà Nội" in answer[0]
    assert ZaloContact.objects.get().state == "place"


def test_bad_or_missing_signature_is_401_and_nothing_stored(client, zalo_server):
    payload = event("user_send_text", text="xin chào")
    body, good = signed(payload)
    assert post(client, body=body, signature=None).status_code == 401
    assert post(client, body=body, signature="mac=" + "0" * 64).status_code == 401
    tampered = body.replace("xin chào".encode(), "tạm biệt".encode())
    assert post(client, body=tampered, signature=good).status_code == 401
    assert ZaloEvent.objects.count() == 0


def test_malformed_json_is_400_and_nothing_stored(client, zalo_server):
    response = post(client, body=b"{not json", signature="mac=00")
    assert response.status_code == 400
    assert ZaloEvent.objects.count() == 0


def test_an_old_signed_event_replayed_is_refused(client, zalo_server):
    payload = event(
        "user_send_text", text="xin chào", timestamp_ms=int((time.time() - 7200) * 1000)
    )
    assert post(client, payload).status_code == 401
    assert ZaloEvent.objects.count() == 0


def test_the_same_message_twice_is_handled_once(client, zalo_server, run_on_commit):
    payload = event("user_send_text", text="Rác thải ngập ngõ", msg_id="same-1")
    assert run_on_commit(post, client, payload).content == b"queued"
    assert run_on_commit(post, client, payload).content == b"duplicate"
    assert ZaloEvent.objects.count() == 1
    stored = ZaloEvent.objects.get()
    assert zalo.event_handle(event_id=stored.pk)
    assert zalo.event_handle(event_id=stored.pk) == []


def test_events_we_do_not_handle_are_acknowledged_not_stored(client, zalo_server):
    assert post(client, event("follow")).content == b"ignored"
    assert ZaloEvent.objects.count() == 0


def test_status_changes_and_the_rating_request_reach_zalo(
    say, zalo_server, serving_model, officer_a, run_on_commit, run_worker
):
    say(text="Rác thải đổ bừa bãi đầy vỉa hè đầu ngõ, bốc mùi")
    say("user_send_image", attachments=image(zalo_server))
    say("user_send_location", attachments=location(*HOAN_KIEM_LAKE))
    say(text="có")
    report = Report.objects.get()
    from conftest import GOOD_ANSWER

    run_on_commit(report_accept, actor=officer_a, report=report)
    run_on_commit(
        report_resolve, actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()]
    )
    run_worker()
    texts = zalo_server.texts_to("2468")
    assert any("đã tiếp nhận" in t and report.tracking_code in t for t in texts)
    resolved = [t for t in texts if "HL" in t and report.tracking_code in t]
    assert resolved, texts
    assert set(Delivery.objects.values_list("channel", flat=True)) >= {"zalo"}
    answer = say(text="HL")
    report.refresh_from_db()
    assert report.status == "closed"
    assert report.tracking_code in answer[0]


def test_a_failed_reply_is_retried_until_zalo_takes_it(say, zalo_server, settings):
    zalo_server.failures = [500, "token"]
    assert say(text="hi") == []  # the menu, one reply
    reply = ZaloReply.objects.get()
    assert reply.status == "failed" and reply.attempts == 1
    ZaloReply.objects.filter(pk=reply.pk).update(next_attempt_at=None)
    assert zalo.reply_send(reply_id=reply.pk) == "failed"  # the token refusal
    ZaloReply.objects.filter(pk=reply.pk).update(next_attempt_at=None)
    assert zalo.reply_send(reply_id=reply.pk) == "sent"
    assert len(zalo_server.texts_to("2468")) == 1


def test_linking_by_phone_code_moves_the_reports_to_the_phone_account(
    say, zalo_server, serving_model, sms_outbox
):
    from accounts.phone import resident_for_phone

    alice = resident_for_phone("+84912345678")  # a resident who signs in by phone code
    say(text="Đèn đường hỏng cả tuần nay, tối om")
    say("user_send_image", attachments=image(zalo_server))
    say(text="Số 12 ngõ 5 phố Hàng Bài")
    say(text="có")
    report = Report.objects.get()
    answer = say(text="liên kết 0912 345 678")
    assert "0912" in answer[0]
    code = next(
        w
        for w in sms_outbox[-1].text.split()
        if w.rstrip(".").isdigit() and len(w.rstrip(".")) == 6
    ).rstrip(".")
    answer = say(text=code)
    report.refresh_from_db()
    assert report.reporter == alice
    assert ZaloContact.objects.get().user == alice
    assert "0912" in answer[0]


def test_an_unknown_phone_is_linked_as_this_accounts_phone(say, sms_outbox):
    say(text="liên kết 0987654321")
    code = next(
        w.rstrip(".")
        for w in sms_outbox[-1].text.split()
        if w.rstrip(".").isdigit() and len(w.rstrip(".")) == 6
    )
    say(text=code)
    assert ZaloContact.objects.get().user.phone == "+84987654321"


def test_a_bad_phone_number_gets_a_clear_answer(say):
    answer = say(text="liên kết 12345")
    assert "số" in answer[0].lower()
    assert ZaloContact.objects.get().state == "idle"


def test_webhook_without_configuration_refuses_everything(client, settings):
    settings.ZALO_OA_SECRET_KEY = ""
    response = client.post(
        URL,
        data=json.dumps({"app_id": "x"}),
        content_type="application/json",
        HTTP_X_ZEVENT_SIGNATURE="mac=00",
    )
    assert response.status_code == 401
    assert reverse("intake:zalo_webhook") == URL


def test_a_form_post_is_a_clear_400(client, zalo_server):
    assert client.post(URL, {"event_name": "user_send_text"}).status_code == 401  # unsigned
    response = client.post(URL, {"event_name": "user_send_text"}, HTTP_X_ZEVENT_SIGNATURE="mac=00")
    assert response.status_code == 400
    assert response.json()["detail"] == "the body is not JSON"
    assert ZaloEvent.objects.count() == 0


def test_text_nothing_recognises_is_filed_under_other(say):
    answer = say(text="qwerty zxcvb plugh xyzzy")
    assert "Khác" in answer[0]
    assert ZaloContact.objects.get().draft["category"] == "khac"
