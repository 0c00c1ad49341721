"""Recompute the public map's counts per H3 cell from the reports (maps.services.rebuild)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from maps.services import rebuild


class Command(BaseCommand):
    help = "Recompute the public map's counts per H3 cell from the reports."

    def handle(self, *args, **options):
        rows = rebuild()
        self.stdout.write(f"{rows} map cell rows written.")
