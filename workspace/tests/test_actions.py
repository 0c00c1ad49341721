"""Every action of the workspace report page through its HTTP endpoint: what it changes, the
event it writes, what a refusal looks like (in Vietnamese), and who may not act at all."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conftest import BA_DINH_SQUARE, GOOD_ANSWER, photo_file
from reports.models import (
    ExtensionRequest,
    ExtensionStatus,
    Media,
    Report,
    ReportEvent,
    ReportFollower,
    ResponseTemplate,
)
from reports.services import (
    report_accept,
    report_request_extension,
    report_return,
)
from reports.workflow import Action, Status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
TUESDAY_9AM = datetime(2026, 3, 10, 9, 0, tzinfo=HANOI)
HTMX = {"HTTP_HX_REQUEST": "true"}
TEMPLATE_TEXT = (
    "Tổ công tác của phường đã kiểm tra hiện trường, thu gom toàn bộ rác thải và vệ sinh "
    "lại khu vực theo đúng quy trình."
)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TUESDAY_9AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def report(submit) -> Report:
    return submit()


@pytest.fixture
def accepted(report, officer_a) -> Report:
    report_accept(actor=officer_a, report=report)
    return fresh(report)


def fresh(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


def action_url(report: Report, action: str) -> str:
    return reverse("workspace:report_action", args=[report.tracking_code, action])


def page_url(report: Report) -> str:
    return reverse("workspace:report", args=[report.tracking_code])


def last_event(report: Report) -> ReportEvent:
    return ReportEvent.objects.filter(report=report).order_by("-created_at", "-id").first()


def snapshot(report: Report) -> dict:
    return {
        "row": Report.objects.filter(pk=report.pk).values().get(),
        "events": ReportEvent.objects.filter(report_id=report.pk).count(),
        "media": Media.objects.filter(report_id=report.pk).count(),
        "extensions": ExtensionRequest.objects.filter(report_id=report.pk).count(),
    }


# --- each action changes the report and writes its event -------------------------------------


def test_accept_moves_the_report_to_accepted_and_redirects_to_the_page(client, report, officer_a):
    client.force_login(officer_a)
    response = client.post(action_url(report, "accept"))
    assert response.status_code == 302
    assert response["Location"] == page_url(report)
    report = fresh(report)
    assert report.status == Status.ACCEPTED
    assert report.due_at == report.resolve_due_at
    event = last_event(report)
    assert (event.action, event.actor, event.actor_agency.code) == (
        Action.ACCEPT,
        officer_a,
        "ubnd-00070",
    )
    page = client.get(page_url(report)).content.decode()
    assert "Đã tiếp nhận phản ánh." in page  # the message after the redirect


def test_accept_with_htmx_answers_with_the_live_part_only(client, report, officer_a):
    client.force_login(officer_a)
    response = client.post(action_url(report, "accept"), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="report-live"')
    assert 'data-status="accepted"' in body
    assert "Đã tiếp nhận phản ánh." in body
    # The next step is offered, the one just taken is not.
    assert action_url(report, "start") in body
    assert action_url(report, "accept") not in body
    assert fresh(report).status == Status.ACCEPTED


def test_start_marks_the_report_in_progress(client, accepted, officer_a):
    client.force_login(officer_a)
    assert client.post(action_url(accepted, "start")).status_code == 302
    assert fresh(accepted).status == Status.IN_PROGRESS
    assert last_event(accepted).action == Action.START


def test_leader_assigns_an_officer_of_the_unit(client, accepted, leader_a, officer_a2):
    client.force_login(leader_a)
    response = client.post(action_url(accepted, "assign"), {"assignee": officer_a2.pk}, **HTMX)
    assert response.status_code == 200
    assert "Phạm Thị Hoa" in response.content.decode()
    assert fresh(accepted).assignee == officer_a2
    event = last_event(accepted)
    assert (event.action, event.is_public, event.note) == (Action.ASSIGN, False, "Phạm Thị Hoa")


def test_officer_takes_the_report_himself(client, report, officer_a):
    client.force_login(officer_a)
    assert client.post(action_url(report, "assign"), {"assignee": officer_a.pk}).status_code == 302
    assert fresh(report).assignee == officer_a


def test_officer_cannot_assign_a_colleague(client, report, officer_a, officer_a2):
    client.force_login(officer_a)
    before = snapshot(report)
    response = client.post(action_url(report, "assign"), {"assignee": officer_a2.pk}, **HTMX)
    assert response.status_code == 403
    assert "<html" not in response.content.decode()
    assert snapshot(report) == before


def test_leader_cannot_assign_an_officer_of_another_ward(client, report, leader_a, officer_b):
    client.force_login(leader_a)
    before = snapshot(report)
    response = client.post(action_url(report, "assign"), {"assignee": officer_b.pk})
    assert response.status_code == 400
    # Not in the list of the unit's staff.
    assert (
        "Hãy chọn một lựa chọn hợp lệ. Lựa chọn đó không phải là một trong các lựa chọn khả thi."
        in response.content.decode()
    )
    assert snapshot(report) == before


def test_return_with_a_reason_hands_the_report_to_the_coordinator(
    client, report, officer_a, office
):
    client.force_login(officer_a)
    response = client.post(action_url(report, "return"), {"reason": "Không thuộc thẩm quyền"})
    # The report left the unit: back to the inbox.
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:inbox")
    report = fresh(report)
    assert (report.status, report.agency) == (Status.RETURNED, office)
    assert (last_event(report).action, last_event(report).note) == (
        Action.RETURN,
        "Không thuộc thẩm quyền",
    )


def test_return_without_a_reason_is_refused_and_nothing_changes(client, report, officer_a):
    client.force_login(officer_a)
    before = snapshot(report)
    response = client.post(action_url(report, "return"), {"reason": "  "}, **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" not in body
    assert "Thao tác này cần nêu lý do." in body
    assert snapshot(report) == before


def test_transfer_with_htmx_sends_the_browser_to_the_inbox(client, report, officer_a, ward_b):
    client.force_login(officer_a)
    response = client.post(
        action_url(report, "transfer"),
        {"agency": ward_b.pk, "reason": "Địa điểm thuộc phường Ba Đình"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("workspace:inbox")
    report = fresh(report)
    assert (report.status, report.agency) == (Status.ROUTED, ward_b)
    assert last_event(report).data == {"from_agency": "ubnd-00070", "to_agency": "ubnd-00004"}


def test_transfer_to_the_same_unit_cannot_be_chosen(client, report, officer_a, ward_a):
    client.force_login(officer_a)
    before = snapshot(report)
    response = client.post(action_url(report, "transfer"), {"agency": ward_a.pk, "reason": "x"})
    assert response.status_code == 400
    assert snapshot(report) == before


def test_coordinator_reroutes_a_returned_report(client, report, officer_a, coordinator, ward_b):
    report_return(actor=officer_a, report=report, reason="Không thuộc thẩm quyền")
    client.force_login(coordinator)
    response = client.post(action_url(report, "reroute"), {"agency": ward_b.pk, "reason": ""})
    assert response.status_code == 302
    assert response["Location"] == page_url(report)  # the coordinator still sees it
    report = fresh(report)
    assert (report.status, report.agency) == (Status.ROUTED, ward_b)
    assert last_event(report).action == Action.REROUTE


def test_extension_request_then_leader_grant_moves_the_resolve_deadline(
    client, accepted, officer_a, leader_a
):
    old_due = accepted.resolve_due_at
    until = (old_due + timedelta(days=5)).astimezone(HANOI).replace(hour=17, minute=0)
    client.force_login(officer_a)
    response = client.post(
        action_url(accepted, "request_extension"),
        {"until": until.strftime("%Y-%m-%dT%H:%M"), "reason": "Chờ xe cẩu của thành phố"},
    )
    assert response.status_code == 302
    request = ExtensionRequest.objects.get(report=accepted)
    # The datetime-local value is Hanoi time.
    assert request.requested_due_at == until
    assert request.status == ExtensionStatus.PENDING
    assert fresh(accepted).resolve_due_at == old_due
    # The officer sees it waiting; the leader sees the decision buttons.
    assert "Đang chờ lãnh đạo đơn vị quyết định." in client.get(page_url(accepted)).content.decode()

    client.force_login(leader_a)
    decide = reverse("workspace:extension_decide", args=[request.pk])
    assert decide in client.get(page_url(accepted)).content.decode()
    response = client.post(decide, {"decision": "grant", "note": ""}, **HTMX)
    assert response.status_code == 200
    assert "Đã đồng ý gia hạn." in response.content.decode()
    report = fresh(accepted)
    assert report.resolve_due_at == until
    assert report.due_at == until
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (ExtensionStatus.GRANTED, leader_a)
    assert last_event(report).action == Action.GRANT_EXTENSION


def test_extension_to_an_earlier_date_is_refused(client, accepted, officer_a):
    client.force_login(officer_a)
    before = snapshot(accepted)
    earlier = accepted.resolve_due_at.astimezone(HANOI) - timedelta(hours=1)
    response = client.post(
        action_url(accepted, "request_extension"),
        {"until": earlier.strftime("%Y-%m-%dT%H:%M"), "reason": "Chờ vật tư"},
    )
    assert response.status_code == 400
    assert "Hạn mới phải sau hạn hiện tại." in response.content.decode()
    assert snapshot(accepted) == before


def test_leader_refusing_without_a_note_is_refused(client, accepted, officer_a, leader_a):
    extension = report_request_extension(
        actor=officer_a,
        report=accepted,
        until=accepted.resolve_due_at + timedelta(days=3),
        reason="Chờ vật tư",
    )
    client.force_login(leader_a)
    before = snapshot(accepted)
    decide = reverse("workspace:extension_decide", args=[extension.pk])
    response = client.post(decide, {"decision": "refuse", "note": ""}, **HTMX)
    assert response.status_code == 400
    assert "Thao tác này cần nêu lý do." in response.content.decode()
    assert snapshot(accepted) == before
    response = client.post(decide, {"decision": "refuse", "note": "Đủ thời gian xử lý"})
    assert response.status_code == 302
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REFUSED


def test_officer_cannot_decide_an_extension(client, accepted, officer_a):
    extension = report_request_extension(
        actor=officer_a,
        report=accepted,
        until=accepted.resolve_due_at + timedelta(days=3),
        reason="Chờ vật tư",
    )
    client.force_login(officer_a)
    before = snapshot(accepted)
    response = client.post(
        reverse("workspace:extension_decide", args=[extension.pk]), {"decision": "grant"}
    )
    assert response.status_code == 403
    assert snapshot(accepted) == before


def test_resolve_with_an_answer_and_a_proof_photo(client, accepted, officer_a):
    client.force_login(officer_a)
    response = client.post(
        action_url(accepted, "resolve"),
        {"answer": GOOD_ANSWER, "proof": [photo_file("after.jpg")]},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-status="resolved"' in body
    report = fresh(accepted)
    assert (report.status, report.answer) == (Status.RESOLVED, GOOD_ANSWER)
    event = last_event(report)
    assert event.action == Action.RESOLVE
    proof = Media.objects.get(report=report, is_proof=True)
    assert (proof.event, proof.uploaded_by, proof.kind) == (event, officer_a, "photo")


def test_resolve_with_an_unedited_template_is_refused_and_keeps_the_text(
    client, accepted, officer_a
):
    ResponseTemplate.objects.create(title="Thu gom rác", body=TEMPLATE_TEXT)
    client.force_login(officer_a)
    before = snapshot(accepted)
    response = client.post(
        action_url(accepted, "resolve"),
        {"answer": TEMPLATE_TEXT, "proof": [photo_file()]},
        **HTMX,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        "Nội dung trả lời là mẫu chưa được chỉnh sửa. Hãy viết rõ kết quả thực tế đã làm." in body
    )
    assert f">\n{TEMPLATE_TEXT}</textarea>" in body  # the typed text is still there
    assert snapshot(accepted) == before


def test_resolve_without_a_proof_photo_is_refused_when_the_category_requires_one(
    client, accepted, officer_a
):
    assert accepted.category.proof_required
    client.force_login(officer_a)
    before = snapshot(accepted)
    response = client.post(action_url(accepted, "resolve"), {"answer": GOOD_ANSWER})
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" in body  # without JavaScript: the whole page, with the message
    assert "Hãy đính kèm ít nhất một ảnh hoặc tài liệu chứng minh kết quả xử lý." in body
    assert GOOD_ANSWER in body
    assert snapshot(accepted) == before


def test_merge_closes_the_duplicate_and_its_reporter_follows_the_original(
    client, submit, bob, officer_a
):
    original = submit()
    duplicate = submit(reporter=bob, title="Rác đầu ngõ 12")
    # Bob stopped following his own report: he must still hear about the original.
    ReportFollower.objects.filter(report=duplicate, user=bob).delete()
    client.force_login(officer_a)
    response = client.post(action_url(duplicate, "merge"), {"into": original.tracking_code.lower()})
    assert response.status_code == 302
    duplicate = fresh(duplicate)
    assert (duplicate.status, duplicate.duplicate_of) == (Status.MERGED, original)
    assert last_event(duplicate).data == {"into": original.tracking_code}
    assert ReportFollower.objects.filter(report=original, user=bob).exists()
    assert fresh(original).status == Status.ROUTED


def test_merge_into_an_unknown_code_is_refused(client, report, officer_a):
    client.force_login(officer_a)
    before = snapshot(report)
    response = client.post(action_url(report, "merge"), {"into": "PA-2026-999999"}, **HTMX)
    assert response.status_code == 400
    assert "Không có phản ánh nào mang mã này." in response.content.decode()
    assert snapshot(report) == before


def test_merge_into_itself_is_refused(client, report, officer_a):
    client.force_login(officer_a)
    before = snapshot(report)
    response = client.post(action_url(report, "merge"), {"into": report.tracking_code})
    assert response.status_code == 400
    assert "Phản ánh không thể trùng với chính nó." in response.content.decode()
    assert snapshot(report) == before


def test_reject_with_a_reason(client, report, officer_a):
    client.force_login(officer_a)
    response = client.post(action_url(report, "reject"), {"reason": "Phản ánh sai sự thật"})
    assert response.status_code == 302
    report = fresh(report)
    assert report.status == Status.REJECTED
    assert (last_event(report).action, last_event(report).note) == (
        Action.REJECT,
        "Phản ánh sai sự thật",
    )


def test_an_action_the_status_no_longer_allows_is_refused_with_the_reason(
    client, accepted, officer_a
):
    client.force_login(officer_a)
    before = snapshot(accepted)
    response = client.post(action_url(accepted, "accept"), **HTMX)
    assert response.status_code == 400
    assert "Không thể thực hiện thao tác (Đã tiếp nhận) khi phản ánh đang ở trạng thái" in (
        response.content.decode()
    )
    assert snapshot(accepted) == before


# --- who may not act -------------------------------------------------------------------------

EVERY_ACTION = {
    "accept": {},
    "start": {},
    "assign": {"assignee": "0"},
    "return": {"reason": "Không thuộc thẩm quyền"},
    "transfer": {"reason": "Không thuộc thẩm quyền"},
    "reroute": {},
    "request_extension": {"until": "2026-12-31T17:00", "reason": "Chờ vật tư"},
    "resolve": {"answer": GOOD_ANSWER},
    "merge": {"into": "PA-2026-000001"},
    "reject": {"reason": "Sai sự thật"},
}


@pytest.mark.parametrize("action", sorted(EVERY_ACTION))
def test_officer_of_another_ward_gets_404_on_every_action(
    client, accepted, officer_b, ward_a, action
):
    data = dict(EVERY_ACTION[action])
    if action in ("transfer", "reroute"):
        data["agency"] = ward_a.pk
    client.force_login(officer_b)
    before = snapshot(accepted)
    assert client.post(action_url(accepted, action), data).status_code == 404
    assert client.post(action_url(accepted, action), data, **HTMX).status_code == 404
    assert snapshot(accepted) == before


def test_officer_of_another_ward_gets_404_on_the_extension_decision(
    client, accepted, officer_a, ward_b
):
    from conftest import make_user

    leader_b = make_user("leader_b", agency=ward_b, role="unit_leader")
    extension = report_request_extension(
        actor=officer_a,
        report=accepted,
        until=accepted.resolve_due_at + timedelta(days=3),
        reason="Chờ vật tư",
    )
    client.force_login(leader_b)
    before = snapshot(accepted)
    response = client.post(
        reverse("workspace:extension_decide", args=[extension.pk]), {"decision": "grant"}
    )
    assert response.status_code == 404
    assert snapshot(accepted) == before


def test_resident_gets_404_and_anonymous_is_sent_to_sign_in(client, report, alice):
    before = snapshot(report)
    response = client.post(action_url(report, "reject"), {"reason": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    client.force_login(alice)  # the reporter herself: not staff
    assert client.post(action_url(report, "reject"), {"reason": "x"}).status_code == 404
    assert snapshot(report) == before


def test_city_leader_forging_an_action_is_refused(client, report, city_leader):
    client.force_login(city_leader)
    before = snapshot(report)
    response = client.post(action_url(report, "accept"), **HTMX)
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này với phản ánh." in response.content.decode()
    response = client.post(action_url(report, "reject"), {"reason": "Sai sự thật"})
    assert response.status_code == 403
    assert snapshot(report) == before


def test_unknown_action_is_404(client, report, officer_a):
    client.force_login(officer_a)
    assert client.post(action_url(report, "delete")).status_code == 404
    assert client.post(action_url(report, "rate_satisfied")).status_code == 404


def test_actions_take_only_post(client, report, officer_a):
    client.force_login(officer_a)
    assert client.get(action_url(report, "accept")).status_code == 405
    assert fresh(report).status == Status.ROUTED


def test_coordinator_merges_across_wards(client, report, coordinator, submit, bob):
    other = submit(reporter=bob, lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    client.force_login(coordinator)
    response = client.post(action_url(other, "merge"), {"into": report.tracking_code})
    assert response.status_code == 302
    assert fresh(other).duplicate_of == fresh(report)
