"""Area alerts (cảnh báo): a flood, a fire, bad air, a road closed or the water cut, announced
by the city or a ward for some wards or the whole city, and the wards residents follow."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    FLOOD = "flood", _("Flood")
    FIRE = "fire", _("Fire")
    AIR_QUALITY = "air_quality", _("Air quality")
    TRAFFIC_CLOSURE = "traffic_closure", _("Road closed to traffic")
    WATER_CUT = "water_cut", _("Water supply cut")


class AreaAlert(models.Model):
    """An announcement to the residents of some wards (or the whole city) for a period."""

    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    wards = models.ManyToManyField(
        "units.AdministrativeUnit", verbose_name=_("wards"), related_name="+", blank=True
    )
    # A whole-city alert names no wards: it reaches every resident who gave a ward.
    whole_city = models.BooleanField(_("whole city"), default=False)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    # Who published and who withdrew it, and when: the alert's own audit trail.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("published at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("area alert")
        verbose_name_plural = _("area alerts")
        ordering = ["-valid_from", "-id"]
        indexes = [
            # "Current alerts" on the residents' pages: not withdrawn and not yet ended.
            models.Index(fields=["valid_until", "withdrawn_at"], name="areaalert_current_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class WardFollow(models.Model):
    """A resident who wants the alerts of a ward (besides their home ward, followed anyway)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ward_follows"
    )
    ward = models.ForeignKey("units.AdministrativeUnit", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("followed ward")
        verbose_name_plural = _("followed wards")
        constraints = [models.UniqueConstraint(fields=["user", "ward"], name="ward_follow_unique")]
        indexes = [
            # Delivery: the followers of the alert's wards.
            models.Index(fields=["ward", "user"], name="ward_follow_ward_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.ward_id}"
