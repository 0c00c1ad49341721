"""Fill the database with N synthetic reports (demo/generate.py): for load tests,
benchmarks and demos of a big city. Adds to what is there; never deletes."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from demo.generate import generate


class Command(BaseCommand):
    help = "Write N synthetic reports with their events, photos (references) and ratings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, help="How many reports to write.")
        parser.add_argument("--seed", type=int, default=2025, help="Random seed (default 2025).")
        parser.add_argument(
            "--days",
            type=int,
            default=365,
            help="Spread the submissions over this many days before now (default 365).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--indexes",
            choices=["auto", "rebuild", "keep"],
            default="auto",
            help="Drop the secondary indexes and build them again after writing (rebuild), "
            "maintain them row by row (keep), or rebuild when the run at least doubles the "
            "reports and writes 50,000 or more (auto, the default).",
        )

    def handle(
        self,
        *args,
        count: int,
        seed: int,
        days: int,
        no_progress: bool,
        indexes: str,
        **options,
    ):
        if count < 1:
            raise CommandError("The number of reports must be at least 1.")
        if days < 1:
            raise CommandError("--days must be at least 1.")
        bar = tqdm(total=count, unit="report", disable=no_progress, file=self.stderr._out)
        try:
            result = generate(
                count,
                seed=seed,
                days=days,
                progress=bar.update,
                rebuild_indexes={"auto": None, "rebuild": True, "keep": False}[indexes],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        rate = result.reports / result.seconds if result.seconds else 0.0
        self.stdout.write(
            f"{result.events} events, {result.media} photos, {result.ratings} ratings; "
            f"wrote {result.reports} reports in {result.seconds:.1f} s: {rate:,.0f} reports/s "
            f"(of which {result.derived_seconds:.1f} s rebuilding the dashboard's rollups and "
            f"the map's cells)"
        )
