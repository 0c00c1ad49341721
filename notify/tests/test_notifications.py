"""In-app notifications: who hears of which step, once, and the unread count in the header."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from conftest import GOOD_ANSWER, photo_file
from notify.models import Notification
from notify.services import notify_event, unread_count
from reports.models import ReportEvent
from reports.services import (
    report_accept,
    report_assign,
    report_follow,
    report_rate,
    report_reject,
    report_resolve,
)
from reports.workflow import Action


def kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True)
    )


def test_routing_notifies_the_reporter_once(run_on_commit, submit, alice):
    report = run_on_commit(submit)
    assert kinds(alice) == [Action.ROUTE]
    n = Notification.objects.get(user=alice)
    assert n.report == report and n.read_at is None
    assert report.tracking_code in n.title and "UBND Phường Hoàn Kiếm" in n.title
    # Vietnamese, the site's language.
    assert "đã được chuyển đến" in n.title


def test_reporter_and_followers_hear_of_a_step_but_not_the_actor(
    run_on_commit, submit, alice, bob, officer_a
):
    report = submit()
    report_follow(actor=bob, report=report)
    report_follow(actor=officer_a, report=report)  # an officer following still is the actor
    run_on_commit(report_accept, actor=officer_a, report=report)
    event = ReportEvent.objects.get(report=report, action=Action.ACCEPT)
    assert set(
        Notification.objects.filter(event=event).values_list("user__username", flat=True)
    ) == {
        "alice",
        "bob",
    }


def test_the_resident_who_reopens_is_not_notified_but_followers_are(
    run_on_commit, submit, alice, bob, officer_a
):
    report = submit()
    report_follow(actor=bob, report=report)
    report_accept(actor=officer_a, report=report)
    report_resolve(actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()])
    run_on_commit(report_rate, actor=alice, report=report, satisfied=False, comment="Vẫn còn rác")
    event = ReportEvent.objects.get(report=report, action=Action.REOPEN)
    recipients = list(
        Notification.objects.filter(event=event).values_list("user__username", flat=True)
    )
    assert recipients == ["bob"]
    assert "Vẫn còn rác" in Notification.objects.get(event=event).body


def test_internal_steps_notify_no_resident(run_on_commit, submit, alice, leader_a, officer_a):
    report = submit()
    run_on_commit(report_assign, actor=leader_a, report=report, assignee=officer_a)
    # Only the assigned officer hears of an assignment (sla.services.notify_assignment).
    assert list(Notification.objects.values_list("user__username", "kind")) == [
        ("officer_a", "assigned")
    ]


def test_each_event_notifies_each_person_once_even_if_run_again(
    run_on_commit, submit, alice, officer_a
):
    report = submit()
    run_on_commit(report_reject, actor=officer_a, report=report, reason="Không thuộc thẩm quyền")
    event = ReportEvent.objects.get(report=report, action=Action.REJECT)
    notify_event(event)
    notify_event(event)
    assert Notification.objects.filter(event=event, user=alice).count() == 1


def test_a_rolled_back_step_notifies_nobody(run_on_commit, submit, officer_a):
    report = submit()

    def accept_then_fail():
        with transaction.atomic():
            report_accept(actor=officer_a, report=report)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        run_on_commit(accept_then_fail)
    assert not Notification.objects.filter(kind=Action.ACCEPT).exists()


def test_unread_count_in_the_header_drops_after_opening_the_list(
    client, run_on_commit, submit, alice, bob, officer_a
):
    report = run_on_commit(submit)
    run_on_commit(report_accept, actor=officer_a, report=report)
    assert unread_count(alice) == 2
    client.force_login(alice)
    home = client.get(reverse("citizen:report_list")).content.decode()
    assert 'class="badge badge-dark-grey unread-count">2<' in home

    page = client.get(reverse("citizen:notifications")).content.decode()
    assert report.tracking_code in page
    assert page.count('class="report unread"') == 2  # both shown as new this time
    assert "unread-count" not in page  # the header already counts them read
    assert unread_count(alice) == 0
    assert "unread-count" not in client.get(reverse("citizen:report_list")).content.decode()


def test_notifications_page_shows_only_ones_own(client, run_on_commit, submit, alice, bob):
    run_on_commit(submit, title="Phản ánh chỉ Alice được báo")
    client.force_login(bob)
    body = client.get(reverse("citizen:notifications")).content.decode()
    assert "Phản ánh chỉ Alice được báo" not in body
    assert unread_count(alice) == 1


def test_notifications_page_requires_sign_in(client):
    assert client.get(reverse("citizen:notifications")).status_code == 302


def test_a_notice_lost_with_a_killed_process_is_made_up_by_the_worker(
    submit, alice, django_assert_num_queries
):
    """The web process dies between the commit and its on_commit callback (bench/crash.py hit
    this): the safety-net task, committed with the step, makes the notice and its e-mail."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from notify.models import ChannelPreference, Delivery
    from notify.tasks import notify_event_again

    alice.email = "alice@example.org"
    alice.save(update_fields=["email"])
    ChannelPreference.objects.create(user=alice, email=True)
    report = submit()  # on_commit callbacks never run here: as if the process had died
    assert kinds(alice) == []
    route = ReportEvent.objects.get(report=report, action=Action.ROUTE)
    queued = DBTaskResult.objects.get(task_path="notify.tasks.notify_event_again")
    assert queued.args_kwargs["args"] == [route.pk]
    # Not at once: the on_commit notice normally comes first, the check a little later.
    assert timedelta(minutes=1) < queued.run_after - timezone.now() <= timedelta(minutes=2)
    assert notify_event_again.call(route.pk) == 1
    assert kinds(alice) == ["route"]
    assert Delivery.objects.filter(notification__user=alice, channel="email").count() == 1
    # The usual case, the notice made on commit: the check is one query and makes nothing.
    with django_assert_num_queries(1):
        assert notify_event_again.call(route.pk) == 0
    assert kinds(alice) == ["route"]
    assert Delivery.objects.filter(notification__user=alice, channel="email").count() == 1
