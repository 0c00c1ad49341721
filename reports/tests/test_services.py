"""Whole journeys of a report through the services, as residents and officers live them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import GOOD_ANSWER, photo_file
from reports import clock as report_clock
from reports.deadlines import add_working_hours
from reports.models import (
    ExtensionRequest,
    ExtensionStatus,
    Media,
    Rating,
    Report,
    ReportEvent,
    ReportFollower,
)
from reports.selectors import overdue_reports
from reports.services import (
    report_accept,
    report_assign,
    report_decide_extension,
    report_follow,
    report_merge,
    report_rate,
    report_reject,
    report_request_extension,
    report_reroute,
    report_resolve,
    report_return,
    report_start,
    report_transfer,
    reports_auto_close,
)
from reports.workflow import Action, Status, TransitionNotAllowed
from units.models import Agency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# A Tuesday morning, far from any public holiday.
TUESDAY_9AM = datetime(2026, 3, 10, 9, 0, tzinfo=HANOI)
SECOND_ANSWER = (
    "Đội thu gom đã quay lại ngõ 12 lúc 14 giờ, chuyển nốt 3 bao phế thải xây dựng còn sót "
    "và phun rửa rãnh thoát nước trước số nhà 8."
)


def actions(report: Report) -> list[str]:
    return list(ReportEvent.objects.filter(report=report).values_list("action", flat=True))


def fresh(report: Report) -> Report:
    return Report.objects.get(pk=report.pk)


def snapshot(report: Report) -> dict:
    row = Report.objects.filter(pk=report.pk).values().get()
    return {
        "row": row,
        "events": ReportEvent.objects.filter(report_id=report.pk).count(),
        "media": Media.objects.filter(report_id=report.pk).count(),
    }


def last_event(report: Report) -> ReportEvent:
    return ReportEvent.objects.filter(report=report).order_by("-created_at", "-id").first()


@pytest.fixture
def clock():
    with time_machine.travel(TUESDAY_9AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def resolved(submit, officer_a, clock):
    """Alice's report, accepted and resolved with proof by ward A."""
    report = submit()
    report_accept(actor=officer_a, report=report)
    clock.shift(timedelta(hours=2))
    report_resolve(actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()])
    return fresh(report)


# --- the happy path -------------------------------------------------------------------------


def test_report_goes_from_submission_to_closed_when_the_resident_is_satisfied(
    submit, alice, officer_a, ward_a, waste, clock
):
    report = submit()
    assert report.status == Status.ROUTED
    assert report.agency == ward_a
    assert report.accept_due_at == add_working_hours(TUESDAY_9AM, waste.accept_hours)
    assert report.resolve_due_at == add_working_hours(TUESDAY_9AM, waste.resolve_hours)
    assert report.due_at == report.accept_due_at
    assert actions(report) == [Action.SUBMIT, Action.ROUTE]

    clock.shift(timedelta(hours=1))
    report_accept(actor=officer_a, report=report)
    report = fresh(report)
    assert report.status == Status.ACCEPTED
    assert report.accepted_at == TUESDAY_9AM + timedelta(hours=1)
    # Once accepted, the unit owes the resolution.
    assert report.due_at == report.resolve_due_at

    report_start(actor=officer_a, report=report)
    assert fresh(report).status == Status.IN_PROGRESS

    clock.shift(timedelta(hours=3))
    report_resolve(
        actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file("after.jpg")]
    )
    report = fresh(report)
    assert report.status == Status.RESOLVED
    assert report.answer == GOOD_ANSWER
    assert report.resolution_count == 1
    assert report.due_at is None
    proof = Media.objects.get(report=report, is_proof=True)
    assert proof.event.action == Action.RESOLVE
    assert proof.uploaded_by == officer_a

    report_rate(actor=alice, report=report, satisfied=True, comment="Cảm ơn, đã sạch sẽ")
    report = fresh(report)
    assert report.status == Status.CLOSED
    assert report.closed_at == TUESDAY_9AM + timedelta(hours=4)
    assert Rating.objects.get(report=report).satisfied is True
    assert actions(report) == [
        Action.SUBMIT,
        Action.ROUTE,
        Action.ACCEPT,
        Action.START,
        Action.RESOLVE,
        Action.RATE_SATISFIED,
    ]
    events = list(ReportEvent.objects.filter(report=report))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", Status.SUBMITTED),
        (Status.SUBMITTED, Status.ROUTED),
        (Status.ROUTED, Status.ACCEPTED),
        (Status.ACCEPTED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.RESOLVED),
        (Status.RESOLVED, Status.CLOSED),
    ]
    assert [e.actor for e in events] == [None, None, officer_a, officer_a, officer_a, alice]
    assert events[2].actor_agency == ward_a


