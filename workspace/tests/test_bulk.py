"""A unit leader's bulk accept / assign: each report through its own service call, one failure
does not stop the others, another unit's report looks like a missing one."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from conftest import BA_DINH_SQUARE
from reports.services import report_accept
from reports.workflow import Status
from workspace.services import reports_bulk_apply

URL = reverse("workspace:bulk")


@pytest.fixture
def ward_b_report(submit, bob):
    return submit(reporter=bob, lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])


def test_leader_bulk_accepts_his_units_reports_and_not_ward_bs(
    client, submit, leader_a, ward_b_report
):
    mine = [submit(title=f"Rác {n}") for n in range(3)]
    client.force_login(leader_a)
    codes = [r.tracking_code for r in mine] + [ward_b_report.tracking_code]
    response = client.post(
        URL, {"action": "accept", "codes": codes, "filters": "bucket=new", "confirm": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        f"Đã tiếp nhận 3, 1 không thực hiện được: {ward_b_report.tracking_code} không tìm thấy"
        in body
    )
    for r in mine:
        r.refresh_from_db()
        assert r.status == Status.ACCEPTED
    ward_b_report.refresh_from_db()
    assert ward_b_report.status == Status.ROUTED
    assert ward_b_report.events.count() == 2  # submit, route: nothing written


def test_one_already_accepted_report_does_not_stop_the_others(submit, leader_a, officer_a):
    done, todo = submit(), submit()
    report_accept(actor=officer_a, report=done)
    results = reports_bulk_apply(
        actor=leader_a, tracking_codes=[done.tracking_code, todo.tracking_code], action="accept"
    )
    assert [r.ok for r in results] == [False, True]
    assert results[0].tracking_code == done.tracking_code
    assert "Đã tiếp nhận" in results[0].error  # "not possible while the report is Accepted"
    todo.refresh_from_db()
    assert todo.status == Status.ACCEPTED


def test_leader_bulk_assigns_to_officer_a2(client, submit, leader_a, officer_a2):
    reports = [submit(), submit()]
    client.force_login(leader_a)
    response = client.post(
        URL,
        {
            "action": "assign",
            "assignee": officer_a2.pk,
            "codes": [r.tracking_code for r in reports],
            "confirm": "1",
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "<html" not in body  # htmx: only the list comes back
    assert "Đã giao 2 cho Phạm Thị Hoa" in body
    for r in reports:
        r.refresh_from_db()
        assert r.assignee == officer_a2


def test_officer_sees_no_checkboxes_and_cannot_bulk(client, submit, officer_a):
    report = submit()
    client.force_login(officer_a)
    assert 'name="codes"' not in client.get(reverse("workspace:inbox")).content.decode()
    response = client.post(URL, {"action": "accept", "codes": [report.tracking_code]})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == Status.ROUTED
    with pytest.raises(PermissionDenied):
        reports_bulk_apply(actor=officer_a, tracking_codes=[report.tracking_code], action="accept")


def test_leader_sees_checkboxes(client, submit, leader_a):
    report = submit()
    client.force_login(leader_a)
    body = client.get(reverse("workspace:inbox")).content.decode()
    assert f'name="codes" value="{report.tracking_code}"' in body
