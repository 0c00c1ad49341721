"""The coordinator sees the model's pick beside "Khác" and disputed reports, corrects the
category in the same click as the unit, and leaders see what suggestions and corrections do."""

from __future__ import annotations

import pytest
from django.urls import reverse

from classify.models import Suggestion
from reports.models import Report
from routing.models import Category

pytestmark = pytest.mark.django_db

QUEUE = reverse("workspace:coordinator_queue")
POLE = "Trụ điện trước số 12 ngõ 40 Tạ Quang Bửu bị nghiêng hẳn, dây điện võng sát đầu người."


def test_queue_shows_the_models_pick_beside_other_and_the_reroute_corrects_the_category(
    client, submit, coordinator, ward_a, serving_model
):
    other = Category.objects.get(code="khac")
    report = submit(category=other, title="Nguy hiểm", description=POLE)
    client.force_login(coordinator)
    body = client.get(QUEUE).content.decode()
    assert "Gợi ý theo nội dung: Điện, nước, chiếu sáng công cộng" in body
    # The category list of the row starts on the model's pick.
    assert '<option value="dien-nuoc-chieu-sang" selected>' in body

    response = client.post(
        reverse("workspace:queue_reroute", args=[report.tracking_code]),
        {"agency": ward_a.pk, "category": "dien-nuoc-chieu-sang"},
        headers={"hx-request": "true"},
    )
    assert response.status_code == 200 and 'role="alert"' not in response.content.decode()
    report.refresh_from_db()
    assert report.category.code == "dien-nuoc-chieu-sang" and report.agency == ward_a


def test_an_agreeing_pick_is_not_shown(client, submit, coordinator, serving_model, office):
    # Sent to the office (a return), filed under the right category: nothing to point out.
    report = submit(description="Rác thải ùn ứ đầu ngõ ba ngày không ai thu gom, bốc mùi.")
    Report.objects.filter(pk=report.pk).update(agency=office)
    client.force_login(coordinator)
    assert "Gợi ý theo nội dung" not in client.get(QUEUE).content.decode()


def test_dashboard_shows_acceptance_and_reroutes_for_a_wrong_category_per_month(
    client, submit, coordinator, city_leader, ward_a, serving_model
):
    from reports.services import report_reroute

    other = Category.objects.get(code="khac")
    submit(description="Rác thải ùn ứ đầu ngõ ba ngày không ai thu gom, bốc mùi.")  # taken
    wrong = submit(category=other, title="Nguy hiểm", description=POLE)  # not taken
    report_reroute(
        actor=coordinator,
        report=wrong,
        agency=ward_a,
        category=Category.objects.get(code="dien-nuoc-chieu-sang"),
    )
    assert Suggestion.objects.count() == 2
    client.force_login(city_leader)
    response = client.get(reverse("dashboard:suggestions"))
    assert response.status_code == 200
    row = response.context["rows"][0]
    assert (row.suggested, row.took_first, row.rerouted_for_category) == (2, 1, 1)
    body = response.content.decode()
    assert "50 % (1)" in body
    assert f"Mô hình v{serving_model.pk}" in body
