"""Uploads: the type comes from the content, never from the name; broken or hostile files are
refused with a message that names the file."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import subprocess
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from conftest import photo_file, video_file
from reports.media import inspect_upload
from reports.models import Media, MediaKind, Report, ReportEvent, TrackingCounter
from reports.services import EVIDENCE_KINDS, PROOF_KINDS

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (the source text); the UI shows their translation."""
    with translation.override("en"):
        yield


def upload(
    name: str, content: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_bytes(size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buf, "PNG")
    return buf.getvalue()


def noisy_jpeg(size=(320, 240)) -> bytes:
    rng = random.Random(7)
    image = Image.frombytes(
        "RGB", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3))
    )
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG file whose header claims `width` × `height` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def refused(file: SimpleUploadedFile, allowed=EVIDENCE_KINDS) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        inspect_upload(file, allowed)
    return excinfo.value


# --- inspect_upload -------------------------------------------------------------------------


def test_real_jpeg_is_a_photo_with_its_size_and_hash():
    content = noisy_jpeg()
    info = inspect_upload(upload("IMG_0001.JPG", content, "image/jpeg"), EVIDENCE_KINDS)
    assert info.kind == MediaKind.PHOTO
    assert info.content_type == "image/jpeg"
    assert info.extension == "jpg"
    assert (info.width, info.height) == (320, 240)
    assert info.size == len(content)
    assert info.sha256 == hashlib.sha256(content).hexdigest()


def test_text_file_named_like_a_photo_is_refused():
    error = refused(upload("photo.jpg", b"Xin chao, day khong phai la anh.\n" * 10, "image/jpeg"))
    assert error.code == "file_type"
    assert "photo.jpg" in error.messages[0]
    assert "is not a photo" in error.messages[0]


