"""Sign a checkpoint of the audit chain now (the scheduler does it nightly): stored, served at
/api/audit/checkpoints and, with AUDIT_CHECKPOINT_DIR set, written there as a file."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reports import audit, clock


class Command(BaseCommand):
    help = "Sign and store a checkpoint of every report's audit chain."

    def handle(self, *args, **options):
        checkpoint = audit.checkpoint_create(now=clock.now())
        self.stdout.write(
            f"Checkpoint signed: {checkpoint.events} events of {checkpoint.reports} reports "
            f"up to event {checkpoint.max_event_id}, head {checkpoint.head}."
        )
