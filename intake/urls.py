from django.urls import path

from . import views, webhook

app_name = "intake"
urlpatterns = [
    path("can-bo/tiep-nhan/", views.assisted, name="assisted"),
    path("can-bo/tiep-nhan/gui-ma/", views.consent_code, name="consent_code"),
    path("kenh/zalo/webhook/", webhook.zalo_webhook, name="zalo_webhook"),
]
