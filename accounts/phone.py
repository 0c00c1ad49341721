"""Residents' sign-in with a phone number and a one-time code sent by SMS.

1. ``phone_code_request``: the phone (any usual Vietnamese spelling) → E.164; a new 6-digit code,
   kept only as a keyed hash, valid 5 minutes, sent by SMS. A new code replaces the earlier
   ones: only the latest code of a phone is ever checked.
2. ``phone_code_verify``: the latest unused, unexpired code; 5 wrong tries kill it; the right
   one is used once; then the resident with that phone signs in (an account is made the first
   time). Staff never sign in this way: their accounts need a password and a TOTP code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notify.sms import SmsError, send_sms

from . import ratelimit
from .access import needs_second_factor
from .models import PhoneCode, User

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=5)
RESEND_COOLDOWN = timedelta(seconds=60)
MAX_WRONG_ATTEMPTS = 5
# Residents signed in by phone are checked by ModelBackend's rules (is_active) only: the
# password lockout backend (axes) has nothing to count here, the limits above do that job.
BACKEND = "django.contrib.auth.backends.ModelBackend"
# What a person may type around the digits: "+84 (0)912-345.678".
_PHONE_CHARACTERS = re.compile(r"^[0-9+()\-.\s]+$")
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


@dataclass(frozen=True)
class CodeSent:
    phone: str  # E.164
    expires_at: datetime


def parse_phone(raw: str) -> str:
    """A Vietnamese mobile number in E.164 (+84912345678), from 0912345678, +84 912 345 678 or
    84912345678; a ValidationError in the user's language otherwise."""
    raw = (raw or "").strip()
    if not raw:
        raise ValidationError(_("Enter your mobile phone number."), code="phone_required")
    if len(raw) > 30 or not _PHONE_CHARACTERS.match(raw):
        raise ValidationError(
            _("A phone number has only digits, e.g. 0912 345 678."), code="phone_invalid"
        )
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This is not a valid phone number. Check it, e.g. 0912 345 678."),
            code="phone_invalid",
        )
    if number.country_code != 84 or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        # An SMS reaches only a mobile; codes go to Vietnamese numbers only (cost, and abuse).
        raise ValidationError(
            _("Enter a Vietnamese mobile number: codes are sent by SMS."), code="phone_not_mobile"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(phone: str) -> str:
    """+84912345678 → 0912 345 678, as Vietnamese write it."""
    try:
        number = phonenumbers.parse(phone, "VN")
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _code_hash(phone: str, code: str) -> str:
    # Keyed with SECRET_KEY: a leaked table of hashes cannot be reversed by trying the million
    # codes without the key. The phone is part of the message: a hash fits only its own phone.
    message = f"phone-code:{phone}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() + 0.999))


SIGN_IN = "sign_in"
# A resident's consent to a report a helper files for them (intake/services.py).
CONSENT = "consent"


def phone_code_request(
    *, phone_raw: str, ip: str | None, purpose: str = SIGN_IN, text: str = ""
) -> CodeSent:
    """Send a new code to the phone (a sign-in code unless `purpose` says otherwise; `text`,
    with %(code)s, replaces the sign-in SMS). Raises ValidationError (bad number, SMS failed)
    or ratelimit.RateLimited (a code was just sent; too many codes)."""
    phone = parse_phone(phone_raw)
    now = timezone.now()
    latest = PhoneCode.objects.filter(phone=phone, purpose=purpose).order_by("-created_at").first()
    if latest is not None and now - latest.created_at < RESEND_COOLDOWN:
        wait = _seconds(latest.created_at + RESEND_COOLDOWN - now)
        raise ratelimit.RateLimited(
            ratelimit.Limited(name="phone-code-send:cooldown", retry_after=wait),
            ngettext(
                "A code was just sent. Wait %(seconds)s second before asking for another.",
                "A code was just sent. Wait %(seconds)s seconds before asking for another.",
                wait,
            )
            % {"seconds": wait},
        )
    limited = ratelimit.check_all(("phone-code-send:phone", phone), ("phone-code-send:ip", ip))
    if limited is not None:
        raise ratelimit.RateLimited(limited)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    record = PhoneCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=_code_hash(phone, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
        ip=ip,
    )
    text = (
        text
        or _("Digital Citizen sign-in code: %(code)s. Valid for 5 minutes. Do not share this code.")
    ) % {"code": code}
    try:
        send_sms(to=phone, text=text)
    except SmsError:
        # Nobody received it: it must not stay usable, nor hold back a new try by the cooldown.
        record.delete()
        raise ValidationError(
            _("The SMS could not be sent. Try again in a moment."), code="sms_failed"
        ) from None
    return CodeSent(phone=phone, expires_at=record.expires_at)


class _Outcome:
    OK = "ok"
    NONE = "none"
    DEAD = "dead"
    WRONG = "wrong"


def phone_code_use(*, phone: str, code: str, ip: str | None, purpose: str = SIGN_IN) -> None:
    """Check the code sent to `phone` (E.164) and use it up: the proof that whoever types it
    holds that phone now. Sign-in and linking a phone to an account both start here.

    Raises ValidationError (no valid code, wrong code) or ratelimit.RateLimited."""
    code = "".join((code or "").split())
    if len(code) != CODE_DIGITS or not code.isdigit():
        raise ValidationError(
            _("Enter the 6 digits of the code we sent by SMS."), code="code_format"
        )
    # Failures only are counted (below): residents behind one carrier address who type their
    # right code must not use up each other's allowance.
    checks = (("phone-code-check:phone", phone), ("phone-code-check:ip", ip))
    over = [r for r in (ratelimit.over(name, subject) for name, subject in checks) if r]
    if over:
        raise ratelimit.RateLimited(max(over, key=lambda r: r.retry_after))
    now = timezone.now()
    left = 0
    with transaction.atomic():
        # Locked: two requests racing with the same code cannot both use it (on SQLite the
        # compare-and-set update below decides the same race).
        latest = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        newest = (
            PhoneCode.objects.filter(phone=phone, purpose=purpose).order_by("-created_at").first()
        )
        if latest is None or newest is None or latest.pk != newest.pk or latest.expires_at <= now:
            outcome = _Outcome.NONE
        elif latest.attempts >= MAX_WRONG_ATTEMPTS:
            outcome = _Outcome.DEAD
        elif not hmac.compare_digest(latest.code_hash, _code_hash(phone, code)):
            PhoneCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
            left = MAX_WRONG_ATTEMPTS - latest.attempts - 1
            outcome = _Outcome.WRONG if left > 0 else _Outcome.DEAD
        elif PhoneCode.objects.filter(pk=latest.pk, used_at__isnull=True).update(used_at=now):
            outcome = _Outcome.OK
        else:
            outcome = _Outcome.NONE
    if outcome == _Outcome.OK:
        return
    # Raised after the block, so that a wrong try's count is committed, not rolled back.
    ratelimit.check_all(*checks)
    if outcome == _Outcome.NONE:
        raise ValidationError(
            _("This code has expired or was already used. Ask for a new code."),
            code="code_expired",
        )
    if outcome == _Outcome.DEAD:
        raise ValidationError(
            _("Too many wrong codes: this code can no longer be used. Ask for a new code."),
            code="code_dead",
        )
    raise ValidationError(
        ngettext(
            "This code is not right. %(left)s try left.",
            "This code is not right. %(left)s tries left.",
            left,
        )
        % {"left": left},
        code="code_wrong",
    )


def staff_phone_error() -> ValidationError:
    return ValidationError(
        _(
            "This phone number belongs to a staff account. Staff sign in with their user "
            "name, password and authenticator code."
        ),
        code="staff_phone",
    )


def disabled_account_error() -> ValidationError:
    return ValidationError(
        _("This account has been disabled. Contact the city's support line."),
        code="account_disabled",
    )


def phone_code_verify(*, request: HttpRequest, phone: str, code: str, ip: str | None) -> User:
    """Check the code sent to `phone` (E.164) and sign its resident in on `request`.

    Raises ValidationError (no valid code, wrong code, staff phone) or ratelimit.RateLimited."""
    phone_code_use(phone=phone, code=code, ip=ip)
    with transaction.atomic():
        user = resident_for_phone(phone)
    if user is None:
        raise staff_phone_error()
    if not user.is_active:
        raise disabled_account_error()
    login(request, user, backend=BACKEND)
    return user


def resident_for_phone(phone: str) -> User | None:
    """The resident with this phone (the first account, if several), made the first time;
    None when the phone belongs to a staff member."""
    users = list(User.objects.filter(phone=phone).order_by("pk"))
    if any(needs_second_factor(u) for u in users):
        return None
    if users:
        return users[0]
    user = User(username=_free_username(phone), phone=phone)
    # No password: this account signs in by phone (or VNeID) only.
    user.set_unusable_password()
    user.save()
    return user


def _free_username(phone: str) -> str:
    base = "sdt" + phone.lstrip("+")
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name
