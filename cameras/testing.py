"""A local camera server for tests and the bench: changing, frozen, black, truncated, slow,
huge and failing snapshots, an MJPEG stream, a redirect to another host, and an HLS folder."""

from __future__ import annotations

import io
import random
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image


def jpeg(colour=None, *, noise: bool = False, size=(160, 120)) -> bytes:
    if noise:
        image = Image.effect_noise(size, 80).convert("RGB")
        # A random bar, so that two noisy pictures differ in their structure too.
        x = random.randrange(size[0] - 20)
        image.paste((255, 255, 255), (x, 0, x + 20, size[1]))
    else:
        image = Image.new("RGB", size, colour or (0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _scene() -> bytes:
    """A fixed, detailed picture: what a frozen camera keeps sending."""
    image = Image.new("RGB", (160, 120), (90, 120, 150))
    for k in range(0, 160, 16):
        image.paste((200, 60 + k, 30), (k, 40, k + 8, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


FROZEN = _scene()


class _Server(ThreadingHTTPServer):
    # The default backlog (5) drops connections when many probes connect at once (the bench
    # opens hundreds): they would fail as if the camera were down.
    request_queue_size = 1024


class FeedServer:
    """Serves the feeds on 127.0.0.1 at a free port; `url(path)` names one."""

    def __init__(self, hls_dir: Path | None = None, slow_s: float = 3.0):
        server = self
        self.hls_dir = hls_dir
        self.slow_s = slow_s
        self.hits: dict[str, int] = {}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, body: bytes, content_type="image/jpeg", status=200, headers=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = self.path.split("?")[0]
                server.hits[path] = server.hits.get(path, 0) + 1
                now = formatdate(time.time(), usegmt=True)
                try:
                    if path == "/changing.jpg":
                        self._send(jpeg(noise=True), headers={"Last-Modified": now})
                    elif path == "/frozen.jpg":
                        self._send(FROZEN)
                    elif path == "/black.jpg":
                        self._send(jpeg((0, 0, 0)))
                    elif path == "/grey.jpg":
                        self._send(jpeg((128, 128, 128)))
                    elif path == "/truncated.jpg":
                        self._send(jpeg(noise=True)[:900])
                    elif path == "/old.jpg":
                        old = formatdate(time.time() - 3600, usegmt=True)
                        self._send(jpeg(noise=True), headers={"Last-Modified": old})
                    elif path == "/slow.jpg":
                        time.sleep(server.slow_s)
                        self._send(jpeg(noise=True))
                    elif path == "/huge.jpg":
                        self.send_response(200)
                        self.send_header("Content-Type", "image/jpeg")
                        self.end_headers()
                        chunk = b"\xff" * 65536
                        for _ in range(40):  # 2.6 MB, no length announced
                            self.wfile.write(chunk)
                    elif path == "/fail.jpg":
                        self._send(b"server error", "text/plain", 500)
                    elif path == "/not-an-image.jpg":
                        self._send(b"<html>login</html>", "text/html")
                    elif path == "/same-host-redirect.jpg":
                        self._send(b"", status=302, headers={"Location": "/changing.jpg"})
                    elif path == "/other-host-redirect.jpg":
                        self._send(
                            b"", status=302, headers={"Location": "http://example.org/a.jpg"}
                        )
                    elif path == "/mjpeg":
                        self.send_response(200)
                        self.send_header(
                            "Content-Type", "multipart/x-mixed-replace; boundary=frame"
                        )
                        self.end_headers()
                        for _ in range(3):
                            body = jpeg(noise=True)
                            self.wfile.write(
                                b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                + str(len(body)).encode()
                                + b"\r\n\r\n"
                                + body
                                + b"\r\n"
                            )
                            self.wfile.flush()
                            time.sleep(0.2)
                    elif path.startswith("/hls/") and server.hls_dir is not None:
                        name = path.removeprefix("/hls/")
                        file = (server.hls_dir / name).resolve()
                        if server.hls_dir.resolve() not in file.parents or not file.exists():
                            self._send(b"", "text/plain", 404)
                        else:
                            kind = (
                                "application/vnd.apple.mpegurl"
                                if name.endswith(".m3u8")
                                else "video/mp2t"
                            )
                            self._send(file.read_bytes(), kind)
                    else:
                        self._send(b"", "text/plain", 404)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
