"""GET/POST /api/categories/suggest and the duplicates-by-meaning of /api/reports/nearby."""

from __future__ import annotations

import pytest

from classify.models import Suggestion
from routing.models import Category

pytestmark = pytest.mark.django_db

URL = "/api/categories/suggest"


def test_suggest_answers_codes_names_and_probabilities(client, serving_model):
    body = client.get(URL, {"text": "tru dien bi nga de len mai ton nha dan"}).json()
    assert 1 <= len(body) <= 3
    assert body[0]["code"] == "dien-nuoc-chieu-sang"
    assert body[0]["name"] == "Điện, nước, chiếu sáng công cộng"
    assert [b["score"] for b in body] == sorted((b["score"] for b in body), reverse=True)
    assert 0 < sum(b["score"] for b in body) <= 1.0001
    english = client.get(URL, {"text": "tru dien bi nga"}, headers={"accept-language": "en"})
    assert english.json()[0]["name"] == "Electricity, water and public lighting"


def test_post_gives_the_same_answer_for_a_long_text(client, serving_model):
    text = "Cống thoát nước trước chợ Hôm bị vỡ nắp, ổ gà sâu, " * 3
    got = client.post(URL, {"text": text}, content_type="application/json").json()
    assert got == client.get(URL, {"text": text}).json()


def test_bad_input_never_errors(client, serving_model):
    assert client.get(URL, {"text": ""}).json() == []
    assert client.get(URL, {"text": "   !!! 123"}).json() == []
    huge = client.post(
        URL, {"text": "ổ gà giữa đường " + "x" * 100_000}, content_type="application/json"
    )
    assert huge.status_code == 200 and huge.json()[0]["code"] == "ha-tang-giao-thong"
    odd = client.get(URL, {"text": "🔥🔥 <b>cháy</b> \x07\x1b[31m chập điện bốc khói <script>\x7f"})
    assert odd.status_code == 200 and odd.json()[0]["code"] == "nguy-co-chay-no"
    # NUL alone is refused everywhere, before any view (congdanso/middleware.py), and says why.
    nul = client.get(URL, {"text": "chập điện\x00"})
    assert nul.status_code == 400 and "NUL" in nul.json()["detail"]
    malformed = client.post(URL, "{not json", content_type="application/json")
    assert malformed.status_code == 400
    assert "không hợp lệ" in malformed.json()["detail"]


def test_the_submit_page_preselects_only_when_sure(client, serving_model, settings):
    sure = client.get(URL, {"text": "rác thải ùn ứ đầu ngõ 3 ngày không ai thu gom, bốc mùi"})
    assert sure.json()[0]["confident"] is True
    vague = client.get(URL, {"text": "có vấn đề ở ngõ nhà tôi"})
    assert vague.json() == [] or vague.json()[0]["confident"] is False


def test_each_filed_report_records_the_suggestion_and_the_residents_pick(submit, serving_model):
    other = Category.objects.get(code="khac")
    taken = submit(description="Rác thải ùn ứ đầu ngõ ba ngày, không ai thu gom, bốc mùi.")
    not_taken = submit(
        category=other,
        title="Cột điện nghiêng",
        description="Trụ điện trước nhà bị nghiêng hẳn, sắp ngã ra đường.",
    )
    first = Suggestion.objects.get(report=taken)
    assert first.model_id == serving_model.pk
    assert first.top_code == "rac-thai-ve-sinh" and first.chosen_rank == 1 and first.accepted
    second = Suggestion.objects.get(report=not_taken)
    assert second.top_code == "dien-nuoc-chieu-sang"
    assert second.chosen_code == "khac" and not second.accepted


def test_nearby_offers_the_same_problem_under_another_category_first(client, submit):
    from conftest import HOAN_KIEM_LAKE

    lights = Category.objects.get(code="dien-nuoc-chieu-sang")
    roads = Category.objects.get(code="ha-tang-giao-thong")
    pole = submit(category=lights, title="Cột điện đổ", description="Cột điện đổ chắn ngang ngõ.")
    pothole = submit(category=roads, title="Ổ gà", description="Ổ gà to giữa đường, nước đọng.")
    karaoke = submit(category=roads, title="Ồn", description="Quán karaoke hát to đến 1 giờ sáng.")
    lat, lon = HOAN_KIEM_LAKE
    params = {"lat": lat, "lon": lon, "category": roads.code}
    by_category = client.get("/api/reports/nearby", params).json()
    assert {r["tracking_code"] for r in by_category} == {
        pothole.tracking_code,
        karaoke.tracking_code,
    }

    by_meaning = client.get("/api/reports/nearby", {**params, "text": "trụ điện bị ngã"}).json()
    codes = [r["tracking_code"] for r in by_meaning]
    # The fallen pole comes first though the resident picked roads; the same-category
    # reports stay offered after it.
    assert codes[0] == pole.tracking_code
    assert by_meaning[0]["similarity"] > 0.3 and by_meaning[0]["same_category"] is False
    assert set(codes) == {pole.tracking_code, pothole.tracking_code, karaoke.tracking_code}
    # With no category, only reports saying the same thing.
    alone = client.get("/api/reports/nearby", {"lat": lat, "lon": lon, "text": "trụ điện bị ngã"})
    assert [r["tracking_code"] for r in alone.json()] == [pole.tracking_code]
