"""Exports of what the dashboard shows: the reports behind a figure as CSV or XLSX, and the
period's one-page summary per unit as PDF (the document the city office sends to units).

Never the reporter: no name, phone or account of a resident leaves through an export."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from reports.models import Rating, Report, ReportChannel
from reports.workflow import OPEN_STATUSES, Status

from .stats import Figures, UnitRow

# The columns of the CSV and XLSX exports, in order (values from `_FIELDS` below).
_FIELDS = (
    "tracking_code",
    "title",
    "category__name",
    "ward__full_name",
    "residential_group__name",
    "agency__name",
    "status",
    "channel",
    "created_at",
    "routed_at",
    "accepted_at",
    "resolved_at",
    "due_at",
    "resolve_due_at",
    "rating",
)
_DATETIMES = frozenset(
    {"created_at", "routed_at", "accepted_at", "resolved_at", "due_at", "resolve_due_at"}
)


def headers() -> list[str]:
    return [
        _("Tracking code"),
        _("Title"),
        _("Category"),
        _("Ward"),
        _("Residential group"),
        _("Unit"),
        _("Status"),
        _("Channel"),
        _("Submitted"),
        _("Routed"),
        _("Accepted"),
        _("Resolved"),
        _("Due"),
        _("Resolve deadline"),
        _("Overdue"),
        _("Rating"),
    ]


def _local(moment: datetime | None) -> datetime | None:
    # Spreadsheets have no time zones: local (Hà Nội) wall-clock time, naive.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


# A cell starting with one of these is a formula to Excel and LibreOffice (and openpyxl writes
# such a string as a formula): a resident's title "=HYPERLINK(...)" would run on the officer's
# machine. OWASP's advice: start the text with an apostrophe, which shows it as plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def report_rows(reports: QuerySet[Report], *, now: datetime) -> Iterator[list]:
    """One list of cell values per report, oldest first; datetimes as naive local times.
    Reads in chunks (iterator) so a large export never sits in memory."""
    latest_rating = Rating.objects.filter(report=OuterRef("pk")).order_by("-round")
    rows = (
        reports.annotate(rating=Subquery(latest_rating.values("satisfied")[:1]))
        .order_by("created_at", "id")
        .values_list(*_FIELDS)
    )
    yes, no = _("yes"), _("no")
    rating_labels = {True: _("Satisfied"), False: _("Not satisfied"), None: ""}
    for values in rows.iterator(chunk_size=2000):
        record = dict(zip(_FIELDS, values, strict=True))
        overdue = (
            record["status"] in OPEN_STATUSES
            and record["due_at"] is not None
            and record["due_at"] < now
        )
        row = []
        for name in _FIELDS[:-1]:
            value = record[name]
            if name in _DATETIMES:
                value = _local(value)
            elif name == "status":
                value = str(Status(value).label)
            elif name == "channel":
                value = str(ReportChannel(value).label)
            elif isinstance(value, str):
                value = _inert(value)
            row.append("" if value is None else value)
        row.append(yes if overdue else no)
        row.append(rating_labels[record["rating"]])
        yield row


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _csv_text(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def csv_lines(reports: QuerySet[Report], *, now: datetime) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte-order mark first: Excel then reads the file as UTF-8 (Vietnamese intact).
    yield "\ufeff" + writer.writerow(headers())
    for row in report_rows(reports, now=now):
        yield writer.writerow([_csv_text(v) for v in row])


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(reports: QuerySet[Report], *, filename: str, now: datetime):
    response = StreamingHttpResponse(
        csv_lines(reports, now=now), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, filename)


def xlsx_bytes(reports: QuerySet[Report], *, now: datetime) -> bytes:
    # write_only: rows go to the file as they come, not into a sheet kept in memory.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Reports"))
    bold = Font(bold=True)
    header = []
    for text in headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in report_rows(reports, now=now):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            cells.append(cell)
        sheet.append(cells)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(reports: QuerySet[Report], *, filename: str, now: datetime) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(reports, now=now),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return _attachment(response, filename)


# --- the PDF summary -------------------------------------------------------------------------

FONT = "DejaVu"


def _num(value, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:.1f}".replace(".", ",")  # Vietnamese decimal comma
    else:
        text = f"{value}"
    return text + suffix


def headline_lines(figures: Figures) -> list[tuple[str, str]]:
    return [
        (_("Received"), _num(figures.received)),
        (_("Handled"), f"{_num(figures.handled_pct, ' %')} ({figures.handled})"),
        (_("On time"), f"{_num(figures.on_time_pct, ' %')} ({figures.on_time})"),
        (_("Overdue now"), _num(figures.overdue_now)),
        (_("Unresolved now"), _num(figures.unresolved_now)),
        (_("Satisfied"), f"{_num(figures.satisfied_pct, ' %')} ({figures.satisfied})"),
        (_("Reopened"), f"{_num(figures.reopened_pct, ' %')} ({figures.reopened})"),
        (_("Median time to accept"), _num(figures.median_accept_hours, " h")),
        (_("Median time to resolve"), _num(figures.median_resolve_hours, " h")),
    ]


def pdf_bytes(
    *,
    figures: Figures,
    rows: Iterable[UnitRow],
    scope_label: str,
    period_label: str,
    now: datetime,
    compress: bool = True,
) -> bytes:
    """The period's summary: title, period, scope, headline figures, the ranking table and
    when it was made. DejaVu Sans (settings.PDF_FONT_DIR) covers Vietnamese."""
    font_dir = Path(settings.PDF_FONT_DIR)
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_compression(compress)
    pdf.add_font(FONT, "", str(font_dir / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(font_dir / "DejaVuSans-Bold.ttf"))
    pdf.set_title(_("Report handling summary"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 9, _("Report handling summary"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    pdf.cell(0, 6, _("Scope: %(scope)s") % {"scope": scope_label}, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0, 6, _("Period: %(period)s") % {"period": period_label}, new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(3)

    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, _("Headline figures"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    with pdf.table(col_widths=(60, 40), width=100, align="LEFT", first_row_as_headings=False) as t:
        for label, value in headline_lines(figures):
            t.row((label, value))
    pdf.ln(4)

    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, _("Units"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    columns = (
        _("Unit"),
        _("Received"),
        _("Handled %"),
        _("On time %"),
        _("Overdue now"),
        _("Unresolved now"),
        _("Overdue per 100"),
        _("Unresolved per 100"),
        _("Satisfied %"),
        _("Reopened %"),
        _("Median hours to accept"),
        _("Median hours to resolve"),
    )
    with pdf.table(
        col_widths=(50, *(19,) * 11), text_align=("LEFT", *("RIGHT",) * 11), repeat_headings=1
    ) as table:
        table.row(columns, style=None)
        any_row = False
        for row in rows:
            any_row = True
            f = row.figures
            table.row(
                (
                    row.name,
                    _num(f.received),
                    _num(f.handled_pct),
                    _num(f.on_time_pct),
                    _num(f.overdue_now),
                    _num(f.unresolved_now),
                    _num(f.overdue_per_100),
                    _num(f.unresolved_per_100),
                    _num(f.satisfied_pct),
                    _num(f.reopened_pct),
                    _num(f.median_accept_hours),
                    _num(f.median_resolve_hours),
                )
            )
        if not any_row:
            table.row((_("No reports in this period."), *("",) * 11))
    pdf.ln(4)
    pdf.set_font(FONT, "", 9)
    generated = timezone.localtime(now).strftime("%d/%m/%Y %H:%M")
    pdf.cell(0, 5, _("Generated at %(time)s") % {"time": generated}, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_response(*, filename: str, **kwargs) -> HttpResponse:
    response = HttpResponse(pdf_bytes(**kwargs), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
