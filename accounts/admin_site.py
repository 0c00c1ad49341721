"""The Django admin for staff who passed the second factor (issue 6): INSTALLED_APPS names
accounts.admin_apps.StaffAdminConfig instead of "django.contrib.admin", so `admin.site` is a StaffAdminSite."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpResponseRedirect

from .access import is_verified, second_factor_url


class StaffAdminSite(AdminSite):
    """Django's admin, opened only to a session that entered a TOTP code. Its own sign-in form
    still takes the password (through axes); the code is then asked on our code page."""

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and is_verified(request.user)

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not is_verified(user):
            next_url = request.GET.get("next") or request.path.replace("login/", "")
            return HttpResponseRedirect(second_factor_url(user, next_url))
        response = super().login(request, extra_context)
        # After a good password, the admin's own form redirects to `next`; a staff member who
        # is not yet verified goes to the second factor instead.
        user = request.user
        if (
            request.method == "POST"
            and response.status_code == 302
            and user.is_authenticated
            and not is_verified(user)
        ):
            return HttpResponseRedirect(second_factor_url(user, response["Location"]))
        return response
