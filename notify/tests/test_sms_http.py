"""The SMS provider's HTTP adapter against a real local HTTP server standing in for the gateway."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notify.sms import SmsError, send_sms


class Gateway:
    def __init__(self) -> None:
        self.received: list[tuple[dict, str]] = []
        self.status = 200


@pytest.fixture
def gateway(settings):
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((json.loads(body), self.headers.get("Authorization", "")))
            self.send_response(state.status)
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if state.status == 200 else b"quota exceeded")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "notify.sms.HttpBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_HTTP_TOKEN = "gateway-secret"
    settings.SMS_SENDER = "CONGDANSO"
    settings.SMS_GSM7 = True
    yield state
    server.shutdown()
    server.server_close()


def test_the_gateway_gets_unaccented_text_with_our_token(gateway):
    send_sms(to="+84912345678", text="Phản ánh PA-2026-000123 đã được xử lý: đường đã sạch.")
    assert gateway.received == [
        (
            {
                "to": "+84912345678",
                "text": "Phan anh PA-2026-000123 da duoc xu ly: duong da sach.",
                "sender": "CONGDANSO",
            },
            "Bearer gateway-secret",
        )
    ]


def test_a_long_text_is_cut_to_one_part(gateway):
    send_sms(to="+84912345678", text="Ô nhiễm " * 40)
    text = gateway.received[0][0]["text"]
    assert len(text) == 160 and text.endswith("...") and text.startswith("O nhiem O nhiem")


def test_a_refusal_by_the_gateway_is_an_error_the_caller_sees(gateway):
    gateway.status = 500
    with pytest.raises(SmsError, match="500: quota exceeded"):
        send_sms(to="+84912345678", text="Mã: 123456")


def test_an_unreachable_gateway_is_an_error(settings, gateway):
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/send"  # discard port: nothing listens
    with pytest.raises(SmsError, match="unreachable"):
        send_sms(to="+84912345678", text="Mã: 123456")
