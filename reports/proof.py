"""The proof gate: a resolution must be a real answer, not a stock phrase or an unedited
template. The public record shows a tenth of "not satisfied" answers were exactly that."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import normalise

MIN_ANSWER_CHARS = 40
# What is left of an answer after its stock phrases are removed must say something.
MIN_SUBSTANCE_CHARS = 25
TEMPLATE_SIMILARITY = 0.93

# Generic phrases (already unaccented) that say nothing about what was done.
STOCK_PHRASES = [
    "don vi da tiep nhan va xu ly theo quy dinh",
    "ubnd phuong da chi dao xu ly",
    "ubnd xa da chi dao xu ly",
    "da giao cac bo phan lien quan xu ly",
    "da chuyen don vi chuc nang xu ly",
    "da chi dao cac luc luong chuc nang",
    "se xu ly trong thoi gian som nhat",
    "da kiem tra va xu ly",
    "da tiep nhan va xu ly",
    "da xu ly theo quy dinh",
    "xu ly theo quy dinh",
    "theo quy dinh",
    "da xu ly xong",
    "da xu ly",
    "dang xu ly",
    "da tiep nhan",
    "da kiem tra",
    "cam on ban da phan anh",
    "cam on nguoi dan da phan anh",
    "xin cam on",
    "tran trong",
    "done",
    "resolved",
    "fixed",
    "handled",
]
_PLACEHOLDER = re.compile(r"\[[^\]]*\]|\{[^}]*\}|_{3,}|\.{4,}|<[^>]*>")


def check_answer(answer: str, templates: Iterable[str] = ()) -> str:
    """Return the cleaned answer or raise ValidationError saying what is wrong with it."""
    text = (answer or "").strip()
    if len(text) < MIN_ANSWER_CHARS:
        raise ValidationError(
            _(
                "The answer is too short (%(n)d characters). Describe what was done, where and "
                "when, in at least %(min)d characters."
            )
            % {"n": len(text), "min": MIN_ANSWER_CHARS},
            code="answer_too_short",
        )
    if _PLACEHOLDER.search(text):
        raise ValidationError(
            _("The answer still contains template blanks such as [ … ]. Fill them in first."),
            code="answer_placeholder",
        )
    plain = normalise(text)
    for body in templates:
        template = normalise(body)
        if (
            template
            and difflib.SequenceMatcher(None, plain, template).ratio() >= TEMPLATE_SIMILARITY
        ):
            raise ValidationError(
                _("The answer is a response template left unedited. Write what was actually done."),
                code="answer_template",
            )
    rest = f" {plain} "
    previous = None
    while previous != rest:  # until stable: adjacent phrases share the space between them
        previous = rest
        for phrase in STOCK_PHRASES:
            rest = rest.replace(f" {phrase} ", " ")
    if len(rest.replace(" ", "")) < MIN_SUBSTANCE_CHARS:
        raise ValidationError(
            _(
                "The answer is a stock phrase. Say what was actually done, where and when, so "
                "the resident can check it."
            ),
            code="answer_stock",
        )
    return text
