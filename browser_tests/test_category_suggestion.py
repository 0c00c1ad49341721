"""The category classifier seen by people, in real Chromium: the submit page preselects the
category only when the model is sure and never overrides the resident's own choice; the
record of whether the suggestion was taken reaches the leaders' page of suggestions."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from classify.models import Suggestion
from reports.models import Report
from routing.models import Category

from .conftest import SCREENSHOTS, assert_accessible, open_page, sign_in
from .test_submit import drop_pin_in_the_middle, jpeg, sign_in_to_submit

# Sentences the seed corpus does not hold (classify/data/seed.tsv).
FALLEN_TREE = "cây sấu to trước cổng trường tiểu học bị gió quật đổ, chắn ngang hết lối đi"


def test_a_sure_suggestion_is_preselected_and_the_residents_choice_wins(
    live_server, alice, media_root, serving_model
):
    tree = re.compile("Cây xanh, công viên")
    road = re.compile("Hạ tầng giao thông")
    with open_page() as page:
        sign_in_to_submit(page, live_server.url)
        page.locator("#gallery").set_input_files([jpeg("cay.jpg")])
        drop_pin_in_the_middle(page)
        description = page.get_by_label("Mô tả vấn đề")
        description.fill(FALLEN_TREE)
        expect(page.locator("#preselected")).to_have_text(re.compile(r"Đã chọn sẵn: Cây xanh"))
        expect(page.get_by_role("radio", name=tree)).to_be_checked()
        page.screenshot(path=str(SCREENSHOTS / "submit_preselected_vi.png"), full_page=True)
        assert_accessible(page)

        # The resident knows better: their pick stays while they go on typing.
        page.get_by_role("radio", name=road).check()
        with page.expect_response("**/api/categories/suggest"):
            description.fill(FALLEN_TREE + ", cành gãy còn làm vỡ cả mặt đường")
        expect(page.locator("#suggestions button").first).to_be_visible()
        expect(page.get_by_role("radio", name=road)).to_be_checked()
        expect(page.locator("#preselected")).to_have_count(0)

        page.get_by_role("button", name="Gửi phản ánh").click()
        page.get_by_role("link", name=re.compile(r"Đã gửi\. Mã phản ánh")).wait_for()

    report = Report.objects.get()
    assert report.category.code == "ha-tang-giao-thong"
    record = Suggestion.objects.get(report=report)
    assert record.top_code == "cay-xanh-cong-vien"
    assert record.chosen_code == "ha-tang-giao-thong"
    assert not record.accepted


def test_a_vague_text_preselects_nothing(live_server, alice, serving_model):
    with open_page() as page:
        sign_in_to_submit(page, live_server.url)
        with page.expect_response("**/api/categories/suggest"):
            page.get_by_label("Mô tả vấn đề").fill("mọi người xem giúp cái này với")
        expect(page.locator("#preselected")).to_have_count(0)
        expect(page.locator('input[name="category"]:checked')).to_have_count(0)


def test_leader_sees_how_often_residents_took_the_suggestion(
    live_server, city_leader, submit, serving_model
):
    submit(
        title="Cây đổ",
        description=FALLEN_TREE,
        category=Category.objects.get(code="cay-xanh-cong-vien"),
    )
    submit(title="Cây đổ", description=FALLEN_TREE, category=Category.objects.get(code="khac"))
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "city_leader", "/bang-dieu-khien/goi-y-linh-vuc/")
        page.get_by_role("heading", name="Gợi ý lĩnh vực").wait_for()
        expect(page.locator("#serving-model")).to_contain_text(f"v{serving_model.pk}")
        row = page.locator("table.suggestions tbody tr").first
        # Two reports with a suggestion, one of them filed under the first one.
        expect(row.locator("td").nth(0)).to_have_text("2")
        expect(row.locator("td").nth(1)).to_have_text("50 % (1)")
        page.screenshot(path=str(SCREENSHOTS / "dashboard_suggestions.png"), full_page=True)
        assert_accessible(page)


POLE = "Trụ điện trước số 12 ngõ 40 Tạ Quang Bửu bị nghiêng hẳn, dây điện võng sát đầu người."


def test_coordinator_sees_the_models_pick_and_corrects_the_category_in_one_send(
    live_server, coordinator, submit, serving_model
):
    report = submit(category=Category.objects.get(code="khac"), title="Nguy hiểm", description=POLE)
    code = report.tracking_code
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "coordinator", "/can-bo/dieu-phoi/")
        row = page.locator(f"#queue-{code}")
        expect(row.locator(".model-pick")).to_contain_text(
            "Gợi ý theo nội dung: Điện, nước, chiếu sáng công cộng"
        )
        category = page.get_by_label(f"Lĩnh vực của {code}")
        expect(category).to_have_value("dien-nuoc-chieu-sang")
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "workspace_queue_model_pick.png"), full_page=True)
        page.get_by_label(f"Đơn vị nhận {code}").select_option(label="UBND Phường Ba Đình")
        row.get_by_role("button", name="Gửi").click()
        page.locator(f"#queue-{code}.row-sent").wait_for()
    report.refresh_from_db()
    assert report.category.code == "dien-nuoc-chieu-sang"
    assert report.agency.code == "ubnd-00004"
    step = report.events.get(action="reroute")
    assert step.data["from_category"] == "khac"
