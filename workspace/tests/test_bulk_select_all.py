"""Bulk actions on "all matching this filter", and the confirmation step before any bulk
action: the filter is evaluated again on the server (never a list of reports from the
browser), only the leader's own units' reports change, a large selection is refused whole,
and the outcome says how many succeeded and which were skipped and why."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from conftest import BA_DINH_SQUARE, make_user
from reports.models import Report
from reports.services import report_accept
from reports.workflow import Status

URL = reverse("workspace:bulk")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def ward_b_reports(submit, bob):
    # Same category and title as ward A's: only the unit tells them apart.
    return [submit(reporter=bob, lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1]) for _ in range(2)]


def statuses(reports) -> list[str]:
    return [Report.objects.get(pk=r.pk).status for r in reports]


def all_matching(client, filters: str, *, action="accept", confirm=True, expected=None, **extra):
    data = {"action": action, "scope": "all", "filters": filters, **extra}
    if confirm:
        data.update(confirm="1", expected=str(expected))
    return client.post(URL, data, headers=HTMX)


def test_a_bulk_action_asks_first_naming_the_count_and_the_action(client, submit, leader_a):
    reports = [submit() for _ in range(3)]
    client.force_login(leader_a)
    codes = [r.tracking_code for r in reports]
    response = client.post(URL, {"action": "accept", "codes": codes, "filters": "bucket=new"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body  # without JavaScript: a confirmation page of its own
    assert "Tiếp nhận 3 phản ánh đã chọn?" in body
    assert 'name="confirm" value="1"' in body
    assert statuses(reports) == [Status.ROUTED] * 3  # nothing changed before the confirmation


def test_all_matching_for_ward_as_leader_never_touches_ward_bs_reports(
    client, submit, leader_a, ward_b_reports
):
    mine = [submit() for _ in range(3)]
    client.force_login(leader_a)
    # The confirmation counts what the inbox counts: ward A's three.
    asked = all_matching(client, "bucket=new", confirm=False).content.decode()
    assert "Tiếp nhận tất cả 3 phản ánh khớp với bộ lọc này?" in asked
    assert 'name="expected" value="3"' in asked
    # A forged form naming ward B's reports changes nothing there: "all" ignores codes.
    forged = [r.tracking_code for r in ward_b_reports]
    body = all_matching(client, "bucket=new", expected=3, codes=forged).content.decode()
    assert "Đã tiếp nhận 3" in body
    assert statuses(mine) == [Status.ACCEPTED] * 3
    assert statuses(ward_b_reports) == [Status.ROUTED] * 2
    assert all(r.events.count() == 2 for r in ward_b_reports)  # submit, route: nothing else


def test_a_leader_who_is_only_an_officer_of_ward_b_sees_its_reports_skipped(
    client, submit, ward_a, ward_b, ward_b_reports
):
    both = make_user("both", agency=ward_a, role=Role.UNIT_LEADER, full_name="Trưởng Hai Nơi")
    Membership.objects.create(user=both, agency=ward_b, role=Role.OFFICER)
    mine = submit()
    client.force_login(both)
    body = all_matching(client, "bucket=new", expected=3).content.decode()
    assert "Đã tiếp nhận 1, 2 không thực hiện được:" in body
    assert "không thuộc đơn vị bạn phụ trách" in body
    assert all(r.tracking_code in body for r in ward_b_reports)
    assert statuses([mine]) == [Status.ACCEPTED]
    assert statuses(ward_b_reports) == [Status.ROUTED] * 2


def test_all_matching_re_evaluates_the_filter_on_the_server(client, submit, leader_a):
    lamp = submit(title="Đèn đường hỏng")
    rubbish = submit(title="Rác thải tràn ra vỉa hè")
    client.force_login(leader_a)
    body = all_matching(client, "bucket=new&q=den+duong", expected=1).content.decode()
    assert "Đã tiếp nhận 1" in body
    assert statuses([lamp, rubbish]) == [Status.ACCEPTED, Status.ROUTED]


def test_skipped_reports_are_listed_with_the_reason(client, submit, leader_a, officer_a):
    done, todo = submit(), submit()
    report_accept(actor=officer_a, report=done)
    client.force_login(leader_a)
    body = all_matching(client, "bucket=open", expected=2).content.decode()
    summary = re.search(r'<p class="bulk-summary" role="status">(.*?)</p>', body, re.S)
    assert summary is not None
    text = summary.group(1)
    assert "Đã tiếp nhận 1, 1 không thực hiện được:" in text
    assert done.tracking_code in text and todo.tracking_code not in text
    assert statuses([done, todo]) == [Status.ACCEPTED, Status.ACCEPTED]


def test_when_the_filter_matches_other_reports_than_confirmed_it_asks_again(
    client, submit, leader_a
):
    reports = [submit(), submit()]
    client.force_login(leader_a)
    body = all_matching(client, "bucket=new", expected=1).content.decode()
    assert "Bộ lọc giờ khớp với 2 phản ánh, không phải 1 như trước: hãy xác nhận lại." in body
    assert 'name="expected" value="2"' in body
    assert statuses(reports) == [Status.ROUTED] * 2


def test_more_than_the_cap_is_refused_whole_with_a_clear_message(
    client, submit, leader_a, monkeypatch
):
    monkeypatch.setattr("workspace.services.MAX_BULK", 2)
    reports = [submit() for _ in range(3)]
    client.force_login(leader_a)
    for response in (
        all_matching(client, "bucket=new", confirm=False),
        all_matching(client, "bucket=new", expected=3),
        client.post(
            URL,
            {"action": "accept", "codes": [r.tracking_code for r in reports], "confirm": "1"},
        ),
    ):
        body = response.content.decode()
        assert "Đã chọn 3 phản ánh; mỗi thao tác hàng loạt chỉ áp dụng cho tối đa 2." in body
    assert statuses(reports) == [Status.ROUTED] * 3


def test_an_officer_cannot_apply_to_all_matching(client, submit, officer_a):
    report = submit()
    client.force_login(officer_a)
    assert all_matching(client, "bucket=new", expected=1).status_code == 403
    assert statuses([report]) == [Status.ROUTED]


def test_the_inbox_offers_select_all_and_the_no_js_all_matching_button(client, submit, leader_a):
    for _ in range(26):  # one more than a page
        submit()
    client.force_login(leader_a)
    body = client.get(reverse("workspace:inbox"), {"bucket": "new"}).content.decode()
    assert "data-pick-page" in body
    assert "Chọn tất cả 26 phản ánh khớp với bộ lọc này" in body
    assert 'name="scope" value="all"' in body and "Áp dụng cho tất cả 26 phản ánh" in body
