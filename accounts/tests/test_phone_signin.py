"""Residents sign in with their phone number and a one-time code sent by SMS."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import translation

from accounts import phone as phone_signin
from accounts.models import PhoneCode, User
from notify.sms import SmsError

START = "/dang-nhap/so-dien-thoai/"
VERIFY = "/dang-nhap/so-dien-thoai/ma/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
MOMENT = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


def code_from(sms_outbox, index: int = -1) -> str:
    match = re.search(r"\b(\d{6})\b", sms_outbox[index].text)
    assert match, sms_outbox[index].text
    return match.group(1)


def ask_code(client: Client, phone: str = "0987 654 321", **extra):
    return client.post(START, {"phone": phone, **extra}, **EN)


def enter_code(client: Client, code: str, **extra):
    return client.post(VERIFY, {"code": code, **extra}, **EN)


# --- the phone number ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["0912345678", "+84 912 345 678", "84912345678", "091-234-5678"])
def test_usual_spellings_of_a_mobile_number_give_one_e164_number(raw):
    assert phone_signin.parse_phone(raw) == "+84912345678"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Hãy nhập số điện thoại di động của bạn."),
        ("0912 345 67a", "Số điện thoại chỉ gồm các chữ số, ví dụ 0912 345 678."),
        ("12345", "Số điện thoại không hợp lệ. Hãy kiểm tra lại, ví dụ 0912 345 678."),
        ("024 3826 1234", "Hãy nhập số di động Việt Nam: mã được gửi bằng tin nhắn SMS."),
        ("+1 650 253 0000", "Hãy nhập số di động Việt Nam: mã được gửi bằng tin nhắn SMS."),
    ],
)
def test_invalid_phone_gets_a_clear_message_in_vietnamese_and_sends_nothing(
    client, sms_outbox, raw, message
):
    response = client.post(START, {"phone": raw}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert sms_outbox == []
    assert not PhoneCode.objects.exists()


# --- the code -----------------------------------------------------------------------------------


def test_the_sms_carries_the_code_in_vietnamese_without_accents(client, sms_outbox, clock):
    response = client.post(START, {"phone": "0987654321"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    [sms] = sms_outbox
    code = code_from(sms_outbox)
    assert sms.to == "+84987654321"
    assert sms.text == (f"Ma dang nhap Cong dan so: {code}. Hieu luc 5 phut. Khong chia se ma nay.")
    record = PhoneCode.objects.get()
    # Only a keyed hash is kept, never the code.
    assert code not in record.code_hash
    assert (record.phone, record.expires_at) == ("+84987654321", MOMENT + timedelta(minutes=5))


def test_the_sms_text_in_english(sms_outbox, clock):
    with translation.override("en"):
        phone_signin.phone_code_request(phone_raw="0987654321", ip="10.0.0.1")
    code = code_from(sms_outbox)
    assert sms_outbox[0].text == (
        f"Digital Citizen sign-in code: {code}. Valid for 5 minutes. Do not share this code."
    )


def test_a_new_phone_gets_one_account_and_the_next_sign_in_finds_it(client, sms_outbox, clock):
    assert ask_code(client, next="/bao-cao/").status_code == 302
    response = enter_code(client, code_from(sms_outbox), next="/bao-cao/")
    assert response.status_code == 302
    assert response["Location"] == "/bao-cao/"
    user = User.objects.get(phone="+84987654321")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert user.username == "sdt84987654321"
    assert not user.has_usable_password()

    clock.shift(timedelta(minutes=10))
    again = Client()
    ask_code(again)
    response = enter_code(again, code_from(sms_outbox))
    assert response.status_code == 302
    assert again.session[SESSION_KEY] == str(user.pk)
    assert User.objects.filter(phone="+84987654321").count() == 1


def test_an_existing_resident_with_that_phone_signs_in(client, alice, sms_outbox, clock):
    ask_code(client, "0912 345 678")
    enter_code(client, code_from(sms_outbox))
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_a_code_is_used_once(client, sms_outbox, clock):
    ask_code(client)
    code = code_from(sms_outbox)
    enter_code(client, code)
    other = Client()
    # Another browser that knows the same phone and code (it was typed there too).
    session = other.session
    session["phone_signin"] = {"phone": "+84987654321"}
    session.save()
    response = enter_code(other, code)
    assert response.status_code == 400
    assert "This code has expired or was already used. Ask for a new code." in (
        response.content.decode()
    )
    assert SESSION_KEY not in other.session


def test_a_code_expires_after_5_minutes(client, sms_outbox, clock):
    ask_code(client)
    clock.shift(timedelta(minutes=5))
    response = enter_code(client, code_from(sms_outbox))
    assert response.status_code == 400
    assert "This code has expired or was already used." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_code_just_before_expiry_works(client, sms_outbox, clock):
    ask_code(client)
    clock.shift(timedelta(minutes=4, seconds=59))
    assert enter_code(client, code_from(sms_outbox)).status_code == 302


def test_five_wrong_codes_kill_the_code(client, sms_outbox, clock):
    ask_code(client)
    right = code_from(sms_outbox)
    wrong = "000000" if right != "000000" else "111111"
    messages = [enter_code(client, wrong).content.decode() for _ in range(4)]
    for left, page in zip([4, 3, 2], messages, strict=False):
        assert f"This code is not right. {left} tries left." in page
    assert "This code is not right. 1 try left." in messages[3]
    response = enter_code(client, wrong)
    assert "Too many wrong codes: this code can no longer be used." in response.content.decode()
    # The right code is now refused as well.
    response = enter_code(client, right)
    assert response.status_code == 400
    assert "Too many wrong codes: this code can no longer be used." in response.content.decode()
    assert PhoneCode.objects.get().attempts == 5
    assert SESSION_KEY not in client.session


def test_malformed_code_gets_a_clear_error_and_counts_nothing(client, sms_outbox, clock):
    ask_code(client)
    response = enter_code(client, "12ab")
    assert response.status_code == 400
    assert "Enter the 6 digits of the code we sent by SMS." in response.content.decode()
    assert PhoneCode.objects.get().attempts == 0


def test_a_new_code_waits_60_seconds_and_replaces_the_earlier_one(client, sms_outbox, clock):
    ask_code(client)
    first = code_from(sms_outbox)
    clock.shift(timedelta(seconds=20))
    response = client.post(VERIFY, {"resend": "1"}, **EN)
    assert response.status_code == 429
    assert response["Retry-After"] == "40"
    assert "A code was just sent. Wait 40 seconds before asking for another." in (
        response.content.decode()
    )
    assert len(sms_outbox) == 1
    clock.shift(timedelta(seconds=40))
    response = client.post(VERIFY, {"resend": "1"}, **EN)
    assert response.status_code == 200
    assert "A new code was sent. The earlier code no longer works." in response.content.decode()
    second = code_from(sms_outbox)
    assert len(sms_outbox) == 2
    if first != second:
        assert enter_code(client, first).status_code == 400
    assert enter_code(client, second).status_code == 302


def test_staff_phone_is_refused(client, officer_a, sms_outbox, clock):
    officer_a.phone = "+84987654321"
    officer_a.save(update_fields=["phone"])
    ask_code(client)
    response = enter_code(client, code_from(sms_outbox))
    assert response.status_code == 400
    assert "This phone number belongs to a staff account." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert User.objects.filter(phone="+84987654321").count() == 1


def test_sms_failure_gives_a_clear_error_and_leaves_no_usable_code(
    client, settings, sms_outbox, clock, monkeypatch
):
    def broken(*, to, text):
        raise SmsError("gateway down")

    monkeypatch.setattr(phone_signin, "send_sms", broken)
    response = ask_code(client)
    assert response.status_code == 400
    assert "The SMS could not be sent. Try again in a moment." in response.content.decode()
    assert not PhoneCode.objects.exists()
    assert "phone_signin" not in client.session


def test_the_code_page_without_a_phone_goes_back_to_the_first_step(client):
    response = client.get(VERIFY + "?next=/bao-cao/")
    assert response.status_code == 302
    assert response["Location"] == START + "?next=%2Fbao-cao%2F"


def test_a_foreign_next_is_ignored(client, sms_outbox, clock):
    ask_code(client)
    response = enter_code(client, code_from(sms_outbox), next="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_pages_show_the_phone_and_the_code_field(client, sms_outbox, clock):
    page = client.get(START, **EN).content.decode()
    assert 'type="tel"' in page
    ask_code(client)
    page = client.get(VERIFY, **EN).content.decode()
    assert "<strong>0987 654 321</strong>" in page
    assert 'inputmode="numeric" autocomplete="one-time-code"' in page
    # The phone is in the session only, never in a form field.
    assert "987654321" not in re.sub(r"<strong>.*?</strong>", "", page)


# --- rate limits --------------------------------------------------------------------------------


def test_code_requests_are_limited_per_phone(client, settings, sms_outbox, clock):
    settings.RATE_LIMITS = {"phone-code-send:phone": (2, 3600)}
    for _ in range(2):
        assert ask_code(Client()).status_code == 302
        clock.shift(timedelta(seconds=61))
    response = ask_code(client)
    assert response.status_code == 429
    assert response["Retry-After"] == str(3600 - 5 * 60 - 122)
    assert "Too many sign-in codes were requested. Try again in 53 minutes." in (
        response.content.decode()
    )
    assert len(sms_outbox) == 2


def test_code_requests_are_limited_per_address(client, settings, sms_outbox, clock):
    settings.RATE_LIMITS = {"phone-code-send:ip": (2, 3600)}
    assert ask_code(client, "0987 654 321").status_code == 302
    assert ask_code(client, "0912 345 678").status_code == 302
    response = ask_code(client, "0903 123 456")
    assert response.status_code == 429
    assert response["Retry-After"] == str(55 * 60)
    assert len(sms_outbox) == 2
    # Another address may still ask.
    assert ask_code(Client(REMOTE_ADDR="10.1.1.1"), "0903 123 456").status_code == 302


def test_code_checks_are_limited_per_phone(client, settings, sms_outbox, clock):
    settings.RATE_LIMITS = {"phone-code-check:phone": (2, 3600)}
    ask_code(client)
    right = code_from(sms_outbox)
    wrong = "000000" if right != "000000" else "111111"
    enter_code(client, wrong)
    enter_code(client, wrong)
    response = enter_code(client, right)
    assert response.status_code == 429
    assert response["Retry-After"] == str(55 * 60)
    assert "Too many codes were tried. Try again in 55 minutes." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_code_checks_are_limited_per_address(client, settings, sms_outbox, clock):
    settings.RATE_LIMITS = {"phone-code-check:ip": (1, 3600)}
    ask_code(client)
    right = code_from(sms_outbox)
    enter_code(client, "000000" if right != "000000" else "111111")
    response = enter_code(client, right)
    assert response.status_code == 429
    assert "Too many codes were tried." in response.content.decode()


def test_right_codes_from_one_address_do_not_use_up_its_ceiling(settings, sms_outbox, clock):
    """Residents behind one carrier address who type their right code all sign in; only
    wrong codes count against the address's ceiling."""
    settings.RATE_LIMITS = {"phone-code-check:ip": (2, 3600)}
    for number in ("0987 654 321", "0912 345 678", "0903 123 456", "0904 222 333"):
        resident = Client()
        ask_code(resident, number)
        response = enter_code(resident, code_from(sms_outbox))
        assert response.status_code == 302, number
        assert SESSION_KEY in resident.session
    late = Client()
    ask_code(late, "0905 444 555")
    right = code_from(sms_outbox)
    wrong = "000000" if right != "000000" else "111111"
    assert enter_code(late, wrong).status_code == 400
    assert enter_code(late, wrong).status_code == 400
    response = enter_code(late, right)
    assert response.status_code == 429
    assert "Too many codes were tried." in response.content.decode()
    assert SESSION_KEY not in late.session
