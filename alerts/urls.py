from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    # Residents: the current alerts of the wards they follow, and following wards.
    path("canh-bao/", views.resident_alerts, name="resident"),
    # Staff (coordinators, city leaders, unit leaders): publish, list, withdraw.
    path("can-bo/canh-bao/", views.staff_alerts, name="staff"),
    path("can-bo/canh-bao/thu-hoi/", views.withdraw, name="withdraw"),
]
