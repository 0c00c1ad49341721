"""Make the public copies of attachments now, in this process (not through the worker).

For files uploaded before public copies existed (after migration reports 0002), or to retry
the ones whose processing failed once the cause is fixed. Safe to run twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Q

from reports.models import Media
from reports.processing import media_process


class Command(BaseCommand):
    help = "Make the public copies (EXIF-free photos, video posters) of unprocessed attachments."

    def add_arguments(self, parser):
        parser.add_argument(
            "--failed", action="store_true", help="also retry those whose processing failed"
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="remake every attachment's copies",
        )

    def handle(self, *args, failed: bool, everything: bool, **options):
        media = Media.objects.all()
        if not everything:
            pending = Q(processed_at__isnull=True)
            media = media.filter(pending if failed else pending & Q(processing_error=""))
        done = errors = 0
        for media_id in media.order_by("pk").values_list("pk", flat=True).iterator():
            result = media_process(media_id=media_id)
            if result is not None and result.processing_error:
                errors += 1
                self.stderr.write(f"media {media_id}: {result.processing_error}")
            else:
                done += 1
        self.stdout.write(f"processed {done}, failed {errors}")
        if errors:
            raise SystemExit(1)
