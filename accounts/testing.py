"""Test helpers: a staff member signed in with `client.force_login` is also verified (as if
they had entered a TOTP code), so tests about staff pages need not go through the code page.
Tests of the second factor itself sign in through the real pages instead."""

from __future__ import annotations

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import needs_second_factor
from .middleware import DEVICE_CHECKED_SESSION_KEY
from .models import User


def verify_session(client, user: User) -> TOTPDevice | None:
    """Give a staff member a confirmed authenticator (if they have none) and mark the client's
    session as verified with it. Residents are left as they are."""
    if not needs_second_factor(user):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[DEVICE_CHECKED_SESSION_KEY] = time.time()
    session.save()
    return device


def verified_login(client, user: User) -> None:
    """`client.force_login(user)`, then verified as above (the root conftest does this for
    every force_login)."""
    client.force_login(user)
    verify_session(client, user)
