"""Security headers on real pages, in development and production mode, and `check --deploy`."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from congdanso.settings import _tile_origin
from deployment.tests.test_checks import PRODUCTION_ENV as DEPLOYMENT_ENV

PRODUCTION = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
}


def _pages(report) -> list[str]:
    return [
        "/",
        f"/phan-anh/{report.tracking_code}/",
        "/can-bo/",
        "/api/reports/nearby?lat=21.0285&lon=105.8522",
        "/open311/v2/services.json",
        "/open311/v2/requests.xml",
    ]


def _csp_directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_every_page_sends_a_csp_without_inline_script_and_denies_framing(client, officer_a, submit):
    report = submit()
    client.force_login(officer_a)
    for url in _pages(report):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = _csp_directives(response["Content-Security-Policy"])
        assert csp["default-src"] == ["'self'"], url
        assert csp["script-src"] == ["'self'"], url
        assert csp["style-src"] == ["'self'"], url
        assert csp["img-src"] == ["'self'", "data:", "blob:"], url
        assert csp["media-src"] == ["'self'", "blob:"], url
        assert csp["object-src"] == ["'none'"], url
        assert csp["connect-src"] == ["'self'"], url
        assert csp["worker-src"] == ["'self'"], url
        assert csp["frame-ancestors"] == ["'none'"], url
        assert csp["form-action"] == ["'self'"], url
        assert csp["base-uri"] == ["'self'"], url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        # Development mode: plain HTTP works and no HSTS is promised.
        assert "Strict-Transport-Security" not in response, url


@pytest.mark.django_db
def test_production_mode_redirects_to_https_and_sends_hsts(client, officer_a, submit, settings):
    report = submit()
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    client.force_login(officer_a)
    for url in _pages(report):
        plain = client.get(url)
        assert plain.status_code == 301, url
        assert plain["Location"] == f"https://testserver{url}", url
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert (
            response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        ), url
        assert _csp_directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url


@pytest.mark.django_db
def test_production_cookies_are_secure_and_the_session_cookie_httponly(client, alice, settings):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    # The sign-in form sets the CSRF cookie; signing in sets the session cookie.
    form = client.get("/dang-nhap/", secure=True)
    assert form.cookies["csrftoken"]["secure"] is True
    response = client.post(
        "/dang-nhap/",
        {"username": "alice", "password": "correct horse battery"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True


@pytest.mark.django_db
def test_development_session_cookie_is_httponly_but_not_secure(client, alice):
    client.get("/dang-nhap/")
    response = client.post(
        "/dang-nhap/", {"username": "alice", "password": "correct horse battery"}
    )
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["secure"] == ""


@pytest.mark.django_db
def test_forms_refuse_a_post_without_csrf_token(alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    response = strict.post("/gui-phan-anh/", {"title": "x"})
    assert response.status_code == 403


def test_tile_server_origin_is_allowed_for_images():
    assert _tile_origin("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://*.tile.openstreetmap.org"
    )
    assert _tile_origin("https://tiles.example.vn:8443/osm/{z}/{x}/{y}.png") == (
        "https://tiles.example.vn:8443"
    )
    with pytest.raises(ImproperlyConfigured):
        _tile_origin("tiles/{z}/{x}/{y}.png")


def _run_manage(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# A complete production environment (deployment/tests/test_checks.py), with map tiles.
PRODUCTION_ENV = {
    **DEPLOYMENT_ENV,
    "SECRET_KEY": secrets.token_urlsafe(50),
    "MAP_TILE_URL": "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
}


def test_check_deploy_is_clean_in_production_settings():
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_in_development_settings():
    """The check above can fail: without production mode it warns about HSTS and cookies."""
    env = {**PRODUCTION_ENV, "DEBUG": "true"}
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", extra_env=env)
    assert result.returncode == 1
    assert "security.W004" in result.stderr + result.stdout


def test_production_csp_allows_the_configured_tile_server():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="congdanso.settings")
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == (
        "[\"'self'\", 'data:', 'blob:', 'https://*.tile.openstreetmap.org', "
        "'https://s3.example.vn']"
    ), result.stderr  # the tile server, and the bucket the public copies of photos come from
