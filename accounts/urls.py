from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_phone, views_privacy, views_vneid

app_name = "accounts"
urlpatterns = [
    # The sign-in page: residents choose VNeID or their phone; staff use a password.
    path("dang-nhap/", views.SignInView.as_view(), name="login"),
    # Residents: a one-time code by SMS (enter the phone, then the code).
    path("dang-nhap/so-dien-thoai/", views_phone.phone_start, name="phone_start"),
    path("dang-nhap/so-dien-thoai/ma/", views_phone.phone_verify, name="phone_verify"),
    # A signed-in resident links a phone (proved by a code): two sign-ins become one account.
    path(
        "tai-khoan/lien-ket-so-dien-thoai/", views_phone.phone_link_start, name="phone_link_start"
    ),
    path(
        "tai-khoan/lien-ket-so-dien-thoai/ma/",
        views_phone.phone_link_verify,
        name="phone_link_verify",
    ),
    # Residents: VNeID (OpenID Connect): off to the provider, and back with a code.
    path("dang-nhap/vneid/", views_vneid.vneid_start, name="vneid_start"),
    path("dang-nhap/vneid/callback/", views_vneid.vneid_callback, name="vneid_callback"),
    # Staff only: the second factor (TOTP code), and setting up the authenticator app.
    path("dang-nhap/ma-xac-thuc/", views.otp_verify, name="otp_verify"),
    path("tai-khoan/xac-thuc-hai-buoc/", views.otp_setup, name="otp_setup"),
    # The one-time enrolment link an administrator issues (issue_staff_enrolment, admin).
    path(
        "tai-khoan/xac-thuc-hai-buoc/ma/<str:token>/",
        views.otp_enrol_link,
        name="otp_enrol_link",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # A resident's personal data (Decree 13/2023): see it, download it, delete the account.
    path("tai-khoan/du-lieu-cua-toi/", views_privacy.my_data, name="my_data"),
    path(
        "tai-khoan/du-lieu-cua-toi/tai-ve/", views_privacy.my_data_download, name="my_data_download"
    ),
    path("tai-khoan/du-lieu-cua-toi/xoa/", views_privacy.my_data_delete, name="my_data_delete"),
]
