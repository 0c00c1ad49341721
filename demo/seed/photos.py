"""Small unique JPEGs standing in for residents' photos and units' proof photos."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

_SKIES = [(176, 196, 214), (200, 210, 220), (150, 180, 210), (215, 205, 190)]
_GROUNDS = [(110, 110, 112), (128, 124, 118), (96, 100, 104), (140, 132, 120)]
_FACADES = [(214, 190, 140), (190, 170, 150), (230, 225, 210), (170, 150, 130), (200, 120, 90)]


def demo_photo(
    seed: int, *, caption: str, after: bool = False, size: tuple[int, int] = (320, 240)
) -> bytes:
    """A small JPEG (3–6 KB) of a street drawn from `seed`: façades, a road, and the
    problem (before) or a tidy scene (after). The caption makes the bytes unique."""
    rng = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size, rng.choice(_SKIES))
    draw = ImageDraw.Draw(img)
    horizon = rng.randrange(h // 3, h // 2)
    x = -rng.randrange(0, 20)
    while x < w:
        bw = rng.randrange(36, 80)
        top = rng.randrange(10, horizon - 10)
        draw.rectangle([x, top, x + bw, horizon], fill=rng.choice(_FACADES))
        for wy in range(top + 8, horizon - 12, 22):
            draw.rectangle([x + 8, wy, x + bw - 8, wy + 8], fill=(70, 80, 90))
        x += bw + rng.randrange(0, 6)
    draw.rectangle([0, horizon, w, h], fill=rng.choice(_GROUNDS))
    draw.rectangle([0, horizon, w, horizon + 14], fill=(160, 150, 140))  # the pavement
    if after:
        for _ in range(rng.randrange(1, 3)):  # trees and a clean kerb
            cx = rng.randrange(20, w - 20)
            draw.rectangle([cx - 3, horizon - 30, cx + 3, horizon + 6], fill=(90, 60, 40))
            draw.ellipse([cx - 22, horizon - 62, cx + 22, horizon - 22], fill=(60, 140, 70))
        draw.line([0, horizon + 14, w, horizon + 14], fill=(235, 235, 235), width=3)
    else:
        for _ in range(rng.randrange(3, 7)):  # the problem: a heap, a hole, a blocked pavement
            cx, cy = rng.randrange(10, w - 10), rng.randrange(horizon + 8, h - 30)
            r = rng.randrange(8, 28)
            colour = rng.choice(
                [(60, 50, 40), (40, 40, 40), (120, 80, 40), (200, 60, 40), (30, 60, 120)]
            )
            draw.ellipse([cx - r, cy - r // 2, cx + r, cy + r // 2], fill=colour)
    draw.rectangle([0, h - 16, w, h], fill=(20, 20, 20))
    draw.text((4, h - 14), caption, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=50, optimize=True)
    return buf.getvalue()
