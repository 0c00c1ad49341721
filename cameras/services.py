"""Cameras: loading the list, applying each probe (health, flips, the cached picture), and
telling the owner of a camera that stays bad."""

from __future__ import annotations

import asyncio
import csv
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from congdanso.records import csv_rows, update_changed
from reports import clock
from reports.services import clock_local
from units.lookup import OutsideCity, locate
from units.models import Agency

from . import probe as prober
from .models import BAD_HEALTH, Camera, CameraFlip, CameraReport, FeedKind, Health

COLUMNS = ("code", "name", "road", "lat", "lon", "agency", "kind", "url")


class CameraFileError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def cameras_load(text: str, *, sample_hosts: frozenset[str] = frozenset()) -> dict[str, int]:
    """Load a cameras file (columns COLUMNS, optional `direction`) all or nothing: every bad
    row is named by its line and then nothing is written. The same file again changes nothing.
    `sample_hosts`: the demo's invented hosts, accepted here though never fetched."""
    try:
        lines = list(csv_rows(text, COLUMNS))
    except ValueError as exc:
        raise CameraFileError([str(exc)]) from None
    except csv.Error as exc:
        raise CameraFileError(
            [_("the file is not valid CSV: %(error)s") % {"error": exc}]
        ) from None
    agencies = {a.code: a for a in Agency.objects.all()}
    problems: list[str] = []
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for line, row in lines:
        where = _("line %(line)d") % {"line": line}
        code = (row.get("code") or "").strip()
        try:
            if not code or len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum():
                raise ValueError(_("the code “%(code)s” is not valid") % {"code": code})
            if code in seen:
                raise ValueError(
                    _("the code %(code)s is used twice (also line %(other)d)")
                    % {"code": code, "other": seen[code]}
                )
            seen[code] = line
            name = " ".join((row.get("name") or "").split())[:150]
            if not name:
                raise ValueError(_("the name is empty"))
            agency = agencies.get((row.get("agency") or "").strip())
            if agency is None:
                raise ValueError(
                    _("no agency has the code “%(code)s”") % {"code": row.get("agency", "")}
                )
            kind = (row.get("kind") or "").strip().lower()
            if kind not in FeedKind.values:
                raise ValueError(_("the feed kind must be snapshot, mjpeg or hls"))
            url = (row.get("url") or "").strip()
            if (urlsplit(url).hostname or "").lower() not in sample_hosts:
                prober.host_allowed(url, prober_policy())
            try:
                lat, lon = float(row.get("lat", "")), float(row.get("lon", ""))
            except ValueError:
                raise ValueError(_("the point is not a valid latitude and longitude")) from None
            if not (math.isfinite(lat) and math.isfinite(lon)):
                raise ValueError(_("the point is not a valid latitude and longitude"))
            try:
                ward_id = locate(lat, lon).unit_id
            except OutsideCity:
                raise ValueError(_("the point is outside Hà Nội")) from None
        except prober.Refused as exc:
            problems.append(f"{where}: " + _("the feed URL is refused (%(why)s)") % {"why": exc})
            continue
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        rows.append(
            {
                "code": code,
                "name": name,
                "road": " ".join((row.get("road") or "").split())[:150],
                "direction": " ".join((row.get("direction") or "").split())[:100],
                "lat": lat,
                "lon": lon,
                "ward_id": ward_id,
                "agency_id": agency.pk,
                "kind": kind,
                "url": url,
            }
        )
    if problems:
        raise CameraFileError(problems)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        existing = {c.code: c for c in Camera.objects.filter(code__in=seen)}
        for values in rows:
            camera = existing.get(values["code"])
            if camera is None:
                Camera.objects.create(**values)
                counts["created"] += 1
                continue
            counts["updated" if update_changed(camera, values) else "unchanged"] += 1
    return counts


