from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("tai-khoan/thong-bao/", views.channel_settings, name="settings"),
    path("tai-khoan/thong-bao/dang-ky-day/", views.push_subscribe, name="push_subscribe"),
    path("phan-anh/<str:tracking_code>/tat-thong-bao/", views.report_mute, name="report_mute"),
]
