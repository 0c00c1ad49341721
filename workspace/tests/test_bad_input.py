"""Junk in query strings and forms gets a page or a clear refusal, never a server error, and
changes nothing stored."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Media, Report
from reports.services import report_accept
from reports.workflow import Status

JUNK = {
    "page": "abc",
    "sort": "';drop",
    "period": "zz",
    "from": "2026-13-40",
    "to": "x",
    "assignee": "nobody",
    "category": "<script>",
    "ward": "9999",
    "status": "nope",
}


@pytest.mark.parametrize("name", ["workspace:inbox", "workspace:coordinator_queue"])
def test_workspace_lists_survive_junk_filters(client, officer_a, coordinator, name):
    client.force_login(coordinator if "queue" in name else officer_a)
    response = client.get(reverse(name), JUNK)
    assert response.status_code == 200
    assert b"<script>" not in response.content


@pytest.mark.parametrize(
    "name",
    [
        "dashboard:index",
        "dashboard:drilldown",
        "dashboard:stages",
        "dashboard:trends",
        "dashboard:heat",
        "dashboard:registrations",
        "dashboard:export_csv",
    ],
)
def test_dashboard_pages_survive_junk_filters(client, city_leader, name):
    client.force_login(city_leader)
    response = client.get(reverse(name), {**JUNK, "metric": "received", "agency": ""})
    assert response.status_code == 200


def test_a_fake_photo_as_proof_is_refused_and_nothing_changes(client, submit, officer_a):
    report = submit()
    report_accept(actor=officer_a, report=report)
    client.force_login(officer_a)
    fake = SimpleUploadedFile("proof.jpg", b"this is not a jpeg" * 100, content_type="image/jpeg")
    url = reverse("workspace:report_action", args=[report.tracking_code, "resolve"])
    response = client.post(
        url,
        {
            "answer": "Đã thu gom 2 xe rác tại ngõ 12 lúc 9 giờ sáng và rửa mặt đường sạch.",
            "proof": [fake],
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "proof.jpg" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    assert not Media.objects.filter(report=report, is_proof=True).exists()


def test_a_malformed_extension_deadline_is_refused_in_vietnamese(client, submit, officer_a):
    report = submit()
    report_accept(actor=officer_a, report=report)
    client.force_login(officer_a)
    url = reverse("workspace:report_action", args=[report.tracking_code, "request_extension"])
    response = client.post(
        url, {"until": "next tuesday", "reason": "Chờ vật tư"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Nhập một ngày/thời gian hợp lệ." in response.content.decode()
    assert not report.extension_requests.exists()
    assert Report.objects.get(pk=report.pk).resolve_due_at == report.resolve_due_at
