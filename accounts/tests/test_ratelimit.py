"""Rate limits: the database counter itself, and a 429 with Retry-After and a clear message on
every limited entry point (password sign-in, TOTP code, report submission by API and Open311)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import ratelimit
from accounts.models import RateCounter, User
from conftest import HOAN_KIEM_LAKE, photo_file
from open311.services import api_client_issue
from reports.models import Report

# 09:05 UTC: a 15-minute window started at 09:00 and ends in 10 minutes; an hour's in 55.
MOMENT = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
def test_hits_up_to_the_limit_pass_and_the_next_is_limited_until_the_window_ends(clock):
    for _ in range(3):
        assert ratelimit.hit(key="t:a", limit=3, window_seconds=900) is None
    limited = ratelimit.hit(key="t:a", limit=3, window_seconds=900)
    assert limited == ratelimit.Limited(name="t:a", retry_after=600)
    assert limited.minutes == 10
    # Another key has its own count.
    assert ratelimit.hit(key="t:b", limit=3, window_seconds=900) is None
    clock.move_to(datetime(2026, 3, 2, 9, 15, tzinfo=UTC))
    assert ratelimit.hit(key="t:a", limit=3, window_seconds=900) is None


@pytest.mark.django_db
def test_the_count_is_kept_in_the_database_for_every_process(clock):
    ratelimit.hit(key="t:shared", limit=5, window_seconds=900)
    ratelimit.hit(key="t:shared", limit=5, window_seconds=900)
    row = RateCounter.objects.get(key="t:shared")
    assert (row.count, row.window_start) == (2, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    # Another process sees the same row: set by hand, it decides the next answer.
    RateCounter.objects.filter(pk=row.pk).update(count=5)
    assert ratelimit.hit(key="t:shared", limit=5, window_seconds=900) is not None


@pytest.mark.django_db
def test_old_windows_are_pruned_when_a_new_window_starts(clock):
    RateCounter.objects.create(key="t:old", window_start=MOMENT - timedelta(days=3), count=7)
    RateCounter.objects.create(key="t:recent", window_start=MOMENT - timedelta(hours=2), count=7)
    ratelimit.hit(key="t:new", limit=5, window_seconds=900)
    assert sorted(RateCounter.objects.values_list("key", flat=True)) == ["t:new", "t:recent"]


@pytest.mark.django_db(transaction=True)
def test_processes_counting_in_a_new_window_at_once_lose_no_hit(clock):
    """Four app servers' hits on one key as a window opens: every hit is counted once, and
    exactly the hits over the limit are refused. On PostgreSQL the four run at once and meet
    on the unique key (one inserts, the others wait and add). The SQLite test database is in
    memory, where a second writer is refused instead of queueing, so there they take turns,
    as a file database's writers queue."""
    from django.db import connection

    at_once = connection.vendor == "postgresql"
    start = threading.Barrier(4) if at_once else None
    refused: list[int] = []
    errors: list[BaseException] = []

    def server() -> None:
        try:
            if start is not None:
                start.wait(timeout=10)
            for _ in range(25):
                if ratelimit.hit(key="t:race", limit=60, window_seconds=900) is not None:
                    refused.append(1)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=server) for _ in range(4)]
    for t in threads:
        t.start()
        if not at_once:
            t.join(timeout=30)
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert RateCounter.objects.get(key="t:race").count == 100
    assert len(refused) == 40


@pytest.mark.django_db
def test_settings_override_the_default_limits(settings):
    assert ratelimit.limit_for("password-sign-in:ip") == (30, 900)
    settings.RATE_LIMITS = {"password-sign-in:ip": (2, 60)}
    assert ratelimit.limit_for("password-sign-in:ip") == (2, 60)
    assert ratelimit.limit_for("totp:user") == (15, 900)


def test_no_address_counts_nothing():
    assert ratelimit.check("password-sign-in:ip", None) is None


# --- password sign-in -------------------------------------------------------------------------


