"""Sign-in pages: the password step, and for staff the second factor (code or set-up)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import user_has_device

from . import ratelimit, services, vneid
from .access import is_verified, needs_second_factor, second_factor_url
from .forms import CodeForm


class SignInView(LoginView):
    """Password step. Staff then go on to the second factor, with `next` kept."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Axes locks a user name + address pair; this ceiling stops one address trying many
        # user names.
        limited = ratelimit.check("password-sign-in:ip", ratelimit.client_ip(request))
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

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if needs_second_factor(user):
            return HttpResponseRedirect(second_factor_url(user, self.get_success_url()))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["vneid_enabled"] = vneid.is_configured()
        return context


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


@login_required
def otp_setup(request):
    """First sign-in of a staff member: scan the QR code (or type the secret) into an
    authenticator app, then enter a code from it to confirm."""
    user = request.user
    next_url = _next_url(request)
    if not needs_second_factor(user) or is_verified(user):
        return redirect(next_url)
    if user_has_device(user):
        # Replacing an authenticator needs the old one first (or an administrator).
        return HttpResponseRedirect(second_factor_url(user, next_url))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = services.totp_device_confirm(
            request=request, user=user, token=form.cleaned_data["otp_token"]
        )
        if result.ok:
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
