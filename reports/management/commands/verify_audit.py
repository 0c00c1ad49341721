"""Check every report's event chain (reports/audit.py) and name each edited, deleted or
inserted event; exit non-zero on any problem.

Each report's row is checked against its seal (the state its last event left), and the
newest signed checkpoint (or the files given with --checkpoint) against the events it covers.

`--seal-unsealed` gives a keyed hash to events stored before the keyed chain existed (no hash:
migration reports/0004; or the plain SHA-256 of chain v1, re-sealed only when that v1 chain is
itself intact) and seals their reports' rows. Sealing trusts whatever the rows say now, so it
is an operator's explicit act, done once, on data they trust.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q

from reports import audit
from reports.models import AuditCheckpoint, Report, ReportEvent


class Command(BaseCommand):
    help = "Verify the tamper-evident chain of every report's events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--report", metavar="CODE", help="Only this report (tracking code).")
        parser.add_argument(
            "--seal-unsealed",
            action="store_true",
            help="Seal the chains of reports whose events have no hash yet (events stored "
            "before the chain existed); chains with any other problem are left alone.",
        )
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="A signed checkpoint file kept elsewhere (repeatable); default: the newest "
            "stored checkpoint.",
        )
        parser.add_argument("--chunk-size", type=int, default=2000, help=argparse.SUPPRESS)

    def handle(
        self,
        *args,
        report: str | None,
        seal_unsealed: bool,
        checkpoint: list[str],
        chunk_size: int,
        **options,
    ):
        events = ReportEvent.objects.all()
        reports = Report.objects.all()
        if report:
            if not Report.objects.filter(tracking_code=report).exists():
                raise CommandError(f"No report {report}.")
            events = events.filter(report__tracking_code=report)
            reports = reports.filter(tracking_code=report)
        if seal_unsealed:
            self._seal(events)
        started = time.monotonic()
        problems = 0
        for problem in audit.verify(events, chunk_size=chunk_size, reports=reports):
            problems += 1
            self.stderr.write(str(problem))
        checked = events.count()
        # A report always has its submission event: none at all means they were all deleted.
        for code in reports.filter(events__isnull=True).values_list("tracking_code", flat=True):
            problems += 1
            self.stderr.write(str(audit.Problem(code, None, "no_events", "it has no events")))
        problems += self._checkpoints(checkpoint)
        elapsed = time.monotonic() - started
        if problems:
            raise CommandError(
                f"{problems} problem(s) in the audit chain ({checked} events checked)."
            )
        self.stdout.write(f"Audit chain intact: {checked} events checked in {elapsed:.1f} s.")

    def _checkpoints(self, files: list[str]) -> int:
        kept: list[tuple[str, str, str]] = []
        for name in files:
            try:
                data = json.loads(Path(name).read_text(encoding="utf-8"))
                kept.append((name, data["body"], data["signature"]))
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"{name}: not a checkpoint file ({exc}).") from exc
        if not files:
            newest = AuditCheckpoint.objects.first()
            if newest is not None:
                kept.append(
                    (
                        f"checkpoint of {newest.created_at:%Y-%m-%d %H:%M}",
                        newest.body,
                        newest.signature,
                    )
                )
        problems = 0
        for name, body, signature in kept:
            for problem in audit.checkpoint_problems(body, signature):
                problems += 1
                self.stderr.write(f"{name}: {problem}")
        if kept and not problems:
            self.stdout.write(f"{len(kept)} signed checkpoint(s) match the events they cover.")
        return problems

    def _seal(self, events) -> None:
        report_ids = list(
            events.filter(Q(hash="") | Q(seq=0))
            .order_by("report_id")
            .values_list("report_id", flat=True)
        )
        sealed_reports = 0
        sealed_events = 0
        for report_id in sorted(set(report_ids)):
            with transaction.atomic():
                # The lock every service takes: no event is added to this chain meanwhile.
                Report.objects.select_for_update().filter(pk=report_id).first()
                chain = list(ReportEvent.objects.filter(report_id=report_id).order_by("id"))
                # Events with a hash must already be consistent among themselves (under the
                # keyed chain, or the plain v1 one): sealing would otherwise whitewash an edit.
                previous = ""
                broken = False
                for event in chain:
                    if event.hash:
                        good = (
                            audit.event_hash(event, event.prev_hash)
                            if event.seq
                            else audit.legacy_event_hash(event, event.prev_hash)
                        )
                        if good != event.hash or event.prev_hash != previous:
                            broken = True
                            break
                    previous = event.hash
                if broken:
                    self.stderr.write(f"Report {report_id}: chain broken, not sealed.")
                    continue
                previous = ""
                for seq, event in enumerate(chain, start=1):
                    event.seq = seq
                    event.prev_hash = previous
                    event.hash = audit.event_hash(event, previous)
                    previous = event.hash
                ReportEvent.objects.bulk_update(chain, ["seq", "prev_hash", "hash"], batch_size=500)
                audit.seal_reports([report_id])
                sealed_reports += 1
                sealed_events += len(chain)
        self.stdout.write(f"Sealed {sealed_events} events of {sealed_reports} reports.")
