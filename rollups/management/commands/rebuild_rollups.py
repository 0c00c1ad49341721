"""Recompute the dashboard rollups from the reports (after bulk writes that bypass the
services: generate_reports, a restored backup)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from rollups.services import rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard rollups (per unit × category × day) from the reports."

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        rows = rebuild()
        self.stdout.write(
            f"rollups rebuilt in {time.perf_counter() - started:.1f} s: "
            f"{rows['unit_category_day']:,} unit × category × day rows, "
            f"{rows['unit_day']:,} unit × day rows"
        )
