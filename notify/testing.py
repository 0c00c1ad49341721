"""Test helpers for delivery: a local push service that checks what a real one checks (the
VAPID JWT's ES256 signature, audience and expiry) and decrypts the aes128gcm message with the
subscriber's private key, as the browser would; and VAPID / subscriber key pairs.

Used by notify/tests and browser_tests/test_notify_settings.py; no network beyond 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_raw(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


@dataclass
class VapidKeys:
    """The server's key pair, as settings.VAPID_PRIVATE_KEY / VAPID_PUBLIC_KEY hold it."""

    private: str
    public: str

    @classmethod
    def generate(cls) -> VapidKeys:
        key = ec.generate_private_key(ec.SECP256R1())
        raw = key.private_numbers().private_value.to_bytes(32, "big")
        return cls(private=b64url(raw), public=b64url(_public_raw(key)))


@dataclass
class Subscriber:
    """A browser's side of a subscription: its ECDH key pair and auth secret."""

    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(_public_raw(self.key))

    @property
    def auth_b64(self) -> str:
        return b64url(self.auth)


@dataclass
class PushMessage:
    path: str
    claims: dict
    payload: dict
    ttl: str


class PushService:
    """A local Web Push service on 127.0.0.1. Each path is one subscription's endpoint:
    `endpoint(name)` makes one for a Subscriber. A request is answered 201 only if its VAPID
    token verifies against `vapid_public` (ES256), names this origin as audience and has not
    expired (and is valid 24 h at most, as RFC 8292 asks), and its body decrypts; else 400/401.
    `gone` holds paths to answer 410 (an unsubscribed browser); `fail` paths to answer 500."""

    def __init__(self, vapid_public: str) -> None:
        self.vapid_public = vapid_public
        self.subscribers: dict[str, Subscriber] = {}
        self.received: list[PushMessage] = []
        self.refused: list[str] = []
        self.gone: set[str] = set()
        self.fail: set[str] = set()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                # Header names are case-insensitive (pywebpush sends some in lower case).
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, reason = service._receive(self.path, headers, body)
                self.send_response(status)
                self.send_header("Content-Length", str(len(reason)))
                self.end_headers()
                self.wfile.write(reason.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PushService:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def endpoint(self, name: str, subscriber: Subscriber | None = None) -> tuple[str, Subscriber]:
        subscriber = subscriber or Subscriber()
        path = f"/push/{name}"
        self.subscribers[path] = subscriber
        return self.origin + path, subscriber

    def _verify(self, headers: dict) -> dict:
        auth = headers.get("authorization", "")
        scheme, _, params = auth.partition(" ")
        if scheme != "vapid":
            raise ValueError(f"not a VAPID authorization: {auth[:40]!r}")
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        if parts.get("k") != self.vapid_public:
            raise ValueError("the key in the header is not the server's VAPID public key")
        header_b64, claims_b64, signature_b64 = parts["t"].split(".")
        header = json.loads(unb64url(header_b64))
        if header.get("alg") != "ES256":
            raise ValueError(f"alg {header.get('alg')}")
        signature = unb64url(signature_b64)
        if len(signature) != 64:
            raise ValueError("an ES256 signature is 64 bytes (r || s)")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        public = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), unb64url(self.vapid_public)
        )
        try:
            public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature as exc:
            raise ValueError("bad VAPID signature") from exc
        claims = json.loads(unb64url(claims_b64))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.origin!r}")
        now = time.time()
        if not now < int(claims["exp"]) <= now + 24 * 3600:
            raise ValueError(f"exp {claims['exp']} out of range")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("sub must be a mailto: or https: contact")
        return claims

    def _receive(self, path: str, headers: dict, body: bytes) -> tuple[int, str]:
        try:
            claims = self._verify(headers)
        except (ValueError, KeyError) as exc:
            self.refused.append(str(exc))
            return 401, str(exc)
        if path in self.gone:
            return 410, "gone"
        if path in self.fail:
            return 500, "push service down"
        subscriber = self.subscribers.get(path)
        if subscriber is None:
            return 404, "no such subscription"
        if headers.get("content-encoding") != "aes128gcm":
            self.refused.append("not aes128gcm")
            return 400, "encoding"
        try:
            plain = http_ece.decrypt(
                body, private_key=subscriber.key, auth_secret=subscriber.auth, version="aes128gcm"
            )
        except Exception as exc:
            self.refused.append(f"decrypt: {exc}")
            return 400, "cannot decrypt"
        self.received.append(
            PushMessage(
                path=path, claims=claims, payload=json.loads(plain), ttl=headers.get("ttl", "")
            )
        )
        return 201, ""
