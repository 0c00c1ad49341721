"""The lifecycle table, checked case by case: the cases are generated from
`workflow.TRANSITIONS`, so a change to the table changes these tests."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reports import workflow
from reports.models import Rating, Report, ReportEvent
from reports.services import report_accept, report_rate
from reports.workflow import (
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    Role,
    Status,
    TransitionNotAllowed,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

# The member of the cast who holds each role toward a report alice sent to ward A.
ROLE_ACTOR = {
    Role.REPORTER: "alice",
    Role.OFFICER: "officer_a",
    Role.UNIT_LEADER: "leader_a",
    Role.COORDINATOR: "coordinator",
    # Ward A's community digital team (ward-wide): checks ward A's reports on the ground.
    Role.GROUP_MEMBER: "helper_a",
    Role.SYSTEM: None,
}
ALL_ROLES = sorted(ROLE_ACTOR)


def _legal_cases():
    for action, t in TRANSITIONS.items():
        for status in sorted(t.sources):
            for role in sorted(t.roles):
                yield pytest.param(action, status, role, id=f"{action}-from-{status}-by-{role}")


def _illegal_status_cases():
    for action, t in TRANSITIONS.items():
        role = sorted(t.roles)[0]
        for status in Status:
            if status not in t.sources:
                yield pytest.param(action, status.value, role, id=f"{action}-from-{status.value}")


def _a_legal_status(action: str) -> str:
    sources = TRANSITIONS[action].sources
    # SUBMIT has no source status; its role check comes first anyway.
    return sorted(sources)[0] if sources else Status.ROUTED


def _wrong_role_cases():
    for action, t in TRANSITIONS.items():
        for role in ALL_ROLES:
            if role not in t.roles:
                yield pytest.param(action, role, id=f"{action}-by-{role}")


def _actor(request, role: str):
    name = ROLE_ACTOR[role]
    return None if name is None else request.getfixturevalue(name)


def snapshot(report: Report) -> dict:
    """The report's row and its events as stored: what a failed action must leave alone."""
    row = Report.objects.filter(pk=report.pk).values().get()
    events = list(
        ReportEvent.objects.filter(report_id=report.pk).values_list("id", "action", "to_status")
    )
    return {"row": row, "events": events}


@pytest.fixture
def report_in(submit, ward_a):
    """A report alice sent to ward A, then put in the given status."""

    def _make(status: str) -> Report:
        report = submit()
        assert report.agency == ward_a
        Report.objects.filter(pk=report.pk).update(status=status)
        report.refresh_from_db()
        return report

    return _make


def test_every_action_of_the_enum_is_in_the_table():
    assert set(TRANSITIONS) == set(Action)


@pytest.mark.parametrize(("action", "status", "role"), list(_legal_cases()))
def test_legal_transition_moves_the_status_and_writes_one_event(
    request, report_in, action, status, role
):
    actor = _actor(request, role)
    report = report_in(status)
    events_before = ReportEvent.objects.filter(report=report).count()
    t = TRANSITIONS[action]

    event = workflow.transition(report, action, actor=actor, note="Lý do cụ thể cho bước này")

    stored = Report.objects.get(pk=report.pk)
    expected = t.target or status
    assert stored.status == expected
    assert ReportEvent.objects.filter(report=report).count() == events_before + 1
    stored_event = ReportEvent.objects.get(pk=event.pk)
    assert stored_event.action == action
    assert stored_event.from_status == status
    assert stored_event.to_status == expected
    assert stored_event.actor_id == (actor.pk if actor else None)
    if expected not in OPEN_STATUSES:
        # Nobody owes work on it any more: it must not show as overdue.
        assert stored.due_at is None


@pytest.mark.parametrize(("action", "status", "role"), list(_illegal_status_cases()))
def test_action_from_a_status_outside_the_table_is_refused(
    request, report_in, action, status, role
):
    actor = _actor(request, role)
    report = report_in(status)
    before = snapshot(report)

    with pytest.raises(TransitionNotAllowed):
        workflow.transition(report, action, actor=actor, note="Lý do cụ thể cho bước này")

    assert snapshot(report) == before


@pytest.mark.parametrize(("action", "role"), list(_wrong_role_cases()))
def test_actor_without_a_role_in_the_table_is_denied(request, report_in, action, role):
    actor = _actor(request, role)
    report = report_in(_a_legal_status(action))
    before = snapshot(report)

    with pytest.raises(PermissionDenied):
        workflow.transition(report, action, actor=actor, note="Lý do cụ thể cho bước này")

    assert snapshot(report) == before


