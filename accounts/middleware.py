"""Session rules for staff: the second factor (django-otp) and the idle timeout."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

# When this session last proved its TOTP device still exists and is confirmed.
DEVICE_CHECKED_SESSION_KEY = "otp_device_checked_at"
# When a staff session last made a request; absent in residents' sessions.
STAFF_SEEN_SESSION_KEY = "staff_seen_at"
# Re-read the device (and re-stamp the idle clock) at most this often: a staff page then costs
# no extra query, and a deleted device (a lost phone) still ends verification within a minute.
RECHECK_SECONDS = 60


class StaffOTPMiddleware(OTPMiddleware):
    """django-otp's middleware (request.user.otp_device, request.user.is_verified()), except
    that the device is read from the database once a minute rather than on every request; in
    between, the session (stored on the server, never on the client) vouches for it."""

    def _verify_user_sync(self, request, user):
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        checked_at = request.session.get(DEVICE_CHECKED_SESSION_KEY, 0)
        if persistent_id and user.is_authenticated and time.time() - checked_at < RECHECK_SECONDS:
            self._init_user_fields(user)
            user.otp_device = SimpleLazyObject(
                lambda: self._device_from_persistent_id(persistent_id)
            )
            return user
        user = super()._verify_user_sync(request, user)
        if user.is_authenticated and user.otp_device is not None:
            request.session[DEVICE_CHECKED_SESSION_KEY] = time.time()
        return user


def staff_session_start(request, user) -> None:
    """At sign-in (the user_logged_in signal): a staff session gets the idle clock and a
    shorter life than a resident's."""
    from .access import needs_second_factor

    if request is None or not needs_second_factor(user):
        return
    request.session[STAFF_SEEN_SESSION_KEY] = time.time()
    request.session.set_expiry(settings.STAFF_SESSION_MAX_AGE)


class StaffIdleTimeoutMiddleware:
    """Signs out a staff session idle for more than STAFF_IDLE_TIMEOUT seconds: a workspace
    left open on a shared office computer must not stay usable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seen = request.session.get(STAFF_SEEN_SESSION_KEY)
        if seen is not None:
            now = time.time()
            idle = now - seen
            if idle > settings.STAFF_IDLE_TIMEOUT:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)s minutes without activity.")
                    % {"minutes": settings.STAFF_IDLE_TIMEOUT // 60},
                )
            elif idle >= RECHECK_SECONDS:
                request.session[STAFF_SEEN_SESSION_KEY] = now
        return self.get_response(request)


# What a staff session that has not passed the second factor may still open: the code page,
# the set-up (enrolment) pages, sign-out, and the language switch.
SECOND_FACTOR_VIEWS = frozenset(
    {
        "accounts:otp_verify",
        "accounts:otp_setup",
        "accounts:otp_enrol_link",
        "accounts:logout",
        "admin:logout",
        "set_language",
    }
)


class StaffSecondFactorGateMiddleware:
    """A staff member signed in with a password alone reaches nothing but the second-factor
    pages: not the staff pages (role_required checks too), and not the resident pages either,
    where the account would act on the password alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.http import HttpResponseRedirect

        from .access import is_verified, needs_second_factor, second_factor_url

        user = getattr(request, "user", None)
        if user is None or not needs_second_factor(user) or is_verified(user):
            return None
        if request.path_info.startswith(("/api/", "/open311/")):
            # Machine clients: the API's own checks answer 401/403 there, never a redirect.
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_VIEWS:
            return None
        next_url = request.get_full_path() if request.method == "GET" else ""
        return HttpResponseRedirect(second_factor_url(user, next_url))
