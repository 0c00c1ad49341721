"""Probing camera feeds: fetch a picture with bounded time, bytes and hosts, and say what it
shows. No database here: `services.cameras_probe` feeds it the cameras and applies the answers.

Safety: only hosts in CAMERAS_ALLOWED_HOSTS are fetched; a host that resolves to a private,
loopback or link-local address is refused unless CAMERAS_ALLOW_PRIVATE=1 (the tests' local
server), checked on the address actually connected to; a redirect is followed only to the same host; no more than CAMERAS_MAX_BYTES are read
per request.
"""

from __future__ import annotations

import asyncio
import io
import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from PIL import Image, ImageStat

# A picture this dark (mean grey level out of 255), or this uniform (its spread), shows nothing.
DARK_MEAN = 16.0
UNIFORM_STDDEV = 3.0
# Two pictures whose 64-bit difference hashes differ in at most this many bits are the same
# picture (JPEG noise aside).
SAME_PICTURE_BITS = 3


class Refused(Exception):
    """A feed the prober will not fetch (host not allowed, private address, other host)."""


@dataclass(frozen=True)
class Policy:
    allowed_hosts: frozenset[str]
    allow_private: bool = False
    max_bytes: int = 5_000_000
    timeout_s: float = 5.0
    ffmpeg: str = "ffmpeg"


@dataclass
class Probe:
    """What one probe found: a decoded picture (its hash, whether it is dark), how old the
    source says it is, an HLS media sequence; or the error."""

    code: str
    ok: bool = False
    picture: bytes = b""
    picture_hash: str = ""
    dark: bool = False
    modified_at: float | None = None  # epoch seconds, from Last-Modified
    media_sequence: int | None = None
    error: str = ""
    elapsed_s: float = 0.0
    extra: dict = field(default_factory=dict)


def host_allowed(url: str, policy: Policy) -> str:
    """The host of `url` if the prober may fetch it by name; Refused otherwise. The address is
    checked when connecting (`_CheckedBackend`), on the very address connected to."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise Refused(f"not an http(s) URL: {url[:100]}")
    if host not in policy.allowed_hosts:
        raise Refused(f"host not allowed: {host}")
    return host


def _refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


async def checked_address(host: str, port: int, policy: Policy) -> str:
    """The address to connect to for `host`: every address the name resolves to must be public
    (unless the policy allows private ones); Refused otherwise."""
    if policy.allow_private:
        return host
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise Refused(f"host does not resolve: {host}") from exc
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        if _refused_address(address):
            raise Refused(f"private address refused: {host} → {address}")
    if not addresses:
        raise Refused(f"host does not resolve: {host}")
    return str(addresses[0])


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """Resolves and checks the host itself, then connects to that very address: a name that
    answers a public address to the check and a private one to the connection (DNS
    rebinding) never gets a connection. TLS still verifies the certificate for the name."""

    def __init__(self, policy: Policy):
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        address = await checked_address(host, port, self._policy)
        return await self._inner.connect_tcp(
            address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise Refused("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def client_for(policy: Policy, *, concurrency: int) -> httpx.AsyncClient:
    """The prober's client: no redirects followed by httpx (`_get` checks each hop), no proxy
    from the environment, and every connection through `_CheckedBackend`."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    # httpx has no parameter for the network backend; the pool is rebuilt with the same
    # settings and ours (the guard test in test_probe.py fails if this stops taking effect).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=transport._pool._ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_CheckedBackend(policy),
    )
    return httpx.AsyncClient(
        timeout=httpx.Timeout(policy.timeout_s),
        transport=transport,
        follow_redirects=False,
        trust_env=False,
    )


async def _get(client: httpx.AsyncClient, url: str, policy: Policy, *, first_jpeg: bool = False):
    """(response, body) with at most max_bytes read, following redirects on the same host
    only. `first_jpeg`: an MJPEG stream, read until its first whole JPEG."""
    host = host_allowed(url, policy)
    for _hop in range(4):
        async with client.stream("GET", url) as response:
            if response.is_redirect:
                target = urljoin(url, response.headers.get("location", ""))
                if (urlsplit(target).hostname or "").lower() != host:
                    raise Refused("redirect to another host")
                host_allowed(target, policy)
                url = target
                continue
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if first_jpeg:
                    start = body.find(b"\xff\xd8")
                    end = body.find(b"\xff\xd9", start + 2) if start >= 0 else -1
                    if end >= 0:
                        return response, bytes(body[start : end + 2])
                if len(body) > policy.max_bytes:
                    raise Refused(f"more than {policy.max_bytes} bytes")
            return response, bytes(body)
    raise Refused("too many redirects")