@pytest.mark.parametrize(
    "action",
    [a for a, t in TRANSITIONS.items() if Role.OFFICER in t.roles or Role.UNIT_LEADER in t.roles],
)
def test_officer_of_other_ward_cannot_act_on_ward_a_report(report_in, officer_b, action):
    report = report_in(_a_legal_status(action))
    before = snapshot(report)

    with pytest.raises(PermissionDenied):
        workflow.transition(report, action, actor=officer_b, note="Lý do cụ thể cho bước này")

    assert snapshot(report) == before
    assert workflow.allowed_actions(officer_b, report) == []


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_city_leader_cannot_act_on_a_report(report_in, city_leader, action):
    report = report_in(_a_legal_status(action))
    before = snapshot(report)

    with pytest.raises(PermissionDenied):
        workflow.transition(report, action, actor=city_leader, note="Lý do cụ thể cho bước này")

    assert snapshot(report) == before


@pytest.mark.parametrize("action", [a for a, t in TRANSITIONS.items() if t.note_required])
@pytest.mark.parametrize("note", ["", "   \n "])
def test_action_that_needs_a_reason_is_refused_without_one(request, report_in, action, note):
    t = TRANSITIONS[action]
    actor = _actor(request, sorted(t.roles)[0])
    report = report_in(sorted(t.sources)[0])
    before = snapshot(report)

    with pytest.raises(ValidationError) as excinfo:
        workflow.transition(report, action, actor=actor, note=note)

    assert excinfo.value.code == "reason_required"
    assert snapshot(report) == before


def test_reporter_cannot_accept_own_report(submit, alice):
    report = submit()
    before = snapshot(report)

    with pytest.raises(PermissionDenied):
        report_accept(actor=alice, report=report)

    assert snapshot(report) == before


def test_officer_of_other_ward_cannot_accept_through_the_service(submit, officer_b):
    report = submit()
    before = snapshot(report)

    with pytest.raises(PermissionDenied):
        report_accept(actor=officer_b, report=report)

    assert snapshot(report) == before


def test_other_resident_cannot_rate_alices_report(report_in, bob):
    report = report_in(Status.RESOLVED)
    before = snapshot(report)

    for satisfied in (True, False):
        with pytest.raises(PermissionDenied):
            report_rate(actor=bob, report=report, satisfied=satisfied, comment="Chưa sạch")

    assert snapshot(report) == before
    assert not Rating.objects.filter(report=report).exists()


def test_buttons_shown_match_what_each_member_of_the_cast_may_do(
    report_in, alice, officer_a, leader_a, coordinator
):
    report = report_in(Status.ROUTED)
    assert set(workflow.allowed_actions(officer_a, report)) == {
        Action.ACCEPT,
        Action.ASSIGN,
        Action.RETURN,
        Action.TRANSFER,
        Action.MERGE,
        Action.REJECT,
    }
    assert set(workflow.allowed_actions(coordinator, report)) == {
        Action.REROUTE,
        Action.TRANSFER,
        Action.MERGE,
        Action.REJECT,
        Action.VIEW_ORIGINAL,  # the audited viewer of an attachment's original
    }
    # The reporter's SUBMIT is a creation step, never a button on a stored report.
    assert workflow.allowed_actions(alice, report) == []
    assert Action.GRANT_EXTENSION not in workflow.allowed_actions(
        officer_a, report_in(Status.ACCEPTED)
    )
    assert Action.GRANT_EXTENSION in workflow.allowed_actions(leader_a, report_in(Status.ACCEPTED))


def test_transition_error_message_names_the_action_and_status(report_in, officer_a):
    report = report_in(Status.CLOSED)
    with pytest.raises(TransitionNotAllowed) as excinfo:
        workflow.transition(report, Action.RESOLVE, actor=officer_a, note="x")
    assert excinfo.value.action == Action.RESOLVE
    assert excinfo.value.status == Status.CLOSED
    assert str(Status.CLOSED.label) in str(excinfo.value)


def test_status_change_is_undone_when_its_event_cannot_be_written(submit, officer_a, monkeypatch):
    report = submit()
    before = snapshot(report)

    def broken_create(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ReportEvent.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        report_accept(actor=officer_a, report=report)
    monkeypatch.undo()

    assert snapshot(report) == before
    assert Report.objects.get(pk=report.pk).status == Status.ROUTED
