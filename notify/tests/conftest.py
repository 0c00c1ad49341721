from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from notify.testing import PushService, VapidKeys


class _Inbox:
    """Messages the local SMTP server accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.rcpt_tos = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1, and Django's SMTP backend pointed at it."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "https://congdanso.example.vn"
    try:
        yield inbox.messages
    finally:
        controller.stop()


@pytest.fixture
def vapid(settings) -> VapidKeys:
    keys = VapidKeys.generate()
    settings.VAPID_PRIVATE_KEY = keys.private
    settings.VAPID_PUBLIC_KEY = keys.public
    settings.VAPID_SUBJECT = "mailto:admin@congdanso.example.vn"
    return keys


@pytest.fixture
def push_service(vapid):
    with PushService(vapid.public) as service:
        yield service
