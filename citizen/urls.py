from django.urls import path

from . import views

app_name = "citizen"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("phan-anh/<str:tracking_code>/", views.report_detail, name="report_detail"),
]
