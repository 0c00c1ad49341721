"""The SLA clock across weekends and Tết 2027 (Thu 4 – Wed 10 Feb 2027 are holidays)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from conftest import GOOD_ANSWER, photo_file
from notify.models import Notification
from reports import audit
from reports.models import Report, ReportEvent
from reports.services import (
    report_accept,
    report_assign,
    report_decide_extension,
    report_request_extension,
    report_resolve,
)
from reports.workflow import Action, Status
from routing.models import Priority
from sla.services import send_daily_digests, sla_sweep

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def hanoi(*args) -> datetime:
    return datetime(*args, tzinfo=HANOI)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://localhost:8000"


def in_site_language(msgid: str, **values) -> str:
    """Notices are stored in the site's language (Vietnamese once the lead merges the texts)."""
    with translation.override(django_settings.LANGUAGE_CODE):
        return gettext(msgid) % values


def sweep_at(moment: datetime, run_on_commit):
    with time_machine.travel(moment, tick=False):
        return run_on_commit(sla_sweep)


def notices(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=kind).order_by("id"))


# --- deadlines per priority ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "resolve_by"),
    [
        # 4 working hours: the same afternoon, before the Tết holidays start.
        (Priority.URGENT, hanoi(2027, 2, 3, 14, 0)),
        # The category's 24 h: 7 h on Wednesday, Tết, then Thursday 11 and Friday 12 Feb.
        (Priority.NORMAL, hanoi(2027, 2, 12, 16, 0)),
        # At least 80 h: 7 h before Tết, then 8 working days and one more hour.
        (Priority.COMPLEX, hanoi(2027, 2, 23, 9, 0)),
    ],
)
def test_resolve_deadline_follows_priority_across_tet(submit, waste, priority, resolve_by):
    waste.priority = priority
    waste.save(update_fields=["priority"])
    with time_machine.travel(hanoi(2027, 2, 3, 10, 0), tick=False):
        report = submit()
    assert report.priority == priority
    # Received within 8 working hours whatever the priority: the first hour after Tết.
    assert report.accept_due_at == hanoi(2027, 2, 11, 9, 0)
    assert report.due_at == report.accept_due_at
    assert report.resolve_due_at == resolve_by


# --- the overdue flag ------------------------------------------------------------------------


def test_report_is_flagged_overdue_the_minute_after_its_deadline_past_tet(
    submit, run_on_commit, officer_a, leader_a, coordinator
):
    with time_machine.travel(hanoi(2027, 2, 3, 10, 0), tick=False):
        report = run_on_commit(submit)
    assert report.due_at == hanoi(2027, 2, 11, 9, 0)

    # During Tết and one minute before the deadline: not overdue.
    assert sweep_at(hanoi(2027, 2, 8, 12, 0), run_on_commit).flagged == 0
    assert sweep_at(hanoi(2027, 2, 11, 8, 59), run_on_commit).flagged == 0
    report.refresh_from_db()
    assert report.overdue_since is None

    result = sweep_at(hanoi(2027, 2, 11, 9, 1), run_on_commit)
    assert (result.flagged, result.reminded) == (1, 0)
    report.refresh_from_db()
    assert report.overdue_since == hanoi(2027, 2, 11, 9, 0)
    assert report.overdue_reminders == 1
    assert report.status == Status.ROUTED  # a flag, not a step of the lifecycle
    event = report.events.order_by("-id").first()
    assert (event.action, event.from_status, event.to_status) == (
        Action.MARK_OVERDUE,
        Status.ROUTED,
        Status.ROUTED,
    )
    assert event.actor is None and event.is_public is False
    assert list(audit.verify(ReportEvent.objects.filter(report=report))) == []

    # The unit's leader and the coordinator hear of it, with a link to the workspace page.
    for person in (leader_a, coordinator):
        [notice] = notices(person, "overdue")
        assert notice.report == report and notice.event == event
        assert report.tracking_code in notice.title and "09:00 11/02/2027" in notice.title
        assert notice.url == f"http://localhost:8000/can-bo/phan-anh/{report.tracking_code}/"
    assert notices(officer_a, "overdue") == []
    # A second sweep in the same minute neither records nor notifies again.
    assert sweep_at(hanoi(2027, 2, 11, 9, 1), run_on_commit).flagged == 0
    assert report.events.filter(action=Action.MARK_OVERDUE).count() == 1
    assert len(notices(leader_a, "overdue")) == 1


