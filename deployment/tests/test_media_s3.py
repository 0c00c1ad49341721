"""Media in S3-compatible buckets, against a real S3 server (moto_server, run as a subprocess):
the derived copies in the public bucket, the originals in the private one with no URL."""

from __future__ import annotations

import io
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from PIL import Image

from conftest import manage
from reports.models import Media

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "congdanso" / "settings.py"
MOTO_SERVER = Path(sys.executable).with_name("moto_server")
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """A real S3-compatible server on a free port, for this module's tests."""
    port = _free_port()
    server = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(endpoint, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start")
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def _settings_with(env: dict[str, str], monkeypatch) -> dict:
    """congdanso/settings.py evaluated afresh under these environment variables."""
    for name in list(os.environ):
        if name.startswith(("MEDIA_S3_", "PRIVATE_MEDIA_S3_", "MEDIA_URL_HOST")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


@pytest.fixture
def buckets(s3_endpoint, monkeypatch, settings, media_root):
    """Two fresh buckets and STORAGES as settings.py builds it from the MEDIA_S3_* variables."""
    suffix = uuid.uuid4().hex[:8]
    public, private = f"cds-media-{suffix}", f"cds-private-{suffix}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=public)
    client.create_bucket(Bucket=private)
    built = _settings_with(
        {
            "MEDIA_S3_BUCKET": public,
            "PRIVATE_MEDIA_S3_BUCKET": private,
            "MEDIA_S3_ENDPOINT_URL": s3_endpoint,
            "MEDIA_S3_REGION": "us-east-1",
            "MEDIA_S3_ACCESS_KEY_ID": "test",
            "MEDIA_S3_SECRET_ACCESS_KEY": "test",
        },
        monkeypatch,
    )
    settings.STORAGES = built["STORAGES"]
    return client, public, private


def _keys(client, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def _public_grant(client, bucket: str, key: str) -> bool:
    grants = client.get_object_acl(Bucket=bucket, Key=key)["Grants"]
    return any(g["Grantee"].get("URI") == ALL_USERS for g in grants)


@pytest.fixture
def processed(buckets, submit, django_capture_on_commit_callbacks, run_worker):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit()
    run_worker()
    return report, Media.objects.get(report=report)


def test_original_goes_to_the_private_bucket_with_no_url_and_no_public_grant(processed, buckets):
    client, public, private = buckets
    _report, media = processed
    assert _keys(client, private) == [media.file.name]
    assert media.file.name.startswith("reports/")
    assert media.file.url is None
    assert not _public_grant(client, private, media.file.name)
    # The original keeps its EXIF-bearing bytes; the public bucket never holds it.
    assert media.file.name not in _keys(client, public)


def test_derived_copies_go_to_the_public_bucket_and_are_fetchable_at_their_url(
    processed, buckets, s3_endpoint
):
    client, public, _private = buckets
    _report, media = processed
    assert media.processing_error == ""
    assert _keys(client, public) == sorted([media.display.name, media.thumbnail.name])
    url = media.display.url
    assert url == f"{s3_endpoint}/{public}/{media.display.name}"
    assert _public_grant(client, public, media.display.name)
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - moto
        body = response.read()
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG"
        assert image.size == (64, 48)
        assert not image.getexif()


def test_media_view_serves_the_copy_from_the_bucket_to_the_reporter_and_404s_others(
    processed, client, alice, bob
):
    report, media = processed
    expected = bytes(media.display.read())
    media.display.close()
    client.force_login(alice)
    page = client.get(f"/phan-anh/{report.tracking_code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert media.public_url("display") in html
    # The page links the access-checked view, never a bucket, and never the original's name.
    assert media.file.name not in html
    response = client.get(media.public_url("display"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == expected
    part = client.get(media.public_url("display"), HTTP_RANGE="bytes=0-9")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 0-9/{len(expected)}"
    assert b"".join(part.streaming_content) == expected[:10]
    # Access is still checked per request, whatever the storage.
    client.force_login(bob)
    report.is_public = False
    report.save(update_fields=["is_public"])
    assert client.get(media.public_url("display")).status_code == 404


def test_video_original_is_fetched_from_the_private_bucket_for_ffmpeg(
    buckets, submit, django_capture_on_commit_callbacks, run_worker, client, alice
):
    from conftest import video_file

    client_s3, public, private = buckets
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(files=[video_file()])
    run_worker()
    media = Media.objects.get(report=report)
    assert media.processing_error == ""
    assert media.duration_s == pytest.approx(2, abs=0.2)
    assert _keys(client_s3, private) == [media.file.name]
    assert _keys(client_s3, public) == sorted([media.poster.name, media.public_video.name])
    assert media.public_video.name.endswith(".mp4")
    client.force_login(alice)
    part = client.get(media.public_url("video"), HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206
    assert part["Content-Type"] == "video/mp4"
    assert len(b"".join(part.streaming_content)) == 100


def test_media_view_gives_404_when_the_object_is_gone_from_the_bucket(processed, buckets, client):
    client_s3, public, _private = buckets
    report, media = processed
    client_s3.delete_object(Bucket=public, Key=media.display.name)
    client.force_login(report.reporter)
    assert client.get(media.public_url("display")).status_code == 404
    assert client.get(media.public_url("thumbnail")).status_code == 200


def test_processing_twice_rewrites_the_same_objects(processed, buckets):
    from reports.processing import media_process

    client, public, _private = buckets
    _report, media = processed
    before = _keys(client, public)
    again = media_process(media_id=media.pk)
    assert again is not None and again.processing_error == ""
    assert _keys(client, public) == before


def test_media_url_host_gives_cdn_urls(monkeypatch):
    built = _settings_with(
        {
            "MEDIA_S3_BUCKET": "pub",
            "PRIVATE_MEDIA_S3_BUCKET": "priv",
            "MEDIA_URL_HOST": "media.congdanso.example.vn",
        },
        monkeypatch,
    )
    options = built["STORAGES"]["default"]["OPTIONS"]
    assert options["custom_domain"] == "media.congdanso.example.vn"
    assert built["STORAGES"]["private"]["BACKEND"] == "reports.storage.PrivateS3Storage"
    assert built["STORAGES"]["private"]["OPTIONS"]["file_overwrite"] is False
    assert built["MEDIA_PUBLIC_ORIGIN"] == "https://media.congdanso.example.vn"


@pytest.mark.parametrize(
    ("env", "origin"),
    [
        ({"MEDIA_S3_ENDPOINT_URL": "http://10.0.0.30:9000/"}, "http://10.0.0.30:9000"),
        ({"MEDIA_S3_REGION": "ap-southeast-1"}, "https://s3.ap-southeast-1.amazonaws.com"),
    ],
)
def test_media_public_origin_follows_the_endpoint(env, origin, monkeypatch):
    buckets = {"MEDIA_S3_BUCKET": "pub", "PRIVATE_MEDIA_S3_BUCKET": "priv"}
    assert _settings_with(buckets | env, monkeypatch)["MEDIA_PUBLIC_ORIGIN"] == origin


def test_without_buckets_media_stay_on_disk(monkeypatch):
    built = _settings_with({}, monkeypatch)
    assert built["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert built["STORAGES"]["private"] == {"BACKEND": "reports.storage.PrivateFileSystemStorage"}
    assert built["MEDIA_PUBLIC_ORIGIN"] == ""


@pytest.mark.parametrize(
    "env",
    [
        {"MEDIA_S3_BUCKET": "pub"},
        {"PRIVATE_MEDIA_S3_BUCKET": "priv"},
        {"MEDIA_S3_BUCKET": "same", "PRIVATE_MEDIA_S3_BUCKET": "same"},
    ],
)
def test_half_or_shared_bucket_configuration_fails_at_start(env, monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="PRIVATE_MEDIA_S3_BUCKET"):
        _settings_with(env, monkeypatch)


def _objects(client, bucket: str) -> dict[str, bytes]:
    return {
        k: client.get_object(Bucket=bucket, Key=k)["Body"].read() for k in _keys(client, bucket)
    }


# backup needs the rows committed (pg_dump and SQLite's backup API read outside the test's
# transaction), as in reports/tests/test_backup.py.
@pytest.mark.django_db(transaction=True)
def test_a_backup_carries_the_buckets_objects_to_a_new_site_with_buckets_of_its_own(
    buckets, s3_endpoint, submit, run_worker, tmp_path, fresh_site
):
    client, public, private = buckets
    report = submit()
    run_worker()
    old_public, old_private = _objects(client, public), _objects(client, private)
    assert (len(old_public), len(old_private)) == (2, 1)  # thumbnail and display copy; original

    archive = tmp_path / "site.tar.gz"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert "1 reports, 2 events, 1 attachments and 3 files" in out.getvalue()

    new_public, new_private = f"{public}-restored", f"{private}-restored"
    client.create_bucket(Bucket=new_public)
    client.create_bucket(Bucket=new_private)
    site = {**fresh_site, "MEDIA_S3_BUCKET": new_public, "PRIVATE_MEDIA_S3_BUCKET": new_private}
    restored = manage(site, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout == (
        "Restored and checked against the manifest: 1 reports, 2 events, 1 attachments, 3 files.\n"
    )
    # The same objects, byte for byte; the copies public again, the original still private.
    assert _objects(client, new_public) == old_public
    assert _objects(client, new_private) == old_private
    assert all(_public_grant(client, new_public, key) for key in old_public)
    assert not any(_public_grant(client, new_private, key) for key in old_private)
    # The restored site shows the photo from its own bucket.
    shown = manage(
        site,
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from reports.models import Media; m = Media.objects.get(); print(m.display.url)",
    )
    assert shown.returncode == 0, shown.stderr
    assert f"/{new_public}/" in shown.stdout
    assert report.tracking_code in manage(site, "shell", "-c", LIST_CODES).stdout

    # A copy lost from the new bucket is named by a second restore's check, not hidden.
    lost = next(iter(old_public))
    client.delete_object(Bucket=new_public, Key=lost)
    client.delete_object(Bucket=new_private, Key=next(iter(old_private)))
    again = manage(site, "restore", "--force", str(archive))
    assert again.returncode == 0, again.stderr
    assert _objects(client, new_public) == old_public


LIST_CODES = "from reports.models import Report; print(list(Report.objects.values_list('tracking_code', flat=True)))"


def test_deleting_media_removes_its_objects_from_both_buckets(
    processed, buckets, django_capture_on_commit_callbacks
):
    from reports.media_services import media_delete

    client, public, private = buckets
    report, media = processed
    assert len(_keys(client, public)) == 2 and len(_keys(client, private)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        media_delete(actor=report.reporter, media_ids=[media.pk])
    assert _keys(client, public) == []
    assert _keys(client, private) == []


def test_sweep_finds_orphaned_objects_in_the_buckets(processed, buckets, monkeypatch):
    from datetime import timedelta

    from reports import media_services

    client, public, private = buckets
    _report, media = processed
    Media.objects.filter(pk=media.pk).delete()  # a crash before the files were deleted
    monkeypatch.setattr(media_services, "SWEEP_GRACE", timedelta(seconds=-60))
    found = media_services.media_sweep()
    assert sorted(found) == sorted([media.file.name, media.display.name, media.thumbnail.name])
    assert _keys(client, public) == []
    assert _keys(client, private) == []
