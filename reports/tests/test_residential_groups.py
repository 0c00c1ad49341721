"""A report's residential group (from its point, the resident's choice, or the officer) and
the group leader's check on the ground, before and after the unit resolves."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Membership, Role
from conftest import BA_DINH_SQUARE, GOOD_ANSWER, IN_TDP03, make_user, photo_file
from notify.models import Notification
from reports.models import GroundOutcome, Media, Report, ReportEvent
from reports.services import (
    report_accept,
    report_ground_check,
    report_resolve,
    report_set_group,
    report_transfer,
)
from reports.workflow import Action, Status
from units.models import Agency

pytestmark = pytest.mark.django_db


def fake_image():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("anh.jpg", b"<?php echo 1; ?>" * 20, content_type="image/jpeg")


def test_the_point_places_the_report_in_its_group(sample_groups, submit):
    assert submit().residential_group.code == "00070-TDP02"
    assert submit(lat=IN_TDP03[0], lon=IN_TDP03[1]).residential_group.code == "00070-TDP03"


def test_the_point_wins_over_the_residents_choice(sample_groups, submit):
    report = submit(residential_group="Tổ dân phố số 5")
    assert report.residential_group.code == "00070-TDP02"


def test_where_no_boundary_holds_the_point_the_resident_chooses(sample_groups, submit):
    report = submit(
        lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1], residential_group="to dan pho so 3"
    )
    assert report.residential_group.code == "00004-TDP03"
    assert submit(lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1]).residential_group is None


def test_a_group_of_another_ward_is_refused_and_nothing_is_stored(sample_groups, submit):
    with pytest.raises(ValidationError) as caught:
        submit(lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1], residential_group="00070-TDP01")
    assert caught.value.code == "unknown_group"
    assert "không có tổ dân phố" in caught.value.messages[0]
    assert not Report.objects.exists()


def test_the_officer_sets_the_group_and_another_wards_officer_cannot(
    sample_groups, submit, officer_a, officer_b, group_leader_a
):
    report = submit(lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    ba_dinh = Agency.objects.get(code="ubnd-00004")
    officer = make_user("officer_ba_dinh", agency=ba_dinh, role=Role.OFFICER)
    with pytest.raises(PermissionDenied):
        report_set_group(actor=officer_a, report=report, group_code="00004-TDP01")
    with pytest.raises(PermissionDenied):
        report_set_group(actor=group_leader_a, report=report, group_code="00004-TDP01")
    report_set_group(actor=officer, report=report, group_code="00004-TDP01")
    report.refresh_from_db()
    assert report.residential_group.code == "00004-TDP01"
    event = report.events.get(action=Action.SET_GROUP)
    assert not event.is_public and event.data == {"group": "00004-TDP01"}
    # Only the ward's own groups.
    with pytest.raises(ValidationError):
        report_set_group(actor=officer, report=report, group_code="00070-TDP01")
    report_set_group(actor=officer, report=report, group_code="")
    report.refresh_from_db()
    assert report.residential_group is None


def test_the_leader_checks_before_and_after_with_a_photo(
    sample_groups, submit, officer_a, group_leader_a, media_root
):
    report = submit()
    report_ground_check(
        actor=group_leader_a,
        report=report,
        outcome=GroundOutcome.PRESENT,
        note="Đã xem: rác vẫn còn",
        files=[photo_file()],
    )
    report_accept(actor=officer_a, report=report)
    report_resolve(actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()])
    report.refresh_from_db()
    # After the resolution the question is whether it is fixed.
    with pytest.raises(ValidationError):
        report_ground_check(
            actor=group_leader_a,
            report=report,
            outcome=GroundOutcome.PRESENT,
            files=[photo_file()],
        )
    report_ground_check(
        actor=group_leader_a,
        report=report,
        outcome=GroundOutcome.FIXED,
        files=[photo_file()],
    )
    checks = list(report.events.filter(action=Action.GROUND_CHECK).order_by("id"))
    assert [e.data["outcome"] for e in checks] == ["present", "fixed"]
    assert checks[1].ground_outcome == "Đã khắc phục: đã kiểm tra thực tế"
    assert all(e.is_public and e.actor == group_leader_a for e in checks)
    # The photos are kept with the check, never among the resident's evidence.
    assert Media.objects.filter(event__in=checks, is_proof=True).count() == 2
    report.refresh_from_db()
    assert report.status == Status.RESOLVED  # a check changes nothing of the unit's work


def test_a_check_needs_a_real_new_photo(sample_groups, submit, group_leader_a, media_root):
    report = submit()
    with pytest.raises(ValidationError) as caught:
        report_ground_check(actor=group_leader_a, report=report, outcome="present")
    assert caught.value.code == "ground_photo_missing"
    with pytest.raises(ValidationError):
        report_ground_check(
            actor=group_leader_a, report=report, outcome="present", files=[fake_image()]
        )
    # The resident's own photo is not a check on the ground.
    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence = Media.objects.get(report=report)
    with evidence.file.open("rb") as f:
        same = SimpleUploadedFile("lai.jpg", f.read(), content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        report_ground_check(actor=group_leader_a, report=report, outcome="present", files=[same])
    assert caught.value.code == "ground_photo_reused"
    assert not report.events.filter(action=Action.GROUND_CHECK).exists()


def test_another_groups_leader_may_not_check_resolve_or_transfer(
    sample_groups, submit, officer_a, group_leader_a, group_leader_c, media_root
):
    report = submit()
    with pytest.raises(PermissionDenied):
        report_ground_check(
            actor=group_leader_c, report=report, outcome="present", files=[photo_file()]
        )
    report_accept(actor=officer_a, report=report)
    report.refresh_from_db()
    # Even the report's own group leader: no unit work.
    for leader in (group_leader_a, group_leader_c):
        with pytest.raises(PermissionDenied):
            report_resolve(actor=leader, report=report, answer=GOOD_ANSWER, files=[photo_file()])
        with pytest.raises(PermissionDenied):
            report_transfer(
                actor=leader,
                report=report,
                agency=Agency.objects.get(code="urenco"),
                reason="Không thuộc tổ",
            )
    assert ReportEvent.objects.filter(report=report).count() == 3  # submit, route, accept


def test_a_ward_wide_community_team_checks_every_report_of_its_ward_only(
    sample_groups, submit, helper_a, media_root
):
    in_ward = submit(lat=IN_TDP03[0], lon=IN_TDP03[1])
    report_ground_check(actor=helper_a, report=in_ward, outcome="present", files=[photo_file()])
    elsewhere = submit(lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    with pytest.raises(PermissionDenied):
        report_ground_check(
            actor=helper_a, report=elsewhere, outcome="present", files=[photo_file()]
        )


def test_the_group_hears_of_new_and_resolved_reports_and_the_unit_of_not_fixed(
    sample_groups,
    submit,
    officer_a,
    leader_a,
    group_leader_a,
    group_leader_c,
    run_on_commit,
    media_root,
):
    report = run_on_commit(submit)
    routed = Notification.objects.filter(report=report, kind=Action.ROUTE)
    assert set(routed.values_list("user__username", flat=True)) == {"alice", "group_leader_a"}
    run_on_commit(report_accept, actor=officer_a, report=report)
    run_on_commit(
        report_resolve,
        actor=officer_a,
        report=Report.objects.get(pk=report.pk),
        answer=GOOD_ANSWER,
        files=[photo_file()],
    )
    assert Notification.objects.filter(
        report=report, kind=Action.RESOLVE, user=group_leader_a
    ).exists()
    run_on_commit(
        report_ground_check,
        actor=group_leader_a,
        report=Report.objects.get(pk=report.pk),
        outcome=GroundOutcome.NOT_FIXED,
        note="Rác vẫn còn nguyên",
        files=[photo_file()],
    )
    told = Notification.objects.filter(report=report, kind=Action.GROUND_CHECK)
    # The reporter, and the unit's officer and leader: the check contradicts the answer.
    assert set(told.values_list("user__username", flat=True)) == {"alice", "officer_a", "leader_a"}
    assert "Chưa khắc phục" in told.get(user__username="officer_a").body
    assert not Notification.objects.filter(user=group_leader_c).exists()


def test_a_group_leader_membership_names_a_group_of_its_own_ward(sample_groups, ward_a, ward_b):
    from units.models import AdministrativeUnit

    user = make_user("m")
    other_ward_group = AdministrativeUnit.objects.get(code="00004-TDP01")
    with pytest.raises(ValidationError):
        Membership(user=user, agency=ward_a, role=Role.GROUP_LEADER).full_clean()
    with pytest.raises(ValidationError):
        Membership(
            user=user, agency=ward_a, role=Role.GROUP_LEADER, unit=other_ward_group
        ).full_clean()
    Membership(
        user=user,
        agency=ward_b,
        role=Role.GROUP_LEADER,
        unit=other_ward_group,
    ).full_clean()
