"""Where attachment files live: originals in a private store, derived copies in the public one.

Two layouts, chosen by settings (see STORAGES in congdanso/settings.py):
- one machine: PRIVATE_MEDIA_ROOT and MEDIA_ROOT on its disk (the default);
- several app servers: two S3-compatible buckets, MEDIA_S3_BUCKET (public-read, the derived
  copies) and PRIVATE_MEDIA_S3_BUCKET (no public access, the originals).

Code reads and writes these files only through the storage API (`open`, `save`, `size`), never
by path: a bucket has no path, and a worker and a web server may run on different machines.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty


@deconstructible
class PrivateFileSystemStorage(FileSystemStorage):
    """Uploaded originals, EXIF and GPS intact, kept for provenance; never served at a URL.

    The location is read from settings on every use (not cached at import), so tests and
    deployments can point PRIVATE_MEDIA_ROOT elsewhere.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str | None:  # type: ignore[override]
        # Originals have no public URL: the citizen:media_file view serves what may be seen.
        return None


def _private_s3_storage_class() -> type:
    # boto3 and django-storages take ~1.6 s and ~35 MB to import: only processes configured
    # with buckets pay that (STORAGES names "reports.storage.PrivateS3Storage", resolved by
    # the module __getattr__ below).
    from storages.backends.s3 import S3Storage

    @deconstructible(path="reports.storage.PrivateS3Storage")
    class PrivateS3Storage(S3Storage):
        """The originals in a bucket of their own, with no public ACL; never a URL, not even a
        signed one (a signed URL in a log or a browser history would leak the photo's GPS)."""

        def url(self, name: str | None, *args: Any, **kwargs: Any) -> str | None:  # type: ignore[override]
            return None

    PrivateS3Storage.__qualname__ = "PrivateS3Storage"
    return PrivateS3Storage


_lazy_classes: dict[str, type] = {}


def __getattr__(name: str) -> Any:
    if name == "PrivateS3Storage":
        if name not in _lazy_classes:
            _lazy_classes[name] = _private_s3_storage_class()
        return _lazy_classes[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _PrivateStorage(LazyObject):
    """The private store configured now (STORAGES["private"]), looked up on first use.

    The model field holds this one object; resolving it lazily lets a deployment (or a test)
    switch between the disk and a bucket through settings alone."""

    def _setup(self) -> None:
        self._wrapped = storages["private"]


_private = _PrivateStorage()


@receiver(setting_changed)
def _forget_private_storage(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        _private._wrapped = empty  # type: ignore[assignment]  # LazyObject's "not set up yet"


def private_storage() -> Storage:
    """The storage of `Media.file` (a callable, so migrations record the name, not the path)."""
    return _private  # type: ignore[return-value]


def derived_name(media_id: int, sha256: str, variant: str, extension: str) -> str:
    """A name for a derived copy: stable (processing twice rewrites the same file) yet
    unguessable without SECRET_KEY (the public copies are never listed)."""
    token = hmac.new(
        settings.SECRET_KEY.encode(), f"{media_id}:{sha256}:{variant}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"public/{sha256[:2]}/{token}-{variant}.{extension}"


def _on_disk(storage: Storage) -> bool:
    """Whether the storage is this machine's disk (else a bucket). isinstance() sees through
    the lazy proxies (default_storage, the private store) to the storage they wrap."""
    return isinstance(storage, FileSystemStorage)


def write_public_copy(storage: Storage, name: str, content: bytes | Path) -> None:
    """Write `content` under exactly `name`, replacing what is there, so that no reader ever
    sees half a file and two runs at once leave one whole file.

    On disk: a temporary file renamed over the target (rename is atomic). In a bucket: one
    PUT (S3 makes an object visible only once it is whole); the storage must overwrite rather
    than pick another name, which `storage.save` does for S3 with file_overwrite on."""
    if not _on_disk(storage):
        if isinstance(content, Path):
            with content.open("rb") as src:
                saved = storage.save(name, File(src, name=name))
        else:
            saved = storage.save(name, ContentFile(content, name=name))
        if saved != name:
            raise RuntimeError(f"storage saved {name!r} as {saved!r}")
        return
    target = Path(storage.path(name))  # safe_join: refuses a name that leaves the folder
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(content, Path):
                with content.open("rb") as src:
                    shutil.copyfileobj(src, out)
            else:
                out.write(content)
        os.chmod(partial, 0o644)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


@contextmanager
def local_file(storage: Storage, name: str) -> Iterator[str]:
    """A path on this machine's disk holding the file, for tools that need one (ffmpeg):
    the file itself on disk, else a temporary download removed afterwards."""
    if _on_disk(storage):
        yield storage.path(name)
        return
    suffix = Path(name).suffix
    with tempfile.TemporaryDirectory(prefix="media-src-") as tmp:
        copy = Path(tmp) / f"source{suffix}"
        with storage.open(name, "rb") as src, copy.open("wb") as out:
            shutil.copyfileobj(src, out)
        yield str(copy)


def file_stat(storage: Storage, name: str) -> tuple[int, datetime]:
    """(size in bytes, last modified) of a stored file; FileNotFoundError when it is gone.

    Works for the disk and for buckets (a missing S3 object raises botocore's ClientError,
    turned into FileNotFoundError here so callers handle one exception)."""
    try:
        size = storage.size(name)
        modified = storage.get_modified_time(name)
    except FileNotFoundError:
        raise
    except Exception as exc:
        if is_missing(exc):
            raise FileNotFoundError(name) from exc
        raise
    return size, modified


def is_missing(exc: Exception) -> bool:
    """Whether a storage error means "no such file" (a bucket says so with an error code)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    code = str(response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}
