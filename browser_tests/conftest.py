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
from urllib.parse import quote, urlparse

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Page, sync_playwright


class SerialWSGIServer(WSGIServer):
    """The live server, one request at a time.

    On SQLite the test database lives in memory and the live server's threads share the test's
    one connection. Two requests at once on it (the dashboard loads its charts, heat map and
    live figures together) deadlock: one thread holds SQLite's connection mutex while a Python
    SQL function Django registers waits for the GIL, which the other thread holds while it waits
    for that mutex. Nothing can run then, not even pytest-timeout: CI hung until its limit.
    Django's server closes each connection after its response when it is not threaded, so
    Chromium is served in turn."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


LiveServerThread.server_class = SerialWSGIServer

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


# page.screenshot() hides the text caret with an inline style on the focused input; if htmx
# swaps that input meanwhile, its settle step copies the style attribute and the CSP refuses
# it. That style is Playwright's, not ours: its hash ("caret-color: transparent !important;").
PLAYWRIGHT_CARET = "sha256-LCYO6aZgIIKUnjcSr4gFsHQ6Y4vrxnN7Ev5la8a4W4Y="


@contextlib.contextmanager
def open_page(
    *,
    locale: str = "vi-VN",
    width: int = 390,
    height: int = 844,
    geolocation: dict[str, float] | None = None,
) -> Iterator[Page]:
    """A phone-sized page in Vietnamese by default (most residents use a phone); with
    `geolocation`, a phone that shares that position."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                locale=locale,
                viewport={"width": width, "height": height},
                geolocation=geolocation,
                permissions=["geolocation"] if geolocation else [],
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            # A script or style our Content-Security-Policy refuses fails silently for the user
            # (a dead button, an unstyled map); Chromium reports it only on the console.
            csp_violations: list[str] = []
            page.on(
                "console",
                lambda msg: (
                    csp_violations.append(f"{msg.text} (on {msg.location.get('url')})")
                    if "Content Security Policy" in msg.text and PLAYWRIGHT_CARET not in msg.text
                    else None
                ),
            )
            # Playwright polls a bare expression ("x === 1") with eval() inside the page, which
            # our CSP forbids (no 'unsafe-eval'); as an arrow function it is evaluated without.
            wait_for_function = page.wait_for_function

            def _wait_for_function(expression: str, **kwargs):
                if "=>" not in expression and not expression.lstrip().startswith("function"):
                    expression = f"() => ({expression})"
                return wait_for_function(expression, **kwargs)

            page.wait_for_function = _wait_for_function  # type: ignore[method-assign]
            yield page
            assert not errors, f"JavaScript errors on the page: {errors}"
            assert not csp_violations, f"Content Security Policy violations: {csp_violations}"
        finally:
            browser.close()


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def assert_accessible(page: Page) -> None:
    """Run axe-core (from our npm install, injected, never fetched) on the page as it is now;
    fail on any serious or critical violation, naming the rule and the elements.

    Finite animations (a popup fading in) are let finish first: half-way through a fade, the
    text's contrast really is too low, and axe would say so at random."""
    # Evaluated by the browser's DevTools protocol, which our Content-Security-Policy does not
    # govern; an injected <script> tag (add_script_tag) would be refused as inline script.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;window.axe = axe; true")
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


# Authenticator secrets read from the set-up page in this run, by user name.
_secrets: dict[str, str] = {}


def _totp_code(secret: str) -> str:
    """The code an authenticator app shows now for this secret (no database needed)."""
    import base64

    from django_otp.oath import totp

    raw = secret.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{totp(key):06d}"


def _issue_enrolment_code(username: str) -> str:
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def issue() -> str:
        from accounts.enrolment import staff_enrolment_issue
        from accounts.models import User

        try:
            user = User.objects.get(username=username)
            return staff_enrolment_issue(actor=None, user=user, channel="command").code
        finally:
            if connection.vendor != "sqlite":
                connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(issue).result(timeout=30)


def pass_second_factor(page: Page, username: str) -> None:
    """On the set-up page (first time: read the secret as typed into an app) or the code page,
    enter the authenticator's current code; elsewhere, nothing to do."""
    path = urlparse(page.url).path
    if path not in ("/tai-khoan/xac-thuc-hai-buoc/", "/dang-nhap/ma-xac-thuc/"):
        return
    if path == "/tai-khoan/xac-thuc-hai-buoc/" and page.locator("#id_enrolment_code").count():
        # The one-time code an administrator would hand over (accounts/enrolment.py), issued
        # in another thread: no database calls in this one while Playwright's loop runs.
        page.locator("#id_enrolment_code").fill(_issue_enrolment_code(username))
        page.locator("#enrol-submit").click()
        page.locator("#otp-secret").wait_for()
    if path == "/tai-khoan/xac-thuc-hai-buoc/":
        _secrets[username] = page.locator("#otp-secret").inner_text()
    assert username in _secrets, f"{username} has an authenticator this run never set up"
    page.locator("#id_otp_token").fill(_totp_code(_secrets[username]))
    page.locator("#otp-submit").click()
    page.wait_for_url(lambda url: urlparse(url).path not in (path, "/dang-nhap/"))


def sign_in(page: Page, base: str, username: str, next_path: str = "/") -> None:
    """Sign in through the sign-in page (Vietnamese labels) and land on `next_path`. A staff
    member then passes the second factor as a person would: the first time, the set-up page
    (read the secret as typed into an app, enter its code); later, the code page."""
    page.goto(f"{base}/dang-nhap/?next={quote(next_path)}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: urlparse(url).path != "/dang-nhap/")
    pass_second_factor(page, username)
    page.get_by_role("button", name="Đăng xuất").wait_for()


@contextlib.contextmanager
def orm_in_page() -> Iterator[None]:
    """ORM calls while a page is open. Playwright's sync API runs an event loop in this
    thread, which Django takes for async code; the calls are still synchronous, on the test's
    own connection."""
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


def deadline_soon(page: Page, report_pk: int, ready) -> object:
    """Set a report's deadline a few page loads ahead, as timed on this machine (at least 4 s),
    then reload the page (`ready()` waits for it): a busy machine gets the margin it needs for
    the page to show the deadline still ahead. Written past the services: no event, no sweep.
    Returns the deadline."""
    import time
    from datetime import timedelta

    from django.utils import timezone

    from reports.models import Report

    started = time.monotonic()
    page.reload()
    ready()
    load_s = time.monotonic() - started
    due = timezone.now() + timedelta(seconds=max(4.0, 3 * load_s + 1))
    with orm_in_page():
        Report.objects.filter(pk=report_pk).update(due_at=due)
    page.reload()
    ready()
    return due
