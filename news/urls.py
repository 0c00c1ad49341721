from django.urls import path

from . import views

app_name = "news"
urlpatterns = [
    # Public: published news, by ward, and its Atom feed.
    path("tin-tuc/", views.article_list, name="list"),
    path("tin-tuc/feed/", views.feed, name="feed"),
    path("tin-tuc/<int:article_id>/", views.article_detail, name="detail"),
    # Staff: write, send for review; leaders approve, return, withdraw.
    path("can-bo/tin-tuc/", views.staff_list, name="staff"),
    path("can-bo/tin-tuc/moi/", views.staff_create, name="create"),
    path("can-bo/tin-tuc/<int:article_id>/", views.staff_article, name="staff_article"),
    path(
        "can-bo/tin-tuc/<int:article_id>/<str:action>/", views.staff_transition, name="transition"
    ),
]
