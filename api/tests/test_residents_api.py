"""The residents' app endpoints: my reports, one report, rating, notifications."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import GOOD_ANSWER, photo_file
from notify.models import Notification
from reports.models import Rating, Report
from reports.services import report_accept, report_assign, report_follow, report_resolve
from reports.workflow import Status

from .helpers import english, session_client, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(submit, officer_a):
    report = submit(title="Đèn đường hỏng")
    report_accept(actor=officer_a, report=report)
    return report_resolve(actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()])


def test_my_reports_lists_only_mine_newest_first(alice, bob, submit):
    first = submit()
    second = submit(title="Ổ gà")
    submit(reporter=bob, title="Của Bob")
    body = token_client(alice).get("/api/me/reports").json()
    assert body["count"] == 2 and body["page"] == 1 and body["pages"] == 1
    assert [r["tracking_code"] for r in body["items"]] == [
        second.tracking_code,
        first.tracking_code,
    ]
    assert body["items"][0]["status"] == "routed"
    assert body["items"][0]["ward"] == "Phường Hoàn Kiếm"


def test_my_reports_followed_lists_what_i_follow(alice, bob, submit):
    report = submit()
    report_follow(actor=bob, report=report)
    body = token_client(bob).get("/api/me/reports", {"followed": "true"}).json()
    assert [r["tracking_code"] for r in body["items"]] == [report.tracking_code]
    assert token_client(bob).get("/api/me/reports").json()["count"] == 0


def test_my_reports_pages_by_25(alice, submit):
    for i in range(26):
        submit(title=f"Phản ánh {i}", files=[photo_file()])
    client = token_client(alice)
    second = client.get("/api/me/reports", {"page": 2}).json()
    assert second["count"] == 26 and second["pages"] == 2 and second["page"] == 2
    assert [r["title"] for r in second["items"]] == ["Phản ánh 0"]


def test_bad_page_is_a_400_naming_the_parameter(alice):
    response = english(token_client(alice)).get("/api/me/reports", {"page": "two"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_input",
        "detail": "The request is not valid. Check: page.",
    }


def test_my_reports_needs_sign_in(client, db):
    assert client.get("/api/me/reports").status_code == 401


def test_public_report_shows_the_public_timeline_and_no_personal_data(
    client, submit, officer_a, officer_a2
):
    report = submit()
    report_accept(actor=officer_a, report=report)
    report_assign(actor=officer_a, report=report, assignee=officer_a)
    response = client.get(f"/api/reports/{report.tracking_code}")
    assert response.status_code == 200
    body = response.json()
    assert body["is_mine"] is False and body["can_rate"] is False
    assert body["unit"] == "UBND Phường Hoàn Kiếm"
    # The internal "assign" step is not on the public timeline.
    assert [e["action"] for e in body["timeline"]] == ["submit", "route", "accept"]
    text = response.content.decode()
    for private in ("Nguyễn Thị Alice", "+84912345678", "Lê Văn An", "alice", "officer_a"):
        assert private not in text
    assert len(body["media"]) == 1 and body["media"][0]["kind"] == "photo"


def test_private_report_is_404_to_others_and_open_to_its_reporter(alice, bob, submit):
    report = submit(is_public=False)
    for outsider in (Client(), token_client(bob)):
        response = outsider.get(f"/api/reports/{report.tracking_code}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    mine = token_client(alice).get(f"/api/reports/{report.tracking_code}")
    assert mine.status_code == 200 and mine.json()["is_mine"] is True


def test_malformed_tracking_code_is_a_400(client, db):
    response = english(client).get("/api/reports/PA%00-1")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"


def test_reporter_rates_satisfied_and_the_report_closes(alice, resolved):
    client = token_client(alice, **{"Accept-Language": "en"})
    assert client.get(f"/api/reports/{resolved.tracking_code}").json()["can_rate"] is True
    response = client.post(f"/api/reports/{resolved.tracking_code}/rating", {"satisfied": "yes"})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "tracking_code": resolved.tracking_code,
        "status": "closed",
        "status_label": "Closed",
        "message": "Thank you. The report is closed.",
    }
    assert Report.objects.get(pk=resolved.pk).status == Status.CLOSED


def test_unsatisfied_rating_without_comment_is_refused_in_vietnamese(alice, resolved):
    response = token_client(alice).post(
        f"/api/reports/{resolved.tracking_code}/rating", {"satisfied": "no"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "comment_required",
        "detail": "Hãy cho đơn vị biết điều gì chưa được giải quyết.",
    }
    assert Report.objects.get(pk=resolved.pk).status == Status.RESOLVED
    assert not Rating.objects.exists()


def test_unsatisfied_rating_reopens(alice, resolved):
    response = token_client(alice).post(
        f"/api/reports/{resolved.tracking_code}/rating",
        {"satisfied": "no", "comment": "Rác vẫn còn ở đầu ngõ."},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "reopened"


def test_rating_without_a_choice_is_a_400(alice, resolved):
    response = english(token_client(alice)).post(f"/api/reports/{resolved.tracking_code}/rating")
    assert response.status_code == 400
    assert response.json()["detail"] == "Choose satisfied or not satisfied."


def test_someone_else_cannot_rate_and_nothing_changes(bob, resolved):
    response = token_client(bob).post(
        f"/api/reports/{resolved.tracking_code}/rating", {"satisfied": "yes"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Report.objects.get(pk=resolved.pk).status == Status.RESOLVED
    assert not Rating.objects.exists()


def test_rating_twice_is_a_409(alice, resolved):
    client = token_client(alice)
    client.post(f"/api/reports/{resolved.tracking_code}/rating", {"satisfied": "yes"})
    again = client.post(f"/api/reports/{resolved.tracking_code}/rating", {"satisfied": "yes"})
    assert again.status_code == 409
    assert again.json()["code"] == "transition_not_allowed"
    assert Rating.objects.count() == 1


def test_notifications_list_and_mark_read(
    alice, bob, submit, officer_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit()
        report_accept(actor=officer_a, report=report)
    client = token_client(alice)
    body = client.get("/api/me/notifications").json()
    # Routed, then accepted: newest first.
    assert [n["kind"] for n in body["items"]] == ["accept", "route"]
    assert body["unread"] == 2 and body["count"] == 2
    assert body["items"][0]["tracking_code"] == report.tracking_code
    ids = [n["id"] for n in body["items"]]
    # Bob cannot mark Alice's notifications.
    other = token_client(bob).post(
        "/api/me/notifications/read", {"ids": ids}, content_type="application/json"
    )
    assert other.json() == {"marked": 0, "unread": 0}
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    response = client.post(
        "/api/me/notifications/read", {"ids": ids[:1]}, content_type="application/json"
    )
    assert response.json() == {"marked": 1, "unread": 1}
    unread = client.get("/api/me/notifications", {"unread": "true"}).json()
    assert [n["id"] for n in unread["items"]] == ids[1:]


def test_mark_read_with_the_session_needs_csrf(alice, submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit()
    ids = list(Notification.objects.filter(user=alice).values_list("pk", flat=True))
    assert len(ids) == 1
    client = session_client(alice, csrf=True)
    response = client.post(
        "/api/me/notifications/read", {"ids": ids}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
