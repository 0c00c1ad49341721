"""Text helpers: Vietnamese without diacritics (proof gate, search), and the cleaning and caps
every free-text input goes through."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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


# --- Free text typed by people: cleaned and capped in one place --------------------------------
# Open311's GeoReport v2 limits a description to 4,000 characters; every way in (the submit page
# with or without JavaScript, /api/reports, Open311) uses the same caps, so one report cannot be
# accepted by one door and refused by another.
TITLE_MAX = 200  # Report.title's column
DESCRIPTION_MAX = 4000  # Open311 GeoReport v2 "description"
ADDRESS_MAX = 300  # Report.address's column
NOTE_MAX = 2000  # an officer's answer, note or reason on a step of the timeline
COMMENT_MAX = 1000  # a resident's comment with a rating
SEARCH_MAX = 200  # a search box (q=)

# C0 controls except tab and newline, DEL, and C1 controls. NUL above all: PostgreSQL refuses it in
# text ("A string literal cannot contain NUL"), where SQLite would store it silently.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates cannot be encoded as UTF-8 and would fail at the database too.
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(value: object, *, multiline: bool = True) -> str:
    """Text as it is stored: NFC (one code point per Vietnamese letter, so the same word typed
    on two keyboards compares equal), line breaks as \\n, control characters removed, trimmed.
    A single-line field turns tabs and line breaks into spaces."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATES.sub("", _CONTROLS.sub("", text))
    text = unicodedata.normalize("NFC", text)
    if not multiline:
        text = _SPACES.sub(" ", text)
    return text.strip()


def checked_text(
    value: object,
    *,
    label: str,
    max_length: int,
    code: str,
    required_message: str = "",
    multiline: bool = True,
) -> str:
    """clean_text, then the cap (and, given `required_message`, presence): a ValidationError
    that says which field, how long it may be and how long it is."""
    text = clean_text(value, multiline=multiline)
    if not text and required_message:
        raise ValidationError(required_message, code=code)
    if len(text) > max_length:
        raise ValidationError(
            _("%(field)s must be at most %(max)d characters (it has %(length)d).")
            % {"field": label, "max": max_length, "length": len(text)},
            code=code,
        )
    return text
