"""Which alerts are current: started, not ended, not withdrawn; for a person or a ward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from alerts.models import WardFollow
from alerts.selectors import current_alerts_for
from alerts.services import alert_withdraw

PUBLISHED = datetime(2026, 7, 20, 8, 0, tzinfo=UTC)  # 15:00 in Hà Nội


def test_alert_is_current_only_inside_its_validity(publish, unit_a):
    with time_machine.travel(PUBLISHED, tick=False):
        alert = publish(
            ward_ids=[unit_a.pk],
            valid_from=PUBLISHED + timedelta(hours=2),
            valid_until=PUBLISHED + timedelta(hours=5),
        )
        assert current_alerts_for(ward=unit_a) == []  # announced, not yet in force
    with time_machine.travel(PUBLISHED + timedelta(hours=2), tick=False):
        assert current_alerts_for(ward=unit_a) == [alert]
    with time_machine.travel(PUBLISHED + timedelta(hours=4, minutes=59), tick=False):
        assert current_alerts_for(ward=unit_a) == [alert]
    with time_machine.travel(PUBLISHED + timedelta(hours=5), tick=False):
        assert current_alerts_for(ward=unit_a) == []


def test_withdrawn_alert_is_no_longer_current(publish, unit_a, coordinator):
    with time_machine.travel(PUBLISHED, tick=False):
        alert = publish(ward_ids=[unit_a.pk], valid_until=PUBLISHED + timedelta(hours=5))
        assert current_alerts_for(ward=unit_a) == [alert]
        alert_withdraw(actor=coordinator, alert=alert)
        assert current_alerts_for(ward=unit_a) == []


def test_person_gets_followed_home_and_whole_city_alerts_newest_first(
    publish, alice, unit_a, unit_b
):
    with time_machine.travel(PUBLISHED, tick=False):
        for_a = publish(ward_ids=[unit_a.pk], valid_until=PUBLISHED + timedelta(hours=9))
    with time_machine.travel(PUBLISHED + timedelta(hours=1), tick=False):
        for_b = publish(ward_ids=[unit_b.pk], valid_until=PUBLISHED + timedelta(hours=9))
        city = publish(whole_city=True, valid_until=PUBLISHED + timedelta(hours=9))
    with time_machine.travel(PUBLISHED + timedelta(hours=2), tick=False):
        assert current_alerts_for(alice) == [city]  # no ward given: the city's only
        WardFollow.objects.create(user=alice, ward=unit_a, created_at=PUBLISHED)
        assert current_alerts_for(alice) == [city, for_a]
        alice.home_ward = unit_b
        assert current_alerts_for(alice) == [city, for_b, for_a]
        assert current_alerts_for(ward=unit_b) == [city, for_b]
