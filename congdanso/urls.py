from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from api.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("open311/v2/", include("open311.urls")),
    path("", include("accounts.urls")),
    path("", include("intake.urls")),
    path("can-bo/", include("workspace.urls")),
    path("bang-dieu-khien/", include("dashboard.urls")),
    path("", include("alerts.urls")),
    path("", include("news.urls")),
    path("", include("procedures.urls")),
    path("", include("dossiers.urls")),
    path("", include("notify.urls")),
    path("", include("cameras.urls")),
    path("", include("citizen.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
