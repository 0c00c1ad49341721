"""Reports through the city's Zalo Official Account.

1. ``event_receive`` (the webhook, in the web process): the event is verified as Zalo signs it
   (X-ZEvent-Signature: mac = SHA-256 of app_id + raw body + timestamp + OA secret key), stored
   once per message id, and queued. Nothing else happens in the request.
2. ``event_handle`` (a worker): one step of the resident's conversation. A short exchange in
   Vietnamese collects what is wrong (the classifier proposes the category), photos, the place
   (a shared location or an address), asks to confirm, and files the report through
   reports.services.report_submit like every other channel; the reply carries the tracking code.
3. Replies and later notices go out through the OA message API (``oa_send_text``): replies as
   ``ZaloReply`` rows, notices as notify Deliveries on the "zalo" channel, both retried.

A Zalo user's reports belong to a resident account made at their first message; writing
"lien ket 09xx…" sends the usual one-time code to that phone, and the code joins the Zalo
account into the phone's account (accounts.linking).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import linking, ratelimit
from accounts import phone as phone_codes
from accounts.models import User
from notify.services import MAX_ATTEMPTS, retry_delay
from reports import clock
from reports.models import Report, ReportChannel
from reports.search import fold
from reports.workflow import Status
from routing.models import OTHER_CATEGORY, Category

from .models import ZaloContact, ZaloEvent, ZaloReply

log = logging.getLogger(__name__)

HANDLED_EVENTS = frozenset({"user_send_text", "user_send_image", "user_send_location"})
MAX_BODY_BYTES = 64 * 1024
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 10 * 1024 * 1024
SEND_TIMEOUT = 10
REPLY_MAX_ATTEMPTS = MAX_ATTEMPTS
YES = frozenset({"co", "c", "ok", "gui", "dong y", "yes", "dung", "u", "uh"})
CANCEL = frozenset({"huy", "huy bo", "thoi", "cancel"})


class BadSignature(Exception):
    """The event is not Zalo's (or not this OA's, or too old to be anything but a replay)."""


class BadEvent(Exception):
    """The body is not an event we can read."""


class ZaloSendError(Exception):
    """The OA message API refused or could not be reached."""


def signature_for(body: bytes, timestamp: str) -> str:
    raw = (
        settings.ZALO_APP_ID.encode()
        + body
        + timestamp.encode()
        + settings.ZALO_OA_SECRET_KEY.encode()
    )
    return hashlib.sha256(raw).hexdigest()


def _verified(body: bytes, signature: str) -> dict:
    if len(body) > MAX_BODY_BYTES:
        raise BadEvent("the event is too large")
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BadEvent("the body is not JSON") from None
    if not isinstance(event, dict):
        raise BadEvent("the body is not a JSON object")
    if not settings.ZALO_OA_SECRET_KEY:
        raise BadSignature("the webhook is not configured (ZALO_OA_SECRET_KEY)")
    mac = signature.strip()
    if not mac.startswith("mac="):
        raise BadSignature("missing X-ZEvent-Signature")
    timestamp = str(event.get("timestamp", ""))
    if not hmac.compare_digest(mac[4:].lower(), signature_for(body, timestamp)):
        raise BadSignature("the signature does not match")
    if str(event.get("app_id", "")) != settings.ZALO_APP_ID:
        raise BadSignature("the event is for another app")
    try:
        sent_ms = int(timestamp)
    except ValueError:
        raise BadSignature("the event has no valid timestamp") from None
    age = time.time() - sent_ms / 1000
    # A retry comes within minutes; a signed event replayed later is refused, as one from the
    # future (a clock off by more than five minutes is not Zalo's).
    if age > settings.ZALO_EVENT_MAX_AGE_SECONDS or age < -300:
        raise BadSignature("the event is too old (a replay) or from the future")
    return event


def event_receive(*, body: bytes, signature: str) -> str:
    """Verify and store one webhook event, and queue its handling; returns "queued",
    "duplicate" or "ignored". Raises BadSignature (→ 401) or BadEvent (→ 400), storing
    nothing."""
    event = _verified(body, signature)
    name = str(event.get("event_name", ""))
    if name not in HANDLED_EVENTS:
        return "ignored"
    message = event.get("message")
    sender = event.get("sender")
    if not isinstance(message, dict) or not isinstance(sender, dict):
        raise BadEvent("the event has no message or sender")
    msg_id, user_id = str(message.get("msg_id", "")), str(sender.get("id", ""))
    if not msg_id or not user_id or len(msg_id) > 100 or len(user_id) > 64:
        raise BadEvent("the event has no message id or sender")
    try:
        with transaction.atomic():
            stored = ZaloEvent.objects.create(
                msg_id=msg_id,
                event_name=name,
                zalo_user_id=user_id,
                payload=event,
                received_at=clock.now(),
            )
            transaction.on_commit(lambda: _enqueue_event(stored.pk))
    except IntegrityError:
        # Zalo retries an event it thinks we missed; a replay within the window is the same.
        return "duplicate"
    return "queued"


def _enqueue_event(event_id: int) -> None:
    from .tasks import handle_zalo_event

    handle_zalo_event.enqueue(event_id)


# --- the conversation ------------------------------------------------------------------------


@dataclass
class Step:
    replies: list[str]


def _contact_for(user_id: str) -> ZaloContact:
    contact = ZaloContact.objects.select_related("user").filter(zalo_user_id=user_id).first()
    if contact is not None:
        return contact
    now = clock.now()
    with transaction.atomic():
        user = User(username=f"zalo-{user_id}"[:150])
        user.set_unusable_password()
        user.save()
        return ZaloContact.objects.create(
            zalo_user_id=user_id, user=user, created_at=now, updated_at=now
        )


def event_handle(*, event_id: int) -> list[str]:
    """Handle one stored event once (compare-and-set claim); returns the replies queued."""
    now = clock.now()
    if not ZaloEvent.objects.filter(pk=event_id, handled_at__isnull=True).update(handled_at=now):
        return []
    event = ZaloEvent.objects.get(pk=event_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            replies = _converse(event)
        except Exception as exc:  # a bug must not leave the resident without an answer
            log.exception("zalo event %s failed", event.msg_id)
            ZaloEvent.objects.filter(pk=event_id).update(error=f"{type(exc).__name__}: {exc}")
            replies = [_("Sorry, something went wrong on our side. Please send that again.")]
    replies_queue(zalo_user_id=event.zalo_user_id, texts=replies)
    return replies


def _attachments(event: ZaloEvent, kind: str) -> list[dict]:
    message = event.payload.get("message") or {}
    items = message.get("attachments") or []
    return [
        a.get("payload") or {}
        for a in items
        if isinstance(a, dict) and a.get("type") == kind and isinstance(a.get("payload"), dict)
    ]


def _converse(event: ZaloEvent) -> list[str]:
    limited = ratelimit.check("zalo-message:user", event.zalo_user_id)
    if limited is not None:
        return [ratelimit.message(limited)]
    contact = _contact_for(event.zalo_user_id)
    if not contact.user.is_active:
        return [str(phone_codes.disabled_account_error().messages[0])]
    message = event.payload.get("message") or {}
    text = " ".join(str(message.get("text") or "").split())[:4000]
    draft = dict(contact.draft or {})
    replies: list[str]
    if event.event_name == "user_send_image":
        replies = _on_photos(contact, draft, _attachments(event, "image"))
    elif event.event_name == "user_send_location":
        replies = _on_location(contact, draft, _attachments(event, "location"))
    else:
        replies = _on_text(contact, draft, text, event)
    contact.updated_at = clock.now()
    contact.save()
    return replies


def _menu() -> str:
    return _(
        "Hello! Describe the problem in a few words (for example: a broken street light in "
        "lane 12 Hàng Bài), then send a photo and share your location. Other commands: "
        "“lien ket 09xxxxxxxx” links your phone's account; “huy” cancels."
    )


def _ask_place() -> str:
    return _("Now send a photo of it (if you can) and share your location, or type the address.")


def _summary(draft: dict) -> str:
    category = Category.objects.filter(code=draft.get("category", "")).first()
    others = [
        f"{n}. {c.name}"
        for n, c in enumerate(
            Category.objects.filter(code__in=draft.get("suggestions", [])[1:]), start=2
        )
    ]
    place = draft.get("address") or _("your shared location")
    lines = [
        _("Please check your report:"),
        _("Problem: %(text)s") % {"text": draft.get("text", "")[:300]},
        _("Category: %(name)s") % {"name": category.name if category else "?"},
        _("Place: %(place)s") % {"place": place},
        _("Photos: %(n)s") % {"n": len(draft.get("photos", []))},
    ]
    if others:
        lines.append(
            _("Another category? Reply with its number: %(list)s") % {"list": "; ".join(others)}
        )
    lines.append(_("Reply “CÓ” to send it, or “HUỶ” to cancel."))
    return "\n".join(lines)


def _after_change(contact: ZaloContact, draft: dict) -> list[str]:
    """What to ask next, from what the draft holds."""
    contact.draft = draft
    if not draft.get("text"):
        contact.state = "idle"
        return [_("Thank you. Now describe the problem in a few words.")]
    if draft.get("lat") is None and not draft.get("address"):
        contact.state = "place"
        return [_ask_place()]
    contact.state = "confirm"
    return [_summary(draft)]


def _on_photos(contact: ZaloContact, draft: dict, payloads: list[dict]) -> list[str]:
    photos = list(draft.get("photos", []))
    for p in payloads:
        url = str(p.get("url") or "")
        if url and len(photos) < MAX_PHOTOS:
            photos.append(url)
    draft["photos"] = photos
    if not payloads:
        return [_("That message had no photo. Send the photo again.")]
    if contact.state == "confirm":
        contact.draft = draft
        return [_("Photo received."), _summary(draft)]
    return _after_change(contact, draft)


def _on_location(contact: ZaloContact, draft: dict, payloads: list[dict]) -> list[str]:
    from reports.services import parse_point
    from units.lookup import OutsideCity, locate

    coordinates = (payloads[0].get("coordinates") if payloads else None) or {}
    try:
        lat, lon = parse_point(coordinates.get("latitude"), coordinates.get("longitude"))
        locate(lat, lon)
    except ValidationError as exc:
        return [" ".join(exc.messages)]
    except OutsideCity as exc:
        return [str(exc)]
    draft.update(lat=lat, lon=lon, address="")
    return _after_change(contact, draft)


def _on_text(contact: ZaloContact, draft: dict, text: str, event: ZaloEvent) -> list[str]:
    folded = fold(text).strip(" .!")
    if not folded:
        return [_menu()]
    if folded in CANCEL:
        contact.state, contact.draft, contact.pending_phone = "idle", {}, ""
        return [_("Cancelled. Write to us again whenever you need.")]
    if folded.startswith(("lien ket", "lienket")):
        return _link_start(contact, text.split(None, 2)[-1] if len(text.split()) > 2 else "")
    if contact.state == "link_code":
        return _link_finish(contact, folded)
    if folded in {"hl", "khl"} or folded.startswith(("hl ", "khl ")):
        return _rate(contact, satisfied=folded.split()[0] == "hl", comment=text[3:].strip())
    if contact.state == "confirm":
        if folded in YES:
            return _file(contact, draft, event)
        if folded.isdigit():
            codes = draft.get("suggestions", [])
            n = int(folded)
            if 1 <= n <= len(codes):
                draft["category"] = codes[n - 1]
                contact.draft = draft
                return [_summary(draft)]
        return [_("Reply “CÓ” to send the report, a number to change the category, or “HUỶ”.")]
    if contact.state == "place":
        draft["address"] = text[:300]
        draft["lat"] = draft["lon"] = None
        return _after_change(contact, draft)
    return _describe(contact, draft, text)


def _describe(contact: ZaloContact, draft: dict, text: str) -> list[str]:
    from classify import services as classify

    if len(text) < 5:
        return [_menu()]
    codes = [s.category.code for s in classify.suggest(text)]
    if not codes:
        # Nothing recognised: "Khác"/Other, which the coordinators re-route.
        if not Category.objects.filter(code=OTHER_CATEGORY, is_active=True).exists():
            return [_menu()]
        codes = [OTHER_CATEGORY]
    draft.update(text=text, suggestions=codes, category=codes[0])
    replies = _after_change(contact, draft)
    if contact.state == "place":
        name = Category.objects.get(code=codes[0]).name
        replies = [_("Thank you. Category: %(name)s.") % {"name": name}, *replies]
    return replies


def _allowed_media_url(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http"):
        return False
    return any(host == h or host.endswith("." + h) for h in settings.ZALO_MEDIA_HOSTS)


def _fetch_photo(url: str, n: int) -> SimpleUploadedFile:
    if not _allowed_media_url(url):
        raise ValidationError(_("A photo did not come from Zalo and was not used."))
    try:
        with httpx.stream("GET", url, timeout=SEND_TIMEOUT, follow_redirects=False) as response:
            if response.status_code != 200:
                raise ValidationError(
                    _("A photo could not be downloaded from Zalo. Send it again.")
                )
            content = b""
            for chunk in response.iter_bytes():
                content += chunk
                if len(content) > MAX_PHOTO_BYTES:
                    raise ValidationError(_("A photo is larger than 10 MB."))
    except httpx.HTTPError:
        raise ValidationError(
            _("A photo could not be downloaded from Zalo. Send it again.")
        ) from None
    return SimpleUploadedFile(f"zalo-{n}.jpg", content)


def _file(contact: ZaloContact, draft: dict, event: ZaloEvent) -> list[str]:
    from reports.services import report_submit

    category = Category.objects.filter(code=draft.get("category", ""), is_active=True).first()
    if category is None:
        contact.state, contact.draft = "idle", {}
        return [_("That category is no longer in use. Describe the problem again.")]
    text = draft.get("text", "")
    try:
        files = [_fetch_photo(url, n) for n, url in enumerate(draft.get("photos", []), start=1)]
        title = text.splitlines()[0][:80] if text else category.name
        report = report_submit(
            reporter=contact.user,
            category=category,
            lat=draft.get("lat"),
            lon=draft.get("lon"),
            title=title,
            description=text,
            address=draft.get("address", ""),
            files=files,
            channel=ReportChannel.ZALO,
            # The confirming message: Zalo's retry of it never files twice.
            idempotency_key=f"zalo-{event.msg_id}"[:80],
        )
    except ValidationError as exc:
        return [" ".join(exc.messages), _("Fix it and reply “CÓ” again, or “HUỶ” to cancel.")]
    contact.state, contact.draft = "idle", {}
    link = settings.SITE_URL + reverse("citizen:report_detail", args=[report.tracking_code])
    return [
        _(
            "Sent. Tracking code: %(code)s. We will tell you here at every step. Follow it at "
            "%(link)s"
        )
        % {"code": report.tracking_code, "link": link}
    ]


def _link_start(contact: ZaloContact, raw_phone: str) -> list[str]:
    try:
        sent = phone_codes.phone_code_request(phone_raw=raw_phone, ip=None)
    except ratelimit.RateLimited as exc:
        return [exc.message]
    except ValidationError as exc:
        return [" ".join(exc.messages)]
    contact.state, contact.pending_phone = "link_code", sent.phone
    return [
        _("We sent a 6-digit code by SMS to %(phone)s. Reply with the code.")
        % {"phone": phone_codes.display_phone(sent.phone)}
    ]


def _link_finish(contact: ZaloContact, code: str) -> list[str]:
    phone = contact.pending_phone
    try:
        phone_codes.phone_code_use(phone=phone, code=code, ip=None)
        account = linking.link_phone(actor=contact.user, phone=phone)
    except ratelimit.RateLimited as exc:
        return [exc.message]
    except ValidationError as exc:
        if exc.code in ("code_expired", "code_dead", "staff_phone", "account_disabled"):
            contact.state, contact.pending_phone = "idle", ""
        return [" ".join(exc.messages)]
    if account.pk != contact.user_id:
        # One Zalo account per resident account: a phone linked from a second Zalo account
        # (a new phone) moves the link; the old Zalo account starts afresh if it writes again.
        ZaloContact.objects.filter(user=account).exclude(pk=contact.pk).delete()
    contact.user = account
    contact.state, contact.pending_phone = "idle", ""
    return [
        _("Linked: your reports from Zalo now belong to the account of %(phone)s.")
        % {"phone": phone_codes.display_phone(phone)}
    ]


def _rate(contact: ZaloContact, *, satisfied: bool, comment: str) -> list[str]:
    from reports.services import report_rate

    report = (
        Report.objects.filter(reporter=contact.user, status=Status.RESOLVED)
        .order_by("-resolved_at")
        .first()
    )
    if report is None:
        return [_("None of your reports is waiting for a rating.")]
    try:
        report_rate(actor=contact.user, report=report, satisfied=satisfied, comment=comment[:1000])
    except ValidationError as exc:
        return [" ".join(exc.messages)]
    if satisfied:
        return [_("Thank you: %(code)s is closed.") % {"code": report.tracking_code}]
    return [
        _("Thank you: %(code)s goes back to the unit to be handled again.")
        % {"code": report.tracking_code}
    ]


# --- sending ---------------------------------------------------------------------------------


def oa_send_text(*, zalo_user_id: str, text: str) -> None:
    """One text message to a Zalo user who wrote to the OA (the customer-service message API).
    Raises ZaloSendError."""
    if not settings.ZALO_OA_ACCESS_TOKEN:
        raise ZaloSendError("ZALO_OA_ACCESS_TOKEN is not set")
    try:
        response = httpx.post(
            f"{settings.ZALO_API_BASE}/v3.0/oa/message/cs",
            headers={"access_token": settings.ZALO_OA_ACCESS_TOKEN},
            json={"recipient": {"user_id": zalo_user_id}, "message": {"text": text[:2000]}},
            timeout=SEND_TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise ZaloSendError(f"Zalo unreachable: {exc}") from exc
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 200 or answer.get("error") != 0:
        raise ZaloSendError(
            f"Zalo answered {response.status_code}: {str(answer or response.text)[:200]}"
        )


def replies_queue(*, zalo_user_id: str, texts: list[str]) -> list[int]:
    now = clock.now()
    ids = [
        ZaloReply.objects.create(zalo_user_id=zalo_user_id, text=t, created_at=now).pk
        for t in texts
    ]
    # In order: a conversation read out of order is confusing, so one task sends them all.
    transaction.on_commit(lambda: _enqueue_replies(ids))
    return ids


def _enqueue_replies(ids: list[int]) -> None:
    from .tasks import send_zalo_replies

    send_zalo_replies.enqueue(ids)


def reply_send(*, reply_id: int) -> str | None:
    """Send one reply if due and unclaimed (compare-and-set), recording a failure's retry."""
    now = clock.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = ZaloReply.objects.filter(
        due, pk=reply_id, status__in=[ZaloReply.Status.PENDING, ZaloReply.Status.FAILED]
    ).update(
        status=ZaloReply.Status.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + timedelta(minutes=10),
    )
    if not claimed:
        return None
    reply = ZaloReply.objects.get(pk=reply_id)
    try:
        oa_send_text(zalo_user_id=reply.zalo_user_id, text=reply.text)
    except ZaloSendError as exc:
        gave_up = reply.attempts >= REPLY_MAX_ATTEMPTS
        ZaloReply.objects.filter(pk=reply_id).update(
            status=ZaloReply.Status.GAVE_UP if gave_up else ZaloReply.Status.FAILED,
            next_attempt_at=None if gave_up else now + retry_delay(reply.attempts),
            last_error=str(exc)[:2000],
        )
    else:
        ZaloReply.objects.filter(pk=reply_id).update(
            status=ZaloReply.Status.SENT, sent_at=clock.now(), next_attempt_at=None, last_error=""
        )
    return ZaloReply.objects.values_list("status", flat=True).get(pk=reply_id)


