"""Enqueue periodic background work (auto-close of unrated reports) at a fixed interval.

Starting two schedulers by mistake is harmless: each enqueued task re-checks every report
under a row lock, so a report is closed once whatever runs twice.
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand

from reports.tasks import close_unrated_reports

PERIODIC_TASKS = [close_unrated_reports]


class Command(BaseCommand):
    help = "Enqueue periodic tasks every --interval seconds (run beside `db_worker`)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=300, help="seconds between rounds")
        parser.add_argument("--once", action="store_true", help="enqueue one round and exit")

    def handle(self, *args, interval: int, once: bool, **options):
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            for periodic in PERIODIC_TASKS:
                result = periodic.enqueue()
                self.stdout.write(f"enqueued {periodic.name} ({result.id})")
            if once:
                return
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(1)
