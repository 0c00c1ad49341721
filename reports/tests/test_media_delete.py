"""Deleting attachments (issue 16): the row and every stored file go together, after the
commit; files left behind by a crash are found by the sweep; the resident's 'delete my data'
takes their photos' originals and public copies with it."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from accounts.services import resident_delete
from conftest import photo_file, video_file
from reports.media_services import media_delete, media_sweep
from reports.models import Media
from reports.processing import media_process

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def files_under(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def processed(submit, media_root):
    report = submit(files=[photo_file(), video_file()])
    for media in report.media.all():
        assert media_process(media_id=media.pk).processing_error == ""
    return report


def test_deleting_media_removes_the_original_and_every_copy(
    processed, media_root, private_media_root, alice, run_on_commit
):
    photo, video = processed.media.order_by("kind")  # photo, video
    assert len(files_under(media_root)) == 4  # display, thumbnail, poster, video copy
    assert len(files_under(private_media_root)) == 2
    run_on_commit(media_delete, actor=alice, media_ids=[photo.pk, video.pk])
    assert not Media.objects.filter(report=processed).exists()
    assert files_under(media_root) == []
    assert files_under(private_media_root) == []


def test_files_stay_until_the_deletion_commits(processed, media_root, alice):
    photo = processed.media.filter(kind="photo").get()
    media_delete(actor=alice, media_ids=[photo.pk])  # the test's transaction never commits
    assert (media_root / photo.display.name).is_file()


def test_others_may_not_delete_a_residents_photo(processed, bob, officer_a, run_on_commit):
    photo = processed.media.filter(kind="photo").get()
    for actor in (bob, officer_a):
        with pytest.raises(PermissionDenied):
            run_on_commit(media_delete, actor=actor, media_ids=[photo.pk])
    assert Media.objects.filter(pk=photo.pk).exists()


def test_delete_my_data_removes_the_residents_files(
    processed, media_root, private_media_root, alice, run_on_commit
):
    run_on_commit(resident_delete, actor=alice, confirm="DELETE")
    assert not Media.objects.filter(report=processed).exists()
    assert files_under(media_root) == []
    assert files_under(private_media_root) == []
    processed.refresh_from_db()  # the report itself stays, for the city to fix


def test_copies_written_for_a_row_deleted_meanwhile_are_removed(submit, media_root, monkeypatch):
    from reports import processing

    report = submit(files=[photo_file()])
    media = report.media.get()
    make_copies = processing._process_photo

    def deleted_while_processing(row):
        changes = make_copies(row)
        Media.objects.filter(pk=row.pk).delete()  # the resident removed it meanwhile
        return changes

    monkeypatch.setattr(processing, "_process_photo", deleted_while_processing)
    assert processing.media_process(media_id=media.pk) is None
    assert files_under(media_root) == []


def test_sweep_deletes_files_no_row_names(processed, media_root, private_media_root):
    photo = processed.media.filter(kind="photo").get()
    names = [photo.file.name, photo.display.name, photo.thumbnail.name]
    # A crash after the commit: the row is gone, the files are not.
    Media.objects.filter(pk=photo.pk).delete()
    old = time.time() - timedelta(hours=2).total_seconds()
    for root, name in zip((private_media_root, media_root, media_root), names, strict=True):
        os.utime(root / name, (old, old))
    call_command("sweep_media", verbosity=0)
    assert not (private_media_root / names[0]).exists()
    assert not (media_root / names[1]).exists()
    assert not (media_root / names[2]).exists()
    # The video's files, still named by its row, stay.
    video = processed.media.get(kind="video")
    assert (private_media_root / video.file.name).is_file()
    assert (media_root / video.poster.name).is_file()


def test_sweep_leaves_young_files_of_a_submission_in_progress(processed, media_root):
    photo = processed.media.filter(kind="photo").get()
    Media.objects.filter(pk=photo.pk).delete()
    assert media_sweep() == []
    assert (media_root / photo.display.name).is_file()


# --- the pages that call it ----------------------------------------------------------------


def _stored_paths(media) -> list:
    from pathlib import Path

    return [Path(f.path) for f in (media.file, media.display, media.thumbnail) if f.name]


def test_the_reporter_deletes_their_photo_from_the_report_page(
    client, submit, alice, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from reports.tasks import process_media

    report = submit(files=[photo_file()])
    photo = Media.objects.get(report=report)
    process_media.call(photo.pk)
    photo.refresh_from_db()
    paths = _stored_paths(photo)
    assert len(paths) == 3 and all(p.exists() for p in paths)

    client.force_login(alice)
    page = client.get(reverse("citizen:report_detail", args=[report.tracking_code]))
    action = reverse("citizen:media_delete", args=[photo.pk])
    assert action in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action)
    assert response.status_code == 302
    assert not Media.objects.filter(pk=photo.pk).exists()
    assert not any(p.exists() for p in paths)


def test_others_cannot_delete_a_residents_photo_but_the_units_leader_can(
    client, submit, bob, officer_a, leader_a
):
    from django.urls import reverse

    report = submit(files=[photo_file()])
    photo = Media.objects.get(report=report)
    for person, name in ((bob, "citizen:media_delete"), (officer_a, "workspace:media_delete")):
        client.force_login(person)
        assert client.post(reverse(name, args=[photo.pk])).status_code == 404
    assert Media.objects.filter(pk=photo.pk).exists()

    client.force_login(leader_a)
    assert client.post(reverse("workspace:media_delete", args=[photo.pk])).status_code == 302
    assert not Media.objects.filter(pk=photo.pk).exists()
