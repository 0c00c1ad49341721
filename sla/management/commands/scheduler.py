"""The periodic scheduler: every round, enqueue the jobs that are due (sla.services.JOBS:
auto-close, the SLA sweep, the leaders' digest, re-queueing dead workers' tasks, retrying
deliveries). Run one beside `db_worker`.

Starting two by mistake is harmless: each due run is claimed with a compare-and-set update
on its ScheduledJob row, so it is enqueued once whichever scheduler gets there first.
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand

from sla.services import scheduler_identity, scheduler_run_due


class Command(BaseCommand):
    help = "Enqueue the periodic jobs when they are due (run beside `db_worker`)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=10, help="seconds between rounds (default 10)"
        )
        parser.add_argument("--once", action="store_true", help="run one round and exit")

    def handle(self, *args, interval: float, once: bool, **options):
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        worker = scheduler_identity()
        while not stopping:
            for name in scheduler_run_due(worker=worker):
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(1.0, interval))
