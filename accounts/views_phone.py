"""Residents' sign-in with a phone number and a one-time SMS code: enter the phone, then the
code. The phone is kept in the session between the two steps (never in a form field that a
page could swap), and `next` is carried through both."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import linking, ratelimit
from . import phone as phone_signin
from .forms import PhoneCodeForm, PhoneForm

SESSION_KEY = "phone_signin"


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _limited(request: HttpRequest, exc: ratelimit.RateLimited, template: str, context: dict):
    context = {**context, "rate_limited_message": exc.message}
    response = render(request, template, context, status=429)
    return ratelimit.with_retry_after(response, exc.limited)


@dataclass(frozen=True)
class _Flow:
    """Sign-in (anonymous visitor) or linking (signed-in resident): the same two steps."""

    linking: bool
    session_key: str
    start_name: str
    verify_name: str


SIGN_IN = _Flow(False, SESSION_KEY, "accounts:phone_start", "accounts:phone_verify")
# Linking: a signed-in resident (typically after a VNeID sign-in whose phone the provider did
# not vouch for) proves a phone with a code, and the account that phone signs in to becomes
# theirs too (accounts/linking.py).
LINK = _Flow(True, "phone_link", "accounts:phone_link_start", "accounts:phone_link_verify")


def _wrong_visitor(request: HttpRequest, flow: _Flow) -> HttpResponse | None:
    """Sign-in is for visitors (a signed-in person goes on); linking for signed-in residents."""
    if not flow.linking:
        if request.user.is_authenticated:
            return redirect(_next_url(request) or settings.LOGIN_REDIRECT_URL)
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not linking.may_link_phone(request.user):
        raise Http404
    return None


def _start(request: HttpRequest, flow: _Flow) -> HttpResponse:
    """Step 1: the phone number; a code is sent and the person goes on to step 2."""
    if (response := _wrong_visitor(request, flow)) is not None:
        return response
    next_url = _next_url(request)
    form = PhoneForm(request.POST or None)
    context = {
        "form": form,
        "next": next_url,
        "linking": flow.linking,
        "offer": request.GET.get("offer") == "1",
        "skip_url": next_url or settings.LOGIN_REDIRECT_URL,
    }
    if request.method == "POST" and form.is_valid():
        try:
            sent = phone_signin.phone_code_request(
                phone_raw=form.cleaned_data["phone"], ip=ratelimit.client_ip(request)
            )
        except ratelimit.RateLimited as exc:
            return _limited(request, exc, "accounts/phone_start.html", context)
        except ValidationError as exc:
            form.add_error("phone", exc)
        else:
            # The phone is bound to who asked: a code sent for one account links no other.
            request.session[flow.session_key] = {"phone": sent.phone, "user": request.user.pk}
            return redirect(_with_next(reverse(flow.verify_name), next_url))
    status = 400 if form.errors else 200
    return render(request, "accounts/phone_start.html", context, status=status)


def _verify(request: HttpRequest, flow: _Flow) -> HttpResponse:
    """Step 2: the code from the SMS (or a new code, after the cooldown)."""
    if (response := _wrong_visitor(request, flow)) is not None:
        return response
    next_url = _next_url(request)
    pending = request.session.get(flow.session_key) or {}
    phone = pending.get("phone")
    if not phone or pending.get("user") != request.user.pk:
        # No phone in this session (expired, or the page opened directly): start again.
        return redirect(_with_next(reverse(flow.start_name), next_url))
    resend = request.method == "POST" and "resend" in request.POST
    form = PhoneCodeForm(None if resend else (request.POST or None))
    context = {
        "form": form,
        "next": next_url,
        "linking": flow.linking,
        "phone_display": phone_signin.display_phone(phone),
        "start_url": _with_next(reverse(flow.start_name), next_url),
    }
    template = "accounts/phone_verify.html"
    status = 200
    if resend:
        try:
            phone_signin.phone_code_request(phone_raw=phone, ip=ratelimit.client_ip(request))
        except ratelimit.RateLimited as exc:
            return _limited(request, exc, template, context)
        except ValidationError as exc:
            context["resend_error"] = " ".join(exc.messages)
            status = 400
        else:
            context["resent"] = True
    elif request.method == "POST" and form.is_valid():
        try:
            if flow.linking:
                account = linking.phone_link_verify(
                    request=request,
                    actor=request.user,
                    phone=phone,
                    code=form.cleaned_data["code"],
                    ip=ratelimit.client_ip(request),
                )
                messages.success(
                    request,
                    _("Your phone number %(phone)s is linked: your reports are in one account.")
                    % {"phone": phone_signin.display_phone(account.phone)},
                )
            else:
                phone_signin.phone_code_verify(
                    request=request,
                    phone=phone,
                    code=form.cleaned_data["code"],
                    ip=ratelimit.client_ip(request),
                )
        except ratelimit.RateLimited as exc:
            return _limited(request, exc, template, context)
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            request.session.pop(flow.session_key, None)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    if form.errors:
        status = 400
    return render(request, template, context, status=status)


@never_cache
def phone_start(request: HttpRequest) -> HttpResponse:
    return _start(request, SIGN_IN)


@never_cache
def phone_verify(request: HttpRequest) -> HttpResponse:
    return _verify(request, SIGN_IN)


@never_cache
def phone_link_start(request: HttpRequest) -> HttpResponse:
    return _start(request, LINK)


@never_cache
def phone_link_verify(request: HttpRequest) -> HttpResponse:
    return _verify(request, LINK)
