"""The project's URLs with the admin behind the second factor (until settings switch it on)."""

from django.urls import path

from accounts.admin_site import StaffAdminSite
from congdanso.urls import urlpatterns as project_urlpatterns

staff_admin = StaffAdminSite(name="staff_admin")
urlpatterns = [path("quan-tri-2fa/", staff_admin.urls), *project_urlpatterns]
