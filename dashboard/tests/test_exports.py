"""Exports of the dashboard's current view: CSV (Excel-friendly UTF-8), XLSX and the PDF
summary; same scope, period and figure as the page; never the reporter's personal data."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import BA_DINH_SQUARE, GOOD_ANSWER, photo_file
from dashboard import exports, stats
from reports import clock
from reports.services import report_accept, report_rate, report_resolve
from reports.workflow import Status
from sla.services import sla_sweep

pytestmark = pytest.mark.django_db

HEADER = [
    "Mã phản ánh",
    "Tiêu đề",
    "Lĩnh vực",
    "Phường",
    "Tổ dân phố",
    "Đơn vị",
    "Trạng thái",
    "Kênh",
    "Đã gửi",
    "Đã chuyển đơn vị",
    "Đã tiếp nhận",
    "Đã xử lý",
    "Hạn",
    "Hạn xử lý",
    "Quá hạn",
    "Đánh giá",
]
MORNING = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội


@pytest.fixture
def three(sample_groups, submit, officer_a, alice):
    """Ward A: one closed with a satisfied rating, one open and long overdue; ward B: one."""
    with clock.travel(MORNING):
        done = submit(title="Rác ở ngõ 12, phố Hàng Bài")
        late = submit(title="Đèn hỏng")
        other = submit(title="Ở Ba Đình", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
        report_accept(actor=officer_a, report=done)
        report_resolve(actor=officer_a, report=done, answer=GOOD_ANSWER, files=[photo_file()])
        report_rate(actor=alice, report=done, satisfied=True)
    sla_sweep()  # now, long after: flags `late` and `other` overdue, as every minute
    for r in (done, late, other):
        r.refresh_from_db()
    return done, late, other


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def expected_row(report, *, overdue: str, rating: str) -> list[str]:
    return [
        report.tracking_code,
        report.title,
        report.category.name,
        "Phường Hoàn Kiếm",
        "Tổ dân phố số 2",  # the lake's residential group (the sample groups)
        "UBND Phường Hoàn Kiếm",
        str(Status(report.status).label),
        "Trang web và ứng dụng",
        local(report.created_at),
        local(report.routed_at),
        local(report.accepted_at),
        local(report.resolved_at),
        local(report.due_at),
        local(report.resolve_due_at),
        overdue,
        rating,
    ]


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_exact_rows_of_the_unit_and_no_personal_data(client, leader_a, three):
    done, late, _other = three
    client.force_login(leader_a)
    response = client.get(reverse("dashboard:export_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows == [
        HEADER,
        expected_row(done, overdue="không", rating="Hài lòng"),
        expected_row(late, overdue="có", rating=""),
    ]
    assert rows[1][8] == "2026-11-02 09:00"
    text = "\n".join(",".join(r) for r in rows)
    assert "Alice" not in text and "+84912345678" not in text and "alice" not in text


def test_csv_follows_the_figure_and_unit_of_the_view(client, city_leader, ward_a, three):
    _done, late, _other = three
    client.force_login(city_leader)
    rows = read_csv(
        client.get(reverse("dashboard:export_csv"), {"metric": "overdue_now", "agency": ward_a.pk})
    )
    assert [r[0] for r in rows[1:]] == [late.tracking_code]
    rows = read_csv(client.get(reverse("dashboard:export_csv")))
    assert len(rows) == 1 + 3


def test_xlsx_has_bold_header_and_local_datetimes(client, leader_a, three):
    done, late, _other = three
    client.force_login(leader_a)
    response = client.get(reverse("dashboard:export_xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert all(cell.font.bold for cell in sheet[1])
    assert rows[1][0] == done.tracking_code
    assert rows[1][8] == datetime(2026, 11, 2, 9, 0)  # local wall-clock time
    assert sheet.cell(row=2, column=9).number_format == "yyyy-mm-dd hh:mm"
    assert rows[1][14:] == ["không", "Hài lòng"]
    assert rows[2][0] == late.tracking_code
    assert rows[2][10] is None  # not accepted yet
    assert rows[2][14:] == ["có", None]
    assert len(rows) == 3


def pdf_text(data: bytes) -> str:
    """The text of an uncompressed fpdf2 PDF: each string shown (Tj) decoded through each
    font's ToUnicode map (fpdf2 writes subset glyph ids, 2 bytes a character)."""
    maps = []
    for block in re.findall(rb"beginbfchar\n(.*?)endbfchar", data, re.S):
        pairs = re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", block)
        maps.append({int(g, 16): bytes.fromhex(u.decode()).decode("utf-16-be") for g, u in pairs})
    texts = []
    for raw in re.findall(rb"\((.*?)\) Tj", data, re.S):
        raw = re.sub(rb"\\([()\\])", rb"\1", raw).replace(rb"\r", b"\r").replace(rb"\n", b"\n")
        raw = raw.replace(rb"\t", b"\t")
        ids = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
        for mapping in maps:
            if all(i in mapping for i in ids):
                texts.append("".join(mapping[i] for i in ids))
    return "\n".join(texts)


def test_pdf_summary_of_one_unit_names_it_in_vietnamese(client, city_leader, ward_a, three):
    client.force_login(city_leader)
    response = client.get(reverse("dashboard:export_pdf"), {"agency": ward_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # The same document, uncompressed, to read its text.
    reports = stats.scope_for(city_leader)[0].filter(agency=ward_a)
    period = stats.period_from_params({}, today=stats.local_date(clock.now()))
    data = exports.pdf_bytes(
        figures=stats.headline(reports, period, now=clock.now()),
        rows=stats.ranking(reports, period, now=clock.now()),
        scope_label=ward_a.name,
        period_label="90 ngày qua",
        now=clock.now(),
        compress=False,
    )
    text = pdf_text(data)
    assert "Báo cáo tổng hợp xử lý phản ánh" in text
    assert "Phạm vi: UBND Phường Hoàn Kiếm" in text
    assert "UBND Phường Hoàn Kiếm" in text.split("Các đơn vị", 1)[1]  # in the ranking table
    assert "UBND Phường Ba Đình" not in text


def test_unit_leader_cannot_export_another_unit(client, leader_a, ward_b, three):
    client.force_login(leader_a)
    for name in ("export_csv", "export_xlsx", "export_pdf"):
        assert client.get(reverse(f"dashboard:{name}"), {"agency": ward_b.pk}).status_code == 404
