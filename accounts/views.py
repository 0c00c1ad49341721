"""Sign-in pages: the password step, and for staff the second factor (code or set-up)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django_otp import user_has_device

from . import enrolment, ratelimit, services, vneid
from .access import is_verified, needs_second_factor, second_factor_url
from .forms import CodeForm, EnrolmentCodeForm


class SignInView(LoginView):
    """Password step. Staff then go on to the second factor, with `next` kept."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Axes locks a user name + address pair; this ceiling stops one address trying many
        # user names. It counts failed sign-ins only (form_invalid): a ward office's staff
        # behind one address sign in all day and must not lock each other out.
        limited = ratelimit.over("password-sign-in:ip", ratelimit.client_ip(request))
        if limited is not None:
            context = {
                "form": AuthenticationForm(request),
                "next": request.POST.get("next", ""),
                "vneid_enabled": vneid.is_configured(),
            }
            return ratelimit.html_response(
                request, limited, self.template_name, context, message_name="locked_message"
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.check("password-sign-in:ip", ratelimit.client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if needs_second_factor(user):
            next_url = self.get_success_url()
            if _is_enrolment_link(next_url):
                # Signed in from an enrolment link: straight back to it.
                return HttpResponseRedirect(next_url)
            return HttpResponseRedirect(second_factor_url(user, next_url))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["vneid_enabled"] = vneid.is_configured()
        return context


def _is_enrolment_link(url: str) -> bool:
    try:
        return resolve(urlsplit(url).path).view_name == "accounts:otp_enrol_link"
    except Resolver404:
        return False


def locked_out(request, original_response=None, credentials=None):
    """Axes calls this when a user name has had too many wrong passwords from this address:
    the sign-in page again, saying for how long; 429 Too Many Requests."""
    minutes = settings.AXES_COOLOFF_MINUTES
    message = ngettext(
        "Too many failed sign-in attempts. This account is locked for %(minutes)s minute; "
        "try again later.",
        "Too many failed sign-in attempts. This account is locked for %(minutes)s minutes; "
        "try again later.",
        minutes,
    ) % {"minutes": minutes}
    context = {
        "form": AuthenticationForm(request),
        "locked_message": message,
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "accounts/login.html", context, status=429)


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return settings.LOGIN_REDIRECT_URL


def _wait_message(seconds: int) -> str:
    return ngettext(
        "Too many wrong codes. Wait %(seconds)s second before trying again.",
        "Too many wrong codes. Wait %(seconds)s seconds before trying again.",
        seconds,
    ) % {"seconds": seconds}


@login_required
def otp_verify(request):
    """Second step for a staff member with an authenticator: enter its current code."""
    user = request.user
    next_url = _next_url(request)
    if not needs_second_factor(user) or is_verified(user):
        return redirect(next_url)
    if not user_has_device(user):
        return HttpResponseRedirect(second_factor_url(user, next_url))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        limited = ratelimit.check("totp:user", user.pk)
        if limited is not None:
            # Counted before the code is checked: past the ceiling no code is tried at all.
            form.add_error("otp_token", ratelimit.message(limited))
            response = render(
                request, "accounts/otp_verify.html", {"form": form, "next": next_url}, status=429
            )
            return ratelimit.with_retry_after(response, limited)
    if request.method == "POST" and form.is_valid():
        result = services.second_factor_verify(
            request=request, user=user, token=form.cleaned_data["otp_token"]
        )
        if result.ok:
            return redirect(next_url)
        form.add_error(
            "otp_token",
            _wait_message(result.wait_seconds)
            if result.wait_seconds
            else _("This code is not right. Enter the code your app shows now."),
        )
    if form.errors:
        status = 400
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": next_url}, status=status
    )


def _enrolment_page(request, form: EnrolmentCodeForm, next_url: str, status: int = 200):
    context = {"form": form, "next": next_url}
    return render(request, "accounts/otp_enrol.html", context, status=status)


def _redeem(request, code: str, form: EnrolmentCodeForm, next_url: str):
    """Use the enrolment code; on to the set-up page (the code no longer in any URL)."""
    try:
        enrolment.staff_enrolment_redeem(request=request, user=request.user, code=code)
    except ratelimit.RateLimited as exc:
        form.add_error("enrolment_code", exc.message)
        response = _enrolment_page(request, form, next_url, status=429)
        return ratelimit.with_retry_after(response, exc.limited)
    except ValidationError as exc:
        form.add_error("enrolment_code", exc)
        return _enrolment_page(request, form, next_url, status=400)
    url = reverse("accounts:otp_setup")
    return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


@login_required
@never_cache
def otp_enrol_link(request, token: str):
    """The enrolment link an administrator sent: uses its code for this session (after the
    password: a signed-out visitor is sent to sign in first and comes back here)."""
    user = request.user
    if not needs_second_factor(user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    return _redeem(request, token, EnrolmentCodeForm(), _next_url(request))


@login_required
@never_cache
def otp_setup(request):
    """First sign-in of a staff member: enter the enrolment code an administrator issued (or
    open their link), then scan the QR code (or type the secret) into an authenticator app,
    then enter a code from it to confirm."""
    user = request.user
    next_url = _next_url(request)
    if not needs_second_factor(user) or is_verified(user):
        return redirect(next_url)
    presented = enrolment.enrolment_presented(request=request, user=user)
    if user_has_device(user) and not presented:
        # Replacing an authenticator needs the old one, or a new code from an administrator.
        return HttpResponseRedirect(second_factor_url(user, next_url))
    if not presented:
        # The password alone shows no secret: first the enrolment code.
        if request.method == "POST":
            form = EnrolmentCodeForm(request.POST)
            if form.is_valid():
                return _redeem(request, form.cleaned_data["enrolment_code"], form, next_url)
            return _enrolment_page(request, form, next_url, status=400)
        return _enrolment_page(request, EnrolmentCodeForm(), next_url)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = services.totp_device_confirm(
            request=request, user=user, token=form.cleaned_data["otp_token"]
        )
        if result.ok:
            enrolment.enrolment_finished(request=request)
            return redirect(next_url)
        form.add_error(
            "otp_token",
            _wait_message(result.wait_seconds)
            if result.wait_seconds
            else _("This code is not right. Check the time on your phone and try again."),
        )
    if form.errors:
        status = 400
    device = services.totp_device_pending(user=user)
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": services.totp_qr_svg(device, title=_("QR code for your authenticator app")),
        "secret": services.totp_secret(device),
    }
    return render(request, "accounts/otp_setup.html", context, status=status)
