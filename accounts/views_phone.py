"""Residents' sign-in with a phone number and a one-time SMS code: enter the phone, then the
code. The phone is kept in the session between the two steps (never in a form field that a
page could swap), and `next` is carried through both."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from . import phone as phone_signin
from . import ratelimit
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


@never_cache
def phone_start(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone number; a code is sent and the person goes on to step 2."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = PhoneForm(request.POST or None)
    context = {"form": form, "next": next_url}
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
            request.session[SESSION_KEY] = {"phone": sent.phone}
            return redirect(_with_next(reverse("accounts:phone_verify"), next_url))
    status = 400 if form.errors else 200
    return render(request, "accounts/phone_start.html", context, status=status)


@never_cache
def phone_verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the SMS (or a new code, after the cooldown)."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    phone = (request.session.get(SESSION_KEY) or {}).get("phone")
    if not phone:
        # No phone in this session (expired, or the page opened directly): start again.
        return redirect(_with_next(reverse("accounts:phone_start"), next_url))
    resend = request.method == "POST" and "resend" in request.POST
    form = PhoneCodeForm(None if resend else (request.POST or None))
    context = {
        "form": form,
        "next": next_url,
        "phone_display": phone_signin.display_phone(phone),
        "start_url": _with_next(reverse("accounts:phone_start"), next_url),
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
            request.session.pop(SESSION_KEY, None)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    if form.errors:
        status = 400
    return render(request, template, context, status=status)
