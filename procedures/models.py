"""The public-service directory: administrative procedures (thủ tục hành chính) a resident may
need, with a link to each one on the national/city public-service portal."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureLevel(models.TextChoices):
    # Since 1 July 2025 local government has two tiers (city and ward/commune): no district.
    COMMUNE = "commune", _("Ward/commune level")
    CITY = "city", _("City level")
    CENTRAL = "central", _("Central level")


class OnlineLevel(models.TextChoices):
    # Decree 42/2022/NĐ-CP: an online public service is "full" (toàn trình: applied for, paid
    # and answered online) or "partial" (một phần: some step needs a visit).
    FULL = "full", _("Fully online")
    PARTIAL = "partial", _("Partly online")
    NONE = "none", _("In person only")


class Procedure(models.Model):
    """One administrative procedure, as the directory lists it (loaded by load_procedures)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    field = models.CharField(_("field"), max_length=120, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=ProcedureLevel.choices)
    agency = models.CharField(_("handling agency"), max_length=200, db_index=True)
    processing_time = models.CharField(_("processing time"), max_length=200)
    fees = models.CharField(_("fees"), max_length=300)
    papers = models.JSONField(_("required papers"), default=list)
    online_level = models.CharField(_("online level"), max_length=10, choices=OnlineLevel.choices)
    portal_url = models.URLField(_("link on the public-service portal"), max_length=500)
    # Sample rows (procedures/data/sample_procedures.json) are labelled on every page: they are
    # realistic but not the official list.
    is_sample = models.BooleanField(_("sample data"), default=False)
    # Folded copy (reports.search.fold) of code, name, field and agency: one LIKE per word,
    # accents ignored, on SQLite and PostgreSQL alike.
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["field", "name"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