def picture_facts(data: bytes) -> tuple[str, bool]:
    """(difference hash as hex, dark or uniform) of a picture; ValueError if it is not one."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # a truncated JPEG fails here
            grey = image.convert("L")
    except Exception as exc:
        raise ValueError("not a decodable picture") from exc
    stat = ImageStat.Stat(grey)
    dark = stat.mean[0] < DARK_MEAN or stat.stddev[0] < UNIFORM_STDDEV
    small = grey.resize((9, 8), Image.Resampling.BILINEAR)
    pixels = list(small.tobytes())  # mode "L": one byte a pixel
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return f"{bits:016x}", dark


def same_picture(a: str, b: str) -> bool:
    if not a or not b:
        return False
    return bin(int(a, 16) ^ int(b, 16)).count("1") <= SAME_PICTURE_BITS


_SEQUENCE = re.compile(r"^#EXT-X-MEDIA-SEQUENCE:(\d+)", re.M)


async def _hls_picture(client, url: str, policy: Policy, probe: Probe) -> bytes:
    response, body = await _get(client, url, policy)
    response.raise_for_status()
    text = body.decode("utf-8", "replace")
    if "#EXT-X-STREAM-INF" in text:  # a master playlist: its first variant
        variant = next(line for line in text.splitlines() if line and not line.startswith("#"))
        url = urljoin(url, variant.strip())
        response, body = await _get(client, url, policy)
        response.raise_for_status()
        text = body.decode("utf-8", "replace")
    if not text.startswith("#EXTM3U"):
        raise ValueError("not an HLS playlist")
    match = _SEQUENCE.search(text)
    probe.media_sequence = int(match.group(1)) if match else 0
    segments = [line.strip() for line in text.splitlines() if line and not line.startswith("#")]
    if not segments:
        raise ValueError("HLS playlist without segments")
    response, segment = await _get(client, urljoin(url, segments[-1]), policy)
    response.raise_for_status()
    process = await asyncio.create_subprocess_exec(
        policy.ffmpeg,
        "-v",
        "error",
        "-i",
        "pipe:0",
        "-frames:v",
        "1",
        "-f",
        "image2",
        "-c:v",
        "mjpeg",
        "pipe:1",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _err = await asyncio.wait_for(process.communicate(segment), policy.timeout_s)
    if process.returncode != 0 or not out:
        raise ValueError("no picture in the HLS segment")
    return out


async def probe_feed(
    client: httpx.AsyncClient, code: str, kind: str, url: str, policy: Policy
) -> Probe:
    probe = Probe(code=code)
    started = time.monotonic()
    try:
        async with asyncio.timeout(policy.timeout_s * 3):
            if kind == "hls":
                picture = await _hls_picture(client, url, policy, probe)
            else:
                response, picture = await _get(client, url, policy, first_jpeg=kind == "mjpeg")
                if response.status_code >= 400:
                    raise ValueError(f"HTTP {response.status_code}")
                modified = response.headers.get("last-modified")
                if modified:
                    try:
                        probe.modified_at = parsedate_to_datetime(modified).timestamp()
                    except (TypeError, ValueError):
                        pass
        probe.picture_hash, probe.dark = picture_facts(picture)
        probe.picture = picture
        probe.ok = True
    except TimeoutError:
        probe.error = "no answer in time"
    except (httpx.HTTPError, ValueError, Refused, OSError) as exc:
        probe.error = str(exc)[:300] or type(exc).__name__
    probe.elapsed_s = time.monotonic() - started
    return probe


async def probe_all(
    feeds: list[tuple[str, str, str]], policy: Policy, *, concurrency: int
) -> list[Probe]:
    """Probe (code, kind, url) feeds, at most `concurrency` at once."""
    limit = asyncio.Semaphore(concurrency)
    async with client_for(policy, concurrency=concurrency) as client:

        async def one(code: str, kind: str, url: str) -> Probe:
            async with limit:
                return await probe_feed(client, code, kind, url, policy)

        return list(await asyncio.gather(*(one(*f) for f in feeds)))
