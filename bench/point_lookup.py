"""Point → ward lookups per second (target ≥ 100,000/s), single calls and batched.

Usage: .venv/bin/python bench/point_lookup.py [--n 200000] [--seed 2025]
Needs the units loaded (`make run` or `manage.py load_units`; DATABASE_URL picks the
database). Points are drawn uniformly over Hà Nội's bounding box (seeded, so every run
measures the same points) and sorted by the answer into three groups timed apart:
inside a ward; in the band up to WARD_EDGE_TOLERANCE_M (300 m) outside the city's edge (the
nearest-ward fallback: a resident standing at the boundary); and farther out (refused).
For each group: lookups per second over a plain loop, and µs per lookup (mean, p50, p95)
from timing every call on its own (that timer adds about 0.1 µs, printed below).
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
from django.conf import settings  # noqa: E402

from units.lookup import OutsideCity, WardLocator, build_locator  # noqa: E402


def cpu_model() -> str:
    # platform.processor() is empty on Linux; /proc/cpuinfo names the CPU.
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def per_second(locator: WardLocator, lats: list[float], lons: list[float]) -> float:
    locate = locator.locate
    started = time.perf_counter()
    for lat, lon in zip(lats, lons, strict=True):
        try:
            locate(lat, lon)
        except OutsideCity:
            pass
    return len(lats) / (time.perf_counter() - started)


def latencies_us(locator: WardLocator, lats: list[float], lons: list[float]) -> np.ndarray:
    locate = locator.locate
    clock = time.perf_counter_ns
    out = np.empty(len(lats))
    for k, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        started = clock()
        try:
            locate(lat, lon)
        except OutsideCity:
            pass
        out[k] = clock() - started
    return out / 1000.0


def timer_overhead_us(n: int = 100_000) -> float:
    clock = time.perf_counter_ns
    samples = np.empty(n)
    for k in range(n):
        started = clock()
        samples[k] = clock() - started
    return float(np.median(samples)) / 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=200_000, help="points per group at most")
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
    groups = {
        "inside a ward": inside,
        f"<= {settings.WARD_EDGE_TOLERANCE_M:g} m outside the edge": edge,
        "farther out (refused)": ~(inside | edge),
    }
    points = {
        name: (lats[mask][: args.n].tolist(), lons[mask][: args.n].tolist())
        for name, mask in groups.items()
    }

    lat_in, lon_in = points["inside a ward"]
    started = time.perf_counter()
    locator.locate_many(lat_in, lon_in)
    batch = len(lat_in) / (time.perf_counter() - started)

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"wards indexed: {len(locator)}; index build: {build_s:.2f} s")
    print(f"timer overhead per call (included in µs figures): {timer_overhead_us():.2f} µs")
    print("single locate(), by where the point is:")
    print(
        f"  {'group':<32} {'points':>8} {'lookups/s':>11} {'mean µs':>8} {'p50 µs':>7} {'p95 µs':>7}"
    )
    rates = {}
    for name, (la, lo) in points.items():
        if not la:
            print(f"  {name:<32} {0:>8}")
            continue
        rates[name] = per_second(locator, la, lo)
        us = latencies_us(locator, la, lo)
        p50, p95 = np.percentile(us, [50, 95])
        print(
            f"  {name:<32} {len(la):>8,} {rates[name]:>11,.0f} "
            f"{1e6 / rates[name]:>8.2f} {p50:>7.2f} {p95:>7.2f}"
        )
    print(f"batched locate_many(), points inside a ward: {batch:,.0f} lookups/s")
    single = rates.get("inside a ward", 0.0)
    print(f"target >= 100,000 lookups/s (inside): {'met' if single >= 100_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
