"""The residential group pages over HTTP: a group leader's list and report page (and nothing of
another group's), the check on the ground, the ward staff's list of groups, the staff report
page's group, and what the API, the alerts and the dashboard make of groups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from accounts.models import Role
from alerts.models import WardFollow
from alerts.services import alert_deliver
from conftest import BA_DINH_SQUARE, IN_TDP03, make_user, photo_file
from notify.models import Notification
from reports import clock
from reports.models import Report
from reports.workflow import Action
from units.models import AdministrativeUnit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

LIST = "/can-bo/to-dan-pho/"
ADMIN = "/can-bo/to-dan-pho/quan-ly/"


def page(code: str) -> str:
    return f"/can-bo/to-dan-pho/phan-anh/{code}/"


def test_a_leader_lists_the_groups_reports_and_no_other(
    client, sample_groups, submit, group_leader_a
):
    mine = submit(title="Rác ở hồ Gươm", is_public=False)
    other_group = submit(title="Rác ở tổ ba", lat=IN_TDP03[0], lon=IN_TDP03[1])
    other_ward = submit(title="Rác ở Ba Đình", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    client.force_login(group_leader_a)
    body = client.get(LIST).content.decode()
    assert mine.tracking_code in body and "Rác ở hồ Gươm" in body
    assert other_group.tracking_code not in body and other_ward.tracking_code not in body
    assert "Phản ánh của tổ dân phố" in body


def test_the_leader_sees_the_reporter_of_their_group_and_404_for_another_group(
    client, sample_groups, submit, group_leader_a, group_leader_c
):
    report = submit(is_public=False)
    client.force_login(group_leader_a)
    body = client.get(page(report.tracking_code)).content.decode()
    assert "Nguyễn Thị Alice" in body and "+84912345678" in body
    client.force_login(group_leader_c)
    for url in (
        page(report.tracking_code),
        f"/can-bo/phan-anh/{report.tracking_code}/",
        f"/phan-anh/{report.tracking_code}/",
        f"/api/reports/{report.tracking_code}",
        f"/media-file/{report.media.get().pk}/display/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_check_through_the_page_shows_on_the_public_timeline(
    client, sample_groups, submit, group_leader_a, run_worker
):
    report = submit()
    client.force_login(group_leader_a)
    response = client.post(
        page(report.tracking_code),
        {"outcome": "present", "note": "Đúng như phản ánh", "photos": photo_file()},
    )
    assert response.status_code == 302
    run_worker()
    public = client.get(f"/phan-anh/{report.tracking_code}/").content.decode()
    assert "Đã kiểm tra thực tế" in public
    assert "Đúng như phản ánh" in public
    assert "Vấn đề có thật, đúng như phản ánh" in public


def test_a_check_without_a_photo_is_refused_in_vietnamese_and_keeps_the_note(
    client, sample_groups, submit, group_leader_a
):
    report = submit()
    client.force_login(group_leader_a)
    response = client.post(page(report.tracking_code), {"outcome": "present", "note": "Ghi chú"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Đính kèm ảnh chụp tại hiện trường." in body and "Ghi chú" in body
    assert not report.events.filter(action=Action.GROUND_CHECK).exists()


def test_another_groups_leader_posting_a_check_gets_404_and_nothing_is_stored(
    client, sample_groups, submit, group_leader_c
):
    report = submit()
    client.force_login(group_leader_c)
    response = client.post(
        page(report.tracking_code), {"outcome": "present", "photos": photo_file()}
    )
    assert response.status_code == 404
    assert not report.events.filter(action=Action.GROUND_CHECK).exists()


def test_ward_staff_edit_their_own_groups_with_history(client, sample_groups, leader_a):
    client.force_login(leader_a)
    body = client.get(ADMIN).content.decode()
    assert "00070-TDP02" in body and "00004-TDP01" not in body
    response = client.post(
        f"{ADMIN}00070-TDP02/",
        {
            "name": "Tổ dân phố số 2",
            "kind": "to_dan_pho",
            "streets": "Hàng Đào\nHàng Ngang",
            "leader_name": "Bà Lê Thị Mai",
            "leader_phone": "0912 000 111",
            "boundary": AdministrativeUnit.objects.get(code="00070-TDP02").geometry,
        },
    )
    assert response.status_code == 302
    group = AdministrativeUnit.objects.get(code="00070-TDP02")
    assert group.leader_name == "Bà Lê Thị Mai" and group.leader_phone == "+84912000111"
    entry = LogEntry.objects.get(object_id=str(group.pk))
    assert entry.user == leader_a and "leader_name" in entry.change_message
    assert "Bà Lê Thị Mai" in client.get(ADMIN).content.decode()


def test_a_boundary_over_another_group_is_refused_and_nothing_changes(
    client, sample_groups, leader_a
):
    client.force_login(leader_a)
    before = AdministrativeUnit.objects.get(code="00070-TDP02").geometry
    response = client.post(
        f"{ADMIN}00070-TDP02/",
        {
            "name": "Tổ dân phố số 2",
            "kind": "to_dan_pho",
            "boundary": AdministrativeUnit.objects.get(code="00070-TDP03").geometry,
        },
    )
    assert response.status_code == 400
    assert "chồng lên" in response.content.decode()
    assert AdministrativeUnit.objects.get(code="00070-TDP02").geometry == before


def test_a_new_group_is_added_and_bad_input_is_named(client, sample_groups, officer_a):
    client.force_login(officer_a)
    response = client.post(
        ADMIN,
        {"ward": "00070", "code": "00070-CUM1", "name": "Cụm dân cư 1", "kind": "cum_dan_cu"},
    )
    assert response.status_code == 302
    assert AdministrativeUnit.objects.get(code="00070-CUM1").parent.code == "00070"
    response = client.post(
        ADMIN, {"ward": "00070", "code": "00070-X", "name": "X", "kind": "thon", "boundary": "{"}
    )
    assert response.status_code == 400 and "GeoJSON" in response.content.decode()
    # Another ward: not offered, and a forged post is a 404.
    assert (
        client.post(ADMIN, {"ward": "00004", "code": "Y", "name": "Y", "kind": "thon"}).status_code
        == 404
    )


def test_another_wards_officer_cannot_open_or_edit_the_group(client, sample_groups, officer_b):
    client.force_login(officer_b)
    assert client.get(f"{ADMIN}00070-TDP02/").status_code == 404
    assert client.post(f"{ADMIN}00070-TDP02/", {"name": "Hack", "kind": "thon"}).status_code == 404
    assert AdministrativeUnit.objects.get(code="00070-TDP02").name == "Tổ dân phố số 2"


def test_the_staff_page_shows_the_group_and_its_leader_and_sets_it(
    client, sample_groups, submit, ward_b
):
    report = submit(lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    officer = make_user("officer_ba_dinh", agency=ward_b, role=Role.OFFICER)
    client.force_login(officer)
    url = f"/can-bo/phan-anh/{report.tracking_code}/"
    assert 'id="group-form"' in client.get(url).content.decode()
    response = client.post(f"{url}thao-tac/set_group/", {"group": "00004-TDP02"})
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "Tổ dân phố số 2" in body and "Tổ trưởng số 2 (mẫu)" in body
    assert Report.objects.get(pk=report.pk).residential_group.code == "00004-TDP02"


def test_the_submit_api_takes_the_residents_group_and_locate_offers_the_wards_groups(
    client, sample_groups, alice, waste
):
    client.force_login(alice)
    answer = client.get(f"/api/locate?lat={BA_DINH_SQUARE[0]}&lon={BA_DINH_SQUARE[1]}").json()
    assert answer["group"] is None
    assert [g["code"] for g in answer["groups"]][:2] == ["00004-TDP01", "00004-TDP02"]
    lake = client.get("/api/locate?lat=21.0285&lon=105.8522").json()
    assert lake["group"] == {"code": "00070-TDP02", "name": "Tổ dân phố số 2"}
    assert client.get("/api/wards/00004/groups").json()[0]["name"] == "Tổ dân phố số 1"
    assert client.get("/api/wards/nope/groups").status_code == 404
    response = client.post(
        "/api/reports",
        {
            "category": waste.code,
            "description": "Rác ở đầu ngõ",
            "lat": str(BA_DINH_SQUARE[0]),
            "lon": str(BA_DINH_SQUARE[1]),
            "group": "Tổ dân phố số 4",
            "files": photo_file(),
        },
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_code=response.json()["tracking_code"])
    assert report.residential_group.code == "00004-TDP04"
    response = client.post(
        "/api/reports",
        {
            "category": waste.code,
            "description": "Rác ở đầu ngõ",
            "lat": str(BA_DINH_SQUARE[0]),
            "lon": str(BA_DINH_SQUARE[1]),
            "group": "Tổ 77",
            "files": photo_file(),
        },
    )
    assert response.status_code == 400 and "Tổ 77" in response.json()["detail"]
    assert Report.objects.count() == 1


def test_a_ward_announces_to_one_groups_followers_and_its_leader(
    client, sample_groups, leader_a, alice, bob, group_leader_a, group_leader_c, run_on_commit
):
    group = AdministrativeUnit.objects.get(code="00070-TDP02")
    ward = group.parent
    WardFollow.objects.create(user=alice, ward=group, created_at=clock.now())
    bob.home_ward = ward  # follows the ward, not the group
    bob.save(update_fields=["home_ward"])
    client.force_login(leader_a)
    body = client.get("/can-bo/canh-bao/").content.decode()
    assert "Tổ dân phố số 2, Hoàn Kiếm" in body
    now = timezone.localtime(clock.now())
    response = client.post(
        "/can-bo/canh-bao/",
        {
            "kind": "water_cut",
            "title": "Cắt nước ngõ Hàng Đào",
            "body": "Cắt nước từ 8 giờ đến 12 giờ.",
            "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
            "valid_until": (now + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
            "wards": [str(group.pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from alerts.models import AreaAlert

    alert_deliver(alert_id=AreaAlert.objects.get().pk)
    told = set(
        Notification.objects.filter(kind__startswith="alert").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"alice", "group_leader_a"}


def test_a_resident_follows_a_group_of_their_ward(client, sample_groups, alice):
    alice.home_ward = AdministrativeUnit.objects.get(era="2025", code="00004")
    alice.save(update_fields=["home_ward"])
    client.force_login(alice)
    group = AdministrativeUnit.objects.get(code="00004-TDP03")
    assert "Tổ dân phố số 3, Ba Đình" in client.get("/canh-bao/").content.decode()
    client.post("/canh-bao/", {"action": "follow", "ward": str(group.pk)})
    assert WardFollow.objects.filter(user=alice, ward=group).exists()


def test_the_dashboard_and_the_export_break_down_by_group(client, sample_groups, submit, leader_a):
    submit()
    submit()
    submit(lat=IN_TDP03[0], lon=IN_TDP03[1])
    client.force_login(leader_a)
    body = client.get("/bang-dieu-khien/to-dan-pho/").content.decode()
    assert 'data-group="00070-TDP02"' in body and 'data-group="00070-TDP03"' in body
    row = body.split('data-group="00070-TDP02"')[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in row
    csv = b"".join(client.get("/bang-dieu-khien/xuat/phan-anh.csv").streaming_content).decode()
    assert "Tổ dân phố" in csv.splitlines()[0]
    assert csv.count("Tổ dân phố số 2") == 2


def test_a_ward_chosen_from_the_list_is_placed_in_no_group_by_its_inner_point(
    client, sample_groups, alice, waste
):
    client.force_login(alice)
    response = client.post(
        "/api/reports",
        {
            "category": waste.code,
            "description": "Rác ở đâu đó",
            "ward": "00070",
            "files": photo_file(),
        },
    )
    assert response.status_code == 201, response.content
    assert Report.objects.get().residential_group is None
