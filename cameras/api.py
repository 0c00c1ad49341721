"""GET /api/cameras: every active camera, its health and its cached picture's URL."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from .selectors import camera_out, public_cameras

router = Router(tags=["cameras"])


class CameraOut(Schema):
    code: str
    name: str
    lat: float
    lon: float
    ward: str
    health: str
    last_ok_at: datetime | None
    frame_url: str | None


@router.get("", response=list[CameraOut], summary="Traffic cameras, nearest first with lat/lon")
def cameras(request, lat: str = "", lon: str = ""):
    found, _near = public_cameras(lat, lon)
    return [camera_out(c) for c in found]
