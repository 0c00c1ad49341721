"""Start and stop the test OIDC provider as a real separate process (used by our tests).

Imports only the standard library and httpx: it runs inside our test process, whose Django
settings are ours; the provider's own settings live only in the child process."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from .people import PASSWORD, PEOPLE

# testing/ goes on the child's PYTHONPATH (and is its working directory), so `oidc_provider`
# is a top-level package there and our project (one level up) cannot be imported by accident.
TESTING_DIR = Path(__file__).resolve().parent.parent

# Where our callback lives, registered for the Django test client (testserver) and for live
# servers on any port (localhost/127.0.0.1 are loopback: DOT lets the port vary).
CALLBACK_PATH = "/dang-nhap/vneid/callback/"
REDIRECT_URIS = [
    f"http://testserver{CALLBACK_PATH}",
    f"http://localhost{CALLBACK_PATH}",
    f"http://127.0.0.1{CALLBACK_PATH}",
]


@dataclass
class Provider:
    """A running test provider and what our client needs to use it."""

    issuer: str
    client_id: str
    client_secret: str
    process: subprocess.Popen
    data_dir: Path
    seconds_to_start: float
    password: str = PASSWORD

    def person(self, username: str) -> dict[str, object]:
        return PEOPLE[username]

    def log(self) -> str:
        return (self.data_dir / "server.log").read_text(errors="replace")


def free_port() -> int:
    # A tiny race (another process may take the port before the server binds it) is accepted:
    # the start then fails loudly with the server's log.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_provider(*, timeout: float = 60.0) -> Provider:
    started = time.monotonic()
    data_dir = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    port = free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    client_id = "congdanso-" + secrets.token_hex(4)
    client_secret = secrets.token_urlsafe(24)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))},
        "DJANGO_SETTINGS_MODULE": "oidc_provider.settings",
        "PYTHONPATH": str(TESTING_DIR),
        "OIDC_PROVIDER_DATA_DIR": str(data_dir),
        "OIDC_PROVIDER_ISSUER": issuer,
    }
    command = [sys.executable, "-m", "django"]
    # "--name=value": a random secret may begin with "-", which argparse would take for an option.
    setup_args = ["provider_setup", f"--client-id={client_id}", f"--client-secret={client_secret}"]
    for uri in REDIRECT_URIS:
        setup_args += [f"--redirect-uri={uri}"]
    subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
        [*command, *setup_args],
        cwd=TESTING_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 (as above)
        [*command, "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
        cwd=TESTING_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # A test process that dies without its fixture teardown must not leave the server running.
    atexit.register(_kill, process)
    provider = Provider(issuer, client_id, client_secret, process, data_dir, 0.0)
    discovery = f"{issuer}/.well-known/openid-configuration"
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the test OIDC provider exited:\n{provider.log()}")
        try:
            if httpx.get(discovery, timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() - started > timeout:
            stop_provider(provider)
            raise RuntimeError(f"the test OIDC provider did not answer:\n{provider.log()}")
        time.sleep(0.1)
    provider.seconds_to_start = time.monotonic() - started
    return provider


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()


def stop_provider(provider: Provider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait()
    shutil.rmtree(provider.data_dir, ignore_errors=True)


class _Forms(HTMLParser):
    """The forms of a provider page: action and every named input's value, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")


def _form(response: httpx.Response) -> tuple[str, dict[str, str]]:
    parser = _Forms()
    parser.feed(response.text)
    assert parser.forms, f"no form on {response.url}: {response.text[:500]}"
    form = parser.forms[0]
    return str(response.url.join(form["action"] or response.url)), dict(form["fields"])


def act_at_provider(authorize_url: str, *, username: str, allow: bool = True) -> str:
    """What a person does at the provider, as a browser would (real login and consent pages):
    open the authorization URL, sign in, allow (or refuse); returns where the provider sends
    the browser back (our callback URL with code/state, or error=access_denied)."""
    with httpx.Client(timeout=10) as browser:
        response = browser.get(authorize_url)
        assert response.status_code == 302, response.text[:500]
        login_page = browser.get(response.url.join(response.headers["location"]))
        action, fields = _form(login_page)
        fields.update(username=username, password=PASSWORD)
        response = browser.post(action, data=fields)
        assert response.status_code == 302, f"provider login failed: {response.text[:500]}"
        consent_page = browser.get(response.url.join(response.headers["location"]))
        action, fields = _form(consent_page)
        if allow:
            fields["allow"] = "Authorize"
        response = browser.post(action, data=fields)
        assert response.status_code == 302, f"consent failed: {response.text[:500]}"
        return response.headers["location"]


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    """One provider per test process (each xdist worker starts its own on a free port)."""
    provider = start_provider()
    yield provider
    stop_provider(provider)
