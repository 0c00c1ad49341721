"""Peak memory of the largest accepted images (issue 16): for each worst case, one fresh
process runs the web-side check (reports.media.inspect_upload, as a submission does) and
another the worker-side processing (reports.processing.photo_copies, as process_media does),
and each prints its peak RSS (VmHWM) beside the process's RSS before the image.

Targets: web worker < 200 MB, task worker < 200 MB (docs/benchmarks.md).

    .venv/bin/python bench/image_memory.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")
import django
django.setup()


def hwm():
    # VmHWM: this process's peak RSS since exec (getrusage's ru_maxrss would include the
    # parent's peak on Linux, which made the images).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024


from django.core.files.uploadedfile import SimpleUploadedFile
from reports import media, processing
from reports.services import EVIDENCE_KINDS
side, path = sys.argv[1], sys.argv[2]
content = open(path, "rb").read()
before = hwm()
started = time.perf_counter()
outcome = "accepted"
if side == "web":
    try:
        media.inspect_upload(SimpleUploadedFile("x", content), EVIDENCE_KINDS)
    except Exception as exc:
        outcome = "refused: " + getattr(exc, "code", type(exc).__name__)
else:
    import io
    processing.photo_copies(io.BytesIO(content))
    outcome = "processed"
took = time.perf_counter() - started
peak = hwm()
print(f"{{before:.0f}}\t{{peak:.0f}}\t{{took:.2f}}\t{{outcome}}")
"""


def make_images(folder: Path) -> list[tuple[str, Path]]:
    from PIL import Image

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")
    import django

    django.setup()
    from reports.media import MAX_FULL_DECODE_PIXELS, MAX_PHOTO_PIXELS, MAX_WEBP_PIXELS

    def noisy(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
        # Noise in 16 × 16 blocks: a realistic amount of JPEG data, made quickly.
        small = Image.effect_noise((size[0] // 16, size[1] // 16), 64).convert(mode)
        return small.resize(size, Image.Resampling.NEAREST)

    cases = []
    w = 8160  # 8160 × 6120 = 49.9 MP: a 50 MP camera's photo, the largest accepted JPEG
    h = MAX_PHOTO_PIXELS // w
    big = noisy((w, h))
    cases.append(("50 MP baseline JPEG (camera)", folder / "camera.jpg"))
    big.save(cases[-1][1], quality=90)
    del big
    fw = 4000
    fh = MAX_FULL_DECODE_PIXELS // fw
    full = noisy((fw, fh))
    cases.append(("12 MP progressive JPEG 4:4:4", folder / "progressive.jpg"))
    full.save(cases[-1][1], quality=90, progressive=True, subsampling=0)
    cases.append(("12 MP PNG RGBA", folder / "screen.png"))
    full.convert("RGBA").save(cases[-1][1])
    del full
    ww = 3000
    webp = noisy((ww, MAX_WEBP_PIXELS // ww))
    cases.append(("6 MP WebP", folder / "photo.webp"))
    webp.save(cases[-1][1], quality=90)
    del webp
    cases.append(("16000 x 16000 PNG (refused)", folder / "bomb.png"))
    Image.new("1", (16_000, 16_000)).save(cases[-1][1])
    cases.append(("50 MP PNG (refused)", folder / "big.png"))
    Image.new("RGB", (w, h), (10, 20, 30)).save(cases[-1][1])
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-image-") as tmp:
        cases = make_images(Path(tmp))
        print(
            f"{'image':32} {'file':>9}  {'side':6} {'RSS before':>10} {'peak RSS':>9} {'time':>7}  result"
        )
        code = _CHILD.format(root=str(ROOT))
        for label, path in cases:
            for side in ("web", "worker"):
                if side == "worker" and "refused" in label:
                    continue  # never stored, so never processed
                done = subprocess.run(
                    [sys.executable, "-c", code, side, str(path)],
                    capture_output=True,
                    text=True,
                    check=False,
                    cwd=ROOT,
                )
                if done.returncode != 0:
                    print(f"{label:32} {side}: failed\n{done.stderr[-2000:]}")
                    continue
                before, peak, took, outcome = done.stdout.strip().splitlines()[-1].split("\t")
                size = path.stat().st_size / 1024
                print(
                    f"{label:32} {size:7.0f}KB  {side:6} {before:>7} MB {peak:>6} MB"
                    f" {took:>6}s  {outcome}"
                )


if __name__ == "__main__":
    main()
