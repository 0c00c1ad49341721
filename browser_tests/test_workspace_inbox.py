"""The officers' inbox and the coordination office's queue in real Chromium, in Vietnamese:
search without diacritics, and re-routing a returned report in two clicks without a reload."""

from __future__ import annotations

from playwright.sync_api import expect

from reports.models import Report
from reports.services import report_return
from reports.workflow import Status

from .conftest import SCREENSHOTS, assert_accessible, deadline_soon, open_page, sign_in


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


def test_leader_selects_the_page_then_every_matching_report_and_confirms(
    submit, leader_a, live_server
):
    from datetime import timedelta

    from django.utils import timezone

    reports = [submit() for _ in range(27)]  # one page of 25 and two more
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "leader_a", "/can-bo/?bucket=new")
        page.get_by_role("heading", name="Hộp việc").wait_for()
        page.evaluate("window.__noReload = 'still here'")
        page.get_by_label("Chọn tất cả trên trang này").check()
        count = page.locator("[data-bulk-count]")
        expect(count).to_have_text("Đã chọn 25")
        page.get_by_role("button", name="Chọn tất cả 27 phản ánh khớp với bộ lọc này").click()
        expect(count).to_have_text("Đã chọn tất cả 27 phản ánh khớp với bộ lọc này")
        # Without JavaScript's selection this button stands in for "all matching": hidden here.
        expect(page.locator("[data-no-js-all]")).to_be_hidden()
        assert_accessible(page)
        page.get_by_role("button", name="Thực hiện", exact=True).click()
        question = page.locator(".bulk-question")
        expect(question).to_have_text("Tiếp nhận tất cả 27 phản ánh khớp với bộ lọc này?")
        assert_accessible(page)
        page.screenshot(path=str(SCREENSHOTS / "workspace_bulk_confirm_vi.png"), full_page=True)
        page.get_by_role("button", name="Đồng ý, áp dụng cho 27 phản ánh").click()
        expect(page.locator(".bulk-summary")).to_have_text("Đã tiếp nhận 27")
        expect(page.locator(".tab-new .count")).to_have_text("0")
        assert page.evaluate("window.__noReload") == "still here"  # swapped, not reloaded
    assert (
        Report.objects.filter(pk__in=[r.pk for r in reports], status=Status.ACCEPTED).count() == 27
    )
    # (A report's deadline moves to its resolve deadline on acceptance: none is overdue.)
    assert not Report.objects.filter(due_at__lte=timezone.now() - timedelta(0)).exists()


def test_an_open_inbox_shows_a_deadline_passing_without_a_reload(submit, officer_a, live_server):
    from datetime import timedelta

    from django.utils import timezone

    report = submit()
    # Not due yet while signing in: the deadline is set once the page's load time is known.
    Report.objects.filter(pk=report.pk).update(due_at=timezone.now() + timedelta(days=1))
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "officer_a", "/can-bo/")
        heading = page.get_by_role("heading", name="Hộp việc")
        heading.wait_for()
        due = deadline_soon(page, report.pk, heading.wait_for)
        overdue_tab = page.locator(".tab-overdue .count")
        expect(overdue_tab).to_have_text("0")
        page.evaluate("window.__noReload = 'still here'")
        page.wait_for_timeout(max(0, (due - timezone.now()).total_seconds() * 1000) + 200)
        # The minute's refresh, brought forward: coming back to the tab refreshes at once.
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        expect(overdue_tab).to_have_text("1")
        expect(page.locator("table.inbox tbody tr.row-overdue")).to_have_count(1)
        assert page.evaluate("window.__noReload") == "still here"
