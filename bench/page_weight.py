"""Bytes of JavaScript and CSS a phone downloads for the "send a report" page (target < 150 KB).

Usage: .venv/bin/python bench/page_weight.py [--url http://host:port --username U --password P]
Without --url it makes a scratch SQLite database (reference data + one resident), starts
`manage.py runserver` on a free loopback port against it, and stops it afterwards. Chromium
loads the page with a fresh cache; for each script and stylesheet it prints the bytes on the
wire (as the server sent them) and the gzip size (what a compressing server or CDN sends;
runserver does not compress static files, it serves them outside the middleware).
"""

from __future__ import annotations

import argparse
import gzip
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
TARGET_KB = 150


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def start_server(tmp: Path) -> tuple[subprocess.Popen, str, str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "DEBUG": "1",
    }
    manage(env, "migrate", "-v0")
    manage(env, "load_units", "--no-progress", "-v0")
    manage(env, "load_agencies", "-v0")
    manage(env, "load_categories", "-v0")
    password = secrets.token_urlsafe(16)
    manage(
        env,
        "shell",
        "-c",
        f"from accounts.models import User; User.objects.create_user('bench', password='{password}')",
    )
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/dang-nhap/", timeout=1)  # noqa: S310 (our http URL)
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.terminate()
        raise SystemExit("runserver did not start")
    return server, url, "bench", password


def measure(url: str, username: str, password: str) -> list[tuple[str, str, int, int]]:
    from playwright.sync_api import sync_playwright

    rows: list[tuple[str, str, int, int]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        # No service worker: it would fetch the shell a second time in the background.
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="vi-VN", service_workers="block"
        )
        page = context.new_page()
        page.goto(url + "/dang-nhap/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        kinds: dict[str, tuple[str, str]] = {}
        wire: dict[str, int] = {}
        cdp.on(
            "Network.responseReceived",
            lambda e: kinds.__setitem__(e["requestId"], (e["type"], e["response"]["url"])),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: wire.__setitem__(e["requestId"], int(e["encodedDataLength"])),
        )
        bodies: dict[str, bytes] = {}
        page.on("response", lambda r: bodies.__setitem__(r.url, r.body()) if r.ok else None)
        response = page.goto(url + "/gui-phan-anh/")
        page.wait_for_load_state("networkidle")
        if "/gui-phan-anh/" not in page.url or not response or not response.ok:
            raise SystemExit(f"could not open the submit page (sign-in failed?): {page.url}")
        for request_id, (kind, res_url) in kinds.items():
            if kind not in {"Script", "Stylesheet"}:
                continue
            body = bodies.get(res_url, b"")
            rows.append((kind, res_url, wire.get(request_id, 0), len(gzip.compress(body, 6))))
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running site (else a scratch runserver is started)")
    parser.add_argument("--username", default="bench")
    parser.add_argument("--password", default="")
    args = parser.parse_args()
    server = None
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        if args.url:
            url, username, password = args.url.rstrip("/"), args.username, args.password
        else:
            server, url, username, password = start_server(Path(tmp))
        try:
            rows = measure(url, username, password)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=10)
    print(f"Submit page {url}/gui-phan-anh/ — JS and CSS, fresh cache")
    print(f"{'kind':<11} {'on the wire':>12} {'gzip -6':>9}  file")
    for kind, res_url, on_wire, gz in sorted(rows, key=lambda r: -r[3]):
        print(f"{kind:<11} {on_wire:>12,} {gz:>9,}  {res_url.removeprefix(url)}")
    total_wire = sum(r[2] for r in rows)
    total_gz = sum(r[3] for r in rows)
    print(f"{'total':<11} {total_wire:>12,} {total_gz:>9,}")
    verdict = "within" if total_gz < TARGET_KB * 1024 else "OVER"
    print(f"gzip total {total_gz / 1024:.1f} KB: {verdict} the {TARGET_KB} KB target")


if __name__ == "__main__":
    main()
