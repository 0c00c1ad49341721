from __future__ import annotations

from django.urls import re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<code>[^/]+?)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.updates, name="updates"),
]