def test_each_service_step_writes_exactly_one_event(
    submit, alice, officer_a, leader_a, officer_a2, clock
):
    report = submit()
    steps = [
        lambda: report_assign(actor=leader_a, report=report, assignee=officer_a2),
        lambda: report_accept(actor=officer_a2, report=report),
        lambda: report_start(actor=officer_a2, report=report),
        lambda: report_request_extension(
            actor=officer_a2,
            report=report,
            until=TUESDAY_9AM + timedelta(days=10),
            reason="Chờ xe chuyên dụng",
        ),
        lambda: report_decide_extension(
            actor=leader_a, request=ExtensionRequest.objects.get(report=report), grant=True
        ),
        lambda: report_resolve(
            actor=officer_a2, report=report, answer=GOOD_ANSWER, files=[photo_file()]
        ),
        lambda: report_rate(
            actor=alice, report=report, satisfied=False, comment="Vẫn còn rác ở góc ngõ"
        ),
    ]
    for step in steps:
        before = ReportEvent.objects.filter(report=report).count()
        step()
        assert ReportEvent.objects.filter(report=report).count() == before + 1


def test_reporter_follows_own_report_and_others_can_follow_too(submit, alice, bob):
    report = submit()
    assert ReportFollower.objects.filter(report=report, user=alice).exists()
    report_follow(actor=bob, report=report)
    report_follow(actor=bob, report=report)
    assert ReportFollower.objects.filter(report=report, user=bob).count() == 1


def test_tracking_codes_are_distinct_and_carry_the_year(submit, clock):
    codes = [submit().tracking_code for _ in range(3)]
    assert len(set(codes)) == 3
    assert all(code.startswith("PA-2026-") and len(code) == len("PA-2026-000001") for code in codes)


def test_numbering_starts_again_at_one_in_a_new_year_and_the_old_year_keeps_its_count(
    submit, clock
):
    first = submit().tracking_code
    # New Year's Eve, 23:59 in Hanoi (16:59 UTC): still the old year.
    clock.move_to(datetime(2026, 12, 31, 23, 59, tzinfo=HANOI))
    eve = submit().tracking_code
    clock.move_to(datetime(2027, 1, 1, 0, 1, tzinfo=HANOI))
    new_year = [submit().tracking_code for _ in range(2)]
    assert (first, eve) == ("PA-2026-000001", "PA-2026-000002")
    assert new_year == ["PA-2027-000001", "PA-2027-000002"]


def test_a_submission_is_a_bounded_number_of_statements(submit, django_assert_max_num_queries):
    """The submission's cost, which bounds how many reports a server takes per second
    (bench/http_submit.py). Received and routed in one transaction, the dashboard rollups and
    map counts are written once, as routed (reports.derived.deferred): 3 rollup updates and 1
    map upsert, not twice that and a ratings query."""
    submit()  # the day's rollup rows and the map cells exist from now on
    # savepoint, tracking number, report, event, photo, photo-processing task, follower, ward,
    # rules, ward committee and coordination office, report update, last event's hash, event,
    # safety-net task, 3 rollups, map cells, release; the new row's audit seal (its id is
    # only known once inserted, reports/workflow.py); and the category suggestion's record
    # (the active categories, its row: classify.services.suggestion_record); the ward's
    # residential groups with a boundary (units.groups.group_at).
    with django_assert_max_num_queries(23):
        report = submit()
    assert fresh(report).status == Status.ROUTED


# --- reopening and escalation ---------------------------------------------------------------


def test_not_satisfied_reopens_with_the_same_unit(resolved, alice, ward_a, waste, clock):
    clock.shift(timedelta(hours=1))
    now = TUESDAY_9AM + timedelta(hours=3)
    report_rate(actor=alice, report=resolved, satisfied=False, comment="Rác vẫn còn ở đầu ngõ")

    report = fresh(resolved)
    assert report.status == Status.REOPENED
    assert report.agency == ward_a
    assert report.reopen_count == 1
    assert report.escalated_at is None
    assert report.resolved_at is None
    assert report.accepted_at is None
    assert report.due_at == add_working_hours(now, waste.accept_hours)
    assert report.resolve_due_at == add_working_hours(now, waste.resolve_hours)
    event = last_event(report)
    assert event.action == Action.REOPEN
    assert event.note == "Rác vẫn còn ở đầu ngõ"
    assert event.actor == alice
    assert Rating.objects.get(report=report, round=1).satisfied is False


