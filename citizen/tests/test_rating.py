"""The reporter's verdict on a resolution, through the report page's form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import GOOD_ANSWER, photo_file
from reports.models import Rating, Report
from reports.services import report_accept, report_resolve
from reports.workflow import Status


@pytest.fixture
def resolved(submit, officer_a) -> Report:
    report = submit(title="Ổ gà lớn trước số 12 Tràng Thi")
    report_accept(actor=officer_a, report=report)
    report_resolve(actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()])
    report.refresh_from_db()
    return report


def rate_url(report) -> str:
    return reverse("citizen:report_rate", args=[report.tracking_code])


def detail_url(report) -> str:
    return reverse("citizen:report_detail", args=[report.tracking_code])


def test_reporter_sees_the_rating_form_on_a_resolved_report(client, alice, resolved):
    client.force_login(alice)
    body = client.get(detail_url(resolved)).content.decode()
    assert f'action="{rate_url(resolved)}"' in body
    assert 'name="satisfied"' in body and 'name="comment"' in body


def test_others_and_anonymous_see_no_rating_form(client, bob, resolved):
    assert 'name="satisfied"' not in client.get(detail_url(resolved)).content.decode()
    client.force_login(bob)
    assert 'name="satisfied"' not in client.get(detail_url(resolved)).content.decode()


def test_satisfied_closes_the_report(client, alice, resolved):
    client.force_login(alice)
    response = client.post(rate_url(resolved), {"satisfied": "yes", "comment": ""})
    assert response.status_code == 302
    assert response["Location"] == detail_url(resolved)
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    assert Rating.objects.get(report=resolved).satisfied is True
    # The form is gone once rated.
    assert 'name="satisfied"' not in client.get(detail_url(resolved)).content.decode()


def test_unsatisfied_with_a_comment_reopens_the_report(client, alice, resolved):
    client.force_login(alice)
    response = client.post(
        rate_url(resolved), {"satisfied": "no", "comment": "Ổ gà vẫn còn, chỉ đổ tạm ít đá."}
    )
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == Status.REOPENED
    assert resolved.reopen_count == 1
    page = client.get(detail_url(resolved)).content.decode()
    assert "Ổ gà vẫn còn, chỉ đổ tạm ít đá." in page  # the comment is on the timeline


def test_unsatisfied_without_a_comment_is_refused_in_vietnamese(client, alice, resolved):
    client.force_login(alice)
    response = client.post(rate_url(resolved), {"satisfied": "no", "comment": "  "})
    assert response.status_code == 400
    assert "Hãy cho đơn vị biết điều gì chưa được giải quyết." in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
    assert not Rating.objects.exists()


def test_no_choice_is_refused(client, alice, resolved):
    client.force_login(alice)
    response = client.post(rate_url(resolved), {"comment": "x"})
    assert response.status_code == 400
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED


def test_bob_cannot_rate_alices_report(client, bob, resolved):
    client.force_login(bob)
    for data in ({"satisfied": "no", "comment": "Không ổn"}, {"satisfied": "yes"}):
        response = client.post(rate_url(resolved), data)
        assert response.status_code in (403, 404)
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
    assert not Rating.objects.exists()


def test_bob_cannot_rate_alices_private_report_and_gets_404(client, bob, officer_a, submit):
    report = submit(is_public=False)
    report_accept(actor=officer_a, report=report)
    report_resolve(actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()])
    client.force_login(bob)
    assert client.post(rate_url(report), {"satisfied": "yes"}).status_code == 404
    report.refresh_from_db()
    assert report.status == Status.RESOLVED


def test_anonymous_is_sent_to_sign_in(client, resolved):
    response = client.post(rate_url(resolved), {"satisfied": "yes"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED


def test_rating_twice_is_refused(client, alice, resolved):
    client.force_login(alice)
    client.post(rate_url(resolved), {"satisfied": "yes"})
    response = client.post(rate_url(resolved), {"satisfied": "no", "comment": "Đổi ý"})
    assert response.status_code == 400
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    assert Rating.objects.count() == 1


def test_report_not_yet_resolved_cannot_be_rated(client, alice, submit):
    report = submit()
    client.force_login(alice)
    assert client.get(rate_url(report)).status_code == 302
    response = client.post(rate_url(report), {"satisfied": "yes"})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == Status.ROUTED
