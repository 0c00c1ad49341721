"""Filing for a resident at /can-bo/tiep-nhan/: the hotline and the wards' community teams."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import PhoneCode, User
from conftest import BA_DINH_SQUARE, HOAN_KIEM_LAKE, photo_file
from intake.models import AssistedFiling
from notify.models import ChannelPreference
from reports.models import Report

pytestmark = pytest.mark.django_db
PAGE = "/can-bo/tiep-nhan/"


def send_code(client, phone, sms_outbox) -> str:
    response = client.post(reverse("intake:consent_code"), {"phone": phone})
    assert response.status_code == 302
    return re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)


def form(**overrides):
    data = {
        "phone": "0987 654 321",
        "consent": "code",
        "category": "rac-thai-ve-sinh",
        "description": "Bà cụ gọi báo rác đổ đầy đầu ngõ 12 ba ngày nay",
        "lat": str(HOAN_KIEM_LAKE[0]),
        "lon": str(HOAN_KIEM_LAKE[1]),
        # Rubbish reports need a photo (the category's rule, for every channel).
        "files": [photo_file()],
    }
    data.update(overrides)
    return data


def test_operator_files_with_the_residents_code_and_the_resident_owns_it(
    client, operator, officer_a, sms_outbox, media_root
):
    client.force_login(operator)
    code = send_code(client, "0987654321", sms_outbox)
    assert "Vũ Tổng Đài" in sms_outbox[-1].text or "Vu Tong Dai" in sms_outbox[-1].text
    response = client.post(PAGE, form(code=code))
    assert response.status_code == 302
    report = Report.objects.get()
    resident = User.objects.get(phone="+84987654321")
    assert report.reporter == resident and report.channel == "hotline"
    assert report.media.count() == 1
    filing = AssistedFiling.objects.get()
    assert filing.helper == operator and filing.consent == "code"
    # A resident with no app hears of the steps by SMS.
    assert ChannelPreference.objects.get(user=resident).sms is True
    client.force_login(officer_a)
    page = client.get(reverse("workspace:report", args=[report.tracking_code]))
    assert "Vũ Tổng Đài" in page.content.decode()
    assert "xác nhận bằng mã một lần" in page.content.decode()


def test_the_consent_code_cannot_sign_anyone_in(client, operator, sms_outbox, rf):
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.core.exceptions import ValidationError

    from accounts.phone import phone_code_verify

    client.force_login(operator)
    code = send_code(client, "0987654321", sms_outbox)
    request = rf.post("/")
    SessionMiddleware(lambda r: None).process_request(request)
    with pytest.raises(ValidationError):
        phone_code_verify(request=request, phone="+84987654321", code=code, ip=None)
    assert not User.objects.filter(phone="+84987654321").exists()
    assert PhoneCode.objects.get().used_at is None


def test_a_wrong_code_stores_nothing(client, operator, sms_outbox, media_root):
    client.force_login(operator)
    code = send_code(client, "0987654321", sms_outbox)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(PAGE, form(code=wrong))
    assert response.status_code == 400
    assert "không đúng" in response.content.decode()
    assert Report.objects.count() == 0
    assert not User.objects.filter(phone="+84987654321").exists()


def test_spoken_consent_is_flagged_with_the_operators_name(client, operator, officer_a, media_root):
    client.force_login(operator)
    response = client.post(PAGE, form(consent="spoken", consent_recorded_by=""))
    assert response.status_code == 400 and Report.objects.count() == 0
    response = client.post(PAGE, form(consent="spoken", consent_recorded_by="Vũ Tổng Đài"))
    assert response.status_code == 302
    filing = AssistedFiling.objects.get()
    assert filing.consent == "spoken" and filing.consent_recorded_by == "Vũ Tổng Đài"
    client.force_login(officer_a)
    page = client.get(reverse("workspace:report", args=[filing.report.tracking_code]))
    assert "Không có mã" in page.content.decode()


def test_a_caller_to_the_hotline_needs_no_photo_but_a_ward_helper_does(
    client, operator, helper_a, media_root
):
    client.force_login(operator)
    assert (
        client.post(PAGE, form(consent="spoken", consent_recorded_by="Vũ", files=[])).status_code
        == 302
    )
    client.force_login(helper_a)
    response = client.post(
        PAGE, form(phone="0977111222", consent="spoken", consent_recorded_by="Lý", files=[])
    )
    assert response.status_code == 400 and "ảnh" in response.content.decode()
    assert Report.objects.count() == 1


def test_a_ward_helper_cannot_file_outside_their_ward(client, helper_a, media_root):
    client.force_login(helper_a)
    response = client.post(
        PAGE,
        form(
            consent="spoken",
            consent_recorded_by="Lý Tổ Trưởng",
            lat=str(BA_DINH_SQUARE[0]),
            lon=str(BA_DINH_SQUARE[1]),
        ),
    )
    assert response.status_code == 400
    assert "ngoài phường" in response.content.decode()
    assert Report.objects.count() == 0
    assert not User.objects.filter(phone="+84987654321").exists()


def test_a_ward_helper_with_an_address_only_files_in_their_ward(
    client, helper_a, ward_a, media_root
):
    client.force_login(helper_a)
    response = client.post(
        PAGE,
        form(
            consent="spoken",
            consent_recorded_by="Lý Tổ Trưởng",
            lat="",
            lon="",
            address="Ngõ 12 Hàng Bài",
        ),
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.channel == "assisted" and report.agency == ward_a


def test_bad_phone_numbers_and_staff_phones_are_refused(client, operator, officer_a, media_root):
    client.force_login(operator)
    response = client.post(PAGE, form(phone="12345", consent="spoken", consent_recorded_by="Vũ"))
    assert response.status_code == 400 and Report.objects.count() == 0
    officer_a.phone = "+84987654321"
    officer_a.save()
    response = client.post(PAGE, form(consent="spoken", consent_recorded_by="Vũ"))
    assert response.status_code == 400 and "cán bộ" in response.content.decode()
    assert Report.objects.count() == 0


def test_a_fake_image_stores_nothing(client, operator, media_root):
    client.force_login(operator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client.post(PAGE, form(consent="spoken", consent_recorded_by="Vũ", files=[fake]))
    assert response.status_code == 400
    assert Report.objects.count() == 0 and not User.objects.filter(phone="+84987654321").exists()


def test_residents_and_officers_do_not_get_the_page(client, alice, officer_a):
    client.force_login(alice)
    assert client.get(PAGE).status_code == 404
    client.force_login(officer_a)
    assert client.get(PAGE).status_code == 404


def test_the_dashboard_counts_per_channel_and_helper(
    client, operator, city_leader, submit, media_root
):
    client.force_login(operator)
    client.post(PAGE, form(consent="spoken", consent_recorded_by="Vũ Tổng Đài"))
    submit()
    client.force_login(city_leader)
    page = client.get(reverse("dashboard:channels")).content.decode()
    assert re.search(
        r'data-channel="hotline"><th scope="row">[^<]+</th>\s*<td class="num">1</td>', page
    )
    assert re.search(
        r'data-channel="web"><th scope="row">[^<]+</th>\s*<td class="num">1</td>', page
    )
    assert "Vũ Tổng Đài" in page


def test_the_inbox_filters_by_channel(client, operator, officer_a, submit, media_root):
    client.force_login(operator)
    client.post(PAGE, form(consent="spoken", consent_recorded_by="Vũ Tổng Đài"))
    web = submit()
    hotline = Report.objects.get(channel="hotline")
    client.force_login(officer_a)
    page = client.get(reverse("workspace:inbox"), {"channel": "hotline"}).content.decode()
    assert hotline.tracking_code in page and web.tracking_code not in page


def test_a_group_leader_files_for_a_resident_in_their_ward_and_group(
    client, group_leader_a, media_root
):
    client.force_login(group_leader_a)
    page = client.get(PAGE).content.decode()
    assert '<option value="Tổ dân phố số 2">' in page  # the ward's groups offered
    # An address only: the leader's ward, and the leader's own group.
    response = client.post(
        PAGE,
        form(
            consent="spoken",
            consent_recorded_by="Tổ Trưởng Hai",
            lat="",
            lon="",
            address="Số 5 Hàng Đào",
        ),
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.channel == "assisted" and report.ward.code == "00070"
    assert report.residential_group.code == "00070-TDP02"
    assert AssistedFiling.objects.get().helper == group_leader_a
    # Outside the ward: refused like any ward team's filing, nothing stored.
    response = client.post(
        PAGE,
        form(
            consent="spoken",
            consent_recorded_by="Tổ Trưởng Hai",
            lat=str(BA_DINH_SQUARE[0]),
            lon=str(BA_DINH_SQUARE[1]),
        ),
    )
    assert response.status_code == 400 and "ngoài phường" in response.content.decode()
    assert Report.objects.count() == 1
