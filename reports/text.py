"""Text helpers shared by the proof gate and search: Vietnamese without diacritics."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def unaccent(text: str) -> str:
    """'Ô nhiễm đường Láng' → 'o nhiem duong lang' (lower case, no tone marks, đ → d)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def normalise(text: str) -> str:
    """Unaccented, without punctuation, single-spaced: for comparing texts."""
    return _SPACES.sub(" ", _NON_WORD.sub(" ", unaccent(text))).strip()