def test_truncated_jpeg_is_refused():
    content = noisy_jpeg()
    error = refused(upload("cut.jpg", content[: len(content) // 2], "image/jpeg"))
    assert error.code == "file_corrupt"
    assert "cut.jpg" in error.messages[0]
    assert "damaged" in error.messages[0]


def test_jpeg_with_garbage_after_its_header_is_refused():
    content = noisy_jpeg()
    error = refused(upload("junk.jpg", content[:200] + b"\x00" * 5000))
    assert error.code == "file_corrupt"


@pytest.mark.parametrize(
    ("width", "height"),
    [(100_000, 100_000), (17_000, 17_000)],
    ids=["far-beyond-the-limit", "just-beyond-the-limit"],
)
def test_decompression_bomb_is_refused(width, height):
    bomb = png_declaring(width, height)
    assert len(bomb) < 100  # tiny on disk, gigantic once decoded
    error = refused(upload("bomb.png", bomb, "image/png"))
    assert error.code == "file_bomb"
    assert "too many pixels" in error.messages[0]


def test_decompression_bomb_is_refused_under_a_lower_pixel_limit(monkeypatch):
    # The same guard, with Pillow's limit lowered so that an ordinary image trips it.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert refused(upload("big.png", png_bytes((200, 200)), "image/png")).code == "file_bomb"


def test_oversized_photo_is_refused(settings):
    content = noisy_jpeg()
    settings.MAX_PHOTO_BYTES = len(content) - 1
    error = refused(upload("huge.jpg", content, "image/jpeg"))
    assert error.code == "file_size"
    assert "huge.jpg" in error.messages[0]
    assert "too large" in error.messages[0]


def test_photo_at_the_size_limit_is_accepted(settings):
    content = noisy_jpeg()
    settings.MAX_PHOTO_BYTES = len(content)
    assert inspect_upload(upload("ok.jpg", content), EVIDENCE_KINDS).kind == MediaKind.PHOTO


def test_pdf_is_accepted_as_a_document():
    info = inspect_upload(upload("bien-ban.pdf", PDF, "application/pdf"), EVIDENCE_KINDS)
    assert info.kind == MediaKind.DOCUMENT
    assert info.content_type == "application/pdf"
    assert info.extension == "pdf"
    assert info.width is None


def test_png_named_pdf_is_detected_as_a_photo():
    info = inspect_upload(upload("scan.pdf", png_bytes(), "application/pdf"), EVIDENCE_KINDS)
    assert info.kind == MediaKind.PHOTO
    assert info.content_type == "image/png"
    assert info.extension == "png"
    assert (info.width, info.height) == (40, 30)


def test_webp_is_a_photo():
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(buf, "WEBP")
    assert (
        inspect_upload(upload("a.webp", buf.getvalue()), EVIDENCE_KINDS).content_type
        == "image/webp"
    )


@pytest.mark.parametrize(
    "content",
    [
        b"GIF89a" + b"\x00" * 40,
        b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40,
        b"MZ\x90\x00" + b"\x00" * 40,
        b"",
    ],
    ids=["gif", "heic", "windows-exe", "empty"],
)
def test_other_file_types_are_refused(content):
    assert refused(upload("x.jpg", content)).code == "file_type"


def test_mp4_is_a_video_but_not_accepted_as_proof():
    assert inspect_upload(video_file("clip.mp4"), EVIDENCE_KINDS).kind == MediaKind.VIDEO
    error = refused(video_file("clip.mp4"), PROOF_KINDS)
    assert error.code == "file_kind"
    assert "clip.mp4" in error.messages[0]


# --- videos: decoded by ffprobe at upload, so a refused video stores nothing -------------------


def test_real_mp4_is_a_video_with_its_size_and_duration():
    info = inspect_upload(video_file("VID_0001.MOV"), EVIDENCE_KINDS)
    assert (info.kind, info.content_type, info.extension) == (MediaKind.VIDEO, "video/mp4", "mp4")
    assert (info.width, info.height) == (160, 120)
    assert info.duration_s == pytest.approx(2, abs=0.2)


def test_webm_is_a_video():
    info = inspect_upload(video_file("clip.webm", fmt="webm"), EVIDENCE_KINDS)
    assert (info.kind, info.content_type) == (MediaKind.VIDEO, "video/webm")


def test_mp4_header_with_no_video_after_it_is_refused():
    fake = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
    error = refused(upload("clip.mp4", fake, "video/mp4"))
    assert error.code == "file_corrupt"
    assert "clip.mp4" in error.messages[0]
    assert "not a real video" in error.messages[0]


def test_truncated_video_is_refused():
    content = video_file().read()
    error = refused(upload("cut.mp4", content[: len(content) // 2], "video/mp4"))
    assert error.code == "file_corrupt"


def test_audio_only_mp4_is_not_a_video(tmp_path):
    out = tmp_path / "voice.m4a"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", str(out)],
        check=True,
    )
    assert refused(upload("voice.mp4", out.read_bytes(), "video/mp4")).code == "file_corrupt"


def test_text_named_like_a_video_is_refused():
    error = refused(upload("clip.mp4", b"this is not a video\n" * 20, "video/mp4"))
    assert error.code == "file_type"


def test_video_over_the_size_limit_is_refused(settings):
    content = video_file().read()
    settings.MAX_VIDEO_BYTES = len(content) - 1
    error = refused(upload("big.mp4", content, "video/mp4"))
    assert error.code == "file_size"
    assert "big.mp4" in error.messages[0]
    assert "too large" in error.messages[0]


def test_video_longer_than_the_limit_is_refused(settings):
    error = refused(video_file("long.mp4", seconds=61))
    assert error.code == "video_too_long"
    assert "long.mp4" in error.messages[0]
    assert "at most 60 s" in error.messages[0]


def test_video_of_exactly_the_limit_is_accepted(settings):
    settings.MAX_VIDEO_SECONDS = 3
    assert inspect_upload(video_file(seconds=3), EVIDENCE_KINDS).duration_s == pytest.approx(3)
    assert refused(video_file(seconds=4)).code == "video_too_long"


def test_video_on_disk_is_probed_where_it_lies(tmp_path):
    # Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE arrive as temporary files: probed in place.
    from django.core.files.uploadedfile import TemporaryUploadedFile

    content = video_file().read()
    big = TemporaryUploadedFile("clip.mp4", "video/mp4", len(content), None)
    big.write(content)
    big.seek(0)
    assert inspect_upload(big, EVIDENCE_KINDS).kind == MediaKind.VIDEO
    big.close()


# --- through report_submit ------------------------------------------------------------------


def stored_counts() -> tuple[int, int, int, int]:
    last = TrackingCounter.objects.order_by("-year").values_list("last", flat=True).first() or 0
    return (Report.objects.count(), ReportEvent.objects.count(), Media.objects.count(), last)


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_password_hasher")
class TestSubmitWithFiles:
    @pytest.mark.parametrize(
        ("bad", "code", "words"),
        [
            (
                lambda: upload("photo.jpg", b"not an image at all", "image/jpeg"),
                "file_type",
                "is not a photo",
            ),
            (
                lambda: upload("cut.jpg", noisy_jpeg()[:3000], "image/jpeg"),
                "file_corrupt",
                "damaged",
            ),
            (
                lambda: upload("bomb.png", png_declaring(100_000, 100_000)),
                "file_bomb",
                "too many pixels",
            ),
        ],
        ids=["text-as-jpeg", "truncated", "bomb"],
    )
    def test_one_bad_file_refuses_the_whole_report_and_stores_nothing(
        self, submit, media_root, bad, code, words
    ):
        before = stored_counts()
        bad_file = bad()
        with pytest.raises(ValidationError) as excinfo:
            submit(files=[photo_file(), bad_file])
        assert excinfo.value.code == code
        assert bad_file.name in excinfo.value.messages[0]
        assert words in excinfo.value.messages[0]
        assert stored_counts() == before
        assert [p for p in media_root.rglob("*") if p.is_file()] == []

    def test_oversized_photo_refuses_the_report(self, submit, settings):
        settings.MAX_PHOTO_BYTES = 2_000
        before = stored_counts()
        with pytest.raises(ValidationError) as excinfo:
            submit(files=[upload("huge.jpg", noisy_jpeg(), "image/jpeg")])
        assert excinfo.value.code == "file_size"
        assert stored_counts() == before

    def test_file_is_stored_under_the_type_of_its_content(self, submit):
        report = submit(files=[upload("evil.pdf", png_bytes(), "application/pdf")])
        media = Media.objects.get(report=report)
        assert media.kind == MediaKind.PHOTO
        assert media.content_type == "image/png"
        assert media.file.name.endswith(".png")
        assert "evil" not in media.file.name

    def test_document_alone_does_not_satisfy_a_photo_category(self, submit, waste):
        assert waste.photo_required
        before = stored_counts()
        with pytest.raises(ValidationError) as excinfo:
            submit(files=[upload("don.pdf", PDF)])
        assert excinfo.value.code == "photo_required"
        assert stored_counts() == before

    def test_too_many_files_are_refused(self, submit):
        before = stored_counts()
        with pytest.raises(ValidationError) as excinfo:
            submit(files=[photo_file() for _ in range(9)])
        assert excinfo.value.code == "too_many_files"
        assert stored_counts() == before
