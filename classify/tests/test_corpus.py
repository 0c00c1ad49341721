"""The shipped corpora: enough sentences in every category to start cold, and a held-out file
that shares no sentence with the training one (else its scores would flatter the model)."""

from __future__ import annotations

from collections import Counter

import pytest

from classify import services
from classify.text import syllables
from routing.models import Category

pytestmark = pytest.mark.django_db


def test_every_category_has_forty_training_and_ten_held_out_sentences():
    codes = set(Category.objects.filter(is_active=True).values_list("code", flat=True))
    assert len(codes) == 15
    seed = Counter(code for code, _text in services.read_corpus(services.SEED_PATH))
    heldout = Counter(code for code, _text in services.read_corpus(services.HELDOUT_PATH))
    assert set(seed) == codes and set(heldout) == codes
    assert min(seed.values()) >= 40, seed
    assert min(heldout.values()) >= 10, heldout


def test_no_held_out_sentence_is_in_training_even_folded():
    def folded(path):
        return {" ".join(syllables(text)) for _code, text in services.read_corpus(path)}

    seed, heldout = folded(services.SEED_PATH), folded(services.HELDOUT_PATH)
    assert len(heldout) == len(services.read_corpus(services.HELDOUT_PATH))  # no repeats
    assert not seed & heldout
