"""The SMTP side of the e-mail channel: an aiosmtpd handler that accepts mail for the intake
address only and hands each mail to intake.mail.mail_receive."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections


def _receive(raw: bytes, mail_from: str) -> str:
    from .mail import mail_receive

    # A long-running server: a connection the database dropped overnight is replaced.
    close_old_connections()
    try:
        return mail_receive(raw=raw, mail_from=mail_from).smtp
    finally:
        close_old_connections()


class IntakeHandler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() != settings.MAIL_INTAKE_ADDRESS.lower():
            return "550 5.1.1 " + "Không có hộp thư này / no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        return await sync_to_async(_receive, thread_sensitive=True)(raw, envelope.mail_from or "")


def controller(host: str, port: int):
    from aiosmtpd.controller import Controller

    return Controller(
        IntakeHandler(),
        hostname=host,
        port=port,
        # A mail bomb is cut off in the SMTP dialogue (552), before it reaches memory whole.
        data_size_limit=settings.MAIL_INTAKE_MAX_BYTES,
        decode_data=False,
    )
