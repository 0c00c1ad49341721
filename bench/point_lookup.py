"""Point → ward lookups per second (target ≥ 100,000/s), single calls and batched.

Usage: .venv/bin/python bench/point_lookup.py [--n 200000]
Needs the units loaded (`make run` or `manage.py load_units`). Points are drawn uniformly
inside Hà Nội's wards (seeded, so every run measures the same points); points in the 300 m
band outside the city edge (nearest-ward fallback) and points farther out are timed apart.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")

import django

django.setup()

import numpy as np  # noqa: E402

from units.lookup import OutsideCity, build_locator  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    started = time.perf_counter()
    locator = build_locator()
    build_s = time.perf_counter() - started

    rng = np.random.default_rng(args.seed)
    lats = rng.uniform(20.55, 21.40, args.n * 3)
    lons = rng.uniform(105.28, 106.03, args.n * 3)
    hits = locator.locate_many(lats, lons)
    inside = np.array([h is not None and h.distance_m == 0 for h in hits])
    edge = np.array([h is not None and h.distance_m > 0 for h in hits])
    outside = ~(inside | edge)
    lat_in, lon_in = lats[inside][: args.n].tolist(), lons[inside][: args.n].tolist()
    lat_edge, lon_edge = lats[edge][:2000].tolist(), lons[edge][:2000].tolist()
    lat_out, lon_out = lats[outside][:2000].tolist(), lons[outside][:2000].tolist()

    def per_second(lat_list: list[float], lon_list: list[float]) -> float:
        started = time.perf_counter()
        for lat, lon in zip(lat_list, lon_list, strict=True):
            try:
                locator.locate(lat, lon)
            except OutsideCity:
                pass
        return len(lat_list) / (time.perf_counter() - started)

    single = per_second(lat_in, lon_in)
    started = time.perf_counter()
    locator.locate_many(lat_in, lon_in)
    batch = len(lat_in) / (time.perf_counter() - started)
    edge_rate = per_second(lat_edge, lon_edge)
    outside_rate = per_second(lat_out, lon_out)

    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"wards indexed: {len(locator)}; index build: {build_s:.2f} s")
    print(
        f"single locate(), points inside a ward: {single:,.0f} lookups/s ({len(lat_in):,} points)"
    )
    print(f"batched locate_many(), same points:    {batch:,.0f} lookups/s")
    print(f"single locate(), points <= 300 m outside the city edge: {edge_rate:,.0f} lookups/s")
    print(f"single locate(), points farther out (refused): {outside_rate:,.0f} lookups/s")
    print(f"target >= 100,000 lookups/s: {'met' if single >= 100_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
