from django.urls import path

from . import views_groups, views_inbox, views_media, views_report

app_name = "workspace"
urlpatterns = [
    # The unit's inbox, bulk actions and the coordination office's queue (views_inbox).
    path("", views_inbox.inbox, name="inbox"),
    path("hang-loat/", views_inbox.bulk, name="bulk"),
    path("dieu-phoi/", views_inbox.coordinator_queue, name="coordinator_queue"),
    path("dieu-phoi/<str:tracking_code>/chuyen/", views_inbox.queue_reroute, name="queue_reroute"),
    # One report and the actions on it (views_report).
    path("phan-anh/<str:tracking_code>/", views_report.report, name="report"),
    path(
        "phan-anh/<str:tracking_code>/thao-tac/<str:action>/",
        views_report.report_action,
        name="report_action",
    ),
    # The audited viewer of an attachment's original (views_media).
    path("tep-goc/<int:media_id>/", views_media.media_original, name="media_original"),
    path("tep/<int:media_id>/xoa/", views_media.media_delete, name="media_delete"),
    path("gia-han/<int:request_id>/", views_report.extension_decide, name="extension_decide"),
    # Residential groups: their leaders' page and the ward's list of groups (views_groups).
    path("to-dan-pho/", views_groups.group_reports, name="group_reports"),
    path(
        "to-dan-pho/phan-anh/<str:tracking_code>/",
        views_groups.group_report,
        name="group_report",
    ),
    path("to-dan-pho/quan-ly/", views_groups.group_admin, name="group_admin"),
    path("to-dan-pho/quan-ly/<str:code>/", views_groups.group_edit, name="group_edit"),
    path(
        "mau-tra-loi/<int:template_id>/", views_report.response_template, name="response_template"
    ),
]
