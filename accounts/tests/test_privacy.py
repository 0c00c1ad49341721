"""A resident's own data (Decree 13/2023): seeing it, downloading it, deleting the account."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from accounts.models import User
from accounts.services import resident_data_export, resident_delete
from api.models import ApiToken
from conftest import GOOD_ANSWER, photo_file
from notify.models import Notification
from reports.models import Report, ReportFollower
from reports.services import report_accept, report_follow, report_rate, report_resolve

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PAGE = "/tai-khoan/du-lieu-cua-toi/"
DOWNLOAD = "/tai-khoan/du-lieu-cua-toi/tai-ve/"
DELETE = "/tai-khoan/du-lieu-cua-toi/xoa/"


@pytest.fixture
def alices_history(alice, bob, officer_a, submit):
    """Alice sent two reports (one resolved and rated) and follows Bob's; Bob sent one."""
    alice.full_name = "Nguyễn Thị Alice"
    alice.phone = "0912345678"
    alice.email = "alice@example.vn"
    alice.save()
    first = submit(title="Ổ gà trước số 12")
    second = submit(title="Đèn đường hỏng")
    bobs = submit(reporter=bob, title="Rác của Bob")
    report_accept(actor=officer_a, report=first, note="Đã nhận")
    report_resolve(actor=officer_a, report=first, answer=GOOD_ANSWER, files=[photo_file()])
    report_rate(actor=alice, report=first, satisfied=True, comment="Cảm ơn")
    report_follow(actor=alice, report=bobs)
    return first, second, bobs


@pytest.mark.django_db
def test_export_holds_her_reports_ratings_and_follows_and_nothing_of_others(
    client, alice, alices_history
):
    first, second, bobs = alices_history
    client.force_login(alice)
    response = client.get(DOWNLOAD, **EN)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="du-lieu-cua-toi.json"'
    data = json.loads(response.content)
    assert data["profile"]["full_name"] == "Nguyễn Thị Alice"
    assert data["profile"]["phone"] == "0912345678"
    assert data["profile"]["email"] == "alice@example.vn"
    assert [r["tracking_code"] for r in data["reports"]] == [
        first.tracking_code,
        second.tracking_code,
    ]
    assert [r["title"] for r in data["reports"]] == ["Ổ gà trước số 12", "Đèn đường hỏng"]
    assert [(r["tracking_code"], r["satisfied"], r["comment"]) for r in data["ratings"]] == [
        (first.tracking_code, True, "Cảm ơn")
    ]
    # A resident follows her own reports from the start, and Bob's because she chose to.
    assert [f["tracking_code"] for f in data["follows"]] == [
        first.tracking_code,
        second.tracking_code,
        bobs.tracking_code,
    ]
    assert "Rác của Bob" not in response.content.decode()
    assert len(data["notifications"]) == Notification.objects.filter(user=alice).count()


@pytest.mark.django_db
def test_page_shows_what_we_hold(client, alice, alices_history):
    first, _second, _bobs = alices_history
    client.force_login(alice)
    response = client.get(PAGE, **EN)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn Thị Alice" in body
    assert "0912345678" in body
    assert f"{first.tracking_code}</a> · Ổ gà trước số 12" in body
    assert "Rác của Bob" not in body
    assert 'name="confirm"' in body


def test_page_needs_sign_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


@pytest.mark.django_db
def test_wrong_confirmation_word_changes_nothing(client, alice, alices_history):
    client.force_login(alice)
    response = client.post(DELETE, {"confirm": "yes"}, **EN)
    assert response.status_code == 400
    assert "Type DELETE to confirm." in response.content.decode()
    alice.refresh_from_db()
    assert alice.username == "alice"
    assert alice.is_active is True
    assert alice.full_name == "Nguyễn Thị Alice"
    assert client.session.get(SESSION_KEY) == str(alice.pk)