def test_reminder_comes_one_working_day_later_not_over_the_weekend(
    submit, run_on_commit, leader_a, coordinator, settings
):
    settings.SLA_REMINDER_HOURS = 8
    with time_machine.travel(hanoi(2027, 2, 11, 10, 0), tick=False):
        report = run_on_commit(submit)
    assert report.due_at == hanoi(2027, 2, 12, 9, 0)  # Friday
    assert sweep_at(hanoi(2027, 2, 12, 9, 1), run_on_commit).flagged == 1

    # 8 working hours after Friday 9:01 is Monday 8:01: nothing on Friday evening or Saturday.
    for moment in (hanoi(2027, 2, 12, 16, 59), hanoi(2027, 2, 13, 12, 0), hanoi(2027, 2, 15, 8, 0)):
        assert sweep_at(moment, run_on_commit).reminded == 0
    assert len(notices(leader_a, "overdue")) == 1

    result = sweep_at(hanoi(2027, 2, 15, 8, 2), run_on_commit)
    assert (result.flagged, result.reminded) == (0, 1)
    assert sweep_at(hanoi(2027, 2, 15, 8, 3), run_on_commit).reminded == 0
    report.refresh_from_db()
    assert report.overdue_reminders == 2
    assert report.overdue_reminded_at == hanoi(2027, 2, 15, 8, 2)
    assert report.overdue_since == hanoi(2027, 2, 12, 9, 0)
    assert [e.action for e in report.events.filter(action__contains="overdue")] == [
        Action.MARK_OVERDUE,
        Action.REMIND_OVERDUE,
    ]
    assert [len(notices(p, "overdue")) for p in (leader_a, coordinator)] == [2, 2]
    assert notices(leader_a, "overdue")[1].title == in_site_language(
        "%(code)s is still overdue (reminder %(n)d): the deadline was %(due)s",
        code=report.tracking_code,
        n=1,
        due="09:00 12/02/2027",
    )


def test_new_deadline_clears_the_flag_and_a_later_one_is_flagged_afresh(
    submit, run_on_commit, officer_a, leader_a
):
    with time_machine.travel(hanoi(2027, 2, 11, 10, 0), tick=False):
        report = run_on_commit(submit)
    sweep_at(hanoi(2027, 2, 12, 10, 0), run_on_commit)
    report.refresh_from_db()
    assert report.overdue_since == hanoi(2027, 2, 12, 9, 0)

    # Accepted late: the resolve deadline (Mon 15 Feb 16:00) is the one owed now.
    with time_machine.travel(hanoi(2027, 2, 12, 10, 30), tick=False):
        run_on_commit(report_accept, actor=officer_a, report=report)
    report.refresh_from_db()
    assert report.due_at == hanoi(2027, 2, 15, 16, 0)
    assert (report.overdue_since, report.overdue_reminders, report.overdue_reminded_at) == (
        None,
        0,
        None,
    )
    assert sweep_at(hanoi(2027, 2, 15, 15, 59), run_on_commit).flagged == 0
    assert sweep_at(hanoi(2027, 2, 15, 16, 1), run_on_commit).flagged == 1
    assert len(notices(leader_a, "overdue")) == 2  # one per deadline

    # An extension granted gives a new deadline: the flag goes, the new deadline is recorded.
    with time_machine.travel(hanoi(2027, 2, 16, 9, 0), tick=False):
        request = run_on_commit(
            report_request_extension,
            actor=officer_a,
            report=report,
            until=hanoi(2027, 2, 19, 17, 0),
            reason="Cần thuê xe chuyên dụng",
        )
        run_on_commit(report_decide_extension, actor=leader_a, request=request, grant=True)
    report.refresh_from_db()
    assert (report.due_at, report.overdue_since) == (hanoi(2027, 2, 19, 17, 0), None)
    assert sweep_at(hanoi(2027, 2, 19, 16, 0), run_on_commit).flagged == 0


def test_resolving_an_overdue_report_clears_the_flag(submit, run_on_commit, officer_a, leader_a):
    with time_machine.travel(hanoi(2027, 2, 11, 10, 0), tick=False):
        report = run_on_commit(submit)
        run_on_commit(report_accept, actor=officer_a, report=report)
    sweep_at(hanoi(2027, 2, 16, 9, 0), run_on_commit)  # resolve by Mon 15 Feb 16:00
    report.refresh_from_db()
    assert report.overdue_since == hanoi(2027, 2, 15, 16, 0)
    with time_machine.travel(hanoi(2027, 2, 16, 10, 0), tick=False):
        run_on_commit(
            report_resolve,
            actor=officer_a,
            report=report,
            answer=GOOD_ANSWER,
            files=[photo_file()],
        )
    report.refresh_from_db()
    assert (report.status, report.due_at, report.overdue_since) == (Status.RESOLVED, None, None)
    # Late is still late in the record: the event stays in the timeline.
    assert report.events.filter(action=Action.MARK_OVERDUE).count() == 1
    assert sweep_at(hanoi(2027, 2, 17, 11, 0), run_on_commit).reminded == 0


def test_a_reason_to_flag_is_rechecked_under_the_lock(submit, run_on_commit, officer_a):
    """A report accepted between the sweep's query and its lock is not flagged."""
    with time_machine.travel(hanoi(2027, 2, 11, 10, 0), tick=False):
        report = run_on_commit(submit)
    with time_machine.travel(hanoi(2027, 2, 12, 9, 30), tick=False):
        run_on_commit(report_accept, actor=officer_a, report=report)
    from sla.services import _flag_one

    with time_machine.travel(hanoi(2027, 2, 12, 9, 31), tick=False):
        assert not _flag_one(
            report.pk, now=hanoi(2027, 2, 12, 9, 31), leaders={}, coordinators=[], remind=False
        )
    report.refresh_from_db()
    assert report.overdue_since is None


