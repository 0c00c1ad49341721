from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    # Public: the directory of administrative procedures, with links to the portal.
    path("thu-tuc/", views.procedure_list, name="list"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="detail"),
]