@pytest.mark.django_db
def test_deleting_anonymises_her_but_keeps_reports_public_and_the_audit_chain_whole(
    client, alice, alices_history
):
    first, second, _bobs = alices_history
    ApiToken.objects.create(
        user=alice,
        name="Điện thoại",
        token_hash="a" * 64,
        prefix="aaaa",
        created_at=first.created_at,
        expires_at=first.created_at,
    )
    client.force_login(alice)
    response = client.post(DELETE, {"confirm": "xoá"}, **EN)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert SESSION_KEY not in client.session

    row = User.objects.get(pk=alice.pk)
    assert row.username == f"deleted-{alice.pk}"
    assert (row.full_name, row.phone, row.email, row.first_name, row.last_name) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert row.home_ward is None
    assert row.is_active is False
    assert row.has_usable_password() is False
    assert not ReportFollower.objects.filter(user=row).exists()
    assert not Notification.objects.filter(user=row).exists()
    assert not ApiToken.objects.filter(user=row).exists()

    # The reports stay, still hers in the database (the audit chain needs the actor) ...
    assert set(Report.objects.filter(reporter=row).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    # ... and still on the public pages, with no trace of her.
    page = client.get(f"/phan-anh/{first.tracking_code}/", **EN)
    assert page.status_code == 200
    assert "Ổ gà trước số 12" in page.content.decode()
    assert "Nguyễn Thị Alice" not in page.content.decode()
    assert "Ổ gà trước số 12" in client.get("/", **EN).content.decode()

    call_command("verify_audit", verbosity=0)  # raises CommandError on a broken chain

    for username in ("alice", f"deleted-{alice.pk}"):
        signin = client.post(
            "/dang-nhap/", {"username": username, "password": "correct horse battery"}, **EN
        )
        assert signin.status_code == 200, username
        assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_staff_cannot_delete_themselves_here(client, officer_a):
    client.force_login(officer_a)
    page = client.get(PAGE, **EN)
    assert "Staff accounts cannot be deleted here." in page.content.decode()
    assert 'name="confirm"' not in page.content.decode()
    response = client.post(DELETE, {"confirm": "DELETE"}, **EN)
    assert response.status_code == 403
    officer_a.refresh_from_db()
    assert officer_a.username == "officer_a"
    assert officer_a.is_active is True
    with pytest.raises(PermissionDenied):
        resident_delete(actor=officer_a, confirm="DELETE")


@pytest.mark.django_db
def test_export_of_a_new_resident_is_empty_but_complete(bob):
    data = resident_data_export(actor=bob)
    assert data["profile"]["username"] == "bob"
    assert (data["reports"], data["ratings"], data["follows"], data["notifications"]) == (
        [],
        [],
        [],
        [],
    )


@pytest.mark.django_db
def test_deleting_removes_sign_in_links_channels_follows_and_codes(alice, bob):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import ExternalIdentity, PhoneCode
    from alerts.models import WardFollow
    from notify.models import ChannelPreference, PushSubscription
    from units.models import Agency

    alice.phone = "+84912345678"
    alice.save()
    ward = Agency.objects.get(code="ubnd-00070").unit
    now = timezone.now()
    for user in (alice, bob):
        ExternalIdentity.objects.create(user=user, provider="vneid", subject_hash=f"h{user.pk}")
        WardFollow.objects.create(user=user, ward=ward, created_at=now)
        ChannelPreference.objects.create(user=user, sms=True)
        PushSubscription.objects.create(
            user=user, endpoint=f"https://push.example/{user.pk}", p256dh="k", auth="a"
        )
    PhoneCode.objects.create(
        phone="+84912345678", code_hash="x", created_at=now, expires_at=now + timedelta(minutes=5)
    )
    assert resident_data_export(actor=alice)["followed_wards"] == [ward.full_name]

    resident_delete(actor=alice, confirm="XOÁ")

    for model in (ExternalIdentity, WardFollow, ChannelPreference, PushSubscription):
        assert list(model.objects.values_list("user_id", flat=True)) == [bob.pk], model
    assert not PhoneCode.objects.exists()
