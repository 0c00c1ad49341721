"""The leaders' dashboard in real Chromium: a report submitted while the page is open shows
up in the figures within 2 seconds, without a reload; the page is accessible."""

from __future__ import annotations

import threading

from django.db import connection
from playwright.sync_api import expect

from conftest import BA_DINH_SQUARE

from .conftest import SCREENSHOTS, assert_accessible, deadline_soon, open_page, sign_in


def in_thread(function):
    """Run `function` in another thread: Playwright's event loop runs in this one, and Django
    refuses database calls beside a running event loop."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def test_city_leader_dashboard_updates_live_when_a_report_arrives(live_server, city_leader, submit):
    submit(title="Rác thải tràn ra vỉa hè phố Hàng Bài")
    submit(title="Rác ở quảng trường", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    received = '[data-figure="received"] .figure-value'
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "city_leader", "/bang-dieu-khien/")
        page.get_by_role("heading", name="Bảng điều khiển", exact=True).wait_for()
        expect(page.locator(received)).to_have_text("2")
        ranking = page.locator("table.ranking tbody th")
        expect(ranking).to_have_text(["UBND Phường Ba Đình", "UBND Phường Hoàn Kiếm"])
        expect(page.locator("#heat-map")).to_have_attribute("data-state", "loaded")
        expect(page.locator("[data-trends-url]")).to_have_attribute("data-state", "loaded")
        page.evaluate("window.liveMarker = 'still here'")

        in_thread(lambda: submit(title="Đèn đường hỏng ở ngõ 5 Lý Thái Tổ"))

        expect(page.locator(received)).to_have_text("3", timeout=2000)
        expect(page.locator("tr[data-agency] th").first).to_have_text("UBND Phường Hoàn Kiếm")
        assert page.evaluate("window.liveMarker") == "still here"  # no reload
        expect(page.locator("#heat-map")).to_have_attribute("data-state", "loaded")
        # Wide tables scroll in their own box: the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.screenshot(path=str(SCREENSHOTS / "dashboard_desktop.png"), full_page=True)
        assert_accessible(page)

        page.set_viewport_size({"width": 390, "height": 844})
        # (after the charts have followed the new width)
        page.wait_for_function("document.documentElement.scrollWidth <= 390", timeout=3000)
        page.screenshot(path=str(SCREENSHOTS / "dashboard_phone.png"), full_page=True)

        page.locator('[data-figure="unresolved_now"] a').click()
        page.get_by_role("heading", name="Đang tồn đọng").wait_for()
        expect(page.locator("#drilldown-count")).to_have_text("3 phản ánh")
        page.screenshot(path=str(SCREENSHOTS / "dashboard_drilldown_phone.png"), full_page=True)
        assert_accessible(page)

        page.get_by_role("link", name="Thời gian tiêu tốn ở đâu").click()
        page.get_by_role("heading", name="Thời gian tiêu tốn ở đâu").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "dashboard_stages_phone.png"), full_page=True)
        assert_accessible(page)


def test_open_dashboard_shows_a_deadline_passing_without_any_event(live_server, leader_a, submit):
    from datetime import timedelta

    from django.utils import timezone

    from reports.models import Report

    report = submit()
    # Not due yet while signing in: the deadline is set once the page's load time is known.
    Report.objects.filter(pk=report.pk).update(due_at=timezone.now() + timedelta(days=1))
    overdue = '[data-figure="overdue_now"] .figure-value'
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "leader_a", "/bang-dieu-khien/?period=all")
        heading = page.get_by_role("heading", name="Bảng điều khiển", exact=True)
        heading.wait_for()
        due = deadline_soon(page, report.pk, heading.wait_for)
        expect(page.locator(overdue)).to_have_text("0")
        page.evaluate("window.liveMarker = 'still here'")
        wait_ms = max(0, (due - timezone.now()).total_seconds() * 1000)
        expect(page.locator(overdue)).to_have_text("1", timeout=wait_ms + 3000)
        expect(page.locator("tr[data-agency] td.cell-overdue_now")).to_have_text("1")
        assert page.evaluate("window.liveMarker") == "still here"  # no reload
    report.refresh_from_db()
    assert report.overdue_since is None  # the sweep never ran: the page read the clock
