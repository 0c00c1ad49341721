"""What a resident or an officer types is shown as text on every page, never run as markup;
exports never hand a spreadsheet a formula."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import GOOD_ANSWER, photo_file
from reports.services import report_accept, report_rate, report_resolve, report_start

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# The escaped forms Django's templates write: the text is on the page, as text.
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
IMG_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
# Answers refuse anything in <…> (a template blank), so the answer tries to break out of an
# attribute instead.
ATTR = '" onmouseover=alert(1) x="'
ATTR_ESCAPED = "&quot; onmouseover=alert(1) x=&quot;"


@pytest.fixture
def hostile(submit, alice, officer_a, waste):
    """A report whose every free-text field, and its reporter's name, carry markup."""
    alice.full_name = f"Alice {IMG}"
    alice.save(update_fields=["full_name"])
    waste.name = f"Waste {SCRIPT}"
    waste.save(update_fields=["name"])
    report = submit(
        title=f"Title {SCRIPT}",
        description=f"Description {IMG} {SCRIPT}",
        address=f"Address {IMG}",
    )
    report_accept(actor=officer_a, report=report, note=f"Accepted {SCRIPT}")
    report_start(actor=officer_a, report=report, note=f"Started {IMG}")
    report_resolve(
        actor=officer_a, report=report, answer=f"{GOOD_ANSWER} {ATTR}", files=[photo_file()]
    )
    report_rate(actor=alice, report=report, satisfied=False, comment=f"Comment {IMG}")
    report.refresh_from_db()
    return report


def _assert_text_not_markup(response, *, expect_escaped: tuple[str, ...]) -> None:
    body = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in body
    assert "<img src=x" not in body
    assert ATTR not in body
    for text in expect_escaped:
        assert text in body, text


@pytest.mark.django_db
def test_public_pages_show_markup_as_text(client, hostile):
    _assert_text_not_markup(
        client.get("/"), expect_escaped=(f"Title {SCRIPT_ESCAPED}", f"Waste {SCRIPT_ESCAPED}")
    )
    _assert_text_not_markup(
        client.get(f"/phan-anh/{hostile.tracking_code}/"),
        expect_escaped=(
            f"Title {SCRIPT_ESCAPED}",
            f"Description {IMG_ESCAPED} {SCRIPT_ESCAPED}",
            f"Address {IMG_ESCAPED}",
            ATTR_ESCAPED,
        ),
    )


@pytest.mark.django_db
def test_residents_own_pages_show_markup_as_text(client, alice, hostile):
    client.force_login(alice)
    _assert_text_not_markup(
        client.get("/phan-anh-cua-toi/"), expect_escaped=(f"Title {SCRIPT_ESCAPED}",)
    )
    _assert_text_not_markup(
        client.get(f"/phan-anh/{hostile.tracking_code}/"),
        expect_escaped=(f"Title {SCRIPT_ESCAPED}",),
    )


@pytest.mark.django_db
def test_workspace_pages_show_markup_as_text(client, officer_a, hostile):
    client.force_login(officer_a)
    _assert_text_not_markup(
        client.get("/can-bo/?bucket=all"), expect_escaped=(f"Title {SCRIPT_ESCAPED}",)
    )
    _assert_text_not_markup(
        client.get(f"/can-bo/phan-anh/{hostile.tracking_code}/"),
        expect_escaped=(
            f"Title {SCRIPT_ESCAPED}",
            f"Description {IMG_ESCAPED} {SCRIPT_ESCAPED}",
            f"Address {IMG_ESCAPED}",
            f"Accepted {SCRIPT_ESCAPED}",
            f"Started {IMG_ESCAPED}",
            f"Alice {IMG_ESCAPED}",
            ATTR_ESCAPED,
        ),
    )


@pytest.mark.django_db
def test_dashboard_drilldown_shows_markup_as_text(client, city_leader, hostile):
    client.force_login(city_leader)
    _assert_text_not_markup(
        client.get(reverse("dashboard:drilldown"), {"metric": "received"}),
        expect_escaped=(f"Title {SCRIPT_ESCAPED}",),
    )


@pytest.mark.django_db
def test_open311_xml_escapes_markup_and_json_is_json(client, hostile):
    xml = client.get(f"/open311/v2/requests/{hostile.tracking_code}.xml")
    body = xml.content.decode()
    assert xml.status_code == 200
    assert SCRIPT not in body
    assert "<img src=x" not in body
    assert "Description &quot;&gt;&lt;img" in body or 'Description "&gt;&lt;img' in body
    as_json = client.get(f"/open311/v2/requests/{hostile.tracking_code}.json")
    # JSON is never read as HTML: the type says so and the browser may not sniff otherwise.
    assert as_json["Content-Type"].startswith("application/json")
    assert as_json["X-Content-Type-Options"] == "nosniff"
    assert json.loads(as_json.content)[0]["description"] == f"Description {IMG} {SCRIPT}"


@pytest.mark.django_db
def test_json_api_is_served_as_json_not_html(client, alice, hostile):
    client.force_login(alice)
    response = client.get("/api/me/reports")
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert f"Title {SCRIPT}" in [r["title"] for r in json.loads(response.content)["items"]]


@pytest.mark.django_db
def test_exports_never_start_a_cell_with_a_formula(client, city_leader, submit):
    titles = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "Plain -dash"]
    for title in titles:
        submit(title=title, address="=1+1")
    client.force_login(city_leader)
    rows = list(
        csv.reader(io.StringIO(b"".join(client.get(reverse("dashboard:export_csv"))).decode()))
    )
    exported_titles = sorted(row[1] for row in rows[1:])
    assert exported_titles == sorted(
        ['\'=HYPERLINK("http://x","y")', "'+1+2", "'-3+4", "'@SUM(A1)", "Plain -dash"]
    )
    book = load_workbook(io.BytesIO(client.get(reverse("dashboard:export_xlsx")).content))
    sheet = book.worksheets[0]
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert sorted(cell.value for cell in cells) == exported_titles
