"""One probe cycle over many cameras, half of them slow or dead (target: 2,000 cameras in
< 60 s on 2 cores, prober RSS < 200 MB).

Usage: .venv/bin/python bench/cameras.py [--cameras 2000] [--concurrency 200]
Needs the units and agencies loaded. A local camera server runs in its own process
(cameras/testing.py): a quarter of the cameras send a changing picture, a quarter a frozen
one, a quarter answer slower than the timeout (5 s), a quarter fail (500). The cameras are
written inside a transaction that is rolled back; the pictures go to a temporary folder.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")


def serve(port_queue) -> None:
    from cameras.testing import FeedServer

    server = FeedServer(slow_s=8.0)
    port_queue.put(server.port)
    server.httpd.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200)
    args = parser.parse_args()
    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(queue,), daemon=True)
    server.start()
    port = queue.get(timeout=10)

    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from cameras.models import Camera
    from cameras.services import cameras_probe
    from units.models import AdministrativeUnit, Agency

    settings.CAMERAS_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.CAMERAS_ALLOW_PRIVATE = True
    settings.CAMERAS_TIMEOUT_SECONDS = 5
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-cameras-")
    paths = ["/changing.jpg", "/frozen.jpg", "/slow.jpg", "/fail.jpg"]
    # By code, not by the point lookup: its index (~100 MB) is not the prober's memory.
    ward = AdministrativeUnit.objects.get(era="2025", code="00070")
    agency = Agency.objects.get(code="so-giao-thong")

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            Camera.objects.bulk_create(
                Camera(
                    code=f"bench-{k:05d}",
                    name=f"Bench {k}",
                    lat=21.0285,
                    lon=105.8522,
                    ward=ward,
                    agency=agency,
                    kind="snapshot",
                    url=f"http://127.0.0.1:{port}{paths[k % 4]}?k={k}",
                )
                for k in range(args.cameras)
            )
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            started = time.perf_counter()
            counts = cameras_probe(concurrency=args.concurrency)
            elapsed = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{args.cameras} cameras, concurrency {args.concurrency}: one cycle in {elapsed:.1f} s"
            )
            print(f"health: {counts}")
            print(f"prober RSS peak {peak:.0f} MB (before the cycle {before:.0f} MB)")
            raise Rollback
    except Rollback:
        pass
    server.terminate()


if __name__ == "__main__":
    main()
