"""Administrative dossiers (hồ sơ) copied from the city's administrative-procedure system, so a
resident can follow theirs: status, steps, the unit handling it, due date, on time or late.

Personal data (Decree 13/2023/NĐ-CP, data minimisation): the applicant's phone is never
stored. We keep a keyed hash of it (HMAC-SHA256 with DOSSIER_PHONE_KEY), to match a signed-in
resident's verified phone, and its last four digits, which the public look-up asks for beside
the dossier code. A plain hash would not do: Vietnamese mobile numbers are ~10⁹ strings, all
hashed in minutes from a stolen table; without the key the HMAC cannot be reversed that way."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("Being processed")
    SUPPLEMENT = "supplement", _("Papers requested")
    COMPLETED = "completed", _("Result ready")
    RETURNED = "returned", _("Result handed over")
    REJECTED = "rejected", _("Refused")


# A dossier in one of these has its answer: its timeliness is decided by when it got there.
FINISHED = (DossierStatus.COMPLETED, DossierStatus.RETURNED, DossierStatus.REJECTED)
STATUS_COLOURS = {
    DossierStatus.RECEIVED: "blue",
    DossierStatus.IN_PROGRESS: "blue",
    DossierStatus.SUPPLEMENT: "red",
    DossierStatus.COMPLETED: "green",
    DossierStatus.RETURNED: "green",
    DossierStatus.REJECTED: "dark-grey",
}


class Dossier(models.Model):
    """One dossier as the procedure system last told us (sync_dossiers or the push endpoint)."""

    code = models.CharField(_("dossier code"), max_length=40, unique=True)
    procedure_code = models.CharField(_("procedure code"), max_length=40)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        "units.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    phone_last4 = models.CharField(_("last 4 digits of the phone"), max_length=4)
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=20, choices=DossierStatus.choices)
    # When it reached a finished status (the first of the final run of finished steps).
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The newest step's time: a record whose steps are older does not overwrite the status.
    last_step_at = models.DateTimeField(_("last step at"))
    current_unit = models.CharField(_("unit handling it"), max_length=200, blank=True)
    synced_at = models.DateTimeField(_("synchronised at"))

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The dashboard's on time / late per agency.
            models.Index(fields=["agency", "due_at"], name="dossier_agency_due_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "blue")

    def is_late(self, now) -> bool:
        """Finished after its due date, or still open past it."""
        if self.finished_at is not None:
            return self.finished_at > self.due_at
        return now > self.due_at


class DossierStep(models.Model):
    """One step of a dossier's processing, as the procedure system recorded it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("at"))
    status = models.CharField(_("status"), max_length=20, choices=DossierStatus.choices)
    unit = models.CharField(_("unit"), max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("dossier step")
        verbose_name_plural = _("dossier steps")
        ordering = ["at", "id"]
        constraints = [
            # A step is known by its time, status and unit: a second sync adds no copy.
            models.UniqueConstraint(
                fields=["dossier", "at", "status", "unit"], name="dossier_step_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.at:%Y-%m-%d %H:%M} {self.status}"


class DossierPush(models.Model):
    """A signed push accepted from the procedure system: its signature, so that the same request
    replayed within the time window is refused, and the audit of what each push did."""

    signature = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField()
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dossier push")
        verbose_name_plural = _("dossier pushes")

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M:%S}"
