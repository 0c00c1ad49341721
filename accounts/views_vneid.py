"""Residents' sign-in with VNeID (OpenID Connect): off to the provider, and back with a code."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import vneid

# Kept in the session between the two steps: state, nonce, PKCE verifier and `next`.
SESSION_KEY = "vneid_pending"
# Our backend by name: axes' backend comes first in AUTHENTICATION_BACKENDS and only counts
# password failures; a VNeID resident was authenticated by the provider, not by a password.
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:vneid_callback"))


def _safe_next(request: HttpRequest) -> str:
    url = request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return settings.LOGIN_REDIRECT_URL


def _back_to_sign_in(request: HttpRequest, message: str, next_url: str = "") -> HttpResponse:
    messages.error(request, message)
    url = reverse("accounts:login")
    if next_url and next_url != settings.LOGIN_REDIRECT_URL:
        url = f"{url}?{urlencode({'next': next_url})}"
    return redirect(url)


def vneid_start(request: HttpRequest) -> HttpResponse:
    if not vneid.is_configured():
        raise Http404
    next_url = _safe_next(request)
    try:
        auth = vneid.authorization_start(redirect_uri=_callback_uri(request))
    except vneid.VNeIDError as error:
        return _back_to_sign_in(request, str(error), next_url)
    request.session[SESSION_KEY] = {
        "state": auth.state,
        "nonce": auth.nonce,
        "code_verifier": auth.code_verifier,
        "next": next_url,
    }
    return redirect(auth.url)


def vneid_callback(request: HttpRequest) -> HttpResponse:
    if not vneid.is_configured():
        raise Http404
    # Used once: a replayed or second callback finds nothing pending and is refused.
    pending = request.session.pop(SESSION_KEY, None)
    next_url = (pending or {}).get("next") or settings.LOGIN_REDIRECT_URL
    try:
        user = vneid.resident_from_callback(
            redirect_uri=_callback_uri(request),
            params={k: request.GET.get(k, "") for k in ("state", "code", "error")},
            pending=pending,
        )
    except vneid.VNeIDError as error:
        return _back_to_sign_in(request, str(error), next_url)
    login(request, user, backend=BACKEND)
    if not user.phone:
        # The provider did not vouch for a phone: never joined on a guess, but offered, so
        # that a resident who signed in by phone code before keeps one account (the code
        # proves the phone: accounts/linking.py).
        query = urlencode({"offer": "1", "next": next_url})
        return redirect(f"{reverse('accounts:phone_link_start')}?{query}")
    return redirect(next_url)
