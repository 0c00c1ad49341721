from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# The code of "Khác"/Other (load_categories): where a report goes when nothing fits, for the
# coordinators to re-route.
OTHER_CATEGORY = "khac"


class HandlingLevel(models.TextChoices):
    WARD = "ward", _("Ward/commune where it happens")
    DEPARTMENT = "department", _("City department")
    COORDINATOR = "coordinator", _("Coordination office decides")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")
    COMPLEX = "complex", _("Complex")


class Category(models.Model):
    """A kind of problem residents report; carries its handling level and deadlines."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    group = models.CharField(_("group"), max_length=80, blank=True)
    icon = models.CharField(_("icon"), max_length=40, blank=True)
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("Comma-separated, for suggestions.")
    )
    handling_level = models.CharField(
        _("handling level"),
        max_length=20,
        choices=HandlingLevel.choices,
        default=HandlingLevel.WARD,
    )
    default_agency = models.ForeignKey(
        "units.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="default_for_categories",
        verbose_name=_("default department"),
    )
    # Deadlines in working hours (8:00–17:00, Monday–Friday, public holidays excluded).
    accept_hours = models.PositiveIntegerField(
        _("hours to accept"), default=8, validators=[MinValueValidator(1)]
    )
    resolve_hours = models.PositiveIntegerField(
        _("hours to resolve"), default=40, validators=[MinValueValidator(1)]
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    photo_required = models.BooleanField(_("photo required from the resident"), default=True)
    proof_required = models.BooleanField(
        _("resolution needs a photo or document as proof"), default=True
    )
    may_be_anonymous = models.BooleanField(_("may be sent anonymously"), default=True)
    public_by_default = models.BooleanField(_("public by default"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Data, not code: reports of this category (in this area) go to this agency."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="rules")
    # Empty: the whole city. A ward here makes the rule apply only to points in that ward.
    area = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("area"),
    )
    agency = models.ForeignKey(
        "units.Agency",
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("agency"),
    )
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher wins."))
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category", "-priority", "id"]

    def __str__(self) -> str:
        where = self.area.full_name if self.area_id else "Hà Nội"
        return f"{self.category} · {where} → {self.agency}"