def test_not_satisfied_without_saying_why_is_refused(resolved, alice):
    before = snapshot(resolved)
    with pytest.raises(ValidationError):
        report_rate(actor=alice, report=resolved, satisfied=False, comment="  ")
    assert snapshot(resolved) == before
    assert not Rating.objects.filter(report=resolved).exists()


def test_second_reopening_escalates(resolved, alice, officer_a, clock):
    report_rate(actor=alice, report=resolved, satisfied=False, comment="Rác vẫn còn ở đầu ngõ")
    assert fresh(resolved).escalated_at is None

    clock.shift(timedelta(hours=1))
    report_accept(actor=officer_a, report=resolved)
    report_resolve(actor=officer_a, report=resolved, answer=SECOND_ANSWER, files=[photo_file()])
    assert fresh(resolved).resolution_count == 2
    clock.shift(timedelta(hours=1))
    report_rate(
        actor=alice, report=resolved, satisfied=False, comment="Lại có người đổ rác, chưa có biển"
    )

    report = fresh(resolved)
    assert report.status == Status.REOPENED
    assert report.reopen_count == 2
    assert report.escalated_at == TUESDAY_9AM + timedelta(hours=4)
    assert last_event(report).data == {"reopen_count": 2, "escalated": True}
    assert list(Rating.objects.filter(report=report).values_list("round", "satisfied")) == [
        (1, False),
        (2, False),
    ]


def test_rated_report_cannot_be_rated_again(resolved, alice):
    report_rate(actor=alice, report=resolved, satisfied=True)
    with pytest.raises(TransitionNotAllowed):
        report_rate(actor=alice, report=resolved, satisfied=False, comment="Đổi ý")
    assert Rating.objects.filter(report=resolved).count() == 1
    assert fresh(resolved).status == Status.CLOSED


# --- return, re-route, transfer -------------------------------------------------------------


def test_return_needs_a_reason(submit, officer_a):
    report = submit()
    before = snapshot(report)
    with pytest.raises(ValidationError):
        report_return(actor=officer_a, report=report, reason="")
    assert snapshot(report) == before


def test_returned_report_is_rerouted_by_the_coordinator_with_fresh_deadlines(
    submit, officer_a, officer_b, coordinator, office, ward_b, waste, settings, clock
):
    report = submit()
    clock.shift(timedelta(hours=1))
    report_return(actor=officer_a, report=report, reason="Điểm này thuộc địa bàn phường Ba Đình")

    report = fresh(report)
    assert report.status == Status.RETURNED
    assert report.agency == office
    assert report.due_at == add_working_hours(
        TUESDAY_9AM + timedelta(hours=1), settings.COORDINATOR_SLA_HOURS
    )
    event = last_event(report)
    assert event.note == "Điểm này thuộc địa bàn phường Ba Đình"
    assert event.data["from_agency"] == "ubnd-00070"

    # The next day: the new unit's clock starts when the report reaches it.
    clock.shift(timedelta(days=1))
    rerouted_at = TUESDAY_9AM + timedelta(days=1, hours=1)
    report_reroute(actor=coordinator, report=report, agency=ward_b, note="Chuyển phường Ba Đình")

    report = fresh(report)
    assert report.status == Status.ROUTED
    assert report.agency == ward_b
    assert report.routed_at == rerouted_at
    assert report.accept_due_at == add_working_hours(rerouted_at, waste.accept_hours)
    assert report.resolve_due_at == add_working_hours(rerouted_at, waste.resolve_hours)
    assert report.due_at == report.accept_due_at
    assert last_event(report).data == {"from_agency": "dieu-phoi", "to_agency": "ubnd-00004"}

    # Ward A has let go; ward B now owns it.
    with pytest.raises(PermissionDenied):
        report_accept(actor=officer_a, report=report)
    report_accept(actor=officer_b, report=report)
    assert fresh(report).status == Status.ACCEPTED


def test_officer_cannot_reroute(submit, officer_a, ward_b):
    report = submit()
    before = snapshot(report)
    with pytest.raises(PermissionDenied):
        report_reroute(actor=officer_a, report=report, agency=ward_b)
    assert snapshot(report) == before


