from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    # Public: look a dossier up by its code and the last 4 digits of the phone.
    path("tra-cuu-ho-so/", views.lookup, name="lookup"),
    # A signed-in resident: the dossiers filed with their phone.
    path("ho-so-cua-toi/", views.my_dossiers, name="mine"),
    # Leaders: on time / late per agency (linked from the dashboard).
    path("bang-dieu-khien/ho-so/", views.timeliness, name="timeliness"),
]
