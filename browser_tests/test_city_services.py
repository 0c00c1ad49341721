"""The city's other services in real Chromium, in Vietnamese: news (a script in an article does
not run), the staff's write → review → publish flow, the procedure search, the dossier look-up."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command

from news.models import Article, ArticleStatus
from news.services import article_create, article_transition
from units.models import Agency

from .conftest import SCREENSHOTS, assert_accessible, open_page, sign_in

SAMPLE = Path(__file__).resolve().parent.parent / "procedures" / "data" / "sample_procedures.json"
XSS = (
    "<p>Nước sẽ được cấp lại lúc 18 giờ.</p><script>window.pwned = 1</script>"
    '<img src="x" onerror="window.pwned = 2"><a href="javascript:window.pwned=3">Xem</a>'
)


def test_news_list_and_an_article_whose_script_does_not_run(coordinator, city_leader, live_server):
    unit_a = Agency.objects.get(code="ubnd-00070").unit
    article = article_create(
        actor=coordinator,
        title="Tạm ngừng cấp nước phố Hàng Bài",
        summary="Sửa đường ống, ngừng cấp nước từ 8 giờ đến 18 giờ.",
        body=XSS,
        ward_ids=[unit_a.pk],
        important=True,
    )
    article_transition(actor=coordinator, article=article, action="submit")
    article_transition(actor=city_leader, article=article, action="approve")

    # open_page also fails on any Content-Security-Policy violation: an inline script or
    # handler that reached the page would be reported there too.
    with open_page() as page:
        page.goto(f"{live_server.url}/tin-tuc/")
        item = page.locator(f"#article-{article.pk}")
        assert "Tạm ngừng cấp nước" in item.inner_text()
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "news_list_vi.png"), full_page=True)
        page.locator("#news-ward").select_option(str(unit_a.pk))
        page.locator("#news-filter-submit").click()
        page.locator(f"#article-{article.pk}").wait_for()
        item.locator("a").click()
        page.wait_for_url(f"{live_server.url}/tin-tuc/{article.pk}/")
        body = page.locator("#article-body")
        assert "Nước sẽ được cấp lại lúc 18 giờ." in body.inner_text()
        assert body.locator("script, img[onerror]").count() == 0
        assert body.locator("a", has_text="Xem").get_attribute("href") is None
        assert page.evaluate("() => window.pwned") is None
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "news_article_vi.png"), full_page=True)


def test_staff_write_review_publish(officer_a, leader_a, live_server):
    unit_a = Agency.objects.get(code="ubnd-00070").unit
    title = "Ra quân tổng vệ sinh môi trường"
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "officer_a", "/can-bo/tin-tuc/moi/")
        page.locator("#article-form").wait_for()
        assert_accessible(page)
        page.locator("#id_title").fill(title)
        page.locator("#id_summary").fill("Sáng chủ nhật, toàn phường ra quân dọn vệ sinh.")
        page.locator("#id_body").fill("Tập trung lúc 7 giờ tại nhà văn hóa tổ dân phố.")
        page.locator("#id_wards").select_option(str(unit_a.pk))
        page.locator("#article-save").click()
        page.locator("#action-submit").click()
        page.locator("#article-status", has_text="Chờ duyệt").wait_for()
        assert page.locator("#action-approve").count() == 0  # not the author's to approve
        page.screenshot(path=str(SCREENSHOTS / "news_staff_submitted_vi.png"), full_page=True)

    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "leader_a", "/can-bo/tin-tuc/")
        page.locator("#to-review a", has_text=title).click()
        page.locator("#action-approve").click()  # htmx swaps the review panel
        page.locator("#article-status", has_text="Đã đăng").wait_for()
        assert "duyệt và đăng" in page.locator("#article-history").inner_text()
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "news_staff_published_vi.png"), full_page=True)
        page.locator("#public-link").click()
        page.locator("h1", has_text=title).wait_for()

    article = Article.objects.get(title=title)
    assert article.status == ArticleStatus.PUBLISHED
    assert list(article.events.values_list("actor__username", flat=True)) == [
        "officer_a",
        "officer_a",
        "leader_a",
    ]


def test_procedure_search_ignores_accents(live_server):
    call_command("load_procedures", str(SAMPLE), verbosity=0)
    with open_page() as page:
        page.goto(f"{live_server.url}/thu-tuc/")
        page.locator("#sample-notice").wait_for()
        page.locator("#procedure-q").fill("giay phep xay dung")
        page.locator("#procedure-submit").click()
        results = page.locator("#procedure-results")
        results.get_by_text("Cấp giấy phép xây dựng nhà ở riêng lẻ").wait_for()
        assert "Đăng ký khai sinh" not in results.inner_text()
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "procedures_search_vi.png"), full_page=True)
        results.get_by_text("Cấp giấy phép xây dựng nhà ở riêng lẻ").click()
        page.locator("#portal-link").wait_for()
        assert_accessible(page)


def test_dossier_lookup(live_server, tmp_path):
    path = tmp_path / "dossiers.json"
    path.write_text(
        json.dumps(
            {
                "dossiers": [
                    {
                        "code": "HS-2026-0042",
                        "procedure_code": "MAU-HT-001",
                        "agency_code": "ubnd-00070",
                        "applicant_phone": "0912345678",
                        "received_at": "2026-03-02T08:00:00+07:00",
                        "due_at": "2099-03-05T17:00:00+07:00",
                        "status": "in_progress",
                        "steps": [
                            {
                                "at": "2026-03-02T08:00:00+07:00",
                                "status": "received",
                                "unit": "Bộ phận một cửa",
                                "note": "",
                            },
                            {
                                "at": "2026-03-03T09:00:00+07:00",
                                "status": "in_progress",
                                "unit": "Công chức tư pháp – hộ tịch",
                                "note": "Đang thẩm định",
                            },
                        ],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    call_command("sync_dossiers", "--from", str(path), verbosity=0)
    with open_page() as page:
        page.goto(f"{live_server.url}/tra-cuu-ho-so/")
        assert_accessible(page)
        page.locator("#lookup-code").fill("HS-2026-0042")
        page.locator("#lookup-digits").fill("1234")
        page.locator("#lookup-submit").click()
        page.locator("#lookup-error").wait_for()
        page.locator("#lookup-digits").fill("5678")
        page.locator("#lookup-submit").click()
        page.locator("#dossier-status", has_text="Đang xử lý").wait_for()
        assert "Công chức tư pháp – hộ tịch" in page.locator("#dossier-HS-2026-0042").inner_text()
        assert page.locator("#dossier-timeliness").inner_text() == "Đúng hạn"
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "dossier_lookup_vi.png"), full_page=True)


def test_dashboard_shows_dossiers_on_time_and_late(coordinator, live_server, tmp_path):
    late = {
        "code": "HS-TRE-1",
        "procedure_code": "MAU-XD-001",
        "agency_code": "ubnd-00070",
        "applicant_phone": "0987654321",
        "received_at": "2026-03-02T08:00:00+07:00",
        "due_at": "2026-03-03T17:00:00+07:00",
        "status": "in_progress",
        "steps": [],
    }
    path = tmp_path / "late.json"
    path.write_text(json.dumps({"dossiers": [late]}), encoding="utf-8")
    call_command("sync_dossiers", "--from", str(path), verbosity=0)
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "coordinator", "/bang-dieu-khien/")
        panel = page.locator("#dossier-panel")
        assert "Trễ hạn: 1" in panel.inner_text()
        panel.locator("#dossier-panel-link").click()
        row = page.locator("#dossier-timeliness tbody tr")
        row.first.wait_for()
        assert "Phường Hoàn Kiếm" in row.first.inner_text() or "Hoàn Kiếm" in row.first.inner_text()
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "dossiers_dashboard_vi.png"), full_page=True)
