"""Public copies of attachments, made in the background (reports.tasks.process_media).

Photos: EXIF orientation applied, then every byte of metadata (GPS, device, time) dropped, in
two sizes. Videos: a poster frame and a copy with the metadata and extra tracks (GPS tracks
on some phones) dropped. The original stays untouched in the private store for provenance.

Processing twice writes the same files under the same names (no duplicates); a failure is
recorded on the row (`processing_error`) and logged, never swallowed.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from django.core.files.storage import Storage
from PIL import Image, ImageOps

from . import clock

# Importing reports.media also sets Pillow's decompression-bomb limit for what we open here.
from .media import ffprobe, pixel_cap, probe_duration
from .models import Media, MediaKind
from .storage import derived_name, local_file, write_public_copy

logger = logging.getLogger(__name__)

THUMBNAIL_PX = 320
DISPLAY_PX = 1280
JPEG_QUALITY = 82
# A poster frame from ~1 s in (the first frame is often black or blurred by the tap).
POSTER_AT_S = 1.0
# Stream copy of a 50 MB video takes a second or two; anything near this is stuck.
FFMPEG_TIMEOUT_S = 120


def media_process(*, media_id: int) -> Media | None:
    """Make the public copies of one attachment; returns the row (None if it is gone)."""
    media = Media.objects.filter(pk=media_id).first()
    if media is None:
        logger.warning("media %s is gone; nothing to process", media_id)
        return None
    try:
        if media.kind == MediaKind.PHOTO:
            changes = _process_photo(media)
        elif media.kind == MediaKind.VIDEO:
            changes = _process_video(media)
        else:
            changes = _process_document(media)
    except Exception as exc:
        logger.exception("processing media %s failed", media_id)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        Media.objects.filter(pk=media.pk).update(processing_error=error, processed_at=None)
        media.refresh_from_db()
        return media
    changes |= {"processed_at": clock.now(), "processing_error": ""}
    # update(), not save(): the task must not overwrite fields changed meanwhile.
    if not Media.objects.filter(pk=media.pk).update(**changes):
        # Deleted while we worked (reports.media_services.media_delete): the copies just
        # written belong to nobody, and would otherwise stay public until the sweep.
        for field in ("thumbnail", "display", "poster", "public_video"):
            if changes.get(field):
                getattr(media, field).storage.delete(changes[field])
        logger.info("media %s was deleted during processing; its copies are removed", media_id)
        return None
    media.refresh_from_db()
    return media


# --- photos ----------------------------------------------------------------------------------


def _clean_jpeg(image: Image.Image, box: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((box, box), Image.Resampling.LANCZOS)
    # A new image holds pixels only: no EXIF, XMP, ICC or comments can ride along.
    clean = Image.new("RGB", copy.size)
    clean.paste(copy)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in {"RGBA", "LA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _decode_reduced(image: Image.Image) -> Image.Image:
    """The pixels at no more than about twice the display size, decoded with the least memory:
    a baseline JPEG at a reduced scale by libjpeg (draft), anything else whole (it passed the
    lower pixel cap for that) and shrunk by an integer factor at once, before any copy."""
    width, height = image.size
    cap = pixel_cap(image)
    if width * height > cap:
        # A file stored before the cap (or by another path): refused here too, not decoded.
        raise ValueError(f"{width} x {height} pixels is over the cap of {cap}")
    image.draft("RGB", (DISPLAY_PX, DISPLAY_PX))
    image.load()
    # The largest integer factor that keeps the long side at DISPLAY_PX or more: the copies
    # below (orientation, RGB, two sizes) are then made from a few MB, not the full image.
    factor = max(image.size) // DISPLAY_PX
    if factor >= 2:
        smaller = image.reduce(factor)
        image.close()  # frees the full-size pixels before the copies below
        return smaller
    return image


def photo_copies(fh: IO[bytes]) -> tuple[bytes, bytes]:
    """The display-size and thumbnail JPEGs of a photo file, metadata-free (bench/image_memory.py
    measures this on the largest accepted image)."""
    with Image.open(fh) as image:
        # reduce() keeps image.info (the EXIF orientation), so the photo is still turned upright.
        upright = ImageOps.exif_transpose(_decode_reduced(image))
        pixels = _rgb(upright)
    return _clean_jpeg(pixels, DISPLAY_PX), _clean_jpeg(pixels, THUMBNAIL_PX)


def clean_pdf(fh: IO[bytes]) -> bytes:
    """A PDF without what names its author or machine: the document information dictionary
    (Author, Creator, Producer, Title, dates …), the XMP metadata streams of the document and
    of each page, and any embedded files. What the pages show is kept as it is."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    reader = PdfReader(fh)
    if reader.is_encrypted:
        raise ValueError("an encrypted PDF cannot be cleaned")
    writer = PdfWriter()
    for page in reader.pages:
        added = writer.add_page(page)
        for key in ("/Metadata", "/PieceInfo"):
            if NameObject(key) in added:
                del added[NameObject(key)]
    root = writer._root_object
    for key in ("/Metadata", "/PieceInfo", "/Names", "/OpenAction", "/AA"):
        if NameObject(key) in root:
            del root[NameObject(key)]
    writer.metadata = None  # no /Info dictionary at all
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _process_document(media: Media) -> dict:
    # The copy served to those who may see the report; the original stays private.
    with media.file.open("rb") as fh:
        cleaned = clean_pdf(fh)
    return {"display": _install(media, "display", "pdf", cleaned)}


