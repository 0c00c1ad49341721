"""The submit page as a plain form post (no JavaScript): the same report_submit as the
script's /api/reports, Post/Redirect/Get to the report's page, errors in Vietnamese with the
entered values kept, and one report for a double submit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import HOAN_KIEM_LAKE, photo_file
from reports.models import Report

pytestmark = pytest.mark.django_db
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
KEY = "form-0123456789abcdef"


def form(**overrides):
    data = {
        "category": "rac-thai-ve-sinh",
        "lat": str(HOAN_KIEM_LAKE[0]),
        "lon": str(HOAN_KIEM_LAKE[1]),
        "address": "Ngõ 12 Hàng Bài",
        "description": "Rác tồn đọng nhiều ngày ở đầu ngõ, bốc mùi hôi.",
        "idempotency_key": KEY,
        "files": [photo_file("a.jpg")],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def alert(body: str) -> str:
    """The text of the error the page shows above the form."""
    return body.split('<p id="server-error" class="error" role="alert">')[1].split("</p>")[0]


@pytest.fixture
def resident(client, alice, media_root):
    client.force_login(alice)
    return client


def test_page_is_a_real_form_posting_to_itself_with_a_submission_key(resident):
    body = resident.get(reverse("citizen:submit")).content.decode()
    assert f'method="post" action="{reverse("citizen:submit")}"' in body
    assert 'enctype="multipart/form-data"' in body
    assert 'name="files"' in body and 'name="lat"' in body and 'name="lon"' in body
    assert 'name="idempotency_key" value="' in body


def test_plain_post_stores_the_report_and_redirects_to_its_page(resident, alice, ward_a):
    response = resident.post(reverse("citizen:submit"), form(), **VI)
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("citizen:report_detail", args=[report.tracking_code])
    assert report.reporter == alice and report.agency == ward_a
    assert report.media.count() == 1
    page = resident.get(response["Location"], **VI).content.decode()
    assert f"Đã gửi. Mã phản ánh: {report.tracking_code}" in page


def test_double_submit_stores_one_report(resident):
    first = resident.post(reverse("citizen:submit"), form(), **VI)
    second = resident.post(reverse("citizen:submit"), form(), **VI)
    assert Report.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_missing_description_rerenders_in_vietnamese_keeping_the_values(resident):
    response = resident.post(reverse("citizen:submit"), form(description="  "), **VI)
    assert response.status_code == 400
    body = response.content.decode()
    assert alert(body) == (
        "Hãy mô tả vấn đề. Các tệp đính kèm chưa được giữ lại: vui lòng chọn lại."
    )
    assert 'value="Ngõ 12 Hàng Bài"' in body
    assert 'value="rac-thai-ve-sinh" checked' in body
    assert f'name="idempotency_key" value="{KEY}"' in body
    assert Report.objects.count() == 0


def test_point_outside_the_city_is_refused_in_vietnamese(resident):
    response = resident.post(reverse("citizen:submit"), form(lat="10.77", lon="106.70"), **VI)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Hà Nội" in alert(body)
    assert 'value="10.77"' in body
    assert Report.objects.count() == 0


def test_address_and_ward_without_a_point_route_by_the_ward(resident, ward_a):
    response = resident.post(reverse("citizen:submit"), form(lat="", lon="", ward="00070"), **VI)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.agency == ward_a
    assert report.ward.code == "00070"


def test_address_alone_goes_to_the_coordination_office(resident, office):
    response = resident.post(reverse("citizen:submit"), form(lat="", lon=""), **VI)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.ward is None and report.agency == office
    assert report.address == "Ngõ 12 Hàng Bài"


def test_no_location_at_all_is_refused(resident):
    response = resident.post(reverse("citizen:submit"), form(lat="", lon="", address=""), **VI)
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_long_description_is_refused_on_the_form_too(resident):
    response = resident.post(reverse("citizen:submit"), form(description="Rác " * 1001), **VI)
    assert response.status_code == 400
    assert alert(response.content.decode()).startswith("Mô tả không được dài quá 4000 ký tự")
