"""Category suggestions as residents and the submit page get them."""

from __future__ import annotations

import pytest

from classify import services
from conftest import seed_classifier

pytestmark = pytest.mark.django_db

# Written for this test, in the residents' ways (never in the seed corpus or the held-out
# file): each must have its category among the three suggestions, most of them first.
UNSEEN = [
    ("ha-tang-giao-thong", "đường Trần Duy Hưng có cái ổ gà sâu hoắm, tối qua 2 xe máy ngã"),
    ("rac-thai-ve-sinh", "rac vut bua bai o dau ngo 190 Lo Duc 3 ngay chua ai thu gom"),
    ("den-tin-hieu-bien-bao", "đèn xanh đèn đỏ ngã tư Chùa Bộc tắt ngóm từ sáng, xe đi loạn"),
    ("nguy-co-chay-no", "nhà bên cạnh để cả chục bình gas trong ngõ nhỏ, ngửi thấy mùi gas"),
    ("an-toan-thuc-pham", "ăn bún chả ở quán đầu phố xong cả nhà đau bụng đi ngoài"),
    ("phong-chong-toi-pham", "vừa bị giật điện thoại ở đường Láng, 2 thằng đi xe máy không biển"),
    ("cay-xanh-cong-vien", "cay xa cu to tuong o pho Phan Dinh Phung nghieng han, so do lam"),
    ("dien-nuoc-chieu-sang", "mất nước 3 ngày nay ở tập thể Thành Công, ko có nc mà dùng"),
    (
        "trat-tu-do-thi",
        "quán nhậu bày bàn ghế kín vỉa hè Nguyễn Khang, người đi bộ phải xuống lòng đường",
    ),
    ("o-nhiem-moi-truong", "xưởng sơn gần nhà xả khói hôi nồng nặc cả ngày, trẻ con ho suốt"),
]


def test_sentences_the_model_never_saw_get_their_category(serving_model):
    first = 0
    for code, text in UNSEEN:
        picks = [s.category.code for s in services.suggest(text)]
        assert code in picks, (text, picks)
        first += picks[0] == code
    assert first >= 8


def test_up_to_three_active_categories_best_first_with_probabilities(serving_model):
    picks = services.suggest("cột điện trước cửa nhà tôi bị nghiêng sắp đổ")
    assert 1 <= len(picks) <= 3
    probabilities = [s.probability for s in picks]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0 < p <= 1 for p in probabilities) and sum(probabilities) <= 1 + 1e-9


def test_a_retired_category_is_never_suggested(serving_model):
    from routing.models import Category

    Category.objects.filter(code="ha-tang-giao-thong").update(is_active=False)
    picks = services.suggest("ổ gà to giữa đường")
    assert picks and all(s.category.code != "ha-tang-giao-thong" for s in picks)


def test_held_out_file_scores_are_the_promised_ones():
    metrics = services.ml.evaluate(seed_classifier(), services.read_corpus(services.HELDOUT_PATH))
    assert metrics.n >= 15 * 12
    assert metrics.top3 >= 0.95
    assert metrics.top1 >= 0.80


def test_without_a_model_keywords_suggest_and_never_look_sure():
    picks = services.suggest("Có nhiều rác và phế thải ở đầu ngõ")
    assert picks[0].category.code == "rac-thai-ve-sinh"
    assert all(not services.is_confident(s) for s in picks)


def test_a_newer_serving_model_is_picked_up_without_a_restart(serving_model, settings):
    settings.CLASSIFIER_RECHECK_SECONDS = 0
    assert services.serving_model().version == serving_model.pk
    newer = type(serving_model).objects.create(
        **{
            f.name: getattr(serving_model, f.name)
            for f in serving_model._meta.fields
            if f.name != "id"
        }
    )
    assert services.serving_model().version == newer.pk
