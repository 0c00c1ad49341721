"""Checking uploaded files: the type is decided from the content, never the name or header."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext as _
from PIL import Image

from .models import MediaKind

# Pixel caps, checked from the header before any pixel is decoded (issue 16: a 747 KB PNG of
# 16000 × 16000 cost 1.2 GB in the web process and 4.1 GB in the worker).
# - A baseline JPEG is what a phone camera writes; libjpeg decodes it at 1/2…1/8 scale
#   (Image.draft) in a few MB whatever its size, so it may have as many pixels as a 50 MP
#   camera makes.
# - PNG, WebP and progressive JPEG can only be decoded whole (≈ 3.7 B a pixel for PNG, ≈ 6 B
#   for a 4:4:4 progressive JPEG's coefficient buffer): capped at 12 MP (4000 × 3000, a phone's
#   default mode; a phone screenshot is 3–5 MP) so the worker stays under its 200 MB target
#   (bench/image_memory.py).
# - WebP: Pillow decodes through libwebp's animation decoder, ≈ 15 B a pixel: 6 MP (no phone
#   camera writes WebP; the residents' app sends its resized photos as JPEG).
MAX_PHOTO_PIXELS = 50_000_000
MAX_FULL_DECODE_PIXELS = 12_000_000
MAX_WEBP_PIXELS = 6_000_000
# Pillow's own guard, a second line for anything opened without our check: it warns above
# this and refuses at twice this, inside Image.open, before our check could name the size, so
# it stays well above our caps (the message a resident sees comes from too_many_pixels).
MAX_IMAGE_PIXELS = 16_384 * 16_384
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
# The web process decodes a baseline JPEG at 1/8 scale only to find truncated data.
_CHECK_DRAFT_PX = 64


def decodes_reduced(image: Image.Image) -> bool:
    """Whether libjpeg can decode this image at a reduced scale (a baseline JPEG); others
    (PNG, WebP, progressive JPEG) are decoded whole, so they get the lower cap."""
    return image.format == "JPEG" and not image.info.get("progressive")


def pixel_cap(image: Image.Image) -> int:
    """The most pixels accepted for an opened (header-only) image of this format."""
    if decodes_reduced(image):
        return MAX_PHOTO_PIXELS
    return MAX_WEBP_PIXELS if image.format == "WEBP" else MAX_FULL_DECODE_PIXELS


def too_many_pixels(name: str, width: int, height: int, cap: int) -> ValidationError:
    return ValidationError(
        _(
            "“%(name)s” has too many pixels (%(width)d × %(height)d); at most %(max)d megapixels "
            "are accepted for this kind of image."
        )
        % {"name": name, "width": width, "height": height, "max": cap // 1_000_000},
        code="file_bomb",
    )


_IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True)
class InspectedFile:
    kind: str
    content_type: str
    extension: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None


def _sniff(head: bytes) -> tuple[str, str, str] | None:
    if head.startswith(b"%PDF-"):
        return MediaKind.DOCUMENT, "application/pdf", "pdf"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in {b"heic", b"heix", b"mif1", b"msf1", b"avif"}:
            return None  # HEIC/AVIF stills: the residents' app converts these to JPEG first
        if brand == b"qt  ":
            return MediaKind.VIDEO, "video/quicktime", "mov"
        return MediaKind.VIDEO, "video/mp4", "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return MediaKind.VIDEO, "video/webm", "webm"
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return MediaKind.PHOTO, "", ""
    return None


def _limit(kind: str) -> int:
    return {
        MediaKind.PHOTO: settings.MAX_PHOTO_BYTES,
        MediaKind.VIDEO: settings.MAX_VIDEO_BYTES,
        MediaKind.DOCUMENT: settings.MAX_DOCUMENT_BYTES,
    }[kind]


def inspect_upload(upload: File, allowed: frozenset[str] | set[str]) -> InspectedFile:
    """Validate one upload; raise ValidationError naming the file and the problem."""
    name = upload.name or _("file")
    upload.seek(0)
    head = upload.read(32)
    sniffed = _sniff(head)
    if sniffed is None:
        raise ValidationError(
            _("“%(name)s” is not a photo (JPEG, PNG, WebP), a video (MP4, WebM) or a PDF document.")
            % {"name": name},
            code="file_type",
        )
    kind, content_type, extension = sniffed
    if kind not in allowed:
        raise ValidationError(
            _("“%(name)s”: this kind of file (%(kind)s) is not accepted here.")
            % {"name": name, "kind": MediaKind(kind).label},
            code="file_kind",
        )
    size = upload.size or 0
    if size > _limit(kind):
        raise ValidationError(
            _("“%(name)s” is too large (%(size).1f MB; at most %(max).0f MB).")
            % {"name": name, "size": size / 1e6, "max": _limit(kind) / 1e6},
            code="file_size",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    width = height = None
    if kind == MediaKind.PHOTO:
        upload.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                # Image.open reads the header only: the size is known before any decoding.
                with Image.open(upload) as image:
                    width, height = image.size
                    fmt = image.format
                    cap = pixel_cap(image)
                    reduced = decodes_reduced(image)
                    if width * height > cap:
                        raise too_many_pixels(name, width, height, cap)
                    image.verify()  # PNG: every chunk's CRC, up to IEND (finds a cut file)
                if reduced:
                    # verify() checks nothing in a JPEG's data: decode it, at 1/8 scale (a few
                    # MB for 50 MP), which still reads every byte and finds truncated data.
                    upload.seek(0)
                    with Image.open(upload) as image:
                        image.draft("RGB", (_CHECK_DRAFT_PX, _CHECK_DRAFT_PX))
                        image.load()
                # PNG, WebP and progressive JPEG are not decoded here (that costs their full
                # size in the web process); the worker decodes them and records a failure.
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(
                _("“%(name)s” has too many pixels to be a photo.") % {"name": name},
                code="file_bomb",
            ) from None
        except Exception:
            raise ValidationError(
                _("“%(name)s” is damaged or not a real image.") % {"name": name},
                code="file_corrupt",
            ) from None
        if fmt not in _IMAGE_FORMATS:
            raise ValidationError(
                _(
                    "“%(name)s” is not a photo (JPEG, PNG, WebP), a video (MP4, WebM) or a PDF document."
                )
                % {"name": name},
                code="file_type",
            )
        content_type, extension = _IMAGE_FORMATS[fmt]
    duration = None
    if kind == MediaKind.VIDEO:
        width, height, duration = _probe_video(upload, name)
    upload.seek(0)
    return InspectedFile(
        kind, content_type, extension, size, digest.hexdigest(), width, height, duration
    )


# ffprobe reads a 50 MB file's headers in well under a second; a file that keeps it busy
# longer than this is hostile or broken.
FFPROBE_TIMEOUT_S = 20


def ffprobe(path: str) -> dict:
    """ffprobe's description of a media file (streams and format), or ValueError."""
    binary = shutil.which("ffprobe")
    if binary is None:
        raise RuntimeError("ffprobe is not installed (Debian package ffmpeg)")
    try:
        done = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [
                binary,
                "-v",
                "error",
                "-show_entries",
                "format=duration,format_name:stream=codec_type,width,height,duration",
                "-of",
                "json",
                path,
            ],
            capture_output=True,
            timeout=FFPROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ValueError("ffprobe timed out") from None
    if done.returncode != 0:
        raise ValueError(done.stderr.decode(errors="replace")[-500:])
    return json.loads(done.stdout or b"{}")


