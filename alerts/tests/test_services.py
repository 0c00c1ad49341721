"""Publishing and withdrawing alerts: who may, for which wards, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from alerts.models import AreaAlert
from alerts.services import alert_withdraw, can_publish
from reports import clock


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in English (msgids): the Vietnamese is merged by the lead.
    with translation.override("en"):
        yield


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_coordinator_publishes_for_chosen_wards(publish, unit_a, unit_b, coordinator):
    alert = publish(ward_ids=[unit_a.pk, unit_b.pk])
    assert set(alert.wards.values_list("code", flat=True)) == {"00070", "00004"}
    assert alert.created_by == coordinator
    assert alert.whole_city is False
    assert alert.withdrawn_at is None


def test_city_leader_publishes_for_the_whole_city(publish, city_leader, unit_a):
    alert = publish(actor=city_leader, whole_city=True, ward_ids=[unit_a.pk])
    assert alert.whole_city is True
    # The whole city names no wards: the chosen one is not kept.
    assert alert.wards.count() == 0


def test_unit_leader_publishes_for_own_ward(publish, leader_a, unit_a):
    alert = publish(actor=leader_a, ward_ids=[unit_a.pk])
    assert list(alert.wards.values_list("code", flat=True)) == ["00070"]


def test_unit_leader_is_refused_another_units_ward(publish, leader_a, unit_a, unit_b):
    with pytest.raises(ValidationError) as excinfo:
        publish(actor=leader_a, ward_ids=[unit_a.pk, unit_b.pk])
    assert errors_of(excinfo) == {
        "wards": ["You may publish alerts only for the ward of your own unit."]
    }
    assert AreaAlert.objects.count() == 0


def test_unit_leader_is_refused_the_whole_city(publish, leader_a):
    with pytest.raises(ValidationError) as excinfo:
        publish(actor=leader_a, whole_city=True)
    assert errors_of(excinfo) == {
        "whole_city": ["Only the city may publish an alert for the whole city."]
    }
    assert AreaAlert.objects.count() == 0


@pytest.mark.parametrize("who", ["officer_a", "alice"])
def test_officers_and_residents_may_not_publish(publish, unit_a, who, request):
    actor = request.getfixturevalue(who)
    assert can_publish(actor) is False
    with pytest.raises(PermissionDenied):
        publish(actor=actor, ward_ids=[unit_a.pk])
    assert AreaAlert.objects.count() == 0


def test_bad_input_gets_one_message_per_field_and_stores_nothing(publish):
    now = clock.now()
    with pytest.raises(ValidationError) as excinfo:
        publish(
            kind="earthquake",
            title="  ",
            body="x" * 1001,
            valid_from=now + timedelta(hours=2),
            valid_until=now - timedelta(hours=1),
        )
    assert errors_of(excinfo) == {
        "kind": ["Choose the kind of alert."],
        "title": ["Write a title."],
        "body": ["The text may have at most 1000 characters."],
        "wards": ["Choose at least one ward, or the whole city."],
        "valid_until": [
            "The end of the alert cannot be in the past.",
            "The end of the alert must be after its start.",
        ],
    }
    assert AreaAlert.objects.count() == 0


def test_title_length_limit(publish, unit_a):
    with pytest.raises(ValidationError) as excinfo:
        publish(ward_ids=[unit_a.pk], title="Ngập " * 31)  # 155 characters
    assert errors_of(excinfo) == {"title": ["The title may have at most 150 characters."]}


def test_end_before_start_is_refused(publish, unit_a):
    now = clock.now()
    with pytest.raises(ValidationError) as excinfo:
        publish(
            ward_ids=[unit_a.pk],
            valid_from=now + timedelta(hours=5),
            valid_until=now + timedelta(hours=4),
        )
    assert errors_of(excinfo) == {"valid_until": ["The end of the alert must be after its start."]}


def test_validity_longer_than_30_days_is_refused(publish, unit_a):
    with pytest.raises(ValidationError) as excinfo:
        publish(ward_ids=[unit_a.pk], valid_until=clock.now() + timedelta(days=31))
    assert errors_of(excinfo) == {"valid_until": ["An alert may be valid for at most 30 days."]}


def test_ward_of_an_old_era_is_not_a_choice(publish):
    from units.models import AdministrativeUnit

    old = AdministrativeUnit.objects.exclude(era="2025").filter(type="phuong").first()
    assert old is not None
    with pytest.raises(ValidationError) as excinfo:
        publish(ward_ids=[old.pk])
    assert errors_of(excinfo) == {"wards": ["Choose wards from the list."]}


def test_a_start_in_the_past_means_from_now(publish, unit_a):
    moment = datetime(2026, 7, 20, 9, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        alert = publish(ward_ids=[unit_a.pk], valid_from=moment - timedelta(hours=3))
    alert.refresh_from_db()
    assert alert.valid_from == moment
    assert alert.created_at == moment


def test_withdraw_records_who_and_when_and_is_done_once(publish, unit_a, coordinator):
    alert = publish(ward_ids=[unit_a.pk])
    alert_withdraw(actor=coordinator, alert=alert)
    alert.refresh_from_db()
    assert alert.withdrawn_by == coordinator
    assert alert.withdrawn_at is not None
    with pytest.raises(ValidationError) as excinfo:
        alert_withdraw(actor=coordinator, alert=alert)
    assert excinfo.value.messages == ["This alert was already withdrawn."]


def test_unit_leader_withdraws_own_wards_alert_only(publish, leader_a, unit_a, unit_b):
    own = publish(actor=leader_a, ward_ids=[unit_a.pk])
    # A coordinator's alert for ward A alone is ward A's too; one naming ward B is not.
    city_for_a = publish(ward_ids=[unit_a.pk])
    both = publish(ward_ids=[unit_a.pk, unit_b.pk])
    whole = publish(whole_city=True)
    alert_withdraw(actor=leader_a, alert=own)
    alert_withdraw(actor=leader_a, alert=city_for_a)
    for alert in (both, whole):
        with pytest.raises(PermissionDenied):
            alert_withdraw(actor=leader_a, alert=alert)
    assert set(AreaAlert.objects.filter(withdrawn_at__isnull=True)) == {both, whole}


def test_officer_may_not_withdraw(publish, unit_a, officer_a):
    alert = publish(ward_ids=[unit_a.pk])
    with pytest.raises(PermissionDenied):
        alert_withdraw(actor=officer_a, alert=alert)
    alert.refresh_from_db()
    assert alert.withdrawn_at is None
