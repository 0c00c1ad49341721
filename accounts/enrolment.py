"""Staff enrolment in two-step verification: a one-time code issued by an administrator.

Without it, whoever first signs in with a staff password (a leaked or guessed one, a
colleague who saw it typed) would be shown the TOTP secret and own the account's second
factor. So the set-up page shows the secret only to a session that presented a code it got
from outside the password: a link or code issued by an administrator (admin action, or
`manage.py issue_staff_enrolment USERNAME`) and handed over in person or by the staff
member's own channel. A code is kept only as a keyed hash, is used once, expires after
STAFF_ENROLMENT_HOURS, and belongs to one account; issuing a new one voids the earlier ones.

Until the authenticator is confirmed the password-only session reaches nothing but these
pages and sign-out (accounts.middleware.StaffSecondFactorGateMiddleware)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import ratelimit
from .access import needs_second_factor
from .models import StaffEnrolment, User

# The session remembers which enrolment code this session presented (its id, never the code).
SESSION_KEY = "staff_enrolment_id"
# No 0/O, 1/I/L: read aloud or copied from paper without mistakes. 16 of 31 symbols: 79 bits.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedEnrolment:
    """A freshly issued code: shown once (to the administrator), never stored in clear."""

    enrolment: StaffEnrolment
    code: str  # grouped: "ABCD-EFGH-JKMN-PQRS"

    @property
    def url(self) -> str:
        return settings.SITE_URL + reverse("accounts:otp_enrol_link", args=[self.code])


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _hash(code: str) -> str:
    # Keyed: a copy of the table alone cannot be turned back into usable codes.
    message = f"staff-enrolment:{_normalise(code)}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _may_issue(actor: User | None) -> bool:
    # None: the server's operator at the command line (manage.py), who already holds the keys.
    if actor is None:
        return True
    return bool(actor.is_active and (actor.is_superuser or actor.has_perm("accounts.change_user")))


def staff_enrolment_issue(
    *, actor: User | None, user: User, channel: str, hours: int | None = None
) -> IssuedEnrolment:
    """A new enrolment code for this staff member; their earlier unused codes stop working."""
    if not _may_issue(actor):
        raise PermissionDenied
    if not needs_second_factor(user):
        raise ValidationError(
            _("%(user)s is not a staff account: residents do not use an authenticator.")
            % {"user": user.username},
            code="not_staff",
        )
    if not user.is_active:
        raise ValidationError(_("%(user)s is disabled.") % {"user": user.username}, code="inactive")
    now = timezone.now()
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    code = "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))
    with transaction.atomic():
        StaffEnrolment.objects.filter(user=user, used_at__isnull=True).delete()
        enrolment = StaffEnrolment.objects.create(
            user=user,
            code_hash=_hash(code),
            issued_by=actor,
            channel=channel,
            created_at=now,
            expires_at=now + timedelta(hours=hours or settings.STAFF_ENROLMENT_HOURS),
        )
    logger.info(
        "staff enrolment code issued for user %s by %s (%s)",
        user.pk,
        actor.pk if actor else "operator",
        channel,
    )
    return IssuedEnrolment(enrolment=enrolment, code=code)


def _refused() -> ValidationError:
    # One message for a wrong, expired, used or someone else's code: it tells a guesser nothing.
    return ValidationError(
        _(
            "This enrolment code is not valid for your account: it may be mistyped, expired or "
            "already used. Ask your administrator for a new one."
        ),
        code="enrolment_refused",
    )


def staff_enrolment_redeem(*, request: HttpRequest, user: User, code: str) -> StaffEnrolment:
    """Use this staff member's enrolment code in this session: from now on (and in this
    session only) the set-up page shows the authenticator's secret. Raises ValidationError
    (any code that is not theirs, valid and unused) or ratelimit.RateLimited."""
    if not needs_second_factor(user):
        raise PermissionDenied
    limited = ratelimit.over("staff-enrol:user", user.pk)
    if limited is not None:
        raise ratelimit.RateLimited(limited)
    now = timezone.now()
    normalised = _normalise(code)
    enrolment = None
    if len(normalised) == CODE_LENGTH:
        enrolment = StaffEnrolment.objects.filter(code_hash=_hash(normalised)).first()
    # Compare-and-set: two sessions racing with one code cannot both use it.
    if (
        enrolment is None
        or enrolment.user_id != user.pk
        or enrolment.expires_at <= now
        or not StaffEnrolment.objects.filter(pk=enrolment.pk, used_at__isnull=True).update(
            used_at=now
        )
    ):
        ratelimit.check("staff-enrol:user", user.pk)
        raise _refused()
    request.session[SESSION_KEY] = enrolment.pk
    logger.info("staff enrolment code %s used by user %s", enrolment.pk, user.pk)
    return enrolment


def enrolment_presented(*, request: HttpRequest, user: User) -> bool:
    """Whether this session presented one of this user's enrolment codes (and has not yet
    finished setting up the authenticator with it)."""
    enrolment_id = request.session.get(SESSION_KEY)
    if not enrolment_id:
        return False
    return StaffEnrolment.objects.filter(pk=enrolment_id, user=user, used_at__isnull=False).exists()


def enrolment_finished(*, request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