def probe_duration(probe: dict) -> float | None:
    for value in [probe.get("format", {}).get("duration")] + [
        s.get("duration") for s in probe.get("streams", [])
    ]:
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


def _probe_video(upload: File, name: str) -> tuple[int | None, int | None, float]:
    """Decoded by ffprobe, not trusted from the header: a real video stream of at most
    MAX_VIDEO_SECONDS, checked now so that a refused video stores nothing."""
    damaged = ValidationError(
        _("“%(name)s” is damaged or not a real video.") % {"name": name}, code="file_corrupt"
    )
    try:
        if hasattr(upload, "temporary_file_path"):
            probe = ffprobe(upload.temporary_file_path())
        else:
            # In-memory uploads: ffprobe needs a seekable file (an MP4's index may be at the end).
            with tempfile.NamedTemporaryFile(suffix=".upload") as tmp:
                upload.seek(0)
                for chunk in upload.chunks():
                    tmp.write(chunk)
                tmp.flush()
                probe = ffprobe(tmp.name)
    except (ValueError, json.JSONDecodeError):
        raise damaged from None
    video = next((s for s in probe.get("streams", []) if s.get("codec_type") == "video"), None)
    duration = probe_duration(probe)
    if video is None or duration is None:
        raise damaged
    # Half a second of slack: a phone's "60 s" clip often measures 60.03 s.
    if duration > settings.MAX_VIDEO_SECONDS + 0.5:
        raise ValidationError(
            _("“%(name)s” is too long (%(seconds)d s; at most %(max)d s).")
            % {"name": name, "seconds": round(duration), "max": settings.MAX_VIDEO_SECONDS},
            code="video_too_long",
        )
    return video.get("width"), video.get("height"), duration
