"""The unit's inbox: only the unit's reports, tabs with exact counts, filters, search, sort and
paging; the SLA countdown on every row; a fixed number of queries however many rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import BA_DINH_SQUARE
from reports import clock
from reports.models import Report
from reports.services import report_accept, report_assign, report_return, report_start

URL = reverse("workspace:inbox")


def codes_in(response) -> list[str]:
    """Tracking codes of the listed rows, in order."""
    body = response.content.decode()
    return [part.split("<")[0] for part in body.split('<div class="meta">PA-')[1:]]


def listed(response) -> list[str]:
    return ["PA-" + c for c in codes_in(response)]


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_resident_gets_404(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 404


def test_coordinator_without_a_unit_is_sent_to_the_queue(client, coordinator):
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:coordinator_queue")


def test_officer_of_ward_b_sees_only_ward_b_reports_and_counts(client, submit, officer_b, bob):
    submit(title="Rác ở phố Hàng Bài")  # ward A
    b = submit(
        reporter=bob, title="Rác ở Quảng trường", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1]
    )
    client.force_login(officer_b)
    response = client.get(URL)
    body = response.content.decode()
    assert listed(response) == [b.tracking_code]
    assert "Rác ở phố Hàng Bài" not in body
    assert response.context["tabs"][0] == {"key": "new", "label": "Mới", "count": 1}
    assert {t["key"]: t["count"] for t in response.context["tabs"]}["open"] == 1


def test_bucket_counts_are_exact(client, submit, officer_a, officer_b, coordinator):
    new = submit(title="Mới")
    accepted = submit(title="Đã tiếp nhận")
    report_accept(actor=officer_a, report=accepted)
    started = submit(title="Đang xử lý")
    report_accept(actor=officer_a, report=started)
    report_start(actor=officer_a, report=started)
    returned = submit(title="Trả lại")
    report_return(actor=officer_a, report=returned, reason="Không thuộc thẩm quyền phường")
    now = clock.now()
    Report.objects.filter(pk=new.pk).update(due_at=now + timedelta(hours=2))  # due soon
    Report.objects.filter(pk=started.pk).update(due_at=now - timedelta(hours=1))  # overdue
    client.force_login(officer_a)
    response = client.get(URL)
    counts = {t["key"]: t["count"] for t in response.context["tabs"]}
    assert counts == {
        "new": 1,
        "accepted": 1,
        "in_progress": 1,
        "due_soon": 1,
        "overdue": 1,
        "returned": 1,
        "open": 3,
    }
    returned_tab = client.get(URL, {"bucket": "returned"})
    assert listed(returned_tab) == [returned.tracking_code]
    # It is with the coordination office now: the row opens the public page, not the
    # workspace page (which would be a 404 for this unit).
    assert reverse("citizen:report_detail", args=[returned.tracking_code]) in (
        returned_tab.content.decode()
    )
    assert listed(client.get(URL, {"bucket": "overdue"})) == [started.tracking_code]
    assert listed(client.get(URL, {"bucket": "due_soon"})) == [new.tracking_code]
    assert listed(client.get(URL, {"bucket": "accepted"})) == [accepted.tracking_code]
    # Ward B returned nothing: ward A's return is not in its tab.
    client.force_login(officer_b)
    counts_b = {t["key"]: t["count"] for t in client.get(URL).context["tabs"]}
    assert counts_b["returned"] == 0


def test_overdue_and_due_soon_rows_stand_out_with_words(client, submit, officer_a):
    late = submit(title="Quá hạn")
    soon = submit(title="Sắp hạn")
    now = clock.now()
    Report.objects.filter(pk=late.pk).update(due_at=now - timedelta(hours=26))
    Report.objects.filter(pk=soon.pk).update(due_at=now + timedelta(hours=3))
    client.force_login(officer_a)
    with clock.travel(now):
        body = client.get(URL).content.decode()
    late_row = body.split(late.tracking_code)[0].rsplit("<tr", 1)[1]
    assert 'class="row-overdue"' in late_row
    assert "Quá hạn 1 ngày 2 giờ" in body  # the SLA countdown in words
    assert "Còn 3 giờ 0 phút" in body
    assert 'class="row-due-soon"' in body
    assert '<strong class="flag flag-due-soon">Sắp đến hạn</strong>' in body


def test_search_ignores_diacritics_and_case(client, submit, officer_a):
    noise = submit(title="Ô nhiễm tiếng ồn quán karaoke")
    road = submit(title="Ổ gà trên đường Tràng Thi")
    submit(title="Rác thải tràn ra vỉa hè")
    client.force_login(officer_a)
    assert listed(client.get(URL, {"q": "o nhiem"})) == [noise.tracking_code]
    assert listed(client.get(URL, {"q": "Ô NHIỄM"})) == [noise.tracking_code]
    assert listed(client.get(URL, {"q": "duong"})) == [road.tracking_code]


def test_filters_category_status_assignee_and_period(
    client, submit, officer_a, officer_a2, leader_a
):
    old = submit(title="Cũ")
    Report.objects.filter(pk=old.pk).update(created_at=clock.now() - timedelta(days=40))
    mine = submit(title="Của tôi")
    report_assign(actor=officer_a, report=mine, assignee=officer_a)
    hoa = submit(title="Của Hoa")
    report_assign(actor=leader_a, report=hoa, assignee=officer_a2)
    report_accept(actor=officer_a2, report=hoa)
    client.force_login(officer_a)
    assert listed(client.get(URL, {"assignee": "me"})) == [mine.tracking_code]
    assert listed(client.get(URL, {"assignee": str(officer_a2.pk)})) == [hoa.tracking_code]
    assert set(listed(client.get(URL, {"assignee": "none"}))) == {old.tracking_code}
    assert listed(client.get(URL, {"status": "accepted"})) == [hoa.tracking_code]
    assert set(listed(client.get(URL, {"period": "30"}))) == {mine.tracking_code, hoa.tracking_code}
    since = (clock.now() - timedelta(days=45)).date().isoformat()
    until = (clock.now() - timedelta(days=35)).date().isoformat()
    assert listed(client.get(URL, {"since": since, "until": until})) == [old.tracking_code]
    assert len(listed(client.get(URL, {"category": "rac-thai-ve-sinh"}))) == 3
    assert listed(client.get(URL, {"category": "un-tac-giao-thong"})) == []
    assert len(listed(client.get(URL, {"ward": "00070"}))) == 3


def test_sort_by_deadline_and_by_date(client, submit, officer_a):
    first, second, third = (submit(title=f"Phản ánh {n}") for n in (1, 2, 3))
    now = clock.now()
    Report.objects.filter(pk=first.pk).update(due_at=now + timedelta(hours=30))
    Report.objects.filter(pk=second.pk).update(due_at=now + timedelta(hours=10))
    Report.objects.filter(pk=third.pk).update(due_at=now + timedelta(hours=20))
    client.force_login(officer_a)
    codes = [r.tracking_code for r in (first, second, third)]
    assert listed(client.get(URL)) == [codes[1], codes[2], codes[0]]
    assert listed(client.get(URL, {"sort": "-created"})) == codes[::-1]
    assert listed(client.get(URL, {"sort": "created"})) == codes


def test_paging_keeps_the_filters(client, submit, officer_a):
    for n in range(27):
        submit(title=f"Rác điểm {n}")
    client.force_login(officer_a)
    first = client.get(URL, {"q": "rac diem", "sort": "created"})
    assert len(listed(first)) == 25
    body = first.content.decode()
    assert "q=rac+diem&amp;sort=created&amp;page=2" in body
    second = client.get(URL, {"q": "rac diem", "sort": "created", "page": "2"})
    assert len(listed(second)) == 2
    assert "q=rac+diem&amp;sort=created&amp;page=1" in second.content.decode()


def test_htmx_request_gets_only_the_list(client, submit, officer_a):
    submit()
    client.force_login(officer_a)
    full = client.get(URL).content.decode()
    part = client.get(URL, {"bucket": "new"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full and "<html" not in part
    assert 'id="inbox-bucket" value="new" hx-swap-oob="true"' in part
    assert '<table class="inbox">' in part


@pytest.mark.parametrize("rows", [3, 30])
def test_query_count_does_not_grow_with_rows(
    client, submit, officer_a, officer_a2, leader_a, rows, django_assert_num_queries
):
    for n in range(rows):
        report = submit(title=f"Rác {n}")
        report_assign(actor=leader_a, report=report, assignee=officer_a2)
    client.force_login(leader_a)
    client.get(URL)  # warm the session
    with django_assert_num_queries(10):
        response = client.get(URL)
    assert len(listed(response)) == min(rows, 25)
