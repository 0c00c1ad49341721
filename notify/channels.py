"""Sending one Delivery through its channel: e-mail (Django's mail API), SMS (notify.sms) and
Web Push (pywebpush, VAPID). Each function raises on failure; services.delivery_send records
the error and schedules the retry."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Channel, PushSubscription
from .sms import GSM7_LIMIT, send_sms, unaccented

if TYPE_CHECKING:
    from .models import Delivery, Notification

PUSH_TIMEOUT = 10
# The push service keeps an undelivered message this long (a phone offline for the night).
PUSH_TTL = 24 * 3600


def link_for(notification: Notification) -> str:
    """The absolute link a message leads to: its own url, else the report's page, else the
    person's notifications."""
    if notification.url:
        path = notification.url
    elif notification.report is not None:
        path = reverse("citizen:report_detail", args=[notification.report.tracking_code])
    else:
        path = reverse("citizen:notifications")
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


def send(delivery: Delivery) -> None:
    from .services import PermanentDeliveryError

    notification = delivery.notification
    user = notification.user
    # Background work has no request: texts are in the site's language (Vietnamese).
    with translation.override(settings.LANGUAGE_CODE):
        if delivery.channel == Channel.EMAIL:
            if not user.email:
                raise PermanentDeliveryError("the person has no e-mail address any more")
            send_email(notification, to=user.email)
        elif delivery.channel == Channel.SMS:
            if not user.phone:
                raise PermanentDeliveryError("the person has no phone number any more")
            send_sms(to=user.phone, text=sms_for(notification))
        elif delivery.channel == Channel.PUSH:
            send_push(notification)
        elif delivery.channel == Channel.ZALO:
            send_zalo(notification)
        else:  # pragma: no cover - the choices allow nothing else
            raise PermanentDeliveryError(f"unknown channel {delivery.channel}")


def send_email(notification: Notification, *, to: str) -> None:
    context = {
        "notification": notification,
        "link": link_for(notification),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=render_to_string("notify/email.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string("notify/email.html", context), "text/html")
    message.send(fail_silently=False)


def sms_for(notification: Notification) -> str:
    """Title and link in one GSM-7 part: the title is cut, never the link."""
    link = link_for(notification)
    text = unaccented(" ".join(notification.title.split()))
    if settings.SMS_GSM7:
        room = GSM7_LIMIT - len(link) - 1
        if len(text) > room:
            text = text[: max(room - 3, 0)].rstrip() + "..."
    return f"{text} {link}"


def send_zalo(notification: Notification) -> None:
    from intake.models import ZaloContact
    from intake.zalo import notice_text, oa_send_text

    from .services import PermanentDeliveryError

    contact = ZaloContact.objects.filter(user_id=notification.user_id).first()
    if contact is None:
        raise PermanentDeliveryError("the person no longer has a Zalo contact")
    oa_send_text(zalo_user_id=contact.zalo_user_id, text=notice_text(notification))


class PushGone(Exception):
    """The push service no longer knows this subscription (404/410)."""


def send_push(notification: Notification) -> None:
    """Send to every browser the person subscribed; a subscription the push service no longer
    knows (404/410) is deleted. Fails if no browser took the message."""
    from pywebpush import WebPushException, webpush

    from .services import PermanentDeliveryError

    payload = json.dumps(
        {
            "title": notification.title,
            "body": notification.body[:300] or _("Open Digital Citizen to see more."),
            "url": link_for(notification),
        },
        ensure_ascii=False,
    )
    subscriptions = list(PushSubscription.objects.filter(user_id=notification.user_id))
    delivered = 0
    errors: list[str] = []
    for sub in subscriptions:
        try:
            webpush(
                subscription_info={
                    "endpoint": sub.endpoint,
                    "keys": {"p256dh": sub.p256dh, "auth": sub.auth},
                },
                data=payload,
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=PUSH_TTL,
                timeout=PUSH_TIMEOUT,
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                sub.delete()
                continue
            errors.append(f"{sub.endpoint[:80]}: {status or exc}")
        else:
            delivered += 1
    if delivered:
        return
    if errors:
        raise RuntimeError("; ".join(errors))
    raise PermanentDeliveryError("the person has no push subscription any more")
