"""Free text on every way in: cleaned (control characters, NUL, line breaks, NFC) and capped
with a clear message, the same for the submit page, /api/reports, Open311 and the officers'
steps; and a NUL anywhere in a request is a 400 in the user's language, not a 500 on
PostgreSQL (which refuses NUL in text where SQLite stores it)."""

from __future__ import annotations

import json
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from api.tests.helpers import token_client
from conftest import HOAN_KIEM_LAKE, photo_file
from open311.services import api_client_issue
from reports import text
from reports.models import Report
from reports.services import report_accept, report_rate, report_reject

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
LONG = "Rác " * 1001  # 4,004 characters before trimming: over Open311's 4,000


# --- the cleaning function ------------------------------------------------------------------


def test_clean_text_strips_nul_and_controls_keeps_lines_and_tabs():
    assert text.clean_text("Rác\x00 tồn\x07 đọng\r\nngõ 12\rHàng\tBài\x7f ") == (
        "Rác tồn đọng\nngõ 12\nHàng\tBài"
    )


def test_clean_text_single_line_folds_breaks_and_tabs_to_one_space():
    assert text.clean_text(" Ngõ\n12\t\tHàng Bài ", multiline=False) == "Ngõ 12 Hàng Bài"


def test_clean_text_normalises_vietnamese_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Phường Hoàn Kiếm")
    assert decomposed != "Phường Hoàn Kiếm"
    assert text.clean_text(decomposed) == "Phường Hoàn Kiếm"


def test_checked_text_names_the_field_and_its_cap():
    with pytest.raises(ValidationError) as caught:
        text.checked_text("x" * 11, label="Ghi chú", max_length=10, code="c")
    assert caught.value.messages == ["Ghi chú không được dài quá 10 ký tự (hiện có 11)."]


# --- report_submit, for every channel -------------------------------------------------------


@pytest.mark.django_db
def test_submit_stores_the_description_without_nul_or_controls(submit):
    report = submit(description="Rác\x00 tồn đọng\x1b\r\nbốc mùi", title="Rác\x00 thải")
    report.refresh_from_db()
    assert report.description == "Rác tồn đọng\nbốc mùi"
    assert report.title == "Rác thải"


@pytest.mark.django_db
def test_submit_refuses_a_description_over_4000_characters(submit):
    with pytest.raises(ValidationError) as caught:
        submit(description=LONG)
    assert caught.value.code == "bad_description"
    assert "4000" in caught.value.messages[0]
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_submit_refuses_an_address_over_300_characters_instead_of_cutting_it(submit):
    with pytest.raises(ValidationError) as caught:
        submit(address="Ngõ " * 100)
    assert caught.value.code == "bad_address"


# --- /api/reports ---------------------------------------------------------------------------


def _api_form(**overrides):
    data = {
        "category": "rac-thai-ve-sinh",
        "lat": str(HOAN_KIEM_LAKE[0]),
        "lon": str(HOAN_KIEM_LAKE[1]),
        "description": "Rác tồn đọng nhiều ngày ở đầu ngõ.",
        "files": [photo_file("a.jpg")],
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_api_refuses_a_long_description_with_a_vietnamese_message(alice, media_root):
    client = Client()
    client.force_login(alice)
    response = client.post("/api/reports", _api_form(description=LONG), **VI)
    assert response.status_code == 400
    assert response.json()["detail"] == "Mô tả không được dài quá 4000 ký tự (hiện có 4003)."
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_api_refuses_a_long_title(alice, media_root):
    client = Client()
    client.force_login(alice)
    response = client.post("/api/reports", _api_form(title="T" * 201), **VI)
    assert response.status_code == 400
    assert "200" in response.json()["detail"]
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_api_nul_in_the_description_is_a_400_not_a_500(alice, media_root):
    client = Client()
    client.force_login(alice)
    response = client.post("/api/reports", _api_form(description="Rác\x00 thải"), **VI)
    assert response.status_code == 400
    assert response.json()["detail"] == "Yêu cầu có ký tự NUL, không được phép trong văn bản."
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_nul_in_a_json_key_or_value_is_a_400(alice):
    client = token_client(alice)
    for body in ({"ids\x00": [1]}, {"ids": [1], "x": ["a\x00"]}):
        response = client.post(
            "/api/me/notifications/read",
            json.dumps(body),
            content_type="application/json",
            **VI,
        )
        assert response.status_code == 400, body
        assert "NUL" in response.json()["detail"]


# --- Open311 --------------------------------------------------------------------------------


@pytest.fixture
def open311_key(db):
    from conftest import make_user

    admin = make_user("admin311", is_superuser=True, is_staff=True)
    return api_client_issue(actor=admin, name="Báo Hà Nội Mới", agency=None)[1]


def _open311(client, key, fmt="json", **overrides):
    data = {
        "api_key": key,
        "service_code": "rac-thai-ve-sinh",
        "lat": str(HOAN_KIEM_LAKE[0]),
        "long": str(HOAN_KIEM_LAKE[1]),
        "description": "Rác tồn đọng nhiều ngày ở đầu ngõ.",
        "media": photo_file(),
    }
    data.update(overrides)
    return client.post(f"/open311/v2/requests.{fmt}", data, **VI)


@pytest.mark.django_db
def test_open311_refuses_a_long_title_in_its_error_format(client, open311_key, media_root):
    response = _open311(client, open311_key, title="T" * 201)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and "200" in error["description"]
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_open311_nul_in_the_description_is_a_400_in_its_format(client, open311_key, media_root):
    response = _open311(client, open311_key, description="Rác\x00 thải")
    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "Yêu cầu có ký tự NUL, không được phép trong văn bản."}
    ]
    xml = _open311(client, open311_key, fmt="xml", description="Rác\x00 thải")
    assert xml.status_code == 400 and xml["Content-Type"].startswith("text/xml")
    assert Report.objects.count() == 0


# --- search and filters ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/?category=rac\x00",
        "/?ward=00070\x00",
        "/thu-tuc/?q=h\x00",
        "/open311/v2/requests.json?q=r\x00",
        "/phan-anh/PA-2026\x00/",
    ],
)
def test_nul_in_a_search_or_a_filter_is_a_400_not_a_500(client, path):
    response = client.get(path, **VI)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


# --- officers' and residents' texts on the timeline ----------------------------------------


@pytest.mark.django_db
def test_officer_note_is_cleaned_and_capped(submit, officer_a):
    report = submit()
    with pytest.raises(ValidationError) as caught:
        report_reject(actor=officer_a, report=report, reason="x" * (text.NOTE_MAX + 1))
    assert caught.value.code == "note_too_long"
    report = report_accept(actor=officer_a, report=report, note="Đã\x00 nhận\r\nngay")
    assert report.events.get(action="accept").note == "Đã nhận\nngay"


@pytest.mark.django_db
def test_rating_comment_is_capped(submit, alice, officer_a):
    from conftest import GOOD_ANSWER
    from reports.services import report_resolve

    report = submit()
    report = report_accept(actor=officer_a, report=report)
    report = report_resolve(
        actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()]
    )
    with pytest.raises(ValidationError) as caught:
        report_rate(actor=alice, report=report, satisfied=False, comment="x" * 1001)
    assert caught.value.code == "note_too_long"
