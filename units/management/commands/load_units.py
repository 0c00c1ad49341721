"""Load Hanoi's administrative units (all eras) and the 2025 ward boundaries; idempotent."""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from congdanso.records import update_changed
from units.lookup import reset_locator
from units.models import AdministrativeUnit

# (era, file): the 2025 era is the one in force; the others keep the old three-level
# hierarchy (city → district → ward) so history and mapping stay data.
UNIT_FILES = [
    ("2024", "hanoi_units_2024.csv"),
    ("2025H1", "hanoi_units_2025H1.csv"),
    ("2025", "hanoi_units_2025.csv"),
]
WARD_GEOMETRY_FILE = ("2025", "hanoi_wards_2025_full.geojson")
CITY_GEOMETRY_FILE = ("2025", "hanoi_city_2025.geojson")
CITY_CODE = "01"
CITY_ROW = {"code": CITY_CODE, "name": "Hà Nội", "full_name": "Thành phố Hà Nội", "type": "city"}


def nfc(text: str) -> str:
    # Source names mix tone-mark placements ("Hoà"/"Hòa"): store one normal form.
    return unicodedata.normalize("NFC", text or "").strip()


class Command(BaseCommand):
    help = "Load Hanoi's administrative units and ward boundaries from the shared data folder."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", default=str(settings.UNITS_DATA_DIR))
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, data_dir: str, no_progress: bool, **options):
        folder = Path(data_dir)
        if not folder.is_dir():
            raise CommandError(f"data folder not found: {folder}")
        rows = self._read_rows(folder)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        with transaction.atomic():
            existing = {(u.era, u.code): u for u in AdministrativeUnit.objects.all()}
            # Parents first: cities, then districts, then wards.
            depth = {"city": 0, "quan": 1, "huyen": 1, "thi_xa": 1}
            rows.sort(key=lambda r: (r["era"], depth.get(r["type"], 2), r["code"]))
            for row in tqdm(rows, desc="units", unit="unit", disable=no_progress):
                parent_code = row.pop("parent_code")
                parent = existing.get((row["era"], parent_code)) if parent_code else None
                values = {**row, "parent": parent}
                unit = existing.get((row["era"], row["code"]))
                if unit is None:
                    unit = AdministrativeUnit.objects.create(**values)
                    existing[(unit.era, unit.code)] = unit
                    counts["created"] += 1
                    continue
                counts["updated" if update_changed(unit, values) else "unchanged"] += 1
        reset_locator()
        self.stdout.write(
            self.style.SUCCESS(
                "units: {created} created, {updated} updated, {unchanged} unchanged".format(
                    **counts
                )
            )
        )

    def _read_rows(self, folder: Path) -> list[dict]:
        geometries = {}
        for era, name in (WARD_GEOMETRY_FILE, CITY_GEOMETRY_FILE):
            path = folder / name
            if not path.exists():
                raise CommandError(f"missing boundary file: {path}")
            for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
                code = str(feature.get("id") or feature["properties"].get("code") or CITY_CODE)
                # Compact separators: the same text on every run, so re-loading changes nothing.
                geometries[(era, code)] = json.dumps(feature["geometry"], separators=(",", ":"))

        rows: list[dict] = []
        for era, name in UNIT_FILES:
            path = folder / name
            if not path.exists():
                raise CommandError(f"missing unit list: {path}")
            seen_city = False
            with path.open(encoding="utf-8", newline="") as fh:
                for rec in csv.DictReader(fh):
                    seen_city |= rec["code"] == CITY_CODE
                    area = rec.get("area_km2")
                    rows.append(
                        {
                            "era": era,
                            "code": rec["code"].strip(),
                            "name": nfc(rec["name"]),
                            "full_name": nfc(rec["full_name"]),
                            "name_en": nfc(rec.get("name_en", "")),
                            "type": rec["type"],
                            "parent_code": rec.get("parent_code", "").strip(),
                            "area_km2": float(area) if area else None,
                            "geometry": geometries.get((era, rec["code"].strip()), ""),
                        }
                    )
            if not seen_city:
                # The old-era lists name the city only as a parent; add it so the parent link holds.
                rows.append(
                    {
                        **CITY_ROW,
                        "era": era,
                        "name_en": "Hanoi",
                        "parent_code": "",
                        "area_km2": None,
                        "geometry": "",
                    }
                )
        return rows
