"""Sending an SMS: one small provider interface, chosen by settings.SMS_BACKEND.

- ``notify.sms.ConsoleBackend`` (development): the message goes to the log / console.
- ``notify.sms.LocmemBackend`` (tests): kept in ``notify.sms.outbox``, like Django's mail outbox.
- ``notify.sms.HttpBackend`` (production): POSTs JSON ``{"to", "text", "sender"}`` to
  ``SMS_HTTP_URL`` with ``Authorization: Bearer SMS_HTTP_TOKEN``; any non-2xx answer raises.

Vietnamese SMS gateways often bill Unicode (UCS-2) messages at 70 characters a part, so with
``SMS_GSM7`` on the text is sent without accents, cut to 160 characters (one GSM-7 part).
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

GSM7_LIMIT = 160


class SmsError(Exception):
    """The provider did not take the message (the caller retries or records the failure)."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


def unaccented(text: str) -> str:
    """Vietnamese without diacritics ("Đường hỏng" → "Duong hong"), as GSM-7 can carry it."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Anything left outside ASCII (emoji, curly quotes) would force UCS-2 again.
    return plain.encode("ascii", "ignore").decode("ascii")


def sms_text(text: str) -> str:
    """The text as it will be sent: unaccented and ≤ 160 characters when SMS_GSM7 is on."""
    text = " ".join(text.split())
    if not settings.SMS_GSM7:
        return text
    text = unaccented(text)
    if len(text) > GSM7_LIMIT:
        text = text[: GSM7_LIMIT - 3].rstrip() + "..."
    return text


class ConsoleBackend:
    def send(self, message: SmsMessage) -> None:
        logger.warning("SMS to %s: %s", message.to, message.text)


outbox: list[SmsMessage] = []


class LocmemBackend:
    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


class HttpBackend:
    def send(self, message: SmsMessage) -> None:
        url = settings.SMS_HTTP_URL
        if not url:
            raise SmsError("SMS_HTTP_URL is not set")
        headers = {}
        if settings.SMS_HTTP_TOKEN:
            headers["Authorization"] = f"Bearer {settings.SMS_HTTP_TOKEN}"
        payload = {"to": message.to, "text": message.text, "sender": settings.SMS_SENDER}
        try:
            response = httpx.post(url, json=payload, headers=headers, timeout=10)
        except httpx.HTTPError as exc:
            raise SmsError(f"SMS provider unreachable: {exc}") from exc
        if not response.is_success:
            raise SmsError(f"SMS provider answered {response.status_code}: {response.text[:200]}")


def send_sms(*, to: str, text: str) -> SmsMessage:
    """Send `text` to the phone `to` (E.164) through the configured backend; raises SmsError."""
    message = SmsMessage(to=to, text=sms_text(text))
    import_string(settings.SMS_BACKEND)().send(message)
    return message
