"""Delete stored attachment files that no attachment row names any more.

Deletion removes the files after its transaction commits; a process killed in between leaves
them behind, and this finds them (run it daily, e.g. beside the SLA scheduler). Files younger
than an hour are left alone: they may belong to a submission still in its transaction.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reports.media_services import media_sweep


class Command(BaseCommand):
    help = "Delete original and public-copy files of attachments that no longer exist."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list them, delete nothing")

    def handle(self, *args, dry_run: bool, **options):
        found = media_sweep(dry_run=dry_run)
        for name in found:
            self.stdout.write(name)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {len(found)} orphaned file(s)")
