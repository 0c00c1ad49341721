"""`manage.py sync_dossiers --from FILE_OR_URL`: copy dossiers from the city's
administrative-procedure system (its JSON export; format in dossiers/services.py).

Idempotent (a second run of the same file changes nothing; a newer step updates). A malformed
record or an unknown agency is named and nothing at all is applied (exit status 1).
A URL is fetched over http(s) with a timeout and a size ceiling; a failed fetch applies nothing.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import httpx
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dossiers.services import SyncError, dossiers_sync, parse_bytes

FETCH_TIMEOUT_S = 60
MAX_BYTES = 200 * 1024 * 1024


def _too_large(source: str) -> CommandError:
    return CommandError(
        _("%(source)s is larger than %(mb)d MB.") % {"source": source, "mb": MAX_BYTES // 2**20}
    )


def _fetch(url: str) -> bytes:
    """The body at `url`, read up to MAX_BYTES; CommandError (in the operator's language) on
    any failure: no answer, an error status, too large."""
    body = bytearray()
    try:
        with httpx.stream("GET", url, timeout=FETCH_TIMEOUT_S, follow_redirects=True) as response:
            if response.status_code >= 400:
                raise CommandError(
                    _("%(source)s answered HTTP %(status)d: nothing was applied.")
                    % {"source": url, "status": response.status_code}
                )
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise _too_large(url)
    except httpx.HTTPError as exc:
        raise CommandError(
            _("Cannot fetch %(source)s (%(error)s): nothing was applied.")
            % {"source": url, "error": exc or type(exc).__name__}
        ) from None
    return bytes(body)


def read_source(source: str) -> bytes:
    scheme = urlparse(source).scheme
    if scheme in ("http", "https"):
        return _fetch(source)
    if scheme in ("", "file") or len(scheme) == 1:  # a path (C: on Windows counts as one)
        path = Path(urlparse(source).path if scheme == "file" else source)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise _too_large(source)
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(source)s: %(error)s") % {"source": source, "error": exc.strerror}
            ) from None
    raise CommandError(
        _("%(source)s: only a file path or an http(s) address is accepted.") % {"source": source}
    )


class Command(BaseCommand):
    help = "Synchronise dossiers from the procedure system's JSON export (file or URL)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="source", required=True, help="a file path or URL")

    def handle(self, *args, source: str, **options) -> None:
        body = read_source(source)
        try:
            result = dossiers_sync(records=parse_bytes(body))
        except SyncError as exc:
            raise CommandError(
                _("Nothing was applied from %(source)s:") % {"source": source} + f"\n{exc}"
            ) from None
        self.stdout.write(
            _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
