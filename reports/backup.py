"""One-file backups: the database, the uploaded originals (the private store) and their public
copies (the default store), with a manifest to check a restore against.

The archive (tar.gz) holds:
  manifest.json        counts of reports, events and attachments; the sha256 of every file
  database.sqlite3     SQLite: a copy made with SQLite's online backup API (consistent while
                       the application keeps writing)
  database.pgdump      PostgreSQL: `pg_dump --format=custom` (one consistent snapshot)
  media/…              the public copies: MEDIA_ROOT, or the MEDIA_S3_BUCKET bucket
  private_media/…      the originals: PRIVATE_MEDIA_ROOT, or the PRIVATE_MEDIA_S3_BUCKET bucket

Files are read and written through the storage API (reports/storage.py), so the same archive
restores onto disks or into buckets, whichever the restoring site is configured with.

The database is copied first and the files after: a file added meanwhile is extra in the
archive, and every attachment row in the copy already has its files stored.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .storage import is_missing, local_file

FORMAT = 1
MANIFEST = "manifest.json"
# Archive folders, in the order they are written.
FILE_STORES = ("media", "private_media")
# Tables Django fills on `migrate` by itself: a database holding only these is empty.
BOOKKEEPING_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class RestoreResult:
    """What a restore found when it checked the database and files against the manifest."""

    counts: dict[str, int]
    files: int
    problems: list[str] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _store(prefix: str) -> Storage:
    """The storage behind an archive folder, as configured now (disk or bucket)."""
    from django.core.files.storage import default_storage

    from .storage import private_storage

    return default_storage if prefix == "media" else private_storage()


def _names_in(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in the storage, folders first to last, each folder's files sorted."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a store nothing was ever written to
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _names_in(storage, f"{folder}/{sub}" if folder else sub)


def _stored_sha256(storage: Storage, name: str) -> str | None:
    """The sha256 of a stored file; None when it is not there."""
    try:
        with local_file(storage, name) as path:
            return _sha256(Path(path))
    except FileNotFoundError:
        return None
    except Exception as exc:  # a bucket's "no such key" is a botocore ClientError
        if is_missing(exc):
            return None
        raise


def _put(storage: Storage, name: str, source: Path, digest: str) -> None:
    """Store `source` under exactly `name`, unless the same bytes are there already."""
    if storage.exists(name):
        if _stored_sha256(storage, name) == digest:
            return
        # A store that keeps both files (the private one never overwrites) would save ours
        # under another name: the stale file goes first.
        storage.delete(name)
    with source.open("rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    if saved != name:
        raise BackupError(f"The storage saved {name} as {saved}.")


def _vendor() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def _pg_tool(name: str) -> str:
    """pg_dump/pg_restore from PATH, else the newest Debian install (not on PATH there)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    if not candidates:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client).")
    return candidates[-1]


def _version_key(path: str) -> tuple[int, ...]:
    part = Path(path).parts[-3]
    return tuple(int(p) for p in part.split(".") if p.isdigit())


def _pg_args() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore from the live connection's settings (the
    test database under pytest); the password goes in the environment, not on the command
    line where `ps` shows it."""
    conf = connection.settings_dict
    args = ["--dbname", conf["NAME"]]
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    # Our own arguments: a tool path and connection settings, never user input.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def counts() -> dict[str, int]:
    from reports.models import Media, Report, ReportEvent

    return {
        "reports": Report.objects.count(),
        "events": ReportEvent.objects.count(),
        "media": Media.objects.count(),
    }


# --- backup ----------------------------------------------------------------------------------


def _dump_database(folder: Path) -> str:
    """Copy the database into `folder`; return the file's name."""
    if connection.in_atomic_block:
        # pg_dump would not see this transaction's rows, and SQLite's backup would wait for
        # it to end forever.
        raise BackupError("A backup cannot run inside a database transaction.")
    if _vendor() == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # The online backup API: a consistent copy, page by page, while others write.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return target.name
    if _vendor() == "postgresql":
        target = folder / "database.pgdump"
        args, env = _pg_args()
        _run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args],
            env,
        )
        return target.name
    raise BackupError(f"Backups of {_vendor()} databases are not supported.")


