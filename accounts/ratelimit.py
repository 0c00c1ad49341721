"""Rate limits: fixed-window counters in the database, shared by every app process.

A limit is a name ("report-submit:user") with a number of hits per window; the defaults below
can be changed per deployment (or per test) with ``settings.RATE_LIMITS = {name: (limit,
window_seconds)}``. Each limited entry point counts its request with ``check(name, subject)``
and, when it gets a ``Limited`` back, answers 429 with a Retry-After header and a message in
the user's language: ``html_response`` for pages, ``json_response`` for the JSON API,
``with_retry_after`` around an Open311 error.

Why the database and not a cache: the app runs as several processes (and servers) without a
shared cache; a per-process counter would let a script multiply its allowance by their number.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from congdanso import counters

from .models import RateCounter

# name → (hits allowed, window in seconds). Generous for real use, tight for a script:
# - A resident may ask for a few codes (a slow SMS, a typo) but not flood a phone with SMS,
#   which cost money and annoy its owner; a mobile carrier's NAT puts many residents behind one
#   address, hence the higher per-IP figures.
# - Six digits are guessed one in a million: 5 wrong tries kill a code (accounts/phone.py), and
#   these ceilings stop a script that asks for code after code.
# - Axes locks a user name + address pair after 5 wrong passwords; the per-IP ceiling stops
#   one address from trying many user names. Sign-in ceilings (password-sign-in:ip,
#   phone-code-check:*) count failures only: a ward office or a carrier's NAT puts many people
#   behind one address, and their good sign-ins must never lock each other out.
# - A resident files several reports a day; an Open311 client is a whole system (its key).
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "phone-code-send:phone": (5, 3600),
    "phone-code-send:ip": (30, 3600),
    "phone-code-check:phone": (15, 3600),
    "phone-code-check:ip": (60, 3600),
    "password-sign-in:ip": (30, 900),
    "totp:user": (15, 900),
    # Wrong staff enrolment codes (accounts/enrolment.py), per account.
    "staff-enrol:user": (10, 3600),
    "report-submit:user": (30, 3600),
    "report-submit:ip": (200, 3600),
    "open311-submit:client": (1000, 3600),
    # Mails to the intake address per sender (intake/mail.py), and Zalo messages per Zalo user.
    "mail-intake:sender": (10, 3600),
    "zalo-message:user": (60, 3600),
    # Dossier look-up (code + last 4 phone digits): a resident checks a few times a day; per
    # address it stops walking codes (10,000 a minute is refused at the 61st), per code it
    # stops guessing one code's 10,000 digit endings from many addresses.
    "dossier-lookup:ip": (60, 600),
    "dossier-lookup:code": (20, 3600),
}

# The longest window anyone should configure; counters older than this are deleted.
MAX_WINDOW_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Limited:
    """A request over its limit: which one, and when the window ends."""

    name: str
    retry_after: int  # seconds, at least 1

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


@dataclass
class RateLimited(Exception):
    """Raised by services (accounts/phone.py) when a limit or a cooldown stops a request."""

    limited: Limited
    message: str = field(default="")

    def __post_init__(self) -> None:
        if not self.message:
            self.message = message(self.limited)
        super().__init__(self.message)


def limit_for(name: str) -> tuple[int, int]:
    """(hits, window_seconds) of a named limit: settings.RATE_LIMITS wins over the default."""
    configured = getattr(settings, "RATE_LIMITS", None) or {}
    limit, window = configured.get(name) or DEFAULT_LIMITS[name]
    return int(limit), min(int(window), MAX_WINDOW_SECONDS)


def _window_start(now: datetime, window_seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window_seconds, tz=UTC)


def _counter_key(key: str) -> str:
    # Keys hold a phone, an address or an id and fit; anything longer is hashed to fit the column.
    if len(key) <= 200:
        return key
    return key[:100] + "#" + hashlib.sha256(key.encode()).hexdigest()


def _prune(now: datetime) -> None:
    # Only when a new window starts (a new row): one indexed delete, usually of nothing.
    RateCounter.objects.filter(
        window_start__lt=now - timedelta(seconds=2 * MAX_WINDOW_SECONDS)
    ).delete()


def hit(
    *, key: str, limit: int, window_seconds: int, name: str = "", now: datetime | None = None
) -> Limited | None:
    """Count one hit of `key` in the current window; a Limited when it is over `limit`.

    One statement, atomic on SQLite and PostgreSQL: INSERT … ON CONFLICT DO UPDATE count =
    count + 1 RETURNING count. Two processes creating the window's row at once meet the
    unique constraint (rate_counter_unique); the second waits and then adds. Hits over the
    limit are counted too (cheap, and harmless: the window ends at the same time whatever the
    count)."""
    now = now or timezone.now()
    start = _window_start(now, window_seconds)
    key = _counter_key(key)
    count = counters.increment(
        RateCounter._meta.db_table,
        {"key": key, "window_start": connection.ops.adapt_datetimefield_value(start)},
        "count",
    )
    if count == 1:
        _prune(now)
    if count <= limit:
        return None
    retry_after = math.ceil((start + timedelta(seconds=window_seconds) - now).total_seconds())
    return Limited(name=name or key, retry_after=max(1, retry_after))


def over(name: str, subject: str | int | None, *, now: datetime | None = None) -> Limited | None:
    """Whether the named limit for `subject` is already used up, counting nothing.

    For limits that count failures only (sign-in): read before the attempt, `check` after a
    failed one. Two failures racing may pass the ceiling by one each; the next is stopped."""
    if subject is None or subject == "":
        return None
    limit, window = limit_for(name)
    now = now or timezone.now()
    start = _window_start(now, window)
    count = (
        RateCounter.objects.filter(key=_counter_key(f"{name}:{subject}"), window_start=start)
        .values_list("count", flat=True)
        .first()
    )
    if count is None or count < limit:
        return None
    retry_after = math.ceil((start + timedelta(seconds=window) - now).total_seconds())
    return Limited(name=name, retry_after=max(1, retry_after))


def check(name: str, subject: str | int | None) -> Limited | None:
    """Count a hit of the named limit for `subject` (a phone, an address, a user id). No
    subject (an unknown address) counts nothing."""
    if subject is None or subject == "":
        return None
    limit, window = limit_for(name)
    return hit(key=f"{name}:{subject}", limit=limit, window_seconds=window, name=name)


def check_all(*checks: tuple[str, str | int | None]) -> Limited | None:
    """Count every (name, subject) pair; the Limited that ends last, if any is over."""
    results = [r for r in (check(name, subject) for name, subject in checks) if r is not None]
    return max(results, key=lambda r: r.retry_after, default=None)


def submission_limited(request: HttpRequest, user_id: int) -> Limited | None:
    """Count one report sent by `user_id` from this request's address: the same limits for
    every page and API that sends a report."""
    return check_all(("report-submit:user", user_id), ("report-submit:ip", client_ip(request)))


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: behind TRUSTED_PROXY_COUNT proxies (nginx appends the address it
    saw to X-Forwarded-For), the entry that many hops from the right — the left part is
    whatever the client chose to send and is never trusted. Without proxies, REMOTE_ADDR.

    axes reads it too (AXES_CLIENT_IP_CALLABLE), so the lockout and these limits agree."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or None


def message(limited: Limited) -> str:
    """The "Too many … Try again in N minutes." message, in the user's language."""
    minutes = limited.minutes
    kind = limited.name.split(":", 1)[0]
    if kind == "phone-code-send":
        return ngettext(
            "Too many sign-in codes were requested. Try again in %(minutes)s minute.",
            "Too many sign-in codes were requested. Try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
    if kind in ("phone-code-check", "totp", "staff-enrol"):
        return ngettext(
            "Too many codes were tried. Try again in %(minutes)s minute.",
            "Too many codes were tried. Try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
    if kind == "password-sign-in":
        return ngettext(
            "Too many sign-in attempts from this network. Try again in %(minutes)s minute.",
            "Too many sign-in attempts from this network. Try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
    if kind in ("report-submit", "open311-submit", "mail-intake", "zalo-message"):
        return ngettext(
            "Too many reports were sent. Try again in %(minutes)s minute.",
            "Too many reports were sent. Try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
    return ngettext(
        "Too many requests. Try again in %(minutes)s minute.",
        "Too many requests. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def with_retry_after(response: HttpResponse, limited: Limited) -> HttpResponse:
    response["Retry-After"] = str(limited.retry_after)
    return response


def html_response(
    request: HttpRequest,
    limited: Limited,
    template: str,
    context: dict,
    *,
    message_name: str = "rate_limited_message",
) -> HttpResponse:
    """The page again, its template showing the message (context[message_name]), 429."""
    context = {**context, message_name: message(limited)}
    return with_retry_after(render(request, template, context, status=429), limited)


def json_response(limited: Limited, detail: str | None = None) -> HttpResponse:
    """The JSON API's error shape (api/schemas.py Error), 429."""
    body = {"code": "rate_limited", "detail": detail or message(limited)}
    return with_retry_after(JsonResponse(body, status=429), limited)