def _process_photo(media: Media) -> dict:
    with media.file.open("rb") as fh:
        display, thumbnail = photo_copies(fh)
    return {
        "display": _install(media, "display", "jpg", display),
        "thumbnail": _install(media, "thumbnail", "jpg", thumbnail),
    }


# --- videos ----------------------------------------------------------------------------------


def _ffmpeg(*args: str) -> None:
    binary = shutil.which("ffmpeg")
    if binary is None:
        raise RuntimeError("ffmpeg is not installed (Debian package ffmpeg)")
    done = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [binary, "-nostdin", "-v", "error", "-y", *args],
        capture_output=True,
        timeout=FFMPEG_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError("ffmpeg: " + done.stderr.decode(errors="replace")[-1000:])


def _poster(source: str, workdir: Path, duration: float | None) -> bytes:
    frame = workdir / "frame.png"
    starts = [POSTER_AT_S, 0.0] if (duration or 0) > POSTER_AT_S + 0.2 else [0.0]
    for start in starts:
        frame.unlink(missing_ok=True)
        _ffmpeg("-ss", f"{start:.2f}", "-i", source, "-frames:v", "1", "-an", str(frame))
        if frame.is_file() and frame.stat().st_size > 0:
            break
    else:
        raise RuntimeError("ffmpeg produced no poster frame")
    with Image.open(frame) as image:
        return _clean_jpeg(_rgb(image), DISPLAY_PX)


def _process_video(media: Media) -> dict:
    # ffmpeg needs a file on this machine's disk: the original itself, or a download of it
    # when the private store is a bucket.
    with local_file(media.file.storage, media.file.name) as source:
        return _process_video_file(media, source)


def _process_video_file(media: Media, source: str) -> dict:
    duration = media.duration_s
    if duration is None:
        duration = probe_duration(ffprobe(source))
    webm = media.content_type == "video/webm"
    extension = "webm" if webm else "mp4"
    with tempfile.TemporaryDirectory(prefix="media-") as tmp:
        workdir = Path(tmp)
        poster = _poster(source, workdir, duration)
        copy = workdir / f"public.{extension}"
        # Stream copy (no re-encoding): the first video and audio track only, no metadata,
        # no chapters; MP4 index at the front so playback starts before the download ends.
        _ffmpeg(
            "-i", source,
            "-map", "0:v:0", "-map", "0:a:0?",
            "-c", "copy",
            "-map_metadata", "-1", "-map_chapters", "-1",
            "-fflags", "+bitexact",
            *([] if webm else ["-movflags", "+faststart"]),
            str(copy),
        )  # fmt: skip
        return {
            "poster": _install(media, "poster", "jpg", poster),
            "public_video": _install(media, "video", extension, copy),
            "duration_s": duration,
        }


# --- writing ---------------------------------------------------------------------------------


def _install(media: Media, variant: str, extension: str, content: bytes | Path) -> str:
    """Write one public copy under its stable name, atomically (a reader never sees half a
    file, and two runs at once leave one whole file)."""
    field = {
        "display": media.display,
        "thumbnail": media.thumbnail,
        "poster": media.poster,
        "video": media.public_video,
    }[variant]
    storage: Storage = field.storage
    name = derived_name(media.pk, media.sha256, variant, extension)
    write_public_copy(storage, name, content)
    if field.name and field.name != name:
        storage.delete(field.name)  # a copy under an older name (e.g. SECRET_KEY rotated)
    return name
