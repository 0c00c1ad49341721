"""Load files: reading them, their CSV rows, and idempotent writes (a row written again
changes only what differs)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db import models


def update_changed(
    obj: models.Model, values: dict[str, Any], *, also: dict[str, Any] | None = None
) -> list[str]:
    """Set the fields of `values` that differ on `obj` and save those alone (with `also`, e.g.
    a timestamp, when anything changed); the names of the fields that changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        extra = also or {}
        for name in changed:
            setattr(obj, name, values[name])
        for name, value in extra.items():
            setattr(obj, name, value)
        obj.save(update_fields=[*changed, *extra])
    return changed


def read_load_file(path: str) -> str:
    """A load command's UTF-8 file (a BOM is fine), or the command's error in Vietnamese."""
    from pathlib import Path

    from django.core.management.base import CommandError
    from django.utils.translation import gettext as _

    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(_("File not found: %(path)s") % {"path": path}) from None
    except UnicodeDecodeError:
        raise CommandError(_("The file is not UTF-8 text: %(path)s") % {"path": path}) from None


def nothing_loaded(problems: list[str]) -> Exception:
    """The error of an all-or-nothing load that found problems: each on its own line."""
    from django.core.management.base import CommandError
    from django.utils.translation import gettext as _

    return CommandError(_("Nothing was loaded. Problems:") + "\n" + "\n".join(problems))


def csv_rows(text: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a load file's CSV. Lines starting with # are comments (a sample
    file says there that it is sample data); blank lines are skipped. ValueError names the
    header's missing columns; csv.Error a broken file."""
    from django.utils.translation import gettext as _

    lines = [("" if line.lstrip().startswith("#") else line) for line in text.splitlines()]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header: list[str] | None = None
    for row in reader:
        if not row or not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [h.strip().lower() for h in row]
            missing = [c for c in required if c not in header]
            if missing:
                raise ValueError(
                    _("line %(line)d: the header lacks the columns %(cols)s")
                    % {"line": reader.line_num, "cols": ", ".join(missing)}
                )
            continue
        yield reader.line_num, {h: (row[i] if i < len(row) else "") for i, h in enumerate(header)}
