"""Probe every camera feed: `--once` runs one cycle; without it, a cycle every --every s."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from cameras.services import cameras_probe


class Command(BaseCommand):
    help = "Probe every camera feed once (--once) or in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--every", type=int, default=120)

    def handle(self, *args, once: bool, every: int, **options):
        while True:
            started = time.monotonic()
            counts = cameras_probe()
            self.stdout.write(
                f"{sum(counts.values())} camera(s) in {time.monotonic() - started:.1f} s: "
                + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            )
            if once:
                return
            time.sleep(max(1, every - (time.monotonic() - started)))
