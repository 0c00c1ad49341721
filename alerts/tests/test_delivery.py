"""Who hears of an alert: the followers of its wards (home ward included), everyone with a ward
for a whole-city alert; once each, however often the task runs."""

from __future__ import annotations

import pytest

from alerts import services
from alerts.models import WardFollow
from alerts.services import alert_deliver, alert_withdraw
from conftest import make_user
from notify.models import Notification
from reports import clock


@pytest.fixture
def people(alice, bob, unit_a, unit_b):
    """alice follows ward A; bob lives in ward B; carol lives in ward A; dave gave no ward;
    erin lives in ward A but her account is closed."""
    WardFollow.objects.create(user=alice, ward=unit_a, created_at=clock.now())
    bob.home_ward = unit_b
    bob.save(update_fields=["home_ward"])
    return {
        "alice": alice,
        "bob": bob,
        "carol": make_user("carol", home_ward=unit_a),
        "dave": make_user("dave"),
        "erin": make_user("erin", home_ward=unit_a, is_active=False),
    }


def notified() -> set[str]:
    return set(Notification.objects.values_list("user__username", flat=True))


def published(publish, django_capture_on_commit_callbacks, run_worker, **kwargs):
    """Publish, commit (which enqueues the delivery task), run the worker."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        alert = publish(**kwargs)
    assert len(callbacks) == 1
    run_worker()
    return alert


def test_followers_of_the_alerts_ward_are_notified_others_not(
    people, publish, unit_a, django_capture_on_commit_callbacks, run_worker
):
    alert = published(publish, django_capture_on_commit_callbacks, run_worker, ward_ids=[unit_a.pk])
    assert notified() == {"alice", "carol"}
    message = Notification.objects.get(user=people["alice"])
    assert message.kind == "alert"
    assert message.report is None and message.event is None
    assert message.url == "/canh-bao/"
    assert message.dedupe_key == f"alert:{alert.pk}:u{people['alice'].pk}"
    assert "Ngập sâu phố Hàng Bài" in message.title
    assert message.body.startswith("Nước ngập 40 cm, tránh đi qua từ 17 giờ đến 20 giờ.\n")


def test_whole_city_reaches_everyone_with_a_ward_but_not_the_publisher(
    people, publish, coordinator, unit_a, django_capture_on_commit_callbacks, run_worker
):
    coordinator.home_ward = unit_a
    coordinator.save(update_fields=["home_ward"])
    published(publish, django_capture_on_commit_callbacks, run_worker, whole_city=True)
    assert notified() == {"alice", "bob", "carol"}


def test_delivery_run_twice_notifies_once(people, publish, unit_a):
    alert = publish(ward_ids=[unit_a.pk])
    assert alert_deliver(alert_id=alert.pk) == 2
    assert alert_deliver(alert_id=alert.pk) == 2
    assert Notification.objects.count() == 2


def test_task_enqueued_twice_notifies_once(people, publish, unit_a, run_worker):
    from alerts.tasks import deliver_alert

    alert = publish(ward_ids=[unit_a.pk])
    deliver_alert.enqueue(alert.pk)
    deliver_alert.enqueue(alert.pk)
    run_worker()
    assert Notification.objects.filter(user=people["carol"]).count() == 1
    assert Notification.objects.count() == 2


def test_large_audiences_are_delivered_in_batches(people, publish, unit_a, monkeypatch):
    monkeypatch.setattr(services, "DELIVERY_BATCH", 2)
    sizes: list[int] = []
    notify_staff = services.notify_staff

    def spy(**kwargs):
        sizes.append(len(kwargs["users"]))
        return notify_staff(**kwargs)

    monkeypatch.setattr(services, "notify_staff", spy)
    for n in range(3):
        make_user(f"resident{n}", home_ward=unit_a)
    alert = publish(ward_ids=[unit_a.pk])
    assert alert_deliver(alert_id=alert.pk) == 5
    assert sizes == [2, 2, 1]
    assert notified() == {"alice", "carol", "resident0", "resident1", "resident2"}


def test_withdrawn_alert_is_not_delivered(people, publish, unit_a, coordinator):
    alert = publish(ward_ids=[unit_a.pk])
    alert_withdraw(actor=coordinator, alert=alert)
    assert alert_deliver(alert_id=alert.pk) == 0
    assert Notification.objects.count() == 0
