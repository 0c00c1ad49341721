"""Access tokens for mobile clients: made on the web, used as Bearer, revoked, expired."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client

from api.models import ApiToken
from api.services import token_issue
from reports import clock

from .helpers import session_client, token_client

pytestmark = pytest.mark.django_db


def test_signed_in_resident_gets_a_token_once_and_only_its_hash_is_stored(alice):
    client = session_client(alice)
    response = client.post(
        "/api/tokens", {"name": "Điện thoại Alice", "days": 30}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    raw = body["token"]
    assert raw.startswith("cds_") and len(raw) > 40
    assert body["name"] == "Điện thoại Alice"
    assert body["prefix"] == raw[:10]
    stored = ApiToken.objects.get()
    assert stored.user == alice
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert (stored.expires_at - stored.created_at) == timedelta(days=30)
    listed = client.get("/api/tokens").json()
    assert listed == [
        {
            "id": stored.pk,
            "name": "Điện thoại Alice",
            "prefix": raw[:10],
            "created_at": listed[0]["created_at"],
            "last_used_at": None,
            "expires_at": listed[0]["expires_at"],
        }
    ]
    assert raw not in client.get("/api/tokens").content.decode()


def test_bearer_token_signs_the_request_in_and_records_its_use(alice, submit):
    report = submit()
    client = token_client(alice)
    response = client.get("/api/me/reports")
    assert response.status_code == 200
    assert [r["tracking_code"] for r in response.json()["items"]] == [report.tracking_code]
    assert ApiToken.objects.get().last_used_at is not None


def test_token_post_needs_no_csrf_token(bob, submit):
    report = submit()
    client = token_client(bob)
    response = client.post(f"/api/reports/{report.tracking_code}/follow")
    assert response.status_code == 200
    assert response.json()["followers"] == 2


def test_revoked_token_gets_401_and_disappears_from_the_list(alice):
    client = token_client(alice)
    token = ApiToken.objects.get()
    assert client.delete(f"/api/tokens/{token.pk}").status_code == 204
    response = client.get("/api/me/reports")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert session_client(alice).get("/api/tokens").json() == []


def test_expired_token_gets_401(alice):
    client = token_client(alice)
    ApiToken.objects.update(expires_at=clock.now() - timedelta(seconds=1))
    assert client.get("/api/me/reports").status_code == 401


def test_token_of_deactivated_person_gets_401(alice):
    client = token_client(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert client.get("/api/me/reports").status_code == 401


def test_unknown_or_malformed_token_gets_401_in_english_when_asked(db):
    for value in ("Bearer cds_notatoken", "Bearer ", "Token abc"):
        response = Client(headers={"Authorization": value, "Accept-Language": "en"}).get(
            "/api/me/reports"
        )
        assert response.status_code == 401
        assert response.json() == {
            "code": "unauthorized",
            "detail": "Sign in, or send a valid access token.",
        }


def test_a_token_cannot_make_more_tokens(alice):
    client = token_client(alice)
    response = client.post("/api/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert ApiToken.objects.count() == 1


def test_making_a_token_with_the_session_needs_the_csrf_token(alice):
    client = session_client(alice, csrf=True)
    response = client.post("/api/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not ApiToken.objects.exists()


def test_another_persons_token_cannot_be_revoked(alice, bob):
    token, _raw = token_issue(actor=alice, name="Alice")
    response = token_client(bob).delete(f"/api/tokens/{token.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    "body,code,english",
    [
        ({"name": "  "}, "bad_token_name", "Name the device in at most 100 characters."),
        ({"name": "x", "days": 400}, "bad_token_days", "A token is valid for 1 to 365 days."),
        ({"name": "x", "days": "soon"}, "invalid_input", "The request is not valid. Check: days."),
        ({}, "invalid_input", "The request is not valid. Check: name."),
    ],
)
def test_bad_token_request_is_a_400_in_the_callers_language(alice, body, code, english):
    client = session_client(alice, **{"Accept-Language": "en"})
    response = client.post("/api/tokens", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": code, "detail": english}
    assert not ApiToken.objects.exists()


def test_staff_session_without_its_second_factor_gets_no_token_and_no_workspace(
    client, officer_a, submit
):
    """The autouse fixture verifies staff signed in with force_login; a session that only gave
    its password (as after the sign-in form's first step) is refused."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    unverified = Client()
    unverified.force_login(officer_a)
    session = unverified.session
    session.pop(DEVICE_ID_SESSION_KEY, None)
    session.save()
    assert (
        unverified.post("/api/tokens", {"name": "x"}, content_type="application/json").status_code
        == 403
    )
    report = submit()
    response = unverified.get(f"/api/workspace/reports/{report.tracking_code}")
    assert response.status_code == 403
