"""Reads of the cameras: the public list, nearest first when the phone gave its place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.urls import reverse

from reports.services import parse_point

from .models import BAD_HEALTH, Camera, CameraFlip, CameraReport, Health
from .services import nearest_first


def public_cameras(lat: str = "", lon: str = "") -> tuple[list[Camera], bool]:
    """Every shown camera, each with `open_report` (the tracking code of the open public report
    about it, or ""); nearest first when a valid position is given."""
    from reports.workflow import OPEN_STATUSES

    cameras = list(Camera.objects.filter(is_active=True).select_related("ward", "agency"))
    reported = dict(
        CameraReport.objects.filter(report__status__in=OPEN_STATUSES, report__is_public=True)
        .order_by("-report_id")
        .values_list("camera_id", "report__tracking_code")
    )
    for camera in cameras:
        camera.open_report = reported.get(camera.pk, "")  # type: ignore[attr-defined]
    if lat and lon:
        try:
            point = parse_point(lat, lon)
        except Exception:
            return cameras, False
        return nearest_first(cameras, *point), True
    return cameras, False


def map_points(cameras: list[Camera]) -> list[dict]:
    """What the camera page's map draws: a marker per camera, coloured by its health."""
    return [
        {
            "code": c.code,
            "name": c.name,
            "lat": c.lat,
            "lon": c.lon,
            "bad": c.is_bad,
            "health": str(c.get_health_display()),
        }
        for c in cameras
    ]


def camera_out(camera: Camera) -> dict:
    return {
        "code": camera.code,
        "name": camera.name,
        "lat": camera.lat,
        "lon": camera.lon,
        "ward": camera.ward.full_name,
        "health": camera.health,
        "last_ok_at": camera.last_ok_at,
        "frame_url": reverse("cameras:frame", args=[camera.code]) if camera.frame else None,
    }


class _Hours:
    """Time online and bad, as a share and as hours (a camera's or an owner's)."""

    online_s: float
    bad_s: float

    @property
    def uptime_pct(self) -> float | None:
        total = self.online_s + self.bad_s
        return None if total == 0 else 100.0 * self.online_s / total

    @property
    def bad_hours(self) -> float:
        return self.bad_s / 3600


@dataclass
class Uptime(_Hours):
    code: str
    name: str
    agency: str
    health: str
    online_s: float = 0.0
    bad_s: float = 0.0

    @property
    def health_label(self) -> str:
        return str(Health(self.health).label)


def uptime(cameras: QuerySet[Camera], *, days: int, now: datetime) -> list[Uptime]:
    """Per camera, the time online and bad in the last `days` (from its flips; time before a
    camera's first probe counts as neither), worst first. Two queries."""
    start = now - timedelta(days=days)
    rows = {
        c.pk: Uptime(c.code, c.name, c.agency.name, c.health)
        for c in cameras.select_related("agency")
    }
    state: dict[int, tuple[str, datetime]] = {}
    flips = CameraFlip.objects.filter(camera_id__in=rows, at__lt=now).order_by(
        "camera_id", "at", "id"
    )
    for flip in flips.iterator():
        previous = state.get(flip.camera_id)
        if previous is not None:
            _add(rows[flip.camera_id], previous[0], max(previous[1], start), flip.at)
        state[flip.camera_id] = (flip.to_health, flip.at)
    for camera_id, (health, since) in state.items():
        _add(rows[camera_id], health, max(since, start), now)
    return sorted(rows.values(), key=lambda r: (-(r.bad_s), r.code))


def _add(row: Uptime, health: str, begin: datetime, end: datetime) -> None:
    seconds = (end - begin).total_seconds()
    if seconds <= 0:
        return
    if health == Health.ONLINE:
        row.online_s += seconds
    elif health in BAD_HEALTH:
        row.bad_s += seconds


@dataclass
class OwnerUptime(_Hours):
    agency: str
    cameras: int
    online_s: float
    bad_s: float


def owners(rows: list[Uptime]) -> list[OwnerUptime]:
    """Per owner agency, ranked by hours without a picture, most first."""
    by: dict[str, OwnerUptime] = {}
    for r in rows:
        o = by.setdefault(r.agency, OwnerUptime(r.agency, 0, 0.0, 0.0))
        o.cameras += 1
        o.online_s += r.online_s
        o.bad_s += r.bad_s
    return sorted(by.values(), key=lambda o: (-o.bad_s, o.agency))
