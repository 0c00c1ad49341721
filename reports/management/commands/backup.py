"""Write one archive with the database, the uploaded files and a manifest (reports/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reports import backup


class Command(BaseCommand):
    help = "Back up the database and the media folders into one tar.gz archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            metavar="PATH",
            help="Where to write the archive (default: backups/congdanso-<UTC time>.tar.gz).",
        )

    def handle(self, *args, output: str | None, **options) -> None:
        path = Path(output or f"backups/congdanso-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
        try:
            manifest = backup.backup(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = manifest["counts"]
        self.stdout.write(
            f"Backed up {counts['reports']} reports, {counts['events']} events, "
            f"{counts['media']} attachments and {len(manifest['files'])} files "
            f"({manifest['vendor']}) to {path}."
        )
