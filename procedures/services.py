"""Loading the public-service directory from a file: `procedures_load`.

The whole file is read and checked before anything is written: a malformed record is named
(CSV: by its line; JSON: by its position, and its code when it has one) and nothing is applied.
A second run of the same file changes nothing. Procedures missing from the file are kept (a
partial export must not empty the directory); remove them in the admin.

Formats (see procedures/data/README.md):
- JSON: {"procedures": [{...}, ...]} or a bare list of records.
- CSV (UTF-8, a header line): the same keys as columns; `papers` holds the papers separated by
  " | ".

Keys: code, name, field, level (commune|city|central), agency, processing_time, fees, papers
(list of strings), online_level (full|partial|none), portal_url (https://…), is_sample
(optional, true/false).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from congdanso.records import update_changed
from reports import clock
from reports.search import fold

from .models import OnlineLevel, Procedure, ProcedureLevel

FIELDS = (
    "code",
    "name",
    "field",
    "level",
    "agency",
    "processing_time",
    "fees",
    "papers",
    "online_level",
    "portal_url",
)
CSV_PAPER_SEPARATOR = " | "
MAX_ERRORS_SHOWN = 20
_url = URLValidator(schemes=["https"])
_LIMITS = {f.name: f.max_length for f in Procedure._meta.fields if f.max_length}


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class LoadError(Exception):
    """The file cannot be applied; `errors` name each bad record, in the user's language."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        text = "\n".join(shown)
        if more:
            text += "\n" + _("… and %(n)d more errors.") % {"n": more}
        super().__init__(text)


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "true", "yes", "có"}


def clean_record(raw: Any) -> dict[str, Any]:
    """One record checked and normalised; ValidationError with every problem found."""
    if not isinstance(raw, dict):
        raise ValidationError(_("a record must be an object with the procedure's fields"))
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key in FIELDS:
        value = raw.get(key)
        if key == "papers":
            if isinstance(value, str):
                value = [p.strip() for p in value.split("|")]
            if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
                problems.append(_("“papers” must be a list of texts"))
                continue
            values[key] = [p.strip() for p in value if p.strip()]
            continue
        text = str(value).strip() if isinstance(value, str | int | float) else ""
        if not text:
            problems.append(_("“%(key)s” is missing") % {"key": key})
            continue
        if key in _LIMITS and len(text) > _LIMITS[key]:
            problems.append(
                _("“%(key)s” is longer than %(n)d characters") % {"key": key, "n": _LIMITS[key]}
            )
            continue
        values[key] = text
    if "level" in values and values["level"] not in ProcedureLevel.values:
        problems.append(
            _("“level” must be one of %(choices)s") % {"choices": ", ".join(ProcedureLevel.values)}
        )
    if "online_level" in values and values["online_level"] not in OnlineLevel.values:
        problems.append(
            _("“online_level” must be one of %(choices)s")
            % {"choices": ", ".join(OnlineLevel.values)}
        )
    if "portal_url" in values:
        try:
            _url(values["portal_url"])
        except ValidationError:
            problems.append(_("“portal_url” must be an https:// address"))
    if problems:
        raise ValidationError("; ".join(problems))
    values["is_sample"] = _truthy(raw.get("is_sample"))
    return values


def _records_from_json(text: str) -> list[tuple[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(
            [
                _("line %(line)d: not valid JSON (%(error)s)")
                % {"line": exc.lineno, "error": exc.msg}
            ]
        ) from None
    if isinstance(data, dict):
        data = data.get("procedures")
    if not isinstance(data, list):
        raise LoadError([_('The file must hold a list of procedures: {"procedures": [...]}.')])
    labelled = []
    for index, record in enumerate(data, start=1):
        code = record.get("code") if isinstance(record, dict) else None
        label = _("record %(n)d") % {"n": index}
        if code:
            label += f" ({code})"
        labelled.append((label, record))
    return labelled


def _records_from_csv(text: str) -> list[tuple[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
    if missing:
        raise LoadError(
            [_("line 1: the header lacks the columns %(cols)s") % {"cols": ", ".join(missing)}]
        )
    labelled = []
    for row in reader:
        # reader.line_num is the line the row ended on (a quoted field may span lines).
        label = _("line %(n)d") % {"n": reader.line_num}
        if row.get("code"):
            label += f" ({row['code']})"
        if None in row:
            labelled.append((label, _("this line has more cells than the header")))
            continue
        labelled.append((label, row))
    return labelled


def parse_file(path: str | Path) -> list[dict[str, Any]]:
    """Every record of the file, checked; LoadError naming each bad one (nothing is written)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(
            [_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}]
        ) from None
    is_csv = path.suffix.lower() == ".csv"
    labelled = _records_from_csv(text) if is_csv else _records_from_json(text)
    errors: list[str] = []
    records: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for label, raw in labelled:
        if isinstance(raw, str):  # a problem found while reading the line
            errors.append(f"{label}: {raw}")
            continue
        try:
            values = clean_record(raw)
        except ValidationError as exc:
            errors.append(f"{label}: {' '.join(exc.messages)}")
            continue
        if values["code"] in seen:
            errors.append(
                _("%(label)s: the code %(code)s is already used by %(other)s")
                % {"label": label, "code": values["code"], "other": seen[values["code"]]}
            )
            continue
        seen[values["code"]] = label
        records.append(values)
    if errors:
        raise LoadError(errors)
    return records


def search_text_for(values: dict[str, Any]) -> str:
    return fold(" ".join([values["code"], values["name"], values["field"], values["agency"]]))


def procedures_load(*, path: str | Path) -> LoadResult:
    """Create or update the file's procedures in one transaction; unchanged rows are not
    written (a second run of the same file changes nothing, updated_at included)."""
    records = parse_file(path)
    result = LoadResult()
    now = clock.now()
    with transaction.atomic():
        existing = {
            p.code: p for p in Procedure.objects.filter(code__in=[r["code"] for r in records])
        }
        for values in records:
            values = {**values, "search_text": search_text_for(values)}
            procedure = existing.get(values["code"])
            if procedure is None:
                Procedure.objects.create(**values, updated_at=now)
                result.created += 1
                continue
            if update_changed(procedure, values, also={"updated_at": now}):
                result.updated += 1
            else:
                result.unchanged += 1
    return result
