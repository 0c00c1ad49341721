"""Which staff pages a signed-in person may open. Which *reports* they may see is decided in
reports.selectors (reports_visible_to / get_report_for), not here.

Staff pages also need the second factor: a staff member signed in with a password alone is
sent to the code page (or, the first time, to the authenticator set-up page) before any staff
page opens. Residents never meet the second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django_otp import user_has_device

from .models import Role, User

# Officers and unit leaders work their unit's inbox; coordinators dispatch; city leaders may
# open any report read-only (the dashboard's drill-down lands on the workspace report page).
WORKSPACE_ROLES = (Role.OFFICER, Role.UNIT_LEADER, Role.COORDINATOR, Role.CITY_LEADER)
COORDINATOR_ROLES = (Role.COORDINATOR, Role.CITY_LEADER)
# Unit leaders see their own unit's dashboard; city leaders and coordinators the whole city.
DASHBOARD_ROLES = (Role.UNIT_LEADER, Role.COORDINATOR, Role.CITY_LEADER)
# Who files a report for a resident at /can-bo/tiep-nhan/: the coordination office's staff
# (the hotline) and the wards' community digital teams.
HOTLINE_ROLES = (Role.COORDINATOR, Role.HOTLINE_OPERATOR)
INTAKE_ROLES = (*HOTLINE_ROLES, Role.COMMUNITY_HELPER, Role.GROUP_LEADER)
# The residential group page (/can-bo/to-dan-pho/): group leaders and the wards' community
# digital teams, each over their own group or ward (reports.selectors.reports_of_groups).
GROUP_ROLES = (Role.GROUP_LEADER, Role.COMMUNITY_HELPER)
# Who keeps a ward's list of residential groups: its committee's officers and leaders.
GROUP_EDITOR_ROLES = (Role.OFFICER, Role.UNIT_LEADER)


def has_role(user: User | None, roles: tuple[str, ...]) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_staff_role(*roles))


def needs_second_factor(user: User | None) -> bool:
    """Every staff member (any active role, Django staff or superuser) signs in with a TOTP
    code as well as a password."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or user.active_memberships())


def is_verified(user: User | None) -> bool:
    """True when this session entered a TOTP code (django-otp's OTPMiddleware tells us). A user
    object that did not come through the middleware (an API token's) is not verified."""
    check = getattr(user, "is_verified", None)
    return bool(callable(check) and check())


def second_factor_url(user: User, next_url: str = "") -> str:
    """The code page for a staff member with an authenticator; the set-up page otherwise."""
    name = "accounts:otp_verify" if user_has_device(user) else "accounts:otp_setup"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def role_required(*roles: str) -> Callable:
    """Signed-out visitors go to sign-in; a signed-in person without the role gets a 404, as
    for a page that does not exist (no hint that a staff page is there); a staff member who has
    not entered a TOTP code in this session goes to the code (or set-up) page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_staff_role(*roles):
                raise Http404
            if not is_verified(request.user):
                return HttpResponseRedirect(
                    second_factor_url(request.user, request.get_full_path())
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
