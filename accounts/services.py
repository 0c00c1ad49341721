"""The second factor of staff sign-in: setting up an authenticator app and checking its codes.

A staff member has at most one TOTP device. Wrong codes are throttled by django-otp on the
device itself (each failure doubles the wait before the next try), whoever sends them.

Also a resident's own personal data: what we hold (export) and closing the account (delete).
"""

from __future__ import annotations

import base64
import logging
import unicodedata
from dataclasses import dataclass

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ExternalIdentity, PhoneCode, User

DEVICE_NAME = "authenticator"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code: accepted, wrong, or refused unchecked while throttled."""

    ok: bool
    wait_seconds: int = 0


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The authenticator being set up: made on the first visit to the set-up page and kept
    (same secret) until confirmed, so a reload does not invalidate a scanned QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in (base32, in groups of four)."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def totp_qr_svg(device: TOTPDevice, *, title: str) -> str:
    """The otpauth:// address as an inline SVG QR code (no image request, no external service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title=title)


def _check(device: TOTPDevice, token: str) -> CodeCheck:
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        wait = 1
        if locked_until is not None:
            wait = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
        return CodeCheck(ok=False, wait_seconds=wait)
    # verify_token counts the failure (throttle) or resets it on success, and refuses a code
    # already used once (replay).
    return CodeCheck(ok=bool(device.verify_token(token)))


@transaction.atomic
def totp_device_confirm(*, request, user: User, token: str) -> CodeCheck:
    """Confirm the authenticator being set up with a code from it; the session is then
    verified. Any older device of this user is removed: one authenticator per person."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("id")
        .first()
    )
    if device is None:
        return CodeCheck(ok=False)
    result = _check(device, token)
    if result.ok:
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
    return result


@transaction.atomic
def second_factor_verify(*, request, user: User, token: str) -> CodeCheck:
    """Check a code from the staff member's confirmed authenticator; on success this session
    is verified (django-otp stores the device in the session)."""
    # select_for_update: two requests racing with the same code cannot both pass.
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("id")
        .first()
    )
    if device is None:
        return CodeCheck(ok=False)
    result = _check(device, token)
    if result.ok:
        otp_login(request, device)
    return result


# --- A resident's personal data (Decree 13/2023/NĐ-CP): see it, take it, erase it ------------

# The word a resident types to confirm deleting their account; either language is accepted
# (the page may have been switched to English half-way).
DELETE_CONFIRM_WORDS = ("XOÁ", "XÓA", "DELETE")


def _when(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def resident_data_export(*, actor: User) -> dict:
    """Everything we hold about the signed-in person, as plain JSON-ready data: their profile,
    their reports (with ratings), the reports they follow, their notifications and devices."""
    # Imported here: reports and notify import accounts.models at load time.
    from api.models import ApiToken
    from notify.models import Notification
    from reports.models import Rating, Report, ReportFollower

    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied
    reports = (
        Report.objects.filter(reporter=actor)
        .select_related("category", "ward")
        .order_by("created_at", "id")
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "username": actor.username,
            "full_name": actor.full_name,
            "phone": actor.phone,
            "email": actor.email,
            "home_ward": actor.home_ward.full_name if actor.home_ward else None,
            "date_joined": _when(actor.date_joined),
            "last_login": _when(actor.last_login),
        },
        "reports": [
            {
                "tracking_code": r.tracking_code,
                "title": r.title,
                "description": r.description,
                "address": r.address,
                "lat": r.lat,
                "lon": r.lon,
                "category": r.category.name,
                "ward": r.ward.full_name if r.ward else None,
                "status": r.status,
                "is_public": r.is_public,
                "created_at": _when(r.created_at),
                "resolved_at": _when(r.resolved_at),
            }
            for r in reports
        ],
        "ratings": [
            {
                "tracking_code": rating.report.tracking_code,
                "round": rating.round,
                "satisfied": rating.satisfied,
                "comment": rating.comment,
                "created_at": _when(rating.created_at),
            }
            for rating in Rating.objects.filter(report__reporter=actor)
            .select_related("report")
            .order_by("created_at", "id")
        ],
        "follows": [
            {"tracking_code": f.report.tracking_code, "created_at": _when(f.created_at)}
            for f in ReportFollower.objects.filter(user=actor)
            .select_related("report")
            .order_by("created_at", "id")
        ],
        "notifications": [
            {
                "tracking_code": n.report.tracking_code if n.report else None,
                "title": n.title,
                "body": n.body,
                "created_at": _when(n.created_at),
                "read_at": _when(n.read_at),
            }
            for n in Notification.objects.filter(user=actor)
            .select_related("report")
            .order_by("created_at", "id")
        ],
        "followed_wards": list(
            actor.ward_follows.order_by("ward__full_name").values_list("ward__full_name", flat=True)
        ),
        "devices": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _when(t.created_at),
                "last_used_at": _when(t.last_used_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=actor).order_by("created_at", "id")
        ],
    }


def resident_delete(*, actor: User, confirm: str) -> None:
    """Erase a resident's personal data and close the account for good.

    Their reports stay (the city still has to fix the pothole, and the public timeline stays
    whole), but nothing in them points to a person any more. The User row is anonymised in
    place rather than deleted: ReportEvent.actor is part of the hash-chained audit trail, and
    setting it to NULL would break every later link of the chain (verify_audit)."""
    from alerts.models import WardFollow
    from api.models import ApiToken
    from notify.models import ChannelPreference, Notification, PushSubscription, ReportMute
    from reports.media_services import resident_media_delete
    from reports.models import ReportFollower

    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied
    if actor.is_staff or actor.is_superuser or actor.memberships.exists():
        # Staff accounts are closed by their unit's administrator: their actions are records.
        raise PermissionDenied(_("Staff accounts cannot be deleted here."))
    # NFC: a phone keyboard may send "Ó" as O + a combining accent.
    if unicodedata.normalize("NFC", (confirm or "").strip().upper()) not in DELETE_CONFIRM_WORDS:
        raise ValidationError(
            _("Type %(word)s to confirm.") % {"word": _("DELETE")}, code="confirm_missing"
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        Notification.objects.filter(user=user).delete()
        ReportFollower.objects.filter(user=user).delete()
        WardFollow.objects.filter(user=user).delete()
        ReportMute.objects.filter(user=user).delete()
        PushSubscription.objects.filter(user=user).delete()
        ChannelPreference.objects.filter(user=user).delete()
        ExternalIdentity.objects.filter(user=user).delete()
        if user.phone:
            PhoneCode.objects.filter(phone=user.phone).delete()
        ApiToken.objects.filter(user=user).delete()
        # Their photos, videos and documents, with every stored file (after the commit).
        resident_media_delete(user=user)
        user.username = f"deleted-{user.pk}"
        user.full_name = ""
        user.first_name = ""
        user.last_name = ""
        user.phone = ""
        user.email = ""
        user.home_ward = None
        user.is_active = False
        # Also ends every other session: Django checks a hash of the password on each request.
        user.set_unusable_password()
        user.save()
    logger.info("resident account %s deleted at its owner's request", actor.pk)
