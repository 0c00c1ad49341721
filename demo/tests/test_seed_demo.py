"""`manage.py seed_demo`: a small demo through the real services, checked like a screen would."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership, Role, User
from cameras.models import Camera
from reports.models import Media, Report
from reports.proof import check_answer
from reports.workflow import Status
from routing.models import Category
from units.models import Agency, AgencyKind

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", reports=60, residents=20, no_progress=True, stdout=out, **options)
    return out.getvalue()


def test_seed_demo_creates_staff_for_every_agency(media_root):
    output = seed()

    roles_by_agency: dict[int, list[str]] = {}
    for agency_id, role in Membership.objects.values_list("agency_id", "role"):
        roles_by_agency.setdefault(agency_id, []).append(role)
    for agency in Agency.objects.all():
        roles = sorted(roles_by_agency.get(agency.pk, []))
        if agency.kind == AgencyKind.COORDINATION:
            expected = [Role.COORDINATOR, Role.COORDINATOR, Role.CITY_LEADER, Role.HOTLINE_OPERATOR]
            assert roles == sorted(expected), agency.code
        else:
            expected = [Role.UNIT_LEADER, Role.OFFICER, Role.OFFICER]
            if agency.code == "ubnd-00070":  # Hoàn Kiếm's community team and a group leader
                expected += [Role.COMMUNITY_HELPER, Role.GROUP_LEADER]
            assert roles == sorted(expected), agency.code
            assert User.objects.filter(username=f"canbo.{agency.code}.2").exists()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("demo-congdanso")
    assert User.objects.filter(username__startswith="nguoidan.").count() == 20
    # Residents live somewhere (the dashboard counts registrations per ward); staff do not say.
    assert not User.objects.filter(username__startswith="nguoidan.", home_ward=None).exists()
    assert not User.objects.filter(username__startswith="canbo.").exclude(home_ward=None).exists()
    assert "lanhdaothanhpho" in output and "demo-congdanso" in output
    # The sample residential groups, and the demo group leader leads one of them.
    leader = Membership.objects.get(user__username="totruong.00070-TDP01")
    assert leader.role == Role.GROUP_LEADER and leader.unit.code == "00070-TDP01"
    assert "Sample residential groups: 10 created" in output
    # The sample cameras, placed in their wards and owned by the departments named in the file.
    assert "Sample cameras: 8 created" in output
    cameras = {c.code: c for c in Camera.objects.select_related("ward", "agency")}
    assert len(cameras) == 8
    assert cameras["MAU-HK-01"].ward.code == "00070"
    assert cameras["MAU-BD-01"].agency.code == "cong-an"


def test_seed_demo_reports_cover_the_lifecycle_through_the_services(media_root):
    seed()

    reports = Report.objects.all()
    assert reports.count() == 60
    statuses = set(reports.values_list("status", flat=True))
    assert {Status.CLOSED, Status.RESOLVED, Status.ROUTED, Status.REOPENED} <= statuses
    assert len(statuses) >= 6
    assert not reports.filter(ward__isnull=True).exists()
    assert not reports.filter(agency__isnull=True).exists()
    for report in reports.prefetch_related("events", "media"):
        events = list(report.events.all())
        assert events[0].action == "submit", report.tracking_code
        if report.status in {Status.RESOLVED, Status.CLOSED}:
            assert check_answer(report.answer) == report.answer
            assert any(m.is_proof for m in report.media.all()), report.tracking_code
    # Every proof photo is a new one: the gate refuses reused hashes.
    hashes = list(Media.objects.filter(is_proof=True).values_list("sha256", flat=True))
    assert len(hashes) == len(set(hashes))


def test_seed_demo_twice_does_not_duplicate_and_reset_seeds_again(media_root):
    seed()
    codes = set(Report.objects.values_list("tracking_code", flat=True))

    output = seed()
    assert "Already seeded" in output
    assert "Sample cameras: 0 created, 0 updated, 8 unchanged" in output
    assert Report.objects.count() == 60

    seed(reset=True)
    assert Report.objects.count() == 60
    # The same seed gives the same demo, numbered from the start again.
    assert set(Report.objects.values_list("tracking_code", flat=True)) == codes


def test_seed_demo_without_reference_data_says_what_to_run(media_root):
    Category.objects.all().delete()

    with pytest.raises(CommandError, match="load_categories"):
        seed()


def test_seed_demo_prints_a_working_set_up_code_for_each_demo_staff_account(media_root, client):
    """The README's demo accounts still work with its steps: password, then the code printed
    here on the set-up page, then the authenticator."""
    import re

    output = seed()
    codes = dict(
        re.findall(r"^  (\S+)\s+([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})$", output, re.M)
    )
    assert set(codes) == {
        "admin",
        "canbo.so-giao-thong.1",
        "canbo.ubnd-00070.1",
        "dieuphoi.1",
        "lanhdao.ubnd-00070",
        "lanhdaothanhpho",
        "tongdai.1",
        "tocongnghe.ubnd-00070",
        "totruong.00070-TDP01",
    }
    client.post("/dang-nhap/", {"username": "canbo.ubnd-00070.1", "password": "demo-congdanso"})
    page = client.post(
        "/tai-khoan/xac-thuc-hai-buoc/", {"enrolment_code": codes["canbo.ubnd-00070.1"]}
    )
    assert page.status_code == 302
    assert 'id="otp-secret"' in client.get(page["Location"]).content.decode()


def test_seed_demo_fills_the_city_services_through_their_own_paths(media_root, client):
    from dossiers.models import Dossier
    from news.models import Article, ArticleStatus
    from procedures.models import Procedure

    output = seed()
    resident = User.objects.get(username="nguoidan.001")
    digits = resident.phone[-4:]
    assert f"code MAU-HS-0001, last four digits {digits}" in output
    assert Procedure.objects.filter(code__startswith="MAU-").count() >= 30
    assert Dossier.objects.filter(code__startswith="MAU-HS-").count() == 4
    # Each demo article was approved by someone other than its author, and is published.
    articles = list(Article.objects.prefetch_related("events"))
    assert len(articles) == 3
    for article in articles:
        assert article.status == ArticleStatus.PUBLISHED
        approver = next(e.actor_id for e in article.events.all() if e.action == "approve")
        assert approver != article.author_id
    # What a newcomer tries: the news list, the directory, a dossier by code and digits.
    assert "Lịch thu gom rác cồng kềnh" in client.get("/tin-tuc/").content.decode()
    assert "Đăng ký khai sinh" in client.get("/thu-tuc/?q=khai sinh").content.decode()
    found = client.get(f"/api/dossiers/MAU-HS-0002?phone_last4={digits}").json()
    assert found["late"] is True
    # A second run with --reset keeps one copy of each.
    seed(reset=True)
    assert Article.objects.count() == 3
    assert Dossier.objects.filter(code__startswith="MAU-HS-").count() == 4