def prober_policy() -> prober.Policy:
    # The loader checks the host's name only (resolving every host at load time would tie the
    # load to DNS); the prober checks the address of every connection.
    return prober.Policy(
        allowed_hosts=frozenset(h.lower() for h in settings.CAMERAS_ALLOWED_HOSTS),
        allow_private=settings.CAMERAS_ALLOW_PRIVATE,
        max_bytes=settings.CAMERAS_MAX_BYTES,
        timeout_s=settings.CAMERAS_TIMEOUT_SECONDS,
    )


def _health_from(camera: Camera, result: prober.Probe, now: datetime) -> tuple[str, str]:
    """(health, detail) of `camera` after `result`; also moves its frozen/sequence counters."""
    if not result.ok:
        return Health.OFFLINE, result.error
    if result.dark:
        return Health.DARK, _("the picture is black or uniform")
    stale_after = settings.CAMERAS_STALE_SECONDS
    if result.media_sequence is not None:
        if camera.media_sequence != result.media_sequence or camera.media_sequence_since is None:
            camera.media_sequence = result.media_sequence
            camera.media_sequence_since = now
        elif (now - camera.media_sequence_since).total_seconds() > stale_after:
            return Health.STALE, _("the HLS playlist has not moved")
    if result.modified_at is not None and now.timestamp() - result.modified_at > stale_after:
        return Health.STALE, _("the picture is older than %(s)d s") % {"s": stale_after}
    if prober.same_picture(camera.picture_hash, result.picture_hash):
        camera.same_picture_count += 1
    else:
        camera.same_picture_count = 0
    camera.picture_hash = result.picture_hash
    if camera.same_picture_count + 1 >= settings.CAMERAS_FROZEN_PROBES:
        return Health.FROZEN, _("the same picture %(n)d probes in a row") % {
            "n": camera.same_picture_count + 1
        }
    return Health.ONLINE, ""


def probe_apply(camera: Camera, result: prober.Probe, *, now: datetime) -> Camera:
    """Record one probe: the new health (a flip row when it changed), the cached picture when
    it is good, and the owner's notice when the camera has been bad for too long."""
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera.pk)
        health, detail = _health_from(camera, result, now)
        camera.last_probe_at = now
        camera.last_error = detail[:300]
        if health != camera.health:
            CameraFlip.objects.create(
                camera=camera,
                from_health=camera.health,
                to_health=health,
                at=now,
                detail=detail[:300],
            )
            camera.health = health
            camera.health_since = now
        if health == Health.ONLINE:
            camera.last_ok_at = now
            # A new file each time, and the old one removed once the row points at the new:
            # a viewer always gets a whole picture, never one being written.
            old = camera.frame
            camera.frame = default_storage.save(
                f"cameras/{camera.code}-{int(now.timestamp() * 1000)}.jpg",
                ContentFile(result.picture),
            )
            camera.frame_at = now
            if old and old != camera.frame:
                transaction.on_commit(lambda: default_storage.delete(old))
        camera.save()
        _notify_if_bad_too_long(camera, now)
    return camera


def _notify_if_bad_too_long(camera: Camera, now: datetime) -> None:
    if camera.health not in BAD_HEALTH or camera.health_since is None:
        return
    if now - camera.health_since < timedelta(seconds=settings.CAMERAS_NOTIFY_AFTER_SECONDS):
        return
    if camera.notified_for == camera.health_since:
        return
    from notify.services import notify_staff

    staff = list(
        User.objects.filter(
            pk__in=Membership.objects.filter(
                agency_id=camera.agency_id,
                role__in=(Role.OFFICER, Role.UNIT_LEADER),
                is_active=True,
            ).values("user_id"),
            is_active=True,
        )
    )
    if staff:
        notify_staff(
            users=staff,
            kind="camera",
            title=_("Camera %(code)s (%(name)s) has shown no picture since %(since)s")
            % {
                "code": camera.code,
                "name": camera.name,
                "since": clock_local(camera.health_since).strftime("%H:%M %d/%m/%Y"),
            },
            body=f"{camera.get_health_display()}: {camera.last_error}",
            url=f"/camera/#camera-{camera.code}",
            dedupe_key=f"camera:{camera.pk}:{int(camera.health_since.timestamp())}",
        )
    camera.notified_for = camera.health_since
    camera.save(update_fields=["notified_for"])


