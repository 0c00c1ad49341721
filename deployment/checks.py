"""Production settings checks (`manage.py check --deploy`).

Each check names the environment variable that fixes it (see .env.example and
docs/operations.md). Errors (congdanso.E…) make `check --deploy` exit 1: the site would be
unsafe or broken. Warnings (congdanso.W…) are choices a small deployment may make knowingly.
Messages are for the operator at a terminal, in English like Django's own checks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

# The key settings.py falls back to with DEBUG on (its value is public in the repository).
DEV_SECRET_KEY = "dev-insecure-congdanso-key-do-not-use-in-production"  # noqa: S105
# Django's own rule for a strong key (django.core.checks.security.base).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@register(Tags.security, deploy=True)
def check_debug(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return [
            Error(
                "DEBUG is on: error pages show settings and code to anyone, and the "
                "HTTPS and secure-cookie settings are off.",
                hint="Set DEBUG=false.",
                id="congdanso.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    key = str(settings.SECRET_KEY)
    placeholder = "change-me" in key.lower()  # deploy/congdanso.env.example, not filled in
    if (
        key == DEV_SECRET_KEY
        or placeholder
        or len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE
    ):
        return [
            Error(
                "SECRET_KEY is the development key, a placeholder or too short: sessions can be forged and "
                "the names of the public media copies guessed.",
                hint=(
                    f"Set SECRET_KEY (or SECRET_KEY_FILE) to at least {SECRET_KEY_MIN_LENGTH} "
                    "random characters, e.g. the output of "
                    '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
                ),
                id="congdanso.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    hosts = list(settings.ALLOWED_HOSTS)
    if not hosts or "*" in hosts:
        return [
            Error(
                "ALLOWED_HOSTS is empty or '*': the site either answers nothing or trusts "
                "any Host header (links in password e-mails could point elsewhere).",
                hint="Set ALLOWED_HOSTS to the site's host name(s), e.g. congdanso.hanoi.gov.vn.",
                id="congdanso.E003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    url = str(settings.SITE_URL)
    if urlsplit(url).scheme != "https":
        return [
            Error(
                f"SITE_URL is {url!r}: links in SMS, e-mails and push notifications must use "
                "https:// (cookies are HTTPS-only in production, so an http link signs "
                "people out).",
                hint="Set SITE_URL=https://<your host name>.",
                id="congdanso.E004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_vneid(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    parts = {
        "VNEID_ISSUER": settings.VNEID_ISSUER,
        "VNEID_CLIENT_ID": settings.VNEID_CLIENT_ID,
        "VNEID_CLIENT_SECRET": settings.VNEID_CLIENT_SECRET,
    }
    missing = [name for name, value in parts.items() if not value]
    if missing and len(missing) < len(parts):
        return [
            Error(
                "VNeID sign-in is half configured: the button shows but sign-in fails.",
                hint=f"Set {', '.join(missing)}, or unset all three VNEID_* variables.",
                id="congdanso.E005",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_private_media_outside_public(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    if getattr(settings, "PRIVATE_MEDIA_S3_BUCKET", ""):
        return []
    public = Path(settings.MEDIA_ROOT).resolve()
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    if private == public or public in private.parents:
        return [
            Error(
                "PRIVATE_MEDIA_ROOT is inside MEDIA_ROOT: the uploaded originals, with their "
                "GPS position and device, would be served to anyone.",
                hint="Set PRIVATE_MEDIA_ROOT to a folder outside MEDIA_ROOT.",
                id="congdanso.E006",
            )
        ]
    return []


@register(Tags.database, deploy=True)
def check_database(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return [
            Warning(
                "The database is SQLite: fine for one ward on one machine, not for several "
                "app servers (each would have its own database).",
                hint="Set DATABASE_URL=postgres://user:password@host:5432/congdanso.",
                id="congdanso.W001",
            )
        ]
    return []


@register(deploy=True)
def check_messages(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    if settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
        found.append(
            Warning(
                "E-mail is printed to the console, not sent.",
                hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, "
                "EMAIL_USE_TLS) to send through SMTP.",
                id="congdanso.W002",
            )
        )
    if settings.SMS_BACKEND in {"notify.sms.ConsoleBackend", "notify.sms.LocmemBackend"}:
        found.append(
            Warning(
                "SMS are printed to the console, not sent: residents get no sign-in codes.",
                hint="Set SMS_BACKEND=notify.sms.HttpBackend with SMS_HTTP_URL and SMS_HTTP_TOKEN.",
                id="congdanso.W003",
            )
        )
    if not (settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY):
        found.append(
            Warning(
                "Web Push is off: VAPID keys are missing.",
                hint="Set VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (see docs/operations.md, "
                "Messages).",
                id="congdanso.W004",
            )
        )
    return found


@register(deploy=True)
def check_media_layout(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    # Whether several machines run the app cannot be seen from inside one of them: the
    # operator says so with APP_SERVERS.
    servers = getattr(settings, "APP_SERVERS", 1)
    if servers > 1 and not getattr(settings, "MEDIA_S3_BUCKET", ""):
        return [
            Warning(
                f"APP_SERVERS={servers} but media are on this machine's disk: a photo "
                "uploaded to one server is missing on the others.",
                hint="Set MEDIA_S3_BUCKET and PRIVATE_MEDIA_S3_BUCKET (and MEDIA_S3_ENDPOINT_URL "
                "for a non-AWS store), or share MEDIA_ROOT and PRIVATE_MEDIA_ROOT over NFS.",
                id="congdanso.W005",
            )
        ]
    return []


@register(deploy=True)
def check_tasks_backend(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend in {
        "django_tasks.backends.immediate.ImmediateBackend",
        "django_tasks.backends.dummy.DummyBackend",
    }:
        return [
            Warning(
                f"Background tasks use {backend.rsplit('.', 1)[-1]}: media processing and "
                "notifications run inside the resident's request (or never).",
                hint="Unset TASKS_BACKEND (the database backend) and run `manage.py db_worker`.",
                id="congdanso.W006",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_csrf_trusted_origins(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    site = _origin(str(settings.SITE_URL))
    trusted: Iterable[str] = settings.CSRF_TRUSTED_ORIGINS
    if site not in trusted:
        return [
            Warning(
                f"CSRF_TRUSTED_ORIGINS does not contain {site}: forms are refused (403) "
                "when the proxy does not pass the Host header unchanged.",
                hint=f"Set CSRF_TRUSTED_ORIGINS={site}.",
                id="congdanso.W007",
            )
        ]
    return []


# Where the placeholders come from: the example environment files an operator copies.
ENV_EXAMPLES = (Path(".env.example"), Path("deploy") / "congdanso.env.example")
PLACEHOLDER = "change-me"


def _example_names() -> set[str]:
    root = Path(settings.BASE_DIR)
    names: set[str] = set()
    for example in ENV_EXAMPLES:
        path = root / example
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            name, sep, _value = line.lstrip("# ").partition("=")
            if sep and name.isidentifier() and name.isupper():
                names.add(name)
    return names


@register(Tags.security, deploy=True)
def check_placeholders(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every variable still holding the examples' "change-me" (a database password, a bucket
    key, the SMS token…): copied from the example and never filled in. SECRET_KEY has its own
    check (E002)."""
    from congdanso.settings import env

    names = (_example_names() | set(os.environ)) - {"SECRET_KEY"}
    left = sorted(
        name for name in names if not name.endswith("_FILE") and PLACEHOLDER in env(name).lower()
    )
    return [
        Error(
            f"{name} still holds the example's placeholder ({PLACEHOLDER}).",
            hint=f"Set {name} (or {name}_FILE) to the real value.",
            id="congdanso.E007",
        )
        for name in left
    ]
