"""Load an archive written by `manage.py backup` into the configured database and media
folders, then check the result against the archive's manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports import backup


class Command(BaseCommand):
    help = "Restore a backup archive; refuses a database that is not empty unless --force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The archive written by `manage.py backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the contents of a database that is not empty.",
        )

    def handle(self, *args, path: str, force: bool, **options) -> None:
        archive = Path(path)
        if not archive.is_file():
            raise CommandError(f"No such file: {archive}")
        try:
            result = backup.restore(archive, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for problem in result.problems:
            self.stderr.write(problem)
        counts = result.counts
        summary = (
            f"{counts['reports']} reports, {counts['events']} events, "
            f"{counts['media']} attachments, {result.files} files"
        )
        if result.problems:
            raise CommandError(
                f"Restored, but {len(result.problems)} problem(s) against the manifest ({summary})."
            )
        self.stdout.write(f"Restored and checked against the manifest: {summary}.")
