from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_privacy

app_name = "accounts"
urlpatterns = [
    # Interim sign-in by user name and password; phone OTP and VNeID come with the accounts issue.
    path("dang-nhap/", views.SignInView.as_view(), name="login"),
    # Staff only: the second factor (TOTP code), and setting up the authenticator app.
    path("dang-nhap/ma-xac-thuc/", views.otp_verify, name="otp_verify"),
    path("tai-khoan/xac-thuc-hai-buoc/", views.otp_setup, name="otp_setup"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # A resident's personal data (Decree 13/2023): see it, download it, delete the account.
    path("tai-khoan/du-lieu-cua-toi/", views_privacy.my_data, name="my_data"),
    path(
        "tai-khoan/du-lieu-cua-toi/tai-ve/", views_privacy.my_data_download, name="my_data_download"
    ),
    path("tai-khoan/du-lieu-cua-toi/xoa/", views_privacy.my_data_delete, name="my_data_delete"),
]
