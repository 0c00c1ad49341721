"""The city's traffic cameras, the health of each feed, and every change of that health."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedKind(models.TextChoices):
    SNAPSHOT = "snapshot", _("Snapshot (JPEG)")
    MJPEG = "mjpeg", _("MJPEG stream")
    HLS = "hls", _("HLS playlist")


class Health(models.TextChoices):
    UNKNOWN = "unknown", _("Not probed yet")
    ONLINE = "online", _("Online")
    STALE = "stale", _("No new picture")
    FROZEN = "frozen", _("Frozen picture")
    DARK = "dark", _("Dark picture")
    OFFLINE = "offline", _("Offline")


# A camera in one of these shows residents nothing useful.
BAD_HEALTH = frozenset({Health.STALE, Health.FROZEN, Health.DARK, Health.OFFLINE})


class Camera(models.Model):
    """One traffic camera: where it looks, who owns it, its feed, and how that feed is now."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    road = models.CharField(_("road"), max_length=150, blank=True)
    direction = models.CharField(_("direction"), max_length=100, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    ward = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ward"),
    )
    agency = models.ForeignKey(
        "units.Agency", on_delete=models.PROTECT, related_name="cameras", verbose_name=_("owner")
    )
    kind = models.CharField(_("feed kind"), max_length=10, choices=FeedKind.choices)
    url = models.URLField(_("feed URL"), max_length=500)
    is_active = models.BooleanField(_("active"), default=True)
    # Kept by the prober (cameras/probe.py through cameras/services.py).
    health = models.CharField(max_length=10, choices=Health.choices, default=Health.UNKNOWN)
    health_since = models.DateTimeField(null=True, blank=True)
    last_probe_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # The last picture's perceptual hash, and how many probes in a row gave the same one.
    picture_hash = models.CharField(max_length=32, blank=True)
    same_picture_count = models.PositiveIntegerField(default=0)
    # An HLS playlist's media sequence, and since when it has not moved.
    media_sequence = models.BigIntegerField(null=True, blank=True)
    media_sequence_since = models.DateTimeField(null=True, blank=True)
    # The latest good picture, in our storage: residents' phones never reach the camera.
    frame = models.CharField(max_length=200, blank=True)
    frame_at = models.DateTimeField(null=True, blank=True)
    # The bad spell its owner was told about (its health_since), so it is told once.
    notified_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_bad(self) -> bool:
        return self.health in BAD_HEALTH


class CameraFlip(models.Model):
    """A change of a camera's health: the record of uptime, and what its owner was told."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="flips")
    from_health = models.CharField(max_length=10, choices=Health.choices)
    to_health = models.CharField(max_length=10, choices=Health.choices)
    at = models.DateTimeField(db_index=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("camera health change")
        verbose_name_plural = _("camera health changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["camera", "at"], name="cameraflip_camera_at_idx")]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.from_health}→{self.to_health} {self.at:%Y-%m-%d %H:%M}"


class CameraReport(models.Model):
    """A resident's report that a camera shows nothing or the wrong thing: a report like any
    other, routed to the camera's owner; the camera's page points at it while it is open."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="reports")
    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="camera_link"
    )

    class Meta:
        verbose_name = _("report about a camera")
        verbose_name_plural = _("reports about cameras")

    def __str__(self) -> str:
        return f"{self.camera_id} {self.report_id}"