def test_sweep_queries_are_bounded(submit, run_on_commit, leader_a, coordinator):
    def queries_for(count: int) -> tuple[int, int]:
        Report.objects.all().delete()
        with time_machine.travel(hanoi(2027, 3, 1, 9, 0), tick=False):
            for _ in range(count):
                run_on_commit(submit)
        with time_machine.travel(hanoi(2027, 3, 2, 9, 0), tick=False):
            with CaptureQueriesContext(connection) as ctx:
                result = run_on_commit(sla_sweep)
        return result.flagged, len(ctx.captured_queries)

    flagged1, one = queries_for(1)
    flagged3, three = queries_for(3)
    flagged5, five = queries_for(5)
    assert (flagged1, flagged3, flagged5) == (1, 3, 5)
    # A fixed cost per report flagged (lock, save, event, its hash chain, the notice), and the
    # people to notify looked up once per sweep, not once per report.
    per_report = (five - three) // 2
    assert three - one == 2 * per_report
    # 6 for the flag (savepoint, lock, update, previous hash, event, release), 2 for the
    # dashboard's rollups that count overdue reports (rollups/), and what notify_staff costs
    # for one notice to a few people (5 today, with channel preferences).
    assert per_report <= 14
    with time_machine.travel(hanoi(2027, 3, 2, 9, 1), tick=False):
        with CaptureQueriesContext(connection) as ctx:
            assert run_on_commit(sla_sweep).flagged == 0
    # Nothing to do: the three index look-ups (due, reminders, due soon) and nothing else.
    assert len(ctx.captured_queries) == 3


# --- officers: assignment and "deadline soon" ------------------------------------------------


def test_assignment_and_deadline_soon_notices_reach_the_assignee_once(
    submit, run_on_commit, officer_a, officer_a2, leader_a
):
    with time_machine.travel(hanoi(2027, 2, 11, 10, 0), tick=False):
        report = run_on_commit(submit)
        run_on_commit(report_assign, actor=leader_a, report=report, assignee=officer_a2)
    [assigned] = notices(officer_a2, "assigned")
    assert report.tracking_code in assigned.title
    assert assigned.url.endswith(f"/can-bo/phan-anh/{report.tracking_code}/")
    assert notices(officer_a, "assigned") == []

    # Due Fri 12 Feb 9:00; two working hours before is Thursday 16:00.
    assert sweep_at(hanoi(2027, 2, 11, 15, 59), run_on_commit).warned == 0
    assert sweep_at(hanoi(2027, 2, 11, 16, 0), run_on_commit).warned == 1
    assert sweep_at(hanoi(2027, 2, 12, 8, 30), run_on_commit).warned == 0
    [soon] = notices(officer_a2, "due_soon")
    assert "09:00 12/02/2027" in soon.title
    assert notices(officer_a, "due_soon") == []


def test_unassigned_report_warns_every_officer_of_the_unit(
    submit, run_on_commit, officer_a, officer_a2, officer_b, leader_a
):
    with time_machine.travel(hanoi(2027, 2, 11, 10, 0), tick=False):
        run_on_commit(submit)
    sweep_at(hanoi(2027, 2, 12, 8, 0), run_on_commit)
    assert [len(notices(p, "due_soon")) for p in (officer_a, officer_a2, officer_b, leader_a)] == [
        1,
        1,
        0,
        0,
    ]


# --- the leaders' digest ---------------------------------------------------------------------


def test_daily_digest_counts_overdue_and_unresolved_once_per_working_day(
    submit, run_on_commit, leader_a, officer_a
):
    with time_machine.travel(hanoi(2027, 2, 11, 10, 0), tick=False):
        run_on_commit(submit)
        run_on_commit(submit, title="Ổ gà trước cổng trường")
    with time_machine.travel(hanoi(2027, 2, 12, 11, 0), tick=False):
        run_on_commit(submit, title="Đèn đường hỏng")

    now = hanoi(2027, 2, 15, 7, 30)
    with time_machine.travel(now, tick=False):
        assert send_daily_digests(today=date(2027, 2, 15)) == 1
        assert send_daily_digests(today=date(2027, 2, 15)) == 1  # idempotent
    [digest] = notices(leader_a, "digest")
    # The first two were due Friday 9:00; the third is due Monday 10:00.
    assert digest.title == in_site_language(
        "%(unit)s on %(day)s: %(overdue)d overdue, %(open)d unresolved reports",
        unit=officer_a.memberships.get().agency.name,
        day="15/02/2027",
        overdue=2,
        open=3,
    )
    assert digest.dedupe_key == f"digest:ubnd-00070:2027-02-15:u{leader_a.pk}"
    assert digest.url == "http://localhost:8000/can-bo/"
    assert notices(officer_a, "digest") == []

    # No digest on a Tết holiday or a Saturday.
    assert send_daily_digests(today=date(2027, 2, 8)) == 0
    assert send_daily_digests(today=date(2027, 2, 13)) == 0
    assert len(notices(leader_a, "digest")) == 1
