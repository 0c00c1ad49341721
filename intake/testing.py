"""Test helpers for the Zalo channel: a local server that speaks the OA API's JSON (records the
messages sent to it, serves photos as Zalo's media host would) and signed webhook events.

Used by intake/tests and bench/zalo_webhook.py; nothing leaves 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .zalo import signature_for

APP_ID = "360846524940903967"
SECRET = "zalo-test-secret-key"  # noqa: S105 - tests and benchmarks only
TOKEN = "zalo-test-access-token"  # noqa: S105


@dataclass
class ZaloServer:
    """The OA message API (POST /v3.0/oa/message/cs) and a media host (GET /media/<name>)."""

    messages: list[dict] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    # Answers to give, first to last, before going back to success: e.g. [500, "token"].
    failures: list = field(default_factory=list)
    base: str = ""

    def texts_to(self, user_id: str) -> list[str]:
        return [m["message"]["text"] for m in self.messages if m["recipient"]["user_id"] == user_id]

    def start(self) -> ZaloServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, status: int, data: dict) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                name = self.path.removeprefix("/media/")
                content = owner.media.get(name)
                if content is None:
                    self._json(404, {"error": 404})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/v3.0/oa/message/cs":
                    self._json(404, {"error": -201, "message": "unknown endpoint"})
                    return
                if owner.failures:
                    failure = owner.failures.pop(0)
                    if failure == "token":
                        self._json(200, {"error": -216, "message": "Access token is invalid"})
                    else:
                        self._json(int(failure), {"error": -1, "message": "server error"})
                    return
                if self.headers.get("access_token") != TOKEN:
                    self._json(200, {"error": -216, "message": "Access token is invalid"})
                    return
                owner.messages.append(payload)
                self._json(
                    200,
                    {
                        "error": 0,
                        "message": "Success",
                        "data": {
                            "message_id": f"m{len(owner.messages)}",
                            "user_id": payload["recipient"]["user_id"],
                        },
                    },
                )

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


_counter = 0


def event(
    name: str,
    *,
    user: str = "2468",
    text: str = "",
    attachments=None,
    msg_id: str | None = None,
    timestamp_ms: int | None = None,
) -> dict:
    global _counter
    _counter += 1
    message: dict = {"msg_id": msg_id or f"msg-{time.time_ns()}-{_counter}"}
    if text:
        message["text"] = text
    if attachments is not None:
        message["attachments"] = attachments
    return {
        "app_id": APP_ID,
        "sender": {"id": user},
        "user_id_by_app": "5521" + user,
        "recipient": {"id": "388613280878808645"},
        "event_name": name,
        "message": message,
        "timestamp": str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)),
    }


def signed(payload: dict) -> tuple[bytes, str]:
    """The body and the X-ZEvent-Signature header Zalo would send."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    return body, "mac=" + signature_for(body, payload["timestamp"])
