"""The public pages: what anyone may see, what stays private, and that the list stays cheap."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import GOOD_ANSWER, photo_file
from reports.services import report_accept, report_reject, report_resolve


def detail_url(report) -> str:
    return reverse("citizen:report_detail", args=[report.tracking_code])


def test_list_shows_public_reports_without_reporter_names(client, submit):
    report = submit(title="Cây đổ chắn ngang phố Tràng Tiền")
    response = client.get(reverse("citizen:report_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Cây đổ chắn ngang phố Tràng Tiền" in body
    assert report.tracking_code in body
    assert "Alice" not in body and "+84912345678" not in body


def test_list_runs_a_fixed_number_of_queries_whatever_the_page_size(
    client, submit, django_assert_max_num_queries
):
    for i in range(12):
        submit(title=f"Ổ gà số {i}")
    # Paginator count + page rows (with category, ward, agency joined) + categories + session.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("citizen:report_list"))
    assert response.content.decode().count('class="report"') == 12


def test_private_report_is_404_for_strangers_and_visible_to_its_reporter(
    client, submit, alice, bob, officer_a, officer_b
):
    report = submit(is_public=False)
    assert client.get(detail_url(report)).status_code == 404
    client.force_login(bob)
    assert client.get(detail_url(report)).status_code == 404
    client.force_login(officer_b)
    assert client.get(detail_url(report)).status_code == 404
    client.force_login(officer_a)
    assert client.get(detail_url(report)).status_code == 200
    client.force_login(alice)
    response = client.get(detail_url(report))
    assert response.status_code == 200
    assert report.title in response.content.decode()


def test_rejected_report_leaves_the_public_list_but_its_reporter_still_sees_why(
    client, submit, alice, officer_a
):
    report = submit(title="Quảng cáo bán hàng không liên quan")
    report_reject(
        actor=officer_a,
        report=report,
        reason="Nội dung quảng cáo, không phải phản ánh hiện trường.",
    )
    assert "Quảng cáo bán hàng" not in client.get(reverse("citizen:report_list")).content.decode()
    assert client.get(detail_url(report)).status_code == 404
    client.force_login(alice)
    body = client.get(detail_url(report)).content.decode()
    assert "Nội dung quảng cáo, không phải phản ánh hiện trường." in body


def test_internal_assignment_note_stays_off_the_public_timeline(
    client, submit, officer_a, leader_a, officer_a2
):
    from reports.services import report_assign

    report = submit()
    report_accept(actor=officer_a, report=report)
    report_assign(actor=leader_a, report=report, assignee=officer_a2)
    body = client.get(detail_url(report)).content.decode()
    assert "Phạm Thị Hoa" not in body  # an officer's name is not public


def test_resolved_report_shows_answer_and_proof(
    client, submit, officer_a, django_capture_on_commit_callbacks, run_worker
):
    report = submit()
    report_accept(actor=officer_a, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        report_resolve(
            actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file("after.jpg")]
        )
    # The proof photo is shown through its public copy, made by the worker.
    run_worker()
    body = client.get(detail_url(report)).content.decode()
    assert GOOD_ANSWER in body
    assert 'alt="Ảnh kết quả xử lý"' in body


@pytest.mark.parametrize("status", ["bogus", "'; DROP TABLE", ""])
def test_unknown_status_filter_is_ignored_not_an_error(client, submit, status):
    submit()
    response = client.get(reverse("citizen:report_list"), {"status": status, "page": "x"})
    assert response.status_code == 200
    assert response.content.decode().count('class="report"') == 1


def test_user_text_is_escaped(client, submit):
    submit(title="<script>alert(1)</script> rác", description="<img src=x onerror=alert(2)>")
    body = client.get(reverse("citizen:report_list")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_list_filters_by_ward(client, submit):
    from conftest import BA_DINH_SQUARE

    submit(title="Ở Hoàn Kiếm")
    submit(title="Ở Ba Đình", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    body = client.get(reverse("citizen:report_list"), {"ward": "00004"}).content.decode()
    assert "Ở Ba Đình" in body
    assert "Ở Hoàn Kiếm" not in body


def test_list_filters_by_period(client, submit):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() - timedelta(days=40), tick=False):
        submit(title="Phản ánh cũ bốn mươi ngày")
    submit(title="Phản ánh mới hôm nay")
    body = client.get(reverse("citizen:report_list"), {"period": "30"}).content.decode()
    assert "Phản ánh mới hôm nay" in body
    assert "Phản ánh cũ bốn mươi ngày" not in body
    everything = client.get(reverse("citizen:report_list")).content.decode()
    assert "Phản ánh cũ bốn mươi ngày" in everything


def test_paging_keeps_the_filters(client, submit):
    for i in range(26):
        submit(title=f"Rác số {i}")
    body = client.get(
        reverse("citizen:report_list"), {"ward": "00070", "period": "7"}
    ).content.decode()
    assert 'href="?page=2&amp;ward=00070&amp;period=7"' in body
    second = client.get(reverse("citizen:report_list"), {"page": 2, "ward": "00070", "period": "7"})
    assert second.content.decode().count('class="report"') == 1