@pytest.mark.django_db
def test_password_sign_in_has_a_ceiling_per_address(clock, settings, alice):
    settings.RATE_LIMITS = {"password-sign-in:ip": (3, 900)}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for name in ("a1", "a2", "a3"):
        response = client.post("/dang-nhap/", {"username": name, "password": "wrong"})
        assert response.status_code == 200
    # Even the right password is not tried past the ceiling.
    response = client.post(
        "/dang-nhap/", {"username": "alice", "password": "correct horse battery"}
    )
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "Too many sign-in attempts from this network. Try again in 10 minutes." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    # Another address is not held back.
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.9.8.7")
    response = other.post("/dang-nhap/", {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 302


# --- TOTP code --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_totp_code_page_has_a_ceiling_per_user(clock, settings, officer_a):
    settings.RATE_LIMITS = {"totp:user": (2, 900)}
    device = TOTPDevice.objects.create(user=officer_a, name="phone", confirmed=True)
    right = (
        f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    )
    wrong = "000000" if right != "000000" else "111111"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/dang-nhap/", {"username": "officer_a", "password": "correct horse battery"})
    for _ in range(2):
        response = client.post("/dang-nhap/ma-xac-thuc/", {"otp_token": wrong})
        assert response.status_code == 400
        clock.shift(timedelta(seconds=10))  # past django-otp's own wait after a wrong code
    # Past the ceiling even the right code is not tried.
    response = client.post("/dang-nhap/ma-xac-thuc/", {"otp_token": right})
    assert response.status_code == 429
    assert response["Retry-After"] == "580"
    assert "Too many codes were tried. Try again in 10 minutes." in response.content.decode()
    assert client.get("/can-bo/").status_code == 302


# --- report submission: the JSON API -----------------------------------------------------------


def send(client: Client):
    return client.post(
        "/api/reports",
        {
            "category": "rac-thai-ve-sinh",
            "lat": str(HOAN_KIEM_LAKE[0]),
            "lon": str(HOAN_KIEM_LAKE[1]),
            "description": "Rác tồn đọng nhiều ngày ở đầu ngõ 12 Hàng Bài, bốc mùi hôi.",
            "files": [photo_file("a.jpg")],
        },
    )


@pytest.mark.django_db
def test_api_submission_is_limited_per_resident(clock, settings, alice, bob, media_root):
    settings.RATE_LIMITS = {"report-submit:user": (2, 3600)}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)
    assert [send(client).status_code for _ in range(2)] == [201, 201]
    response = send(client)
    assert response.status_code == 429
    assert response["Retry-After"] == str(55 * 60)
    assert json.loads(response.content) == {
        "code": "rate_limited",
        "detail": "Too many reports were sent. Try again in 55 minutes.",
    }
    assert Report.objects.filter(reporter=alice).count() == 2
    # Bob, on the same network, still may send.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(bob)
    assert send(other).status_code == 201


@pytest.mark.django_db
def test_api_submission_is_limited_per_address(clock, settings, alice, bob, media_root):
    settings.RATE_LIMITS = {"report-submit:ip": (1, 3600)}
    first, second = Client(), Client(HTTP_ACCEPT_LANGUAGE="en")
    first.force_login(alice)
    second.force_login(bob)
    assert send(first).status_code == 201
    response = send(second)
    assert response.status_code == 429
    assert json.loads(response.content)["code"] == "rate_limited"
    assert not Report.objects.filter(reporter=bob).exists()


# --- report submission: Open311 ---------------------------------------------------------------


@pytest.mark.django_db
def test_open311_posts_are_limited_per_client_key(clock, settings, admin_user, media_root):
    settings.RATE_LIMITS = {"open311-submit:client": (1, 3600)}
    _, key = api_client_issue(actor=admin_user, name="Báo Hà Nội Mới", agency=None)
    _, other_key = api_client_issue(actor=admin_user, name="Hệ thống khác", agency=None)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    def post(api_key: str, fmt: str = "json"):
        return client.post(
            f"/open311/v2/requests.{fmt}",
            {
                "api_key": api_key,
                "service_code": "rac-thai-ve-sinh",
                "lat": str(HOAN_KIEM_LAKE[0]),
                "long": str(HOAN_KIEM_LAKE[1]),
                "description": "Rác tồn đọng nhiều ngày ở đầu ngõ, bốc mùi hôi.",
                "media": photo_file(),
            },
        )

    first = post(key)
    assert first.status_code == 200, first.content.decode()
    response = post(key)
    assert response.status_code == 429
    assert response["Retry-After"] == str(55 * 60)
    assert json.loads(response.content) == [
        {"code": 429, "description": "Too many reports were sent. Try again in 55 minutes."}
    ]
    response = post(key, fmt="xml")
    assert response.status_code == 429
    assert b"<code>429</code>" in response.content
    assert post(other_key).status_code == 200
    assert Report.objects.count() == 2


def test_behind_a_proxy_the_client_address_is_the_one_nginx_saw(rf, settings):
    from accounts.ratelimit import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.10")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.10"  # no proxy trusted: the header is ignored
    settings.TRUSTED_PROXY_COUNT = 1
    # The left entry is whatever the client wrote itself; nginx appended the real one.
    assert client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer hops than proxies: not forwarded by them
    assert client_ip(request) == "10.0.0.10"


@pytest.mark.django_db
def test_two_residents_behind_nginx_have_separate_limits(clock, settings, alice):
    # Every request comes from nginx (10.0.0.10); only X-Forwarded-For tells residents apart.
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATE_LIMITS = {"password-sign-in:ip": (2, 900)}
    first = Client(
        HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.10", HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    for name in ("a1", "a2"):
        assert first.post("/dang-nhap/", {"username": name, "password": "x"}).status_code == 200
    assert first.post("/dang-nhap/", {"username": "a3", "password": "x"}).status_code == 429
    # A forged left entry does not get the same resident a fresh allowance.
    forged = Client(
        HTTP_ACCEPT_LANGUAGE="en",
        REMOTE_ADDR="10.0.0.10",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
    )
    assert forged.post("/dang-nhap/", {"username": "a4", "password": "x"}).status_code == 429
    other = Client(
        HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.10", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    response = other.post("/dang-nhap/", {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_ward_office_behind_one_address_is_not_locked_out_by_its_good_sign_ins(
    clock, settings, officer_a, officer_a2, leader_a
):
    """The per-address ceiling counts failures: staff of one office (one address) sign in
    far more often than the ceiling, and all of them get in; wrong passwords from that
    address still meet the ceiling."""
    settings.RATE_LIMITS = {"password-sign-in:ip": (3, 900)}
    for round_ in range(3):
        for username in ("officer_a", "officer_a2", "leader_a"):
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            response = client.post(
                "/dang-nhap/", {"username": username, "password": "correct horse battery"}
            )
            assert response.status_code == 302, (round_, username)
            assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for name in ("x1", "x2", "x3"):
        assert client.post("/dang-nhap/", {"username": name, "password": "no"}).status_code == 200
    response = client.post(
        "/dang-nhap/", {"username": "officer_a", "password": "correct horse battery"}
    )
    assert response.status_code == 429
    assert "Too many sign-in attempts from this network. Try again in 10 minutes." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