def test_transfer_sends_the_report_to_another_unit(submit, officer_a, officer_a2, leader_a, clock):
    report = submit()
    report_accept(actor=officer_a, report=report)
    report_assign(actor=leader_a, report=report, assignee=officer_a2)
    construction = Agency.objects.get(code="so-xay-dung")

    clock.shift(timedelta(hours=2))
    report_transfer(
        actor=officer_a,
        report=report,
        agency=construction,
        reason="Hố ga thuộc Sở Xây dựng quản lý",
    )

    report = fresh(report)
    assert report.status == Status.ROUTED
    assert report.agency == construction
    assert report.assignee is None
    assert report.accepted_at is None
    assert report.due_at == add_working_hours(
        TUESDAY_9AM + timedelta(hours=2), report.category.accept_hours
    )
    event = last_event(report)
    assert event.action == Action.TRANSFER
    assert event.note == "Hố ga thuộc Sở Xây dựng quản lý"
    assert event.data == {"from_agency": "ubnd-00070", "to_agency": "so-xay-dung"}


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("so-xay-dung", ""),  # no reason
        ("ubnd-00070", "Chuyển lại chính mình"),  # already there
        ("inactive", "Đơn vị đã giải thể"),
    ],
    ids=["without-reason", "to-same-unit", "to-inactive-unit"],
)
def test_transfer_is_refused(submit, officer_a, target, reason):
    report = submit()
    if target == "inactive":
        agency = Agency.objects.get(code="so-cong-thuong")
        agency.is_active = False
        agency.save(update_fields=["is_active"])
    else:
        agency = Agency.objects.get(code=target)
    before = snapshot(report)
    with pytest.raises(ValidationError):
        report_transfer(actor=officer_a, report=report, agency=agency, reason=reason)
    assert snapshot(report) == before


# --- assignment -----------------------------------------------------------------------------


def test_leader_assigns_an_officer_of_the_unit(submit, leader_a, officer_a2):
    report = submit()
    report_assign(actor=leader_a, report=report, assignee=officer_a2)
    assert fresh(report).assignee == officer_a2
    event = last_event(report)
    assert event.action == Action.ASSIGN
    assert event.data == {"assignee": officer_a2.pk}
    assert event.is_public is False  # staff names stay off the resident's timeline
    assert fresh(report).status == Status.ROUTED


def test_officer_may_take_a_report_himself(submit, officer_a):
    report = submit()
    report_assign(actor=officer_a, report=report, assignee=officer_a)
    assert fresh(report).assignee == officer_a


def test_officer_cannot_assign_someone_else(submit, officer_a, officer_a2):
    report = submit()
    before = snapshot(report)
    with pytest.raises(PermissionDenied):
        report_assign(actor=officer_a, report=report, assignee=officer_a2)
    assert snapshot(report) == before


@pytest.mark.parametrize("assignee", ["officer_b", "bob", "coordinator"])
def test_assignee_must_be_an_officer_of_the_handling_unit(request, submit, leader_a, assignee):
    report = submit()
    before = snapshot(report)
    with pytest.raises(ValidationError):
        report_assign(actor=leader_a, report=report, assignee=request.getfixturevalue(assignee))
    assert snapshot(report) == before


# --- extensions -----------------------------------------------------------------------------


@pytest.fixture
def accepted(submit, officer_a, clock):
    report = submit()
    report_accept(actor=officer_a, report=report)
    return fresh(report)


def test_leader_grants_an_extension_and_the_deadline_moves(accepted, officer_a, leader_a):
    until = accepted.resolve_due_at + timedelta(days=5)
    request = report_request_extension(
        actor=officer_a, report=accepted, until=until, reason="Chờ xe cẩu"
    )
    assert request.status == ExtensionStatus.PENDING
    assert fresh(accepted).resolve_due_at != until  # nothing moves before the leader decides

    report_decide_extension(actor=leader_a, request=request, grant=True)

    report = fresh(accepted)
    assert report.resolve_due_at == until
    assert report.due_at == until
    request.refresh_from_db()
    assert request.status == ExtensionStatus.GRANTED
    assert request.decided_by == leader_a
    assert actions(report)[-2:] == [Action.REQUEST_EXTENSION, Action.GRANT_EXTENSION]


