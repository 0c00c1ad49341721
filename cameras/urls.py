from django.urls import path

from . import views

app_name = "cameras"
urlpatterns = [
    path("camera/", views.camera_list, name="list"),
    path("camera/<slug:code>/anh.jpg", views.camera_frame, name="frame"),
    path("camera/<slug:code>/bao-hong/", views.camera_report_page, name="report"),
]