def cameras_probe(*, now: datetime | None = None, concurrency: int | None = None) -> dict[str, int]:
    """One probe cycle over every active camera; counts per health afterwards."""
    cameras = list(Camera.objects.filter(is_active=True))
    policy = prober_policy()
    results = asyncio.run(
        prober.probe_all(
            [(c.code, c.kind, c.url) for c in cameras],
            policy,
            concurrency=concurrency or settings.CAMERAS_CONCURRENCY,
        )
    )
    now = now or clock.now()
    counts: dict[str, int] = {}
    for camera, result in zip(cameras, results, strict=True):
        camera = probe_apply(camera, result, now=now)
        counts[camera.health] = counts.get(camera.health, 0) + 1
    return counts


def nearest_first(cameras: list[Camera], lat: float, lon: float) -> list[Camera]:
    ky, kx = 110_574.0, 111_320.0 * math.cos(math.radians(lat))
    for c in cameras:
        c.distance_m = math.hypot((c.lat - lat) * ky, (c.lon - lon) * kx)  # type: ignore[attr-defined]
    return sorted(cameras, key=lambda c: c.distance_m)  # type: ignore[attr-defined]


def open_camera_report(camera: Camera):
    """The open report about `camera`, if there is one (the oldest)."""
    from reports.workflow import OPEN_STATUSES

    link = (
        CameraReport.objects.filter(camera=camera, report__status__in=OPEN_STATUSES)
        .select_related("report")
        .order_by("report_id")
        .first()
    )
    return link.report if link else None


def camera_report(
    *, actor: User, camera: Camera, note: str = "", files: Sequence[File] = ()
) -> tuple[object, bool]:
    """A resident says `camera` is broken: (report, created). The report goes through the one
    submit path, at the camera's point, routed to its owner; the camera's health as our watch
    sees it is written into it. While a report about the camera is open, the resident follows
    that one instead (the owner gets one report, everyone hears of its answer)."""
    from reports.services import Owned, report_follow, report_submit
    from routing.models import Category

    if not actor.is_authenticated:
        raise ValidationError(_("Sign in to report a camera."), code="sign_in")
    with transaction.atomic():
        # One report at a time per camera: two residents pressing at once get one report.
        camera = Camera.objects.select_for_update().get(pk=camera.pk)
        if not camera.is_active:
            raise ValidationError(_("This camera is no longer shown."), code="inactive_camera")
        existing = open_camera_report(camera)
        if existing is not None:
            report_follow(actor=actor, report=existing)
            return existing, False
        category = Category.objects.filter(
            code=settings.CAMERAS_REPORT_CATEGORY, is_active=True
        ).first()
        if category is None:
            raise ValidationError(
                _("Reports about cameras are not taken at the moment."), code="no_category"
            )
        watch = camera.get_health_display()
        if camera.health_since is not None:
            watch += " " + _("since %(since)s") % {
                "since": clock_local(camera.health_since).strftime("%H:%M %d/%m/%Y")
            }
        note = " ".join((note or "").split())
        description = "\n\n".join(
            part
            for part in (
                note or _("The camera shows no picture, or the wrong one."),
                _("Camera %(code)s (%(name)s). The city's watch of its feed: %(watch)s.")
                % {"code": camera.code, "name": camera.name, "watch": watch},
            )
            if part
        )
        report = report_submit(
            reporter=actor,
            category=category,
            lat=camera.lat,
            lon=camera.lon,
            title=_("Traffic camera not working: %(name)s") % {"name": camera.name},
            description=description,
            address=camera.road,
            files=files,
            about=Owned(
                agency=camera.agency,
                label=_("Camera %(code)s") % {"code": camera.code},
                data={
                    "camera": camera.code,
                    "health": camera.health,
                    "health_since": camera.health_since.isoformat()
                    if camera.health_since
                    else None,
                },
            ),
        )
        CameraReport.objects.create(camera=camera, report=report)
    return report, True
