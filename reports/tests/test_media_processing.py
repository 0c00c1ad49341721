"""Public copies of attachments: photos lose their EXIF (GPS, device) and are resized, videos
get a poster frame and lose their metadata, in a background task; originals stay private."""

from __future__ import annotations

import importlib
import io
import json
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from PIL import Image

from conftest import photo_file, video_file
from reports import services
from reports.models import Media, MediaKind, Report
from reports.tasks import MediaProcessingError, process_media

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

GPS_IFD = 0x8825
ORIENTATION = 0x0112
ROTATE_90_CW = 6


def gps_jpeg(name: str = "IMG_0042.JPG", size=(120, 80)) -> SimpleUploadedFile:
    """A JPEG as a phone writes it: maker, model, GPS position, and 'rotate 90°' orientation."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: shows rotation
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model 9"
    exif[ORIENTATION] = ROTATE_90_CW
    exif[GPS_IFD] = {1: "N", 2: (21.0, 1.0, 42.6), 3: "E", 4: (105.0, 51.0, 7.9)}
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif, quality=95)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def files_under(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def probe_tags(path: str) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json", path],
        capture_output=True,
        check=True,
    ).stdout
    data = json.loads(out)
    tags = dict(data.get("format", {}).get("tags", {}))
    for stream in data.get("streams", []):
        tags.update(stream.get("tags", {}))
    return tags


@pytest.fixture
def submitted(submit, django_capture_on_commit_callbacks, run_worker):
    """Submit, let the transaction commit (which enqueues the processing), then run a worker."""

    def _submitted(**overrides) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            report = submit(**overrides)
        run_worker()
        return report

    return _submitted


# --- photos ----------------------------------------------------------------------------------


def test_public_copies_have_no_exif_and_the_original_keeps_it(submitted, settings):
    report = submitted(files=[gps_jpeg()])
    media = Media.objects.get(report=report)
    assert media.processed_at is not None
    assert media.processing_error == ""
    for field in (media.display, media.thumbnail):
        assert Path(field.path).is_relative_to(settings.MEDIA_ROOT)
        raw = Path(field.path).read_bytes()
        assert b"Exif" not in raw
        assert b"PhoneMaker" not in raw
        with Image.open(field.path) as public:
            assert public.format == "JPEG"
            assert "exif" not in public.info
            assert len(public.getexif()) == 0
            assert public.getexif().get_ifd(GPS_IFD) == {}
    # The original, untouched, in the private store: provenance.
    assert Path(media.file.path).is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    with Image.open(media.file.path) as original:
        assert original.getexif()[0x010F] == "PhoneMaker"
        assert original.getexif().get_ifd(GPS_IFD)[1] == "N"


def test_orientation_is_applied_before_the_metadata_goes(submitted):
    media = Media.objects.get(report=submitted(files=[gps_jpeg(size=(120, 80))]))
    with Image.open(media.display.path) as display:
        assert display.size == (80, 120)  # stored landscape, shown upright (portrait)
        # Rotated 90° clockwise: the blue left half is now the top half.
        blue_top = display.getpixel((40, 10))
        assert blue_top[2] > 150 and blue_top[0] < 100


def test_display_and_thumbnail_sizes(submitted):
    media = Media.objects.get(report=submitted(files=[photo_file(size=(3000, 2000))]))
    with Image.open(media.display.path) as display, Image.open(media.thumbnail.path) as thumb:
        assert display.size == (1280, 853)
        assert thumb.size == (320, 213)


def test_small_photo_is_not_enlarged_and_png_transparency_becomes_white(submitted):
    buf = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(buf, "PNG")
    media = Media.objects.get(report=submitted(files=[SimpleUploadedFile("a.png", buf.getvalue())]))
    with Image.open(media.display.path) as display:
        assert display.size == (50, 40)
        assert display.getpixel((5, 5)) == (255, 255, 255)


def test_public_copies_are_in_media_root_under_unguessable_names(submitted, settings):
    media = Media.objects.get(report=submitted())
    public = files_under(Path(settings.MEDIA_ROOT))
    assert sorted(public) == sorted([media.display.name, media.thumbnail.name])
    for name in public:
        assert media.sha256[:16] not in name
        assert len(Path(name).stem.split("-")[0]) == 32
    # Originals never land in MEDIA_ROOT and have no public URL.
    assert media.file.name in files_under(Path(settings.PRIVATE_MEDIA_ROOT))
    assert media.file.url is None


def test_processing_twice_gives_the_same_files_and_no_duplicates(submitted, settings):
    media = Media.objects.get(report=submitted())
    first = files_under(Path(settings.MEDIA_ROOT))
    process_media.call(media.pk)
    process_media.call(media.pk)
    assert files_under(Path(settings.MEDIA_ROOT)) == first
    again = Media.objects.get(pk=media.pk)
    assert (again.display.name, again.thumbnail.name) == (media.display.name, media.thumbnail.name)


def test_failure_is_recorded_on_the_row_and_the_task_fails(submit, settings):
    report = submit()
    media = Media.objects.get(report=report)
    Path(media.file.path).write_bytes(b"not a photo any more")  # the disk lost it
    with pytest.raises(MediaProcessingError):
        process_media.call(media.pk)
    media.refresh_from_db()
    assert media.processed_at is None
    assert "UnidentifiedImageError" in media.processing_error
    assert files_under(Path(settings.MEDIA_ROOT)) == {}


def test_failure_through_the_worker_is_recorded_on_the_row_and_the_task_result(
    submit, django_capture_on_commit_callbacks, run_worker
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit()
    media = Media.objects.get(report=report)
    Path(media.file.path).write_bytes(b"junk")
    run_worker()
    media.refresh_from_db()
    assert media.processing_error
    result = DBTaskResult.objects.get(task_path="reports.tasks.process_media")
    assert result.status == "FAILED"


def test_a_later_successful_run_clears_the_error(submit):
    media = Media.objects.get(report=submit())
    original = Path(media.file.path).read_bytes()
    Path(media.file.path).write_bytes(b"junk")
    with pytest.raises(MediaProcessingError):
        process_media.call(media.pk)
    Path(media.file.path).write_bytes(original)
    process_media.call(media.pk)
    media.refresh_from_db()
    assert media.processing_error == ""
    assert media.processed_at is not None


def test_processing_a_deleted_attachment_does_nothing(submit):
    media = Media.objects.get(report=submit())
    Media.objects.filter(pk=media.pk).delete()
    process_media.call(media.pk)  # no error: the row is gone (e.g. the report was deleted)


def test_each_file_is_enqueued_once_with_the_report(submit, alice):
    from django.db import transaction

    report = submit(files=[photo_file(), photo_file()])
    ids = sorted(Media.objects.filter(report=report).values_list("pk", flat=True))
    queued = DBTaskResult.objects.filter(task_path="reports.tasks.process_media")
    # In the submission's own transaction: no commit callback a killed process could skip.
    assert sorted(r.args_kwargs["args"][0] for r in queued) == ids
    # …and a submission that fails after storing its files queues nothing.
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            submit(files=[photo_file()])
            raise RuntimeError("the request failed after the files were stored")
    assert DBTaskResult.objects.filter(task_path="reports.tasks.process_media").count() == 2


def test_page_shows_a_placeholder_until_the_photo_is_processed(client, submit):
    report = submit()
    media = Media.objects.get(report=report)
    url = reverse("citizen:report_detail", args=[report.tracking_code])
    body = client.get(url).content.decode()  # in Vietnamese, the default language
    assert "Ảnh đang được xử lý" in body
    assert "<img" not in body.split('class="description"')[1].split("<h2")[0]
    process_media.call(media.pk)
    body = client.get(url).content.decode()
    assert "Ảnh đang được xử lý" not in body
    assert reverse("citizen:media_file", args=[media.pk, "thumbnail"]) in body
    assert reverse("citizen:media_file", args=[media.pk, "display"]) in body
    assert "private_media" not in body and media.file.name not in body


def test_page_says_when_a_photo_could_not_be_processed(client, submit):
    report = submit()
    media = Media.objects.get(report=report)
    Path(media.file.path).write_bytes(b"junk")
    with pytest.raises(MediaProcessingError):
        process_media.call(media.pk)
    body = client.get(reverse("citizen:report_detail", args=[report.tracking_code]))
    assert "Không xử lý được ảnh này." in body.content.decode()


# --- videos ----------------------------------------------------------------------------------


def test_video_gets_a_poster_and_a_copy_without_its_location(submitted, settings):
    report = submitted(files=[photo_file(), video_file()])
    media = Media.objects.get(report=report, kind=MediaKind.VIDEO)
    assert media.processing_error == ""
    assert media.duration_s == pytest.approx(2, abs=0.2)
    assert (media.width, media.height) == (160, 120)
    with Image.open(media.poster.path) as poster:
        assert poster.format == "JPEG"
        assert poster.size == (160, 120)
        assert "exif" not in poster.info
    assert Path(media.public_video.path).is_relative_to(settings.MEDIA_ROOT)
    assert media.public_video.name.endswith(".mp4")
    assert not any("location" in key for key in probe_tags(media.public_video.path))
    # The original keeps it (provenance) and stays private.
    assert Path(media.file.path).is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert "location" in probe_tags(media.file.path)
    # The copy still plays: a video stream of the same length.
    assert Media.objects.get(pk=media.pk).duration_s == pytest.approx(2, abs=0.2)


def test_webm_video_is_processed_as_webm(submitted):
    report = submitted(files=[video_file("clip.webm", fmt="webm")])
    media = Media.objects.get(report=report)
    assert media.content_type == "video/webm"
    assert media.public_video.name.endswith(".webm")
    assert media.poster


def test_video_shorter_than_a_second_gets_its_first_frame_as_poster(submitted):
    media = Media.objects.get(report=submitted(files=[video_file(seconds=0.5)]))
    assert media.processing_error == ""
    assert media.poster


def test_processing_a_video_twice_gives_the_same_files(submitted, settings):
    media = Media.objects.get(report=submitted(files=[video_file()]))
    first = files_under(Path(settings.MEDIA_ROOT))
    process_media.call(media.pk)
    assert files_under(Path(settings.MEDIA_ROOT)) == first
    assert len(first) == 2  # poster and video


# --- nothing is left behind by a failed submission -------------------------------------------


def test_failed_submission_leaves_no_files(submit, settings, monkeypatch):
    def broken_routing(**kwargs):
        raise RuntimeError("routing table unreadable")

    monkeypatch.setattr(services, "route_report", broken_routing)
    before = Report.objects.count()
    with pytest.raises(RuntimeError):
        submit(files=[photo_file(), video_file()])
    assert Report.objects.count() == before
    assert Media.objects.count() == 0
    assert files_under(Path(settings.PRIVATE_MEDIA_ROOT)) == {}
    assert files_under(Path(settings.MEDIA_ROOT)) == {}


def test_refused_video_stores_nothing(submit, settings):
    with pytest.raises(ValidationError) as excinfo:
        submit(files=[photo_file(), video_file(seconds=61, location=False)])
    assert excinfo.value.code == "video_too_long"
    assert Media.objects.count() == 0
    assert files_under(Path(settings.PRIVATE_MEDIA_ROOT)) == {}


def test_process_media_command_processes_what_is_pending(submit, settings, capsys):
    first = Media.objects.get(report=submit())
    second = Media.objects.get(report=submit())
    process_media.call(first.pk)
    call_command("process_media")
    assert "processed 1, failed 0" in capsys.readouterr().out
    assert Media.objects.get(pk=second.pk).processed_at is not None
    call_command("process_media")
    assert "processed 0, failed 0" in capsys.readouterr().out


def test_admin_shows_the_original_by_name_without_a_link(admin_client, submit):
    media = Media.objects.get(report=submit())
    page = admin_client.get(reverse("admin:reports_report_change", args=[media.report_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert media.file.name in html
    assert 'href="None"' not in html


def test_migration_moves_old_originals_out_of_media_root(submit, settings):
    from django.apps import apps

    move = importlib.import_module(
        "reports.migrations.0002_media_public_copies"
    ).move_originals_to_private_storage
    media = Media.objects.get(report=submit())
    # As uploads were stored before: in MEDIA_ROOT, served with their EXIF.
    old = Path(settings.MEDIA_ROOT) / media.file.name
    old.parent.mkdir(parents=True)
    Path(media.file.path).rename(old)
    move(apps, None)
    assert not old.exists()
    assert Path(media.file.path).is_file()


def test_failed_resolution_leaves_no_proof_files(submit, officer_a, settings, monkeypatch):
    from conftest import GOOD_ANSWER
    from reports.services import report_accept, report_resolve

    report = submit()
    report_accept(actor=officer_a, report=report)
    before = files_under(Path(settings.PRIVATE_MEDIA_ROOT))
    real_save = Media.save
    calls = []

    def save_fails_the_second_time(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Media, "save", save_fails_the_second_time)
    with pytest.raises(OSError):
        report_resolve(
            actor=officer_a,
            report=report,
            answer=GOOD_ANSWER,
            files=[photo_file("a.jpg"), photo_file("b.jpg")],
        )
    assert files_under(Path(settings.PRIVATE_MEDIA_ROOT)) == before
    assert Media.objects.filter(report=report, is_proof=True).count() == 0
