"""Where attachment files live: originals in a private store, derived copies in MEDIA_ROOT."""

from __future__ import annotations

import hashlib
import hmac
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Uploaded originals, EXIF and GPS intact, kept for provenance; never served at a URL.

    The location is read from settings on every use (not cached at import), so tests and
    deployments can point PRIVATE_MEDIA_ROOT elsewhere.
    """

    def __init__(self) -> None:
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


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def derived_name(media_id: int, sha256: str, variant: str, extension: str) -> str:
    """A name for a derived copy: stable (processing twice rewrites the same file) yet
    unguessable without SECRET_KEY (the public copies are never listed)."""
    token = hmac.new(
        settings.SECRET_KEY.encode(), f"{media_id}:{sha256}:{variant}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"public/{sha256[:2]}/{token}-{variant}.{extension}"
