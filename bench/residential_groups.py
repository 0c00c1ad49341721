"""Residential groups at the city's scale: loading a file of groups with boundaries for every
ward (all checks: ward, codes, inside the ward, no overlaps), and placing a point in its group
(what every submission now does after the ward lookup).

Usage: .venv/bin/python bench/residential_groups.py [--per-side 4] [--points 5000]
Needs the units loaded (`make run` or `manage.py load_units`). Each ward's bounding box is cut
into per-side × per-side cells clipped to the ward (4 → ~1,900 groups over the 126 wards; Hà Nội
has about 10,000 residential groups, ~80 a ward: --per-side 9). Everything is written inside a
transaction that is rolled back: the database is left as it was.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from shapely.geometry import mapping, shape  # noqa: E402

from demo.seed.places import grid_parts  # noqa: E402
from units.groups import group_at, groups_load  # noqa: E402
from units.lookup import OutsideCity, current_era, locate  # noqa: E402
from units.models import GROUP_TYPES, WARD_LEVEL_TYPES, AdministrativeUnit  # noqa: E402


class Rollback(Exception):
    pass


def groups_file(per_side: int) -> tuple[str, int]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ward_code", "code", "name", "kind", "boundary"])
    n = 0
    for ward in AdministrativeUnit.objects.filter(era=current_era(), type__in=WARD_LEVEL_TYPES):
        geom = shape(json.loads(ward.geometry))
        for k, part in enumerate(grid_parts(geom, per_side, per_side), start=1):
            n += 1
            code = f"{ward.code}-B{k:03d}"
            writer.writerow([ward.code, code, f"Tổ {k}", "to_dan_pho", json.dumps(mapping(part))])
    return out.getvalue(), n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-side", type=int, default=4)
    parser.add_argument("--points", type=int, default=5000)
    args = parser.parse_args()
    text, n = groups_file(args.per_side)
    print(f"file: {n} groups over the wards, {len(text) / 1e6:.1f} MB")
    rng = random.Random(2025)
    try:
        with transaction.atomic():
            # Groups already there (the demo's sample) would overlap the generated ones.
            AdministrativeUnit.objects.filter(type__in=GROUP_TYPES).update(geometry="")
            started = time.perf_counter()
            counts = groups_load(text)
            load_s = time.perf_counter() - started
            print(f"load (all checks, then write): {load_s:.1f} s  {counts}")
            started = time.perf_counter()
            again = groups_load(text)
            print(f"second load of the same file: {time.perf_counter() - started:.1f} s  {again}")
            timings = []
            placed = 0
            while len(timings) < args.points:
                lat, lon = rng.uniform(20.95, 21.10), rng.uniform(105.75, 105.90)
                try:
                    ward = locate(lat, lon)
                except OutsideCity:
                    continue
                t = time.perf_counter()
                group = group_at(ward.unit_id, lat, lon)
                timings.append((time.perf_counter() - t) * 1000)
                placed += group is not None
            timings.sort()
            print(
                f"point → group over {len(timings)} points in the urban wards: "
                f"mean {statistics.mean(timings):.2f} ms, p50 {timings[len(timings) // 2]:.2f} ms, "
                f"p95 {timings[int(len(timings) * 0.95)]:.2f} ms; {placed} placed in a group"
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
