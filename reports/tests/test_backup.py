"""`manage.py backup` and `manage.py restore`: a backup restored into a fresh database (another
process, as on a new server) holds every report, event and file, and its audit chain holds."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from conftest import GOOD_ANSWER, manage, photo_file
from reports.models import Media, Report, ReportEvent
from reports.services import report_accept, report_resolve

# Run by the restored site: what it holds, to compare with what was backed up.
INVENTORY = """
import io, json
from django.core.management import call_command
from reports.tests.test_backup import inventory
audit = io.StringIO()
call_command("verify_audit", stdout=audit)
print(json.dumps({**inventory(), "audit": audit.getvalue()}))
"""


def inventory() -> dict:
    """Every report, event (with its hash) and attachment file (with its first bytes)."""
    files = []
    for m in Media.objects.select_related("report").order_by("id"):
        for name, root in (
            (m.file.name, settings.PRIVATE_MEDIA_ROOT),
            (m.thumbnail.name, settings.MEDIA_ROOT),
            (m.display.name, settings.MEDIA_ROOT),
        ):
            head = (Path(root) / name).read_bytes()[:32].hex()
            files.append([m.report.tracking_code, name, head])
    # Through JSON both ways: tuples become lists on each side alike.
    return json.loads(
        json.dumps(
            {
                "reports": sorted(Report.objects.values_list("tracking_code", "status")),
                "events": sorted(
                    ReportEvent.objects.values_list("id", "report__tracking_code", "hash")
                ),
                "files": files,
            }
        )
    )


# The backup reads the database as another process would (pg_dump has its own connection;
# SQLite's backup API cannot copy from inside an open write transaction): the test commits,
# and the tables are emptied after it.
@pytest.mark.django_db(transaction=True)
def test_restore_into_fresh_database_finds_every_report_event_and_file(
    submit, officer_a, tmp_path, fresh_site
):
    first = submit()
    second = submit(files=[photo_file(), photo_file()])
    report_accept(actor=officer_a, report=first)
    report_resolve(actor=officer_a, report=first, answer=GOOD_ANSWER, files=[photo_file()])
    call_command("process_media", stdout=io.StringIO())  # the public copies in MEDIA_ROOT
    before = inventory()
    assert len(before["reports"]) == 2
    assert len(before["events"]) == 6  # (submit, route) × 2, accept, resolve
    assert len(before["files"]) == 12  # 4 attachments × original, thumbnail, display copy

    archive = tmp_path / "site.tar.gz"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert out.getvalue() == (
        f"Backed up 2 reports, 6 events, 4 attachments and 12 files ({connection.vendor}) "
        f"to {archive}.\n"
    )

    restored = manage(fresh_site, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout == (
        "Restored and checked against the manifest: 2 reports, 6 events, 4 attachments, 12 files.\n"
    )
    listed = manage(fresh_site, "shell", "--verbosity", "0", "-c", INVENTORY)
    assert listed.returncode == 0, listed.stderr
    found = json.loads(listed.stdout)
    assert found.pop("audit").startswith("Audit chain intact: 6 events checked")
    assert found == before
    assert {code for code, _status in found["reports"]} == {
        first.tracking_code,
        second.tracking_code,
    }

    # Restoring over a site that holds reports (this one) is refused and changes nothing.
    with pytest.raises(CommandError, match="The database is not empty: restoring would replace"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert inventory() == before


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match=re.escape("is not a backup made by `manage.py backup`")):
        call_command("restore", str(bogus), stdout=io.StringIO())


def test_restore_of_a_missing_archive_is_refused():
    with pytest.raises(CommandError, match=re.escape("No such file: /nowhere/backup.tar.gz")):
        call_command("restore", "/nowhere/backup.tar.gz", stdout=io.StringIO())


@pytest.mark.parametrize("name", ["elsewhere/notes.txt", "media/../../settings.py", "media/"])
def test_restore_refuses_a_file_outside_the_stores_before_touching_the_site(submit, tmp_path, name):
    report = submit()
    bogus = tmp_path / "crafted.tar.gz"
    manifest = {
        "format": 1,
        "vendor": connection.vendor,
        "database": "database.sqlite3",
        "counts": {},
        "migrations": [],
        "files": {name: "0" * 64},
    }
    data = json.dumps(manifest).encode()
    with tarfile.open(bogus, "w:gz") as archive:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match=re.escape(f"Unknown folder in the backup: {name}")):
        call_command("restore", str(bogus), "--force", stdout=io.StringIO())
    assert Report.objects.filter(pk=report.pk).exists()
