"""A small real JPEG for the benchmarks that send a photo."""

from __future__ import annotations

import io


def jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 30)).save(buf, "JPEG")
    return buf.getvalue()
