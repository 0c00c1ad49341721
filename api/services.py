"""Access tokens for mobile clients: issue, revoke, and the check on every request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from reports import clock

from .models import ApiToken

TOKEN_PREFIX = "cds_"  # noqa: S105 - a label that makes leaked tokens easy to spot, not a secret
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365
# A person has a handful of devices; more live tokens than this is a script gone wrong.
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most once a minute per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The tokens `user` issued and has not revoked, newest first (expired ones included, so
    the owner sees why a device was signed out)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def token_issue(*, actor: User, name: str, days: int = DEFAULT_TOKEN_DAYS) -> tuple[ApiToken, str]:
    """A new token for `actor`'s device; the plain token is returned once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError(
            _("Name the device in at most 100 characters."), code="bad_token_name"
        )
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(
            _("A token is valid for 1 to %(n)d days.") % {"n": MAX_TOKEN_DAYS},
            code="bad_token_days",
        )
    now = clock.now()
    with transaction.atomic():
        # Locks the person's row so two requests at once cannot both pass the limit.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        if tokens_of(actor).filter(expires_at__gt=now).count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                _("You have too many active tokens: revoke one you no longer use."),
                code="too_many_tokens",
            )
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            token_hash=_hash(raw),
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    return token, raw


def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of `actor`'s tokens; another person's token is "not found", like a missing one."""
    with transaction.atomic():
        token = tokens_of(actor).select_for_update().filter(pk=token_id).first()
        if token is None:
            raise Http404
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_user(raw: str) -> User | None:
    """The active user a presented token belongs to, or None (unknown, revoked, expired)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    now = clock.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
