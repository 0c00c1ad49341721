"""A resident's text as the classifier and the duplicate finder read it.

Residents write with and without diacritics, in chat abbreviations ("ko dc", "nc"), with
typos and stretched letters ("quaaaa"). Everything is folded to one spelling first: lower
case, no tone marks, đ → d (the same fold as search), digits to one token (a house number
says nothing about the problem), then the lexicon (data/lexicon.tsv) turns abbreviations and
synonyms into one wording. Character n-grams downstream absorb the remaining typos.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from reports.text import unaccent

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon.tsv"

# Longer texts are cut: the first few thousand characters say what the problem is, and a
# 100 KB paste must cost no more than a long report.
MAX_CHARS = 4000

_TOKEN = re.compile(r"[a-z]+|[0-9]+")
# Three or more of the same letter ("quaaaa", "nguy hiemmm"): one. Two stay (xoong, boong).
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_MAX_PHRASE = 3


@lru_cache(maxsize=1)
def lexicon() -> dict[tuple[str, ...], tuple[str, ...]]:
    rules: dict[tuple[str, ...], tuple[str, ...]] = {}
    for number, line in enumerate(LEXICON_PATH.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        source, sep, target = line.partition("\t")
        if not sep or not target.strip():
            raise ValueError(f"{LEXICON_PATH.name} line {number}: expected FROM<TAB>TO")
        words = tuple(unaccent(source).split())
        if not 0 < len(words) <= _MAX_PHRASE:
            raise ValueError(f"{LEXICON_PATH.name} line {number}: 1 to 3 syllables")
        rules[words] = tuple(unaccent(target).split())
    return rules


def syllables(text: str) -> list[str]:
    """'Trụ điện bị ngã ở ngõ 12, ko ai xử lý!!' →
    ['cot', 'dien', 'bi', 'do', 'o', 'ngo', '0', 'khong', 'ai', 'xu', 'ly']."""
    folded = _STRETCHED.sub(r"\1", unaccent(text[:MAX_CHARS]))
    raw = ["0" if t[0].isdigit() else t for t in _TOKEN.findall(folded)]
    rules = lexicon()
    out: list[str] = []
    i = 0
    while i < len(raw):
        for size in range(min(_MAX_PHRASE, len(raw) - i), 0, -1):
            replacement = rules.get(tuple(raw[i : i + size]))
            if replacement is not None:
                out.extend(replacement)
                i += size
                break
        else:
            out.append(raw[i])
            i += 1
    return out