def test_leader_refuses_an_extension_and_the_deadline_stays(accepted, officer_a, leader_a):
    until = accepted.resolve_due_at + timedelta(days=5)
    request = report_request_extension(
        actor=officer_a, report=accepted, until=until, reason="Chờ xe cẩu"
    )

    with pytest.raises(ValidationError):  # a refusal must say why
        report_decide_extension(actor=leader_a, request=request, grant=False)
    report_decide_extension(actor=leader_a, request=request, grant=False, note="Dùng xe của phường")

    report = fresh(accepted)
    assert report.resolve_due_at == accepted.resolve_due_at
    assert report.due_at == accepted.due_at
    request.refresh_from_db()
    assert request.status == ExtensionStatus.REFUSED
    assert last_event(report).note == "Dùng xe của phường"


def test_officer_cannot_grant_an_extension(accepted, officer_a, officer_a2):
    request = report_request_extension(
        actor=officer_a,
        report=accepted,
        until=accepted.resolve_due_at + timedelta(days=2),
        reason="Chờ vật tư",
    )
    before = snapshot(accepted)
    with pytest.raises(PermissionDenied):
        report_decide_extension(actor=officer_a2, request=request, grant=True)
    assert snapshot(accepted) == before
    request.refresh_from_db()
    assert request.status == ExtensionStatus.PENDING


def test_extension_request_is_refused_when_not_later_or_already_pending(
    accepted, officer_a, leader_a
):
    with pytest.raises(ValidationError):
        report_request_extension(
            actor=officer_a,
            report=accepted,
            until=accepted.resolve_due_at - timedelta(hours=1),
            reason="Lý do",
        )
    request = report_request_extension(
        actor=officer_a,
        report=accepted,
        until=accepted.resolve_due_at + timedelta(days=1),
        reason="Lý do",
    )
    with pytest.raises(ValidationError):
        report_request_extension(
            actor=officer_a,
            report=accepted,
            until=accepted.resolve_due_at + timedelta(days=2),
            reason="Lý do",
        )
    report_decide_extension(actor=leader_a, request=request, grant=True)
    with pytest.raises(ValidationError):
        report_decide_extension(actor=leader_a, request=request, grant=False, note="Đổi ý")
    assert ExtensionRequest.objects.filter(report=accepted).count() == 1
    assert fresh(accepted).resolve_due_at == accepted.resolve_due_at + timedelta(days=1)


def test_extension_request_needs_a_reason(accepted, officer_a):
    before = snapshot(accepted)
    with pytest.raises(ValidationError):
        report_request_extension(
            actor=officer_a,
            report=accepted,
            until=accepted.resolve_due_at + timedelta(days=1),
            reason=" ",
        )
    assert snapshot(accepted) == before
    assert not ExtensionRequest.objects.filter(report=accepted).exists()


# --- merge and reject -----------------------------------------------------------------------


def test_merged_duplicate_brings_its_reporter_along_as_a_follower(submit, bob, officer_a):
    original = submit()
    duplicate = submit(reporter=bob, title="Rác đầu ngõ 12")
    assert not ReportFollower.objects.filter(report=original, user=bob).exists()

    report_merge(actor=officer_a, report=duplicate, into=original)

    duplicate = fresh(duplicate)
    assert duplicate.status == Status.MERGED
    assert duplicate.duplicate_of == original
    assert duplicate.due_at is None
    assert last_event(duplicate).data == {"into": original.tracking_code}
    assert ReportFollower.objects.filter(report=original, user=bob).exists()
    # The original is untouched by the merge.
    assert fresh(original).status == Status.ROUTED


def test_report_cannot_be_merged_into_itself_or_into_a_rejected_report(submit, bob, officer_a):
    original = submit()
    duplicate = submit(reporter=bob)
    before = snapshot(duplicate)
    with pytest.raises(ValidationError):
        report_merge(actor=officer_a, report=duplicate, into=duplicate)
    report_reject(actor=officer_a, report=original, reason="Phản ánh sai sự thật")
    with pytest.raises(ValidationError):
        report_merge(actor=officer_a, report=duplicate, into=original)
    assert snapshot(duplicate) == before


def test_rejected_report_shows_the_reason_on_its_event(submit, officer_a, clock):
    report = submit()
    report_reject(actor=officer_a, report=report, reason="Nội dung không thuộc phạm vi tiếp nhận")

    report = fresh(report)
    assert report.status == Status.REJECTED
    assert report.closed_at == TUESDAY_9AM
    assert report.due_at is None
    event = last_event(report)
    assert event.action == Action.REJECT
    assert event.note == "Nội dung không thuộc phạm vi tiếp nhận"
    assert event.is_public is True


