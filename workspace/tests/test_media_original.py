"""The audited viewer of an attachment's original: the unit's leader or a coordinator, with a
reason, recorded on the report's chain; nobody else, and nothing served without the record."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from conftest import photo_file
from reports.models import Media, ReportEvent
from reports.workflow import Action

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


@pytest.fixture
def staff_client():
    from django.test import Client

    def signed_in(user) -> Client:
        client = Client()
        client.force_login(user)  # verified (conftest: force_login passes the second factor)
        return client

    return signed_in


@pytest.fixture
def leader_b(ward_b):
    from accounts.models import Role
    from conftest import make_user

    return make_user("leader_b", agency=ward_b, role=Role.UNIT_LEADER)


@pytest.fixture
def photo(submit) -> Media:
    return Media.objects.get(report=submit(files=[photo_file()]))


def url(media: Media) -> str:
    return reverse("workspace:media_original", args=[media.pk])


def views_recorded(media: Media) -> list[ReportEvent]:
    return list(ReportEvent.objects.filter(report=media.report, action=Action.VIEW_ORIGINAL))


def test_leader_gives_a_reason_and_gets_the_original_recorded(staff_client, leader_a, photo):
    client = staff_client(leader_a)
    form = client.get(url(photo))
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    assert views_recorded(photo) == []  # asking for the form opens nothing

    response = client.post(url(photo), {"reason": "Xác minh vị trí chụp với phường"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == Path(photo.file.path).read_bytes()
    [event] = views_recorded(photo)
    assert event.actor == leader_a and event.note == "Xác minh vị trí chụp với phường"
    assert event.data["media_id"] == photo.pk and not event.is_public
    # On the chain like every step: verify_audit still passes.
    from reports import audit

    assert list(audit.verify(ReportEvent.objects.filter(report=photo.report))) == []


def test_no_reason_no_file(staff_client, leader_a, photo):
    response = staff_client(leader_a).post(url(photo), {"reason": "  "})
    assert response.status_code == 400
    assert "Hãy nêu lý do cần xem tệp gốc." in response.content.decode()
    assert views_recorded(photo) == []


def test_an_officer_or_another_units_leader_gets_a_404(staff_client, officer_a, leader_b, photo):
    for person in (officer_a, leader_b):
        client = staff_client(person)
        assert client.get(url(photo)).status_code == 404
        assert client.post(url(photo), {"reason": "xem thử"}).status_code == 404
    assert views_recorded(photo) == []


def test_a_coordinator_may_open_it_too(staff_client, coordinator, photo):
    response = staff_client(coordinator).post(url(photo), {"reason": "Đối chiếu phản ánh trùng"})
    assert response.status_code == 200
    assert [e.actor for e in views_recorded(photo)] == [coordinator]


def test_the_leader_sees_the_link_on_the_report_page(staff_client, leader_a, officer_a, photo):
    page = reverse("workspace:report", args=[photo.report.tracking_code])
    assert url(photo) in staff_client(leader_a).get(page).content.decode()
    assert url(photo) not in staff_client(officer_a).get(page).content.decode()
