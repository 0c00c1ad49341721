"""`manage.py sync_dossiers --from FILE_OR_URL`: copy dossiers from the city's
administrative-procedure system (its JSON export; format in dossiers/services.py).

Idempotent (a second run of the same file changes nothing; a newer step updates). A malformed
record or an unknown agency is named and nothing at all is applied (exit status 1).
A URL is fetched over http(s) with a timeout and a size ceiling.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from django.core.management.base import BaseCommand, CommandError

from dossiers.services import SyncError, dossiers_sync, parse_bytes

FETCH_TIMEOUT_S = 60
MAX_BYTES = 200 * 1024 * 1024


def read_source(source: str) -> bytes:
    scheme = urlparse(source).scheme
    if scheme in ("http", "https"):
        with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310 - scheme checked
            body = response.read(MAX_BYTES + 1)
    elif scheme in ("", "file") or len(scheme) == 1:  # a path (C: on Windows counts as one)
        path = Path(urlparse(source).path if scheme == "file" else source)
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {source}: {exc}") from None
    else:
        raise CommandError(f"{source}: only a file path or an http(s) address is accepted.")
    if len(body) > MAX_BYTES:
        raise CommandError(f"{source} is larger than {MAX_BYTES // 2**20} MB.")
    return body


class Command(BaseCommand):
    help = "Synchronise dossiers from the procedure system's JSON export (file or URL)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="source", required=True, help="a file path or URL")

    def handle(self, *args, source: str, **options) -> None:
        body = read_source(source)
        try:
            result = dossiers_sync(records=parse_bytes(body))
        except SyncError as exc:
            raise CommandError(f"Nothing was applied from {source}:\n{exc}") from None
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
