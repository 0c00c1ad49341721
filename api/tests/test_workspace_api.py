"""The workspace endpoints: inbox, one report, every action, extension decisions, the
coordinator's queue; another unit and residents get 404, refusals change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import BA_DINH_SQUARE, GOOD_ANSWER, photo_file
from reports import clock
from reports.models import ExtensionRequest, ExtensionStatus, Media, Report, ReportEvent
from reports.services import report_accept, report_request_extension, report_return
from reports.workflow import Status

from .helpers import english, session_client, token_client

pytestmark = pytest.mark.django_db


def status_of(report: Report) -> str:
    return Report.objects.get(pk=report.pk).status


def events_of(report: Report) -> list[str]:
    return list(ReportEvent.objects.filter(report=report).values_list("action", flat=True))


# --- inbox and report ----------------------------------------------------------------------------


def test_inbox_lists_the_units_new_reports_with_counts(officer_a, submit):
    report = submit()
    submit(lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1], title="Ở Ba Đình")
    body = token_client(officer_a).get("/api/workspace/inbox", {"bucket": "new"}).json()
    assert [r["tracking_code"] for r in body["items"]] == [report.tracking_code]
    assert body["counts"]["new"] == 1 and body["counts"]["open"] == 1
    assert body["items"][0]["sla"] == "on_track"
    assert body["items"][0]["assignee"] is None


def test_inbox_filters_as_the_page_does_and_ignores_unknown_values(officer_a, submit):
    submit()
    client = token_client(officer_a)
    assert client.get("/api/workspace/inbox", {"bucket": "accepted"}).json()["count"] == 0
    assert client.get("/api/workspace/inbox", {"bucket": "nonsense"}).json()["count"] == 1
    assert client.get("/api/workspace/inbox", {"q": "rac thai"}).json()["count"] == 1
    assert client.get("/api/workspace/inbox", {"q": "khong co"}).json()["count"] == 0


def test_other_wards_officer_sees_nothing_of_ward_a(officer_b, submit):
    report = submit()
    client = token_client(officer_b)
    assert client.get("/api/workspace/inbox").json()["count"] == 0
    response = client.get(f"/api/workspace/reports/{report.tracking_code}")
    missing = client.get("/api/workspace/reports/PA-2099-000001")
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


@pytest.mark.parametrize(
    "path", ["/api/workspace/inbox", "/api/workspace/queue", "/api/workspace/reports/{code}"]
)
def test_resident_gets_404_on_workspace_reads(alice, submit, path):
    report = submit()
    response = token_client(alice).get(path.format(code=report.tracking_code))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_officer_sees_the_reporters_contact_and_the_allowed_actions(officer_a, submit):
    report = submit()
    body = token_client(officer_a).get(f"/api/workspace/reports/{report.tracking_code}").json()
    assert body["reporter"] == {"name": "Nguyễn Thị Alice", "phone": "+84912345678"}
    assert body["allowed_actions"] == [
        "accept",
        "assign",
        "return",
        "transfer",
        "merge",
        "reject",
    ]
    assert [e["action"] for e in body["events"]] == ["submit", "route"]
    assert body["unit_code"] == "ubnd-00070"


def test_city_leader_reads_without_the_reporters_contact(city_leader, submit):
    report = submit()
    body = token_client(city_leader).get(f"/api/workspace/reports/{report.tracking_code}").json()
    assert body["reporter"] is None
    assert body["allowed_actions"] == []


# --- actions ---------------------------------------------------------------------------------------


def test_officer_accepts_by_token(officer_a, submit):
    report = submit()
    response = english(token_client(officer_a)).post(
        f"/api/workspace/reports/{report.tracking_code}/accept"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "tracking_code": report.tracking_code,
        "status": "accepted",
        "status_label": "Accepted",
        "message": "The report is accepted.",
        "still_yours": True,
    }
    assert status_of(report) == Status.ACCEPTED


def test_action_with_the_session_needs_csrf(officer_a, submit):
    report = submit()
    client = session_client(officer_a, csrf=True)
    response = client.post(f"/api/workspace/reports/{report.tracking_code}/accept")
    assert response.status_code == 403
    assert status_of(report) == Status.ROUTED
    assert (
        session_client(officer_a)
        .post(f"/api/workspace/reports/{report.tracking_code}/accept")
        .status_code
        == 200
    )


def test_other_wards_officer_gets_404_and_nothing_changes(officer_b, submit):
    report = submit()
    response = token_client(officer_b).post(f"/api/workspace/reports/{report.tracking_code}/accept")
    assert response.status_code == 404
    assert status_of(report) == Status.ROUTED
    assert events_of(report) == ["submit", "route"]


def test_resident_cannot_act_even_on_their_own_report(alice, submit):
    report = submit()
    response = token_client(alice).post(
        f"/api/workspace/reports/{report.tracking_code}/reject", {"reason": "Tự hủy"}
    )
    assert response.status_code == 404
    assert status_of(report) == Status.ROUTED


def test_return_without_reason_is_refused_in_vietnamese_and_in_english(officer_a, submit):
    report = submit()
    url = f"/api/workspace/reports/{report.tracking_code}/return"
    vi = token_client(officer_a).post(url, {"reason": ""})
    assert vi.status_code == 400
    assert vi.json() == {"code": "reason_required", "detail": "Thao tác này cần nêu lý do."}
    en = english(token_client(officer_a)).post(url, {"reason": ""})
    assert en.json() == {
        "code": "reason_required",
        "detail": "A reason is required for this action.",
    }
    assert status_of(report) == Status.ROUTED
    assert events_of(report) == ["submit", "route"]


def test_return_with_reason_leaves_the_unit(officer_a, submit):
    report = submit()
    response = token_client(officer_a).post(
        f"/api/workspace/reports/{report.tracking_code}/return",
        {"reason": "Không thuộc thẩm quyền phường"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "returned"
    # Still visible: the unit sees its own returns in the "returned" bucket.
    assert Report.objects.get(pk=report.pk).agency.code == "dieu-phoi"


def test_resolving_a_report_not_yet_accepted_is_a_409(officer_a, submit):
    report = submit()
    response = token_client(officer_a).post(
        f"/api/workspace/reports/{report.tracking_code}/resolve", {"answer": GOOD_ANSWER}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert status_of(report) == Status.ROUTED


def test_resolve_with_proof_files(officer_a, submit):
    report = submit()
    report_accept(actor=officer_a, report=report)
    response = token_client(officer_a).post(
        f"/api/workspace/reports/{report.tracking_code}/resolve",
        {"answer": GOOD_ANSWER, "proof": [photo_file("sau.jpg")]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "resolved"
    assert Media.objects.filter(report=report, is_proof=True).count() == 1


def test_resolve_with_a_stock_answer_is_refused_and_stores_no_file(officer_a, submit):
    report = submit()
    report_accept(actor=officer_a, report=report)
    response = english(token_client(officer_a)).post(
        f"/api/workspace/reports/{report.tracking_code}/resolve",
        {"answer": "Đã xử lý.", "proof": [photo_file()]},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "answer_too_short"
    assert status_of(report) == Status.ACCEPTED
    assert not Media.objects.filter(is_proof=True).exists()


def test_leader_assigns_and_officer_cannot_assign_someone_else(
    officer_a, officer_a2, leader_a, submit
):
    report = submit()
    url = f"/api/workspace/reports/{report.tracking_code}/assign"
    refused = english(token_client(officer_a)).post(url, {"assignee": officer_a2.pk})
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "forbidden",
        "detail": "Only the unit's leader can assign a report to someone else.",
    }
    assert Report.objects.get(pk=report.pk).assignee is None
    response = token_client(leader_a).post(url, {"assignee": officer_a2.pk})
    assert response.status_code == 200
    assert Report.objects.get(pk=report.pk).assignee == officer_a2


def test_assign_to_someone_outside_the_unit_is_a_400(leader_a, officer_b, submit):
    report = submit()
    response = token_client(leader_a).post(
        f"/api/workspace/reports/{report.tracking_code}/assign", {"assignee": officer_b.pk}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_choice"
    assert Report.objects.get(pk=report.pk).assignee is None


def test_transfer_to_another_ward_leaves_the_officers_reach(officer_a, ward_b, submit):
    report = submit()
    response = token_client(officer_a).post(
        f"/api/workspace/reports/{report.tracking_code}/transfer",
        {"agency": ward_b.pk, "reason": "Địa điểm thuộc phường Ba Đình"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "routed"
    assert response.json()["still_yours"] is False
    assert Report.objects.get(pk=report.pk).agency == ward_b


def test_merge_into_an_earlier_report(officer_a, submit):
    original = submit()
    duplicate = submit(title="Rác tràn vỉa hè (lần 2)")
    response = token_client(officer_a).post(
        f"/api/workspace/reports/{duplicate.tracking_code}/merge",
        {"into": original.tracking_code},
    )
    assert response.status_code == 200
    assert status_of(duplicate) == Status.MERGED
    self_merge = token_client(officer_a).post(
        f"/api/workspace/reports/{original.tracking_code}/merge",
        {"into": original.tracking_code},
    )
    assert self_merge.status_code == 400
    assert self_merge.json()["code"] == "merge_self"
    assert status_of(original) == Status.ROUTED


def test_reject_with_reason(officer_a, submit):
    report = submit()
    response = token_client(officer_a).post(
        f"/api/workspace/reports/{report.tracking_code}/reject", {"reason": "Nội dung sai sự thật"}
    )
    assert response.status_code == 200
    assert status_of(report) == Status.REJECTED


def test_extension_request_and_leaders_decision(officer_a, leader_a, submit):
    report = submit()
    report_accept(actor=officer_a, report=report)
    until = timezone.localtime(clock.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    response = token_client(officer_a).post(
        f"/api/workspace/reports/{report.tracking_code}/request_extension",
        {"until": until, "reason": "Chờ vật tư thay thế"},
    )
    assert response.status_code == 200, response.content
    extension = ExtensionRequest.objects.get()
    detail = token_client(leader_a).get(f"/api/workspace/reports/{report.tracking_code}").json()
    assert detail["pending_extension"]["id"] == extension.pk
    assert "grant_extension" in detail["allowed_actions"]
    # The officer may not decide; the leader grants.
    officer = token_client(officer_a).post(
        f"/api/workspace/extensions/{extension.pk}/decision", {"decision": "grant"}
    )
    assert officer.status_code == 403
    assert ExtensionRequest.objects.get().status == ExtensionStatus.PENDING
    granted = english(token_client(leader_a)).post(
        f"/api/workspace/extensions/{extension.pk}/decision", {"decision": "grant"}
    )
    assert granted.status_code == 200
    assert granted.json()["message"] == "The extension is granted."
    assert ExtensionRequest.objects.get().status == ExtensionStatus.GRANTED


def test_extension_with_a_malformed_deadline_is_a_400(officer_a, submit):
    report = submit()
    report_accept(actor=officer_a, report=report)
    response = english(token_client(officer_a)).post(
        f"/api/workspace/reports/{report.tracking_code}/request_extension",
        {"until": "next week", "reason": "Chờ vật tư"},
    )
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": "Enter a valid date/time."}
    assert not ExtensionRequest.objects.exists()


def test_refusing_an_extension_needs_a_note(officer_a, leader_a, submit):
    report = submit()
    report_accept(actor=officer_a, report=report)
    extension = report_request_extension(
        actor=officer_a, report=report, until=clock.now() + timedelta(days=20), reason="Chờ"
    )
    response = token_client(leader_a).post(
        f"/api/workspace/extensions/{extension.pk}/decision", {"decision": "refuse"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    assert ExtensionRequest.objects.get().status == ExtensionStatus.PENDING


def test_other_wards_officer_gets_404_on_an_extension(officer_a, officer_b, submit):
    report = submit()
    report_accept(actor=officer_a, report=report)
    extension = report_request_extension(
        actor=officer_a, report=report, until=clock.now() + timedelta(days=20), reason="Chờ"
    )
    response = token_client(officer_b).post(
        f"/api/workspace/extensions/{extension.pk}/decision", {"decision": "grant"}
    )
    assert response.status_code == 404
    assert ExtensionRequest.objects.get().status == ExtensionStatus.PENDING


# --- coordinator's queue ---------------------------------------------------------------------------


def test_coordinator_sees_returned_reports_and_reroutes_them(
    coordinator, officer_a, ward_b, submit
):
    report = submit()
    report_return(actor=officer_a, report=report, reason="Không thuộc thẩm quyền")
    client = token_client(coordinator)
    body = client.get("/api/workspace/queue", {"reason": "returned"}).json()
    assert [r["tracking_code"] for r in body["items"]] == [report.tracking_code]
    assert body["items"][0]["reasons"] == ["returned"]
    assert body["items"][0]["return_note"] == "Không thuộc thẩm quyền"
    assert body["items"][0]["suggested_agency_id"] is not None
    response = client.post(
        f"/api/workspace/reports/{report.tracking_code}/reroute", {"agency": ward_b.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "routed"
    assert Report.objects.get(pk=report.pk).agency == ward_b


def test_officer_cannot_open_the_queue_or_reroute(officer_a, ward_b, submit):
    report = submit()
    report_return(actor=officer_a, report=report, reason="Không thuộc thẩm quyền")
    client = token_client(officer_a)
    assert client.get("/api/workspace/queue").status_code == 404
    # Returned, the report is with the coordination office: no longer the ward's to see.
    response = client.post(
        f"/api/workspace/reports/{report.tracking_code}/reroute", {"agency": ward_b.pk}
    )
    assert response.status_code == 404
    assert status_of(report) == Status.RETURNED


def test_officer_of_the_unit_cannot_reroute(officer_a, ward_b, submit):
    report = submit()
    response = token_client(officer_a).post(
        f"/api/workspace/reports/{report.tracking_code}/reroute", {"agency": ward_b.pk}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Report.objects.get(pk=report.pk).agency.code == "ubnd-00070"
