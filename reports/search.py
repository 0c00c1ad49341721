"""Search that ignores Vietnamese diacritics: "o nhiem" finds "ô nhiễm".

Reports keep a folded copy of their searchable text (`Report.search_text`), written once when
the report is created, so the same plain `LIKE` works on SQLite and PostgreSQL without the
`unaccent` extension or a per-row function at query time.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import QuerySet

_SPACES = re.compile(r"\s+")
# NFD does not decompose đ/Đ (a letter of its own, not d + a mark).
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case `text` without accents or tone marks, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.casefold()).strip()


def search_text_for(*, tracking_code: str, title: str, description: str, address: str) -> str:
    return fold(" ".join([tracking_code, title, description, address]))


def search_reports(reports: QuerySet, query: str) -> QuerySet:
    """Reports whose text contains every word of `query`, accents ignored."""
    for word in fold(query).split(" ")[:8]:
        if word:
            reports = reports.filter(search_text__contains=word)
    return reports
