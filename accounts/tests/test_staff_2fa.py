"""Staff sign in with a password and a TOTP code; residents with a password alone. Wrong
passwords lock the user name (from that address) for a while; wrong codes are throttled; an
idle staff session ends."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PASSWORD = "correct horse battery"
LOGIN = "/dang-nhap/"
CODE_PAGE = "/dang-nhap/ma-xac-thuc/"
SETUP_PAGE = "/tai-khoan/xac-thuc-hai-buoc/"
INBOX = "/can-bo/"
# Mid-way through a 30-second TOTP step, so a code stays the current one for the whole test.
START = datetime(2026, 11, 24, 2, 0, 10, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    right = current_code(device)
    return "000000" if right != "000000" else "111111"


def sign_in_with_password(client, username: str, next_url: str = INBOX, **extra):
    return client.post(
        LOGIN, {"username": username, "password": PASSWORD, "next": next_url}, **EN, **extra
    )


def present_enrolment_code(client, user) -> None:
    """The one-time code an administrator issued, typed on the set-up page."""
    from accounts.enrolment import staff_enrolment_issue

    issued = staff_enrolment_issue(actor=None, user=user, channel="command")
    response = client.post(SETUP_PAGE, {"enrolment_code": issued.code}, **EN)
    assert response.status_code == 302, response.content.decode()[:300]


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_officer_with_password_only_is_sent_to_the_code_page(client, officer_a, clock):
    confirmed_device(officer_a)
    response = sign_in_with_password(client, "officer_a")
    assert response.status_code == 302
    assert response["Location"] == f"{CODE_PAGE}?next={quote(INBOX, safe='')}"
    # Signed in, but the workspace still asks for the code.
    assert client.session[SESSION_KEY] == str(officer_a.pk)
    response = client.get(INBOX, **EN)
    assert response.status_code == 302
    assert response["Location"] == f"{CODE_PAGE}?next={quote(INBOX, safe='')}"


def test_wrong_code_is_refused_and_the_right_code_opens_the_workspace(client, officer_a, clock):
    device = confirmed_device(officer_a)
    sign_in_with_password(client, "officer_a")
    response = client.post(CODE_PAGE, {"otp_token": wrong_code(device), "next": INBOX}, **EN)
    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()
    assert client.get(INBOX, **EN).status_code == 302

    clock.shift(timedelta(seconds=2))  # past the 1-second wait after one wrong code
    response = client.post(CODE_PAGE, {"otp_token": current_code(device), "next": INBOX}, **EN)
    assert response.status_code == 302
    assert response["Location"] == INBOX
    assert client.get(INBOX, **EN).status_code == 200


def test_code_guessing_is_throttled(client, officer_a, clock):
    device = confirmed_device(officer_a)
    sign_in_with_password(client, "officer_a")
    client.post(CODE_PAGE, {"otp_token": wrong_code(device), "next": INBOX}, **EN)
    # Even the right code is refused while the wait after a wrong one runs.
    response = client.post(CODE_PAGE, {"otp_token": current_code(device), "next": INBOX}, **EN)
    assert response.status_code == 400
    assert "Too many wrong codes. Wait 1 second before trying again." in response.content.decode()
    clock.shift(timedelta(seconds=2))
    client.post(CODE_PAGE, {"otp_token": wrong_code(device), "next": INBOX}, **EN)
    response = client.post(CODE_PAGE, {"otp_token": current_code(device), "next": INBOX}, **EN)
    assert "Wait 2 seconds" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 2
    assert client.get(INBOX, **EN).status_code == 302


def test_malformed_code_gets_a_clear_error_and_counts_nothing(client, officer_a, clock):
    device = confirmed_device(officer_a)
    sign_in_with_password(client, "officer_a")
    response = client.post(CODE_PAGE, {"otp_token": "12ab", "next": INBOX}, **EN)
    assert response.status_code == 400
    assert "Enter the 6 digits shown in your authenticator app." in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_staff_without_an_authenticator_sets_one_up_with_a_real_code(client, leader_a, clock):
    response = sign_in_with_password(client, "leader_a", "/bang-dieu-khien/")
    assert response["Location"] == f"{SETUP_PAGE}?next={quote('/bang-dieu-khien/', safe='')}"
    assert client.get("/bang-dieu-khien/", **EN)["Location"] == response["Location"]
    present_enrolment_code(client, leader_a)

    page = client.get(response["Location"], **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    # A reload shows the same secret: a QR code already scanned stays good.
    assert secret in client.get(response["Location"], **EN).content.decode()
    device = TOTPDevice.objects.get(user=leader_a)
    assert device.confirmed is False
    assert secret.replace(" ", "") == base64.b32encode(device.bin_key).decode().rstrip("=")

    response = client.post(
        SETUP_PAGE, {"otp_token": current_code(device), "next": "/bang-dieu-khien/"}, **EN
    )
    assert response.status_code == 302
    assert response["Location"] == "/bang-dieu-khien/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/bang-dieu-khien/", **EN).status_code == 200


def test_set_up_with_a_wrong_code_leaves_the_authenticator_unconfirmed(client, officer_a, clock):
    sign_in_with_password(client, "officer_a")
    present_enrolment_code(client, officer_a)
    client.get(SETUP_PAGE, **EN)
    device = TOTPDevice.objects.get(user=officer_a)
    response = client.post(SETUP_PAGE, {"otp_token": wrong_code(device), "next": INBOX}, **EN)
    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert client.get(INBOX, **EN)["Location"].startswith(SETUP_PAGE)


def test_staff_with_an_authenticator_cannot_set_up_another_one(client, officer_a, clock):
    confirmed_device(officer_a)
    sign_in_with_password(client, "officer_a")
    response = client.get(SETUP_PAGE + "?next=/can-bo/", **EN)
    assert response["Location"] == f"{CODE_PAGE}?next={quote(INBOX, safe='')}"
    assert TOTPDevice.objects.filter(user=officer_a).count() == 1


def test_resident_is_never_asked_for_a_code(client, alice, clock):
    response = sign_in_with_password(client, "alice", "/phan-anh-cua-toi/")
    assert response.status_code == 302
    assert response["Location"] == "/phan-anh-cua-toi/"
    assert client.get("/phan-anh-cua-toi/", **EN).status_code == 200
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert client.get(CODE_PAGE, **EN)["Location"] == "/"
    # A resident's session lasts the long default; a staff session a working day.
    assert client.session.get_expiry_age() == 14 * 24 * 3600


def test_staff_session_lasts_a_working_day(client, officer_a, clock):
    sign_in_with_password(client, "officer_a")
    assert client.session.get_expiry_age() == 8 * 3600


def test_five_wrong_passwords_lock_the_account_for_15_minutes(client, officer_a, clock):
    for attempt in range(4):
        response = client.post(LOGIN, {"username": "officer_a", "password": "sai"}, **EN)
        assert response.status_code == 200, attempt
    response = client.post(LOGIN, {"username": "officer_a", "password": "sai"}, **EN)
    assert response.status_code == 429
    assert "This account is locked for 15 minutes" in response.content.decode()

    # Even the right password is refused until the cool-off ends.
    response = sign_in_with_password(client, "officer_a")
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    clock.shift(timedelta(minutes=14))
    assert sign_in_with_password(client, "officer_a").status_code == 429

    clock.shift(timedelta(minutes=2))
    response = sign_in_with_password(client, "officer_a")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP_PAGE)


def test_lockout_is_per_user_name_and_address(client, officer_a, alice, clock):
    for _ in range(5):
        client.post(LOGIN, {"username": "officer_a", "password": "sai"}, **EN)
    # Another person at the same address, and the officer from another address, still sign in:
    # a stranger's wrong guesses cannot lock an officer out of the workspace everywhere.
    assert sign_in_with_password(client, "alice", "/").status_code == 302
    client.logout()
    response = sign_in_with_password(client, "officer_a", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302


def test_idle_staff_session_ends_after_30_minutes(client, officer_a, clock):
    client.force_login(officer_a)
    assert client.get(INBOX, **EN).status_code == 200
    clock.shift(timedelta(minutes=20))
    assert client.get(INBOX, **EN).status_code == 200
    clock.shift(timedelta(minutes=20))  # 40 min since sign-in, 20 since the last request
    assert client.get(INBOX, **EN).status_code == 200
    clock.shift(timedelta(minutes=31))
    response = client.get(INBOX, **EN)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={INBOX}"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"], **EN)
    assert "You were signed out after 30 minutes without activity." in page.content.decode()


def test_resident_session_has_no_idle_timeout(client, alice, clock):
    client.force_login(alice)
    clock.shift(timedelta(hours=5))
    assert client.get("/phan-anh-cua-toi/", **EN).status_code == 200


def test_a_removed_authenticator_ends_verification_within_a_minute(client, officer_a, clock):
    client.force_login(officer_a)
    assert client.get(INBOX, **EN).status_code == 200
    TOTPDevice.objects.filter(user=officer_a).delete()
    clock.shift(timedelta(seconds=61))
    response = client.get(INBOX, **EN)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP_PAGE)


# --- enrolment needs a code an administrator issued, not just the password --------------------


def test_password_only_session_sees_no_secret_and_no_page_but_enrolment(client, officer_a, clock):
    sign_in_with_password(client, "officer_a")
    page = client.get(SETUP_PAGE, **EN)
    assert page.status_code == 200
    assert 'id="otp-secret"' not in page.content.decode() and "<svg" not in page.content.decode()
    assert "enrolment code" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=officer_a).exists()
    for path in (INBOX, "/bang-dieu-khien/", "/tai-khoan/du-lieu-cua-toi/", "/phan-anh-cua-toi/"):
        response = client.get(path, **EN)
        assert response.status_code == 302, path
        assert response["Location"].startswith(SETUP_PAGE), path


def test_an_enrolment_code_enrols_once(client, officer_a, clock):
    from django.test import Client

    from accounts.enrolment import staff_enrolment_issue

    issued = staff_enrolment_issue(actor=None, user=officer_a, channel="command")
    sign_in_with_password(client, "officer_a")
    link = issued.url.replace("http://localhost:8000", "")
    assert client.get(link, **EN)["Location"].startswith(SETUP_PAGE)
    assert 'id="otp-secret"' in client.get(SETUP_PAGE, **EN).content.decode()
    other = Client()
    sign_in_with_password(other, "officer_a")
    response = other.post(SETUP_PAGE, {"enrolment_code": issued.code}, **EN)
    assert response.status_code == 400
    assert "This enrolment code is not valid for your account" in response.content.decode()
    assert 'id="otp-secret"' not in other.get(SETUP_PAGE, **EN).content.decode()


def test_expired_or_another_accounts_code_is_refused(client, officer_a, officer_a2, clock):
    from accounts.enrolment import staff_enrolment_issue

    theirs = staff_enrolment_issue(actor=None, user=officer_a2, channel="command")
    mine = staff_enrolment_issue(actor=None, user=officer_a, channel="command")
    sign_in_with_password(client, "officer_a")
    response = client.post(SETUP_PAGE, {"enrolment_code": theirs.code}, **EN)
    assert response.status_code == 400
    assert "This enrolment code is not valid for your account" in response.content.decode()
    clock.shift(timedelta(hours=73))
    from django.test import Client

    later = Client()
    assert sign_in_with_password(later, "officer_a").status_code == 302
    response = later.post(SETUP_PAGE, {"enrolment_code": mine.code}, **EN)
    assert response.status_code == 400, response.get("Location")
    assert 'id="otp-secret"' not in later.get(SETUP_PAGE, **EN).content.decode()
