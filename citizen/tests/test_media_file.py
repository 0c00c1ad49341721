"""Serving attachments' public copies: only to those who may see the report, videos with HTTP
range requests so that players can seek."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from conftest import photo_file, video_file
from reports.models import Media, MediaKind
from reports.tasks import process_media

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def url(media: Media, variant: str) -> str:
    return reverse("citizen:media_file", args=[media.pk, variant])


@pytest.fixture
def video(submit) -> Media:
    report = submit(files=[photo_file(), video_file()])
    media = Media.objects.get(report=report, kind=MediaKind.VIDEO)
    process_media.call(media.pk)
    media.refresh_from_db()
    return media


@pytest.fixture
def video_bytes(video) -> bytes:
    return Path(video.public_video.path).read_bytes()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- ranges ----------------------------------------------------------------------------------


def test_whole_video_says_it_accepts_ranges(client, video, video_bytes):
    response = client.get(url(video, "video"))
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert int(response["Content-Length"]) == len(video_bytes)
    assert body(response) == video_bytes


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", None, None)],
    ids=["first-100", "from-100", "last-50"],
)
def test_range_gives_partial_content(client, video, video_bytes, header, first, last):
    size = len(video_bytes)
    if first is None:  # suffix: the last 50 bytes
        first, last = size - 50, size - 1
    last = size - 1 if last is None else last
    response = client.get(url(video, "video"), HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert int(response["Content-Length"]) == last - first + 1
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == video_bytes[first : last + 1]


def test_range_past_the_end_is_clamped(client, video, video_bytes):
    size = len(video_bytes)
    response = client.get(url(video, "video"), HTTP_RANGE=f"bytes={size - 10}-{size + 1000}")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"
    assert body(response) == video_bytes[-10:]


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{more}", "bytes=-0"])
def test_unsatisfiable_range_is_416(client, video, video_bytes, header):
    size = len(video_bytes)
    response = client.get(url(video, "video"), HTTP_RANGE=header.format(size=size, more=size + 10))
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "items=0-10", "bytes=abc", "bytes=9-2"])
def test_malformed_or_multiple_ranges_get_the_whole_file(client, video, video_bytes, header):
    response = client.get(url(video, "video"), HTTP_RANGE=header)
    assert response.status_code == 200
    assert body(response) == video_bytes


def test_stale_if_range_gets_the_whole_file(client, video, video_bytes):
    etag = client.get(url(video, "video"))["ETag"]
    fresh = client.get(url(video, "video"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    assert fresh.status_code == 206
    stale = client.get(url(video, "video"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"old"')
    assert stale.status_code == 200
    assert body(stale) == video_bytes


def test_head_has_no_body(client, video, video_bytes):
    response = client.head(url(video, "video"))
    assert response.status_code == 200
    assert int(response["Content-Length"]) == len(video_bytes)


def test_post_is_not_allowed(client, video):
    assert client.post(url(video, "video")).status_code == 405


def test_poster_is_a_jpeg(client, video):
    response = client.get(url(video, "poster"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert body(response)[:3] == b"\xff\xd8\xff"


# --- access ----------------------------------------------------------------------------------


@pytest.fixture
def private_video(submit) -> Media:
    report = submit(files=[video_file()], is_public=False)
    media = Media.objects.get(report=report)
    process_media.call(media.pk)
    return media


@pytest.mark.parametrize("who", [None, "bob", "officer_b"])
def test_media_of_a_non_public_report_is_404_to_strangers(request, client, private_video, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    for variant in ("video", "poster"):
        assert client.get(url(private_video, variant)).status_code == 404
        assert client.get(url(private_video, variant), HTTP_RANGE="bytes=0-9").status_code == 404


@pytest.mark.parametrize("who", ["alice", "officer_a", "coordinator"])
def test_media_of_a_non_public_report_is_served_to_those_who_may_see_it(
    request, client, private_video, who
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(private_video, "video"), HTTP_RANGE="bytes=0-9").status_code == 206


def test_private_report_photo_copies_are_404_to_strangers(client, submit, bob):
    report = submit(is_public=False)
    media = Media.objects.get(report=report)
    process_media.call(media.pk)
    client.force_login(bob)
    assert client.get(url(media, "thumbnail")).status_code == 404
    assert client.get(url(media, "display")).status_code == 404
    client.force_login(report.reporter)
    assert client.get(url(media, "display")).status_code == 200


def test_missing_media_unknown_variant_and_wrong_kind_are_404(client, video):
    assert client.get(reverse("citizen:media_file", args=[999_999, "video"])).status_code == 404
    assert client.get(url(video, "original")).status_code == 404
    assert client.get(url(video, "thumbnail")).status_code == 404  # a photo's variant
    assert client.get(url(video, "document")).status_code == 404  # never the original


def test_unprocessed_photo_has_nothing_to_serve_yet(client, submit):
    media = Media.objects.get(report=submit())
    assert client.get(url(media, "display")).status_code == 404


def test_public_photo_copies_are_served_without_exif(client, submit):
    media = Media.objects.get(report=submit())
    process_media.call(media.pk)
    response = client.get(url(media, "display"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert b"Exif" not in body(response)


def test_page_shows_a_playable_video_with_its_poster(client, video):
    page = client.get(reverse("citizen:report_detail", args=[video.report.tracking_code]))
    html = page.content.decode()
    assert "<video" in html
    assert url(video, "video") in html
    assert url(video, "poster") in html


def _pdf_with_metadata() -> bytes:
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata(
        {"/Author": "Nguyễn Văn Cán Bộ", "/Creator": "Word 2016 – UBND", "/Producer": "ScanCo"}
    )
    xmp = DecodedStreamObject()
    xmp.set_data(b"<x:xmpmeta><dc:creator>Nguyen Van Can Bo</dc:creator></x:xmpmeta>")
    xmp.update({NameObject("/Type"): NameObject("/Metadata")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_proof_pdf_is_served_without_its_metadata(client, accepted_pdf_report):
    from pypdf import PdfReader

    report, original = accepted_pdf_report
    media = Media.objects.get(report=report, kind=MediaKind.DOCUMENT)
    assert url(media, "document")
    assert client.get(url(media, "document")).status_code == 404  # not cleaned yet: nothing
    process_media.call(media.pk)
    media.refresh_from_db()

    response = client.get(url(media, "document"))
    assert response.status_code == 200
    served = body(response) if response.streaming else response.content
    assert b"Nguy" not in served and b"ScanCo" not in served and b"Word 2016" not in served
    import io

    reader = PdfReader(io.BytesIO(served))
    assert len(reader.pages) == 1
    assert not reader.metadata
    assert "/Metadata" not in reader.trailer["/Root"]
    # The original is kept, private, as it was sent.
    assert Path(media.file.path).read_bytes() == original


@pytest.fixture
def accepted_pdf_report(submit, officer_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from conftest import GOOD_ANSWER
    from reports.services import report_accept, report_resolve

    original = _pdf_with_metadata()
    report = submit()
    report_accept(actor=officer_a, report=report)
    pdf = SimpleUploadedFile("bien-ban.pdf", original, content_type="application/pdf")
    report_resolve(actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file(), pdf])
    return report, original