def test_reject_without_a_reason_is_refused(submit, officer_a):
    report = submit()
    before = snapshot(report)
    with pytest.raises(ValidationError):
        report_reject(actor=officer_a, report=report, reason="")
    assert snapshot(report) == before


# --- auto-close -----------------------------------------------------------------------------


def test_unrated_report_closes_after_seven_days_and_not_before(resolved, clock, settings):
    assert settings.AUTO_CLOSE_DAYS == 7
    resolved_at = fresh(resolved).resolved_at

    clock.move_to(resolved_at + timedelta(days=7) - timedelta(minutes=1))
    assert reports_auto_close() == 0
    assert fresh(resolved).status == Status.RESOLVED

    clock.move_to(resolved_at + timedelta(days=7, minutes=1))
    assert reports_auto_close() == 1
    report = fresh(resolved)
    assert report.status == Status.CLOSED
    assert report.closed_at == resolved_at + timedelta(days=7, minutes=1)
    event = last_event(report)
    assert event.action == Action.AUTO_CLOSE
    assert event.actor is None
    # Running again finds nothing more to do.
    assert reports_auto_close() == 0


def test_auto_close_leaves_rated_and_reopened_reports_alone(resolved, alice, clock):
    report_rate(actor=alice, report=resolved, satisfied=False, comment="Vẫn còn rác")
    clock.shift(timedelta(days=30))
    assert reports_auto_close() == 0
    assert fresh(resolved).status == Status.REOPENED


# --- idempotent submission ------------------------------------------------------------------


def test_same_submission_twice_is_stored_once(submit):
    first = submit(idempotency_key="app-7f3a9c2e-0001")
    counts = (Report.objects.count(), ReportEvent.objects.count(), Media.objects.count())
    second = submit(idempotency_key="app-7f3a9c2e-0001")
    assert second.pk == first.pk
    assert second.tracking_code == first.tracking_code
    assert (Report.objects.count(), ReportEvent.objects.count(), Media.objects.count()) == counts


@pytest.mark.parametrize("other", ["bob", None], ids=["other-resident", "anonymous"])
def test_someone_else_reusing_a_submission_key_is_refused(request, submit, other):
    submit(idempotency_key="app-7f3a9c2e-0002")
    count = Report.objects.count()
    reporter = request.getfixturevalue(other) if other else None
    with pytest.raises(ValidationError) as excinfo:
        submit(reporter=reporter, idempotency_key="app-7f3a9c2e-0002")
    assert excinfo.value.code == "idempotency_key_taken"
    assert Report.objects.count() == count


@pytest.mark.parametrize(
    "key", ["short", "has spaces in it", "x" * 81, "khóa-có-dấu-123", "semi;colon;key"]
)
def test_malformed_submission_key_is_refused(submit, key):
    count = Report.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        submit(idempotency_key=key)
    assert excinfo.value.code == "bad_idempotency_key"
    assert Report.objects.count() == count


# --- overdue --------------------------------------------------------------------------------


def test_report_not_accepted_in_time_is_overdue(submit, clock):
    report = submit()
    due = report.due_at
    assert report not in overdue_reports(due - timedelta(minutes=1))
    clock.move_to(due + timedelta(minutes=1))
    assert list(overdue_reports(report_clock.now())) == [report]


def test_accepted_report_becomes_overdue_after_its_resolve_deadline(accepted, clock):
    assert accepted not in overdue_reports(accepted.accept_due_at + timedelta(minutes=1))
    assert accepted in overdue_reports(accepted.resolve_due_at + timedelta(minutes=1))


def test_resolved_closed_and_rejected_reports_are_never_overdue(submit, alice, officer_a, clock):
    resolved = submit()
    report_accept(actor=officer_a, report=resolved)
    report_resolve(actor=officer_a, report=resolved, answer=GOOD_ANSWER, files=[photo_file()])
    closed = submit()
    report_accept(actor=officer_a, report=closed)
    report_resolve(actor=officer_a, report=closed, answer=SECOND_ANSWER, files=[photo_file()])
    report_rate(actor=alice, report=closed, satisfied=True)
    rejected = submit()
    report_reject(actor=officer_a, report=rejected, reason="Trùng lặp nội dung")
    still_open = submit()

    far_future = TUESDAY_9AM + timedelta(days=365)
    assert list(overdue_reports(far_future)) == [still_open]
