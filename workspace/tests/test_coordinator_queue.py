"""The coordination office's queue: returned, unroutable, escalated, reopened-twice and overdue
reports of the whole city, with the routing and return reasons, and re-route in two clicks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import BA_DINH_SQUARE, GOOD_ANSWER, photo_file
from reports import clock
from reports.models import Report
from reports.services import report_accept, report_rate, report_resolve, report_return
from reports.workflow import Status

URL = reverse("workspace:coordinator_queue")


def reroute_url(report):
    return reverse("workspace:queue_reroute", args=[report.tracking_code])


def listed(response) -> list[str]:
    return [row.report.tracking_code for row in response.context["rows"]]


@pytest.fixture
def returned(submit, officer_a):
    report = submit(title="Cây đổ chắn đường")
    report_return(actor=officer_a, report=report, reason="Việc của công ty cây xanh")
    return report


def test_resident_and_officer_get_404_anonymous_goes_to_sign_in(client, alice, officer_a):
    assert client.get(URL).status_code == 302
    client.force_login(alice)
    assert client.get(URL).status_code == 404
    client.force_login(officer_a)
    assert client.get(URL).status_code == 404


def test_queue_shows_returned_with_reasons_and_a_suggested_unit(
    client, submit, returned, coordinator, ward_a
):
    submit(title="Bình thường")  # routed to ward A, not late: not in the queue
    client.force_login(coordinator)
    response = client.get(URL)
    body = response.content.decode()
    assert listed(response) == [returned.tracking_code]
    assert "Việc của công ty cây xanh" in body
    assert '<span class="reason reason-returned">Đã trả lại</span>' in body
    route_note = returned.events.get(action="route").note
    assert route_note and route_note in body
    # The ward's committee is pre-selected: Hoàn Kiếm's.
    assert f'<option value="{ward_a.pk}" selected>' in body


def test_escalated_reopened_and_overdue_reports_are_in_the_queue(
    client, submit, alice, officer_a, coordinator
):
    reopened = submit(title="Mở lại hai lần")
    for _round in range(2):
        report_accept(actor=officer_a, report=reopened)
        report_resolve(actor=officer_a, report=reopened, answer=GOOD_ANSWER, files=[photo_file()])
        report_rate(actor=alice, report=reopened, satisfied=False, comment="Vẫn còn rác")
    late = submit(title="Quá hạn")
    Report.objects.filter(pk=late.pk).update(due_at=clock.now() - timedelta(hours=1))
    client.force_login(coordinator)
    response = client.get(URL)
    assert set(listed(response)) == {reopened.tracking_code, late.tracking_code}
    rows = {row.report.tracking_code: row.reasons for row in response.context["rows"]}
    assert rows[reopened.tracking_code] == ["escalated", "reopened"]
    assert rows[late.tracking_code] == ["overdue"]
    assert listed(client.get(URL, {"reason": "overdue"})) == [late.tracking_code]
    assert listed(client.get(URL, {"q": "mo lai"})) == [reopened.tracking_code]


def test_coordinator_reroutes_in_the_row_with_htmx(client, returned, coordinator, ward_b):
    client.force_login(coordinator)
    response = client.post(
        reroute_url(returned), {"agency": ward_b.pk}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<tr id="queue-{returned.tracking_code}" class="row-sent">' in body
    assert "Đã chuyển cho UBND Phường Ba Đình" in body
    returned.refresh_from_db()
    assert returned.status == Status.ROUTED
    assert returned.agency == ward_b


def test_reroute_to_the_same_unit_shows_the_error_in_the_row(client, returned, coordinator, office):
    client.force_login(coordinator)
    response = client.post(
        reroute_url(returned), {"agency": office.pk}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert '<p class="error" role="alert">Phản ánh đang ở chính đơn vị này.</p>' in body
    assert 'name="agency"' in body  # the form stays for another choice
    returned.refresh_from_db()
    assert returned.status == Status.RETURNED


def test_city_leader_sees_the_queue_read_only(client, returned, city_leader, ward_b):
    client.force_login(city_leader)
    body = client.get(URL).content.decode()
    assert returned.tracking_code in body
    assert 'name="agency"' not in body
    assert client.post(reroute_url(returned), {"agency": ward_b.pk}).status_code == 404
    returned.refresh_from_db()
    assert returned.status == Status.RETURNED


@pytest.mark.parametrize("rows", [2, 12])
def test_query_count_does_not_grow_with_rows(
    client, submit, officer_b, coordinator, rows, django_assert_num_queries
):
    for n in range(rows):
        report = submit(title=f"Trả lại {n}", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
        if n % 2:
            report_return(actor=officer_b, report=report, reason="Sai địa bàn")
        else:
            Report.objects.filter(pk=report.pk).update(due_at=clock.now() - timedelta(hours=1))
    client.force_login(coordinator)
    client.get(URL)  # the session is read once; the count below is the page's own cost
    # One of them the active categories, for the model's pick and the category select.
    with django_assert_num_queries(12):
        response = client.get(URL)
    assert len(listed(response)) == rows
