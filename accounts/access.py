"""Which staff pages a signed-in person may open. Which *reports* they may see is decided in
reports.selectors (reports_visible_to / get_report_for), not here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from .models import Role, User

# Officers and unit leaders work their unit's inbox; coordinators dispatch; city leaders may
# open any report read-only (the dashboard's drill-down lands on the workspace report page).
WORKSPACE_ROLES = (Role.OFFICER, Role.UNIT_LEADER, Role.COORDINATOR, Role.CITY_LEADER)
COORDINATOR_ROLES = (Role.COORDINATOR, Role.CITY_LEADER)
# Unit leaders see their own unit's dashboard; city leaders and coordinators the whole city.
DASHBOARD_ROLES = (Role.UNIT_LEADER, Role.COORDINATOR, Role.CITY_LEADER)


def has_role(user: User | None, roles: tuple[str, ...]) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_staff_role(*roles))


def role_required(*roles: str) -> Callable:
    """Signed-out visitors go to sign-in; a signed-in person without the role gets a 404, as
    for a page that does not exist (no hint that a staff page is there)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_staff_role(*roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
