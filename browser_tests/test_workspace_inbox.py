"""The officers' inbox and the coordination office's queue in real Chromium, in Vietnamese:
search without diacritics, and re-routing a returned report in two clicks without a reload."""

from __future__ import annotations

from playwright.sync_api import expect

from reports.models import Report
from reports.services import report_return
from reports.workflow import Status

from .conftest import SCREENSHOTS, assert_accessible, open_page, sign_in


def test_officer_searches_his_inbox_without_diacritics(submit, officer_a, live_server):
    noise = submit(title="Ô nhiễm tiếng ồn quán karaoke")
    submit(title="Rác thải tràn ra vỉa hè")
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "officer_a", "/can-bo/")
        page.get_by_role("heading", name="Hộp việc").wait_for()
        assert page.locator("table.inbox tbody tr").count() == 2
        assert "Còn " in page.locator("table.inbox").inner_text()  # the SLA countdown
        assert_accessible(page)
        page.get_by_label("Tìm kiếm").fill("o nhiem")
        page.get_by_label("Tìm kiếm").press("Enter")
        rows = page.locator("table.inbox tbody tr")
        expect(rows).to_have_count(1)
        assert "q=o%20nhiem" in page.url  # htmx pushed the filtered address: it can be shared
        assert noise.tracking_code in rows.inner_text()
        page.screenshot(path=str(SCREENSHOTS / "workspace_inbox_vi.png"), full_page=True)


def test_coordinator_reroutes_a_returned_report(submit, officer_a, coordinator, live_server):
    report = submit(title="Cây đổ chắn ngõ")
    report_return(actor=officer_a, report=report, reason="Việc của công ty cây xanh")
    code = report.tracking_code
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "coordinator", "/can-bo/dieu-phoi/")
        page.get_by_role("heading", name="Hàng chờ điều phối").wait_for()
        row = page.locator(f"#queue-{code}")
        assert "Việc của công ty cây xanh" in row.inner_text()
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "workspace_queue_vi.png"), full_page=True)
        page.evaluate("window.__noReload = 'still here'")
        page.get_by_label(f"Đơn vị nhận {code}").select_option(label="UBND Phường Ba Đình")
        row.get_by_role("button", name="Gửi").click()
        page.locator(f"#queue-{code}.row-sent").wait_for()
        assert "Đã chuyển cho UBND Phường Ba Đình" in page.locator(f"#queue-{code}").inner_text()
        assert page.evaluate("window.__noReload") == "still here"  # swapped, not reloaded
        assert_accessible(page)
    report.refresh_from_db()
    assert report.status == Status.ROUTED
    assert report.agency.code == "ubnd-00004"
    assert Report.objects.get(pk=report.pk).events.filter(action="reroute").count() == 1