def backup(output: Path) -> dict[str, Any]:
    """Write the archive to `output` and return its manifest."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="congdanso-backup-") as tmp:
        folder = Path(tmp)
        # Counted just before the copy; with writers running the copy may hold a few more
        # rows, and restore checks "at least" for the same reason.
        before = counts()
        database = _dump_database(folder)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": _vendor(),
            "database": database,
            "counts": before,
            "migrations": sorted(
                f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
            ),
            "files": {},
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(folder / database, arcname=database)
            for prefix in FILE_STORES:
                storage = _store(prefix)
                for stored in _names_in(storage):
                    name = f"{prefix}/{stored}"
                    # A path on disk: the file itself, or a download from the bucket.
                    with local_file(storage, stored) as path:
                        manifest["files"][name] = _sha256(Path(path))
                        archive.add(path, arcname=name)
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        # Renamed only when complete: a half-written file never looks like a backup.
        partial.replace(output)
    return manifest


# --- restore ---------------------------------------------------------------------------------


def database_is_empty() -> bool:
    """True when no table holds a row, apart from those `migrate` fills by itself."""
    tables = set(connection.introspection.table_names()) - BOOKKEEPING_TABLES
    with connection.cursor() as cursor:
        for table in sorted(tables):
            # A table name from introspection, quoted: not user input.
            query = f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1"  # noqa: S608
            cursor.execute(query)
            if cursor.fetchone() is not None:
                return False
    return True


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{path} is not a backup made by `manage.py backup` ({exc}).") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def _load_database(folder: Path, manifest: dict[str, Any]) -> None:
    if manifest["vendor"] != _vendor():
        raise BackupError(
            f"The backup holds a {manifest['vendor']} database; this site uses {_vendor()}."
        )
    source = folder / manifest["database"]
    if _vendor() == "sqlite":
        connection.ensure_connection()
        origin = sqlite3.connect(source)
        try:
            # Replaces every page of the configured database in one step (all or nothing).
            origin.backup(connection.connection)
        finally:
            origin.close()
        return
    args, env = _pg_args()
    # pg_restore works on its own connection: ours must not hold locks on the tables it drops.
    connection.close()
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *args,
            str(source),
        ],
        env,
    )


def _check_file_names(manifest: dict[str, Any]) -> None:
    """Every file the manifest lists goes to one of our stores, under a plain relative name."""
    for name in manifest["files"]:
        prefix, _sep, stored = name.partition("/")
        parts = stored.split("/")
        if prefix not in FILE_STORES or not stored or stored.startswith("/") or ".." in parts:
            raise BackupError(f"Unknown folder in the backup: {name}")


def restore(path: Path, *, force: bool = False) -> RestoreResult:
    """Load the archive at `path` into the configured database and file folders, then check
    them against its manifest."""
    manifest = read_manifest(path)
    if not force and not database_is_empty():
        raise BackupError(
            "The database is not empty: restoring would replace its contents. "
            "Use --force to replace them."
        )
    with tempfile.TemporaryDirectory(prefix="congdanso-restore-") as tmp:
        folder = Path(tmp)
        with tarfile.open(path, "r:gz") as archive:
            # filter="data": no absolute paths, no "..", no links out of the folder.
            archive.extractall(folder, filter="data")
        _check_file_names(manifest)  # before anything is replaced
        _load_database(folder, manifest)
        for name, digest in sorted(manifest["files"].items()):
            prefix, _sep, stored = name.partition("/")
            _put(_store(prefix), stored, folder / name, digest)
    return check(manifest)


def check(manifest: dict[str, Any]) -> RestoreResult:
    """Compare the restored database and files with the manifest."""
    from reports.models import Media

    found = counts()
    result = RestoreResult(counts=found, files=0)
    for name, expected in manifest["counts"].items():
        if found.get(name, 0) < expected:
            result.problems.append(f"{name}: {found.get(name, 0)} restored, {expected} backed up")
    for name, digest in manifest["files"].items():
        prefix, _sep, stored = name.partition("/")
        found_digest = _stored_sha256(_store(prefix), stored) if prefix in FILE_STORES else None
        if found_digest is None:
            result.problems.append(f"file missing: {name}")
        elif found_digest != digest:
            result.problems.append(f"file differs from the backup: {name}")
        else:
            result.files += 1
    fields = ("file", "thumbnail", "display", "poster", "public_video")
    for media_id, *names in Media.objects.values_list("id", *fields).iterator(chunk_size=2000):
        for field_name, name in zip(fields, names, strict=True):
            if not name:
                continue
            storage = _store("private_media" if field_name == "file" else "media")
            if not storage.exists(name):
                result.problems.append(f"attachment {media_id}: {field_name} {name} missing")
    return result
