"""Pixel caps (issue 16): an image's size is checked from its header before any decoding, and
the largest accepted image is decoded reduced, so a small file cannot cost gigabytes."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile

from reports.media import MAX_FULL_DECODE_PIXELS, MAX_PHOTO_PIXELS, inspect_upload
from reports.models import Media
from reports.processing import DISPLAY_PX, media_process
from reports.services import EVIDENCE_KINDS
from reports.tests.test_media import png_declaring, stored_counts


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if any image's pixels are decoded."""

    def load(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def jpeg(size, **options) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (120, 80, 40)).save(buf, "JPEG", quality=80, **options)
    return SimpleUploadedFile("IMG_0001.jpg", buf.getvalue(), content_type="image/jpeg")


def test_png_of_10000_squared_is_refused_before_decoding(no_decoding):
    bomb = png_declaring(10_000, 10_000)  # 100 MP, under the old 16384² cap
    with pytest.raises(ValidationError) as excinfo:
        inspect_upload(SimpleUploadedFile("big.png", bomb), EVIDENCE_KINDS)
    assert excinfo.value.code == "file_bomb"
    message = excinfo.value.messages[0]
    assert "big.png" in message
    assert "10000 × 10000" in message
    assert "at most 12 megapixels" in message


def test_refusal_is_in_vietnamese_for_residents():
    with translation.override("vi"), pytest.raises(ValidationError) as excinfo:
        inspect_upload(SimpleUploadedFile("big.png", png_declaring(10_000, 10_000)), EVIDENCE_KINDS)
    assert "điểm ảnh" in excinfo.value.messages[0]
    assert "10000 × 10000" in excinfo.value.messages[0]


def test_png_just_over_the_full_decode_cap_is_refused(no_decoding):
    side = int(MAX_FULL_DECODE_PIXELS**0.5) + 1
    with pytest.raises(ValidationError) as excinfo:
        inspect_upload(SimpleUploadedFile("s.png", png_declaring(side, side)), EVIDENCE_KINDS)
    assert excinfo.value.code == "file_bomb"


def test_progressive_jpeg_gets_the_full_decode_cap():
    # 4400 × 3000 = 13.2 MP: fine as a camera's baseline JPEG, too big progressive.
    assert inspect_upload(jpeg((4400, 3000)), EVIDENCE_KINDS).width == 4400
    with pytest.raises(ValidationError) as excinfo:
        inspect_upload(jpeg((4400, 3000), progressive=True), EVIDENCE_KINDS)
    assert excinfo.value.code == "file_bomb"


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_password_hasher")
def test_report_with_a_10000_squared_png_stores_nothing(submit, media_root):
    before = stored_counts()
    bomb = SimpleUploadedFile("big.png", png_declaring(10_000, 10_000), content_type="image/png")
    with pytest.raises(ValidationError) as excinfo:
        submit(files=[bomb])
    assert excinfo.value.code == "file_bomb"
    assert "too many pixels" in excinfo.value.messages[0]
    assert stored_counts() == before
    assert [p for p in media_root.parent.rglob("*") if p.is_file()] == []


def test_50_megapixel_baseline_jpeg_is_accepted():
    info = inspect_upload(jpeg((8160, 6120)), EVIDENCE_KINDS)  # 49.9 MP, a 50 MP camera
    assert info.width * info.height <= MAX_PHOTO_PIXELS


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_password_hasher")
def test_50_megapixel_photo_is_processed_to_display_size(submit):
    report = submit(files=[jpeg((8160, 6120))])
    media = media_process(media_id=Media.objects.get(report=report).pk)
    assert media.processing_error == ""
    with media.display.open("rb") as fh, Image.open(fh) as display:
        assert max(display.size) == DISPLAY_PX


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_password_hasher")
def test_png_at_the_full_decode_cap_is_processed(submit):
    buf = io.BytesIO()
    Image.new("RGBA", (4000, 3000), (0, 90, 200, 255)).save(buf, "PNG")
    report = submit(files=[SimpleUploadedFile("screen.png", buf.getvalue())])
    media = media_process(media_id=Media.objects.get(report=report).pk)
    assert media.processing_error == ""
    with media.thumbnail.open("rb") as fh, Image.open(fh) as thumb:
        assert thumb.size == (320, 240)
