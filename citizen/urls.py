from django.urls import path

from . import views, views_public, views_resident, views_submit
from .views_media import media_file

app_name = "citizen"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("phan-anh/<str:tracking_code>/", views.report_detail, name="report_detail"),
    path("media-file/<int:media_id>/<str:variant>/", media_file, name="media_file"),
    path("gui-phan-anh/", views_submit.submit, name="submit"),
    path("sw.js", views_submit.service_worker, name="service_worker"),
    path("manifest.webmanifest", views_submit.manifest, name="manifest"),
    path("tep/<int:media_id>/xoa/", views_resident.media_delete, name="media_delete"),
    path("phan-anh/<str:tracking_code>/danh-gia/", views_resident.report_rate, name="report_rate"),
    path("phan-anh-cua-toi/", views_resident.my_reports, name="my_reports"),
    path("thong-bao/", views_resident.notifications, name="notifications"),
    path("ban-do/", views_public.public_map, name="map"),
    path("bang-xep-hang/", views_public.scorecard, name="scorecard"),
]
