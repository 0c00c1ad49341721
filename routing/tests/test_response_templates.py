from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from reports.models import ResponseTemplate
from reports.proof import check_answer
from routing.management.commands.load_categories import RESPONSE_TEMPLATES


@pytest.mark.django_db
def test_starting_answers_are_loaded_once_and_an_edited_one_is_kept():
    ResponseTemplate.objects.all().delete()
    call_command("load_categories", verbosity=0)
    assert ResponseTemplate.objects.count() == len(RESPONSE_TEMPLATES) == 4
    waste = ResponseTemplate.objects.get(title="Thu gom rác")
    assert waste.category.code == "rac-thai-ve-sinh"
    waste.body = "Văn bản do phường tự viết lại."
    waste.save()
    call_command("load_categories", verbosity=0)
    assert ResponseTemplate.objects.count() == 4
    assert (
        ResponseTemplate.objects.get(title="Thu gom rác").body == "Văn bản do phường tự viết lại."
    )


def test_a_starting_answer_must_have_its_blanks_filled_before_it_resolves():
    bodies = [body for _code, _title, body in RESPONSE_TEMPLATES]
    waste = bodies[1]
    with pytest.raises(ValidationError) as refused:
        check_answer(waste, bodies)
    assert refused.value.code == "answer_placeholder"
    filled = (
        waste.replace("[khối lượng]", "2 xe")
        .replace("[địa điểm]", "ngõ 12 Tràng Thi")
        .replace("[giờ, ngày]", "9 giờ ngày 20/11")
        .replace("[biện pháp chống tái diễn]", "đặt biển cấm đổ rác")
    )
    assert check_answer(filled, bodies) == filled
