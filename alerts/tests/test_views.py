"""The alerts pages through HTTP: residents' alerts and followed wards, the staff page, the
banner on the map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from alerts.models import AreaAlert, WardFollow
from reports import clock
from units.models import AdministrativeUnit

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
RESIDENT = "/canh-bao/"
STAFF = "/can-bo/canh-bao/"
WITHDRAW = "/can-bo/canh-bao/thu-hoi/"


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form(**overrides) -> dict:
    now = clock.now()
    data = {
        "kind": "flood",
        "title": "Ngập sâu phố Hàng Bài",
        "body": "Nước ngập 40 cm, tránh đi qua.",
        "valid_from": local(now),
        "valid_until": local(now + timedelta(hours=6)),
    }
    data.update(overrides)
    return data


# --- residents' page ---------------------------------------------------------------------


def test_resident_sees_alerts_of_followed_and_home_wards_only(
    client, alice, publish, unit_a, unit_b
):
    alice.home_ward = unit_b
    alice.save(update_fields=["home_ward"])
    WardFollow.objects.create(user=alice, ward=unit_a, created_at=clock.now())
    a = publish(ward_ids=[unit_a.pk], title="Ngập phố Hàng Bài")
    b = publish(ward_ids=[unit_b.pk], title="Cắt nước Ba Đình", kind="water_cut")
    third = AdministrativeUnit.objects.get(era="2025", code="00433")  # Xã Nội Bài
    hidden = publish(ward_ids=[third.pk], title="Cháy ở Nội Bài", kind="fire")
    client.force_login(alice)
    body = client.get(RESIDENT, **EN).content.decode()
    assert f'id="alert-{a.pk}"' in body and "Ngập phố Hàng Bài" in body
    assert f'id="alert-{b.pk}"' in body and "Cắt nước Ba Đình" in body
    assert "Water supply cut" in body
    assert f'id="alert-{hidden.pk}"' not in body
    assert "(your home ward)" in body


def test_resident_follows_and_unfollows_a_ward(client, alice, unit_a):
    client.force_login(alice)
    response = client.post(RESIDENT, {"action": "follow", "ward": unit_a.pk}, **EN)
    assert response.status_code == 302
    assert list(WardFollow.objects.filter(user=alice).values_list("ward_id", flat=True)) == [
        unit_a.pk
    ]
    body = client.get(RESIDENT, **EN).content.decode()
    assert "You will get the alerts of this ward." in body
    assert f'id="followed-{unit_a.pk}"' in body
    # Following again changes nothing.
    client.post(RESIDENT, {"action": "follow", "ward": unit_a.pk}, **EN)
    assert WardFollow.objects.filter(user=alice).count() == 1
    client.post(RESIDENT, {"action": "unfollow", "ward": unit_a.pk}, **EN)
    assert WardFollow.objects.filter(user=alice).count() == 0


def test_following_an_unknown_ward_is_refused_with_a_message(client, alice):
    client.force_login(alice)
    response = client.post(RESIDENT, {"action": "follow", "ward": 99999999}, follow=True, **EN)
    assert "Choose a ward from the list." in response.content.decode()
    assert WardFollow.objects.count() == 0


def test_residents_page_query_count_does_not_grow(
    client, alice, publish, unit_a, unit_b, django_assert_num_queries
):
    alice.home_ward = unit_b
    alice.save(update_fields=["home_ward"])
    WardFollow.objects.create(user=alice, ward=unit_a, created_at=clock.now())
    publish(ward_ids=[unit_a.pk])
    client.force_login(alice)
    # session, user, memberships (staff menu), unread count; follows, home ward, alerts,
    # their wards, the residential groups of those wards, the ward choices.
    with django_assert_num_queries(10):
        assert client.get(RESIDENT).status_code == 200
    others = AdministrativeUnit.objects.filter(era="2025", type="phuong").exclude(
        pk__in=[unit_a.pk, unit_b.pk]
    )[:4]
    for ward in others:
        WardFollow.objects.create(user=alice, ward=ward, created_at=clock.now())
        publish(ward_ids=[ward.pk, unit_b.pk])
    publish(whole_city=True)
    with django_assert_num_queries(10):
        response = client.get(RESIDENT)
    assert response.content.decode().count('class="report alert ') == 6


def test_residents_page_needs_sign_in(client):
    response = client.get(RESIDENT)
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


# --- the banner on the map -------------------------------------------------------------------


def test_map_banner_shows_followed_wards_alerts(client, alice, bob, publish, unit_a, unit_b):
    WardFollow.objects.create(user=alice, ward=unit_a, created_at=clock.now())
    bob.home_ward = unit_b
    bob.save(update_fields=["home_ward"])
    publish(ward_ids=[unit_a.pk], title="Ngập phố Hàng Bài")
    client.force_login(alice)
    body = client.get("/ban-do/", **EN).content.decode()
    assert 'id="alert-banner"' in body
    assert "Flood: Ngập phố Hàng Bài" in body
    client.force_login(bob)
    body = client.get("/ban-do/", **EN).content.decode()
    assert 'id="alert-banner"' not in body
    assert "Ngập phố Hàng Bài" not in body


def test_map_banner_shows_whole_city_alerts_to_everyone(client, publish):
    publish(whole_city=True, kind="air_quality", title="Không khí ô nhiễm nặng")
    body = client.get("/ban-do/", **EN).content.decode()
    assert "Air quality: Không khí ô nhiễm nặng" in body


# --- the staff page --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "officer_a"])
def test_staff_page_is_not_for_residents_or_officers(db, client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(STAFF).status_code == 404


def test_unit_leader_is_offered_only_own_ward(client, leader_a, unit_a, unit_b):
    client.force_login(leader_a)
    body = client.get(STAFF, **EN).content.decode()
    assert f'<option value="{unit_a.pk}">' in body
    assert f'<option value="{unit_b.pk}">' not in body
    assert 'name="whole_city"' not in body


def test_coordinator_publishes_through_the_page(client, coordinator, unit_a, unit_b):
    client.force_login(coordinator)
    body = client.get(STAFF, **EN).content.decode()
    assert 'name="whole_city"' in body
    response = client.post(STAFF, form(wards=[unit_a.pk, unit_b.pk]), follow=True, **EN)
    assert "The alert was published." in response.content.decode()
    alert = AreaAlert.objects.get()
    assert alert.title == "Ngập sâu phố Hàng Bài"
    assert set(alert.wards.values_list("code", flat=True)) == {"00070", "00004"}
    assert f'id="staff-alert-{alert.pk}"' in response.content.decode()


def test_unit_leader_posting_another_ward_gets_a_clear_error(client, leader_a, unit_b):
    client.force_login(leader_a)
    response = client.post(STAFF, form(wards=[unit_b.pk]), **EN)
    assert response.status_code == 400
    assert "You may publish alerts only for the ward of your own unit." in response.content.decode()
    assert AreaAlert.objects.count() == 0


def test_page_shows_validation_errors_and_stores_nothing(client, coordinator):
    client.force_login(coordinator)
    now = clock.now()
    response = client.post(
        STAFF,
        form(
            valid_from=local(now + timedelta(hours=3)), valid_until=local(now + timedelta(hours=1))
        ),
        **EN,
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The end of the alert must be after its start." in body
    assert "Choose at least one ward, or the whole city." in body
    assert AreaAlert.objects.count() == 0


def test_withdraw_through_the_page(client, coordinator, publish, unit_a):
    alert = publish(ward_ids=[unit_a.pk])
    client.force_login(coordinator)
    response = client.post(WITHDRAW, {"alert": alert.pk}, follow=True, **EN)
    assert "The alert was withdrawn." in response.content.decode()
    alert.refresh_from_db()
    assert alert.withdrawn_by == coordinator


def test_unit_leader_cannot_withdraw_a_city_alert(client, leader_a, publish):
    alert = publish(whole_city=True)
    client.force_login(leader_a)
    assert client.post(WITHDRAW, {"alert": alert.pk}).status_code == 403
    alert.refresh_from_db()
    assert alert.withdrawn_at is None


def test_map_banner_shows_the_three_newest_and_links_to_the_rest(client, alice, publish, unit_a):
    WardFollow.objects.create(user=alice, ward=unit_a, created_at=clock.now())
    start = datetime(2026, 7, 20, 8, 0, tzinfo=UTC)
    for hour in range(4):
        with time_machine.travel(start + timedelta(hours=hour), tick=False):
            publish(ward_ids=[unit_a.pk], title=f"Cảnh báo số {hour}")
    client.force_login(alice)
    with time_machine.travel(start + timedelta(hours=4), tick=False):
        body = client.get("/ban-do/", **EN).content.decode()
    shown = [n for n in range(4) if f"Cảnh báo số {n}" in body]
    assert shown == [1, 2, 3]
    assert 'href="/canh-bao/"' in body
