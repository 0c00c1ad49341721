"""Browser tests: real headless Chromium (Debian's package) driven by Playwright.

Playwright's sync API runs an event loop in this thread, and Django refuses database calls
while one runs; so tests set up data first, then open the browser with `open_page()`, and
check the database again after the `with` block.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Screenshots of every page on a phone-sized viewport, kept after the run for a reviewer to look
# at (not compared): artifacts/screenshots/ in the checkout unless SCREENSHOT_DIR says otherwise.
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR")
    or Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser_tests" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@contextlib.contextmanager
def open_page(*, locale: str = "vi-VN", width: int = 390, height: int = 844) -> Iterator[Page]:
    """A phone-sized page in Vietnamese by default (most residents use a phone)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                locale=locale, viewport={"width": width, "height": height}
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            yield page
            assert not errors, f"JavaScript errors on the page: {errors}"
        finally:
            browser.close()


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def assert_accessible(page: Page) -> None:
    """Run axe-core (from our npm install, injected, never fetched) on the page as it is now;
    fail on any serious or critical violation, naming the rule and the elements.

    Finite animations (a popup fading in) are let finish first: half-way through a fade, the
    text's contrast really is too low, and axe would say so at random."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const running = document.getAnimations().filter(a => a.playState === "running"
                && a.effect && a.effect.getComputedTiming().iterations !== Infinity);
            // (bounded: page.evaluate itself has no timeout)
            await Promise.race([
                Promise.all(running.map(a => a.finished.catch(() => null))),
                new Promise(resolve => setTimeout(resolve, 2000)),
            ]);
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map(n => n.target.join(" ")).slice(0, 5).join(", ")}`);
        }"""
    )
    assert not result, "accessibility violations:\n" + "\n".join(result)


PASSWORD = "correct horse battery"


def sign_in(page: Page, base: str, username: str, next_path: str = "/") -> None:
    """Sign in through the sign-in page (Vietnamese labels) and land on `next_path`."""
    page.goto(f"{base}/dang-nhap/?next={quote(next_path)}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng xuất").wait_for()
