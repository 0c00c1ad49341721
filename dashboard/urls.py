from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("phan-anh/", views.drilldown, name="drilldown"),
    path("giai-doan/", views.stages, name="stages"),
    path("xu-huong.json", views.trends, name="trends"),
    path("ban-do-nhiet.json", views.heat, name="heat"),
    path("truc-tiep/", views.live, name="live"),
    path("xuat/phan-anh.csv", views.export_csv, name="export_csv"),
    path("xuat/phan-anh.xlsx", views.export_xlsx, name="export_xlsx"),
    path("xuat/tong-hop.pdf", views.export_pdf, name="export_pdf"),
    path("dang-ky/", views.registrations, name="registrations"),
    path("goi-y-linh-vuc/", views.suggestions, name="suggestions"),
    path("kenh/", views.channels, name="channels"),
    path("to-dan-pho/", views.groups, name="groups"),
    path("camera/", views.cameras, name="cameras"),
]