def sweep() -> int:
    """The periodic job: events whose task was lost, replies due for a retry (or whose worker
    died mid-send). Returns how many were queued."""
    now = clock.now()
    ZaloReply.objects.filter(status=ZaloReply.Status.SENDING, next_attempt_at__lte=now).update(
        status=ZaloReply.Status.FAILED
    )
    replies = list(
        ZaloReply.objects.filter(
            Q(status=ZaloReply.Status.FAILED, next_attempt_at__lte=now)
            | Q(status=ZaloReply.Status.PENDING, created_at__lte=now - timedelta(minutes=2))
        ).values_list("pk", flat=True)[:500]
    )
    for pk in replies:
        reply_send(reply_id=pk)
    events = list(
        ZaloEvent.objects.filter(
            handled_at__isnull=True, received_at__lte=now - timedelta(minutes=2)
        ).values_list("pk", flat=True)[:500]
    )
    for pk in events:
        event_handle(event_id=pk)
    return len(replies) + len(events)


def notice_text(notification) -> str:
    """A notice as a Zalo message: the title, the link, and for a resolved report how to rate
    it right here."""
    from notify.channels import link_for
    from reports.workflow import Action

    text = f"{notification.title}\n{link_for(notification)}"
    if notification.kind == Action.RESOLVE:
        text += "\n" + _(
            "Reply “HL” if you are satisfied, or “KHL” and what is still wrong if you are not."
        )
    return text
