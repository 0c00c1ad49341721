"""How a resident's text is read: one spelling for diacritics, abbreviations and synonyms."""

from __future__ import annotations

from classify import model as ml
from classify.text import MAX_CHARS, syllables


def test_with_and_without_diacritics_read_the_same():
    assert syllables("Cột điện bị đổ") == syllables("cot dien bi do") == syllables("CỘT ĐIỆN BỊ ĐỔ")


def test_chat_abbreviations_are_spelled_out():
    assert syllables("ko dc, k ai don, nc ban") == [
        "khong",
        "duoc",
        "khong",
        "ai",
        "don",
        "nuoc",
        "ban",
    ]
    assert syllables("đc") == syllables("dc") == ["duoc"]


def test_synonyms_of_one_problem_become_one_wording_but_nga_tu_stays_a_crossroads():
    assert syllables("trụ điện bị ngã") == ["cot", "dien", "bi", "do"]
    assert syllables("tắc đường ở ngã tư Sở") == ["tac", "duong", "o", "nga", "tu", "so"]


def test_house_numbers_stretched_letters_and_punctuation_do_not_matter():
    assert syllables("ngõ 58/12 nguy hiểmmmm quáaaa!!!") == [
        "ngo",
        "0",
        "0",
        "nguy",
        "hiem",
        "qua",
    ]


def test_odd_input_reads_as_nothing_or_is_cut():
    assert syllables("") == []
    assert syllables("😡😡 <script>alert(1)</script> \x00\x07") == [
        "script",
        "alert",
        "0",
        "script",
    ]
    assert len(syllables("rác " * 50_000)) == MAX_CHARS // 4


def test_the_same_problem_in_other_words_is_similar_and_another_problem_is_not():
    fallen = ml.vector("Cột điện đổ ra giữa ngõ")
    assert fallen.cosine(ml.vector("tru dien bi nga ra ngo")) > 0.5
    assert fallen.cosine(ml.vector("Quán karaoke hát to đến 1h sáng")) < 0.15
