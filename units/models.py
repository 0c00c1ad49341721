from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitType(models.TextChoices):
    CITY = "city", _("City")
    URBAN_DISTRICT = "quan", _("Urban district")
    RURAL_DISTRICT = "huyen", _("Rural district")
    TOWN = "thi_xa", _("Town")
    WARD = "phuong", _("Ward")
    COMMUNE = "xa", _("Commune")
    TOWNSHIP = "thi_tran", _("Township")
    # Residential groups below a ward or commune: not official units of the national list,
    # but where a ward's work happens street by street (units/groups.py).
    RESIDENTIAL_GROUP = "to_dan_pho", _("Residential group")
    VILLAGE = "thon", _("Village")
    RESIDENTIAL_CLUSTER = "cum_dan_cu", _("Residential cluster")


# Ward-level types: the units a point on the map is placed in.
WARD_LEVEL_TYPES = (UnitType.WARD, UnitType.COMMUNE, UnitType.TOWNSHIP)
# The kinds of residential group, always with a ward-level unit as parent.
GROUP_TYPES = (UnitType.RESIDENTIAL_GROUP, UnitType.VILLAGE, UnitType.RESIDENTIAL_CLUSTER)


class AdministrativeUnit(models.Model):
    """An official administrative unit (city, district, ward, commune) of one era."""

    # Codes are reused across eras (a 2025 ward carries the code of one old ward merged into
    # it), so a code alone does not name a unit: (era, code) does.
    era = models.CharField(_("era"), max_length=10, db_index=True)
    # A residential group's code is the ward's own choice ("00070-TDP01"), hence the length.
    code = models.CharField(_("official code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    full_name = models.CharField(_("full name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=UnitType.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    # GeoJSON geometry (WGS84, lon/lat) as text: read by shapely into the lookup index;
    # PostGIS is not required.
    geometry = models.TextField(_("boundary (GeoJSON)"), blank=True)
    # Residential groups only: the streets and lanes the group covers (one per line), and the
    # leader's work contact. No register of households is kept (Decree 13/2023).
    streets = models.TextField(_("streets and lanes"), blank=True)
    leader_name = models.CharField(_("leader"), max_length=150, blank=True)
    leader_phone = models.CharField(_("leader's phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["era", "code"]
        constraints = [models.UniqueConstraint(fields=["era", "code"], name="unit_unique_era_code")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_ward_level(self) -> bool:
        return self.type in WARD_LEVEL_TYPES

    @property
    def is_group(self) -> bool:
        return self.type in GROUP_TYPES

    def street_list(self) -> list[str]:
        return [s.strip() for s in self.streets.splitlines() if s.strip()]


class AgencyKind(models.TextChoices):
    WARD_COMMITTEE = "ward", _("Ward/commune People's Committee")
    DEPARTMENT = "department", _("City department or company")
    COORDINATION = "coordination", _("City coordination office")


class Agency(models.Model):
    """An organisation that handles reports: a ward committee, a department, or the coordination office."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    # The ward a ward committee governs; empty for city-wide agencies.
    unit = models.OneToOneField(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee",
    )
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
