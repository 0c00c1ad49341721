"""The admin's app config, apart from admin_site.py: INSTALLED_APPS imports it before the
models are ready, and the site's module imports the sign-in helpers (which need them)."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.StaffAdminSite"
