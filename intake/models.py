"""The channels' own records. Every channel ends in reports.services.report_submit; what is
kept here is what only that channel knows: who filed for whom and how the resident agreed,
the Zalo events and conversations, the mails received."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from notify.models import Delivery


class Consent(models.TextChoices):
    CODE = "code", _("Confirmed with the one-time code sent to the resident's phone")
    SPOKEN = "spoken", _("Spoken consent recorded by the operator")


class AssistedFiling(models.Model):
    """A report a hotline operator or a community helper filed for a resident, and the
    resident's consent."""

    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="assisted_filing"
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assisted_filings"
    )
    # The agency the helper acted for: the coordination office (hotline) or a ward committee
    # (its community digital team). Kept, because memberships change.
    helper_agency = models.ForeignKey("units.Agency", on_delete=models.PROTECT, related_name="+")
    consent = models.CharField(_("consent"), max_length=10, choices=Consent.choices)
    # For a spoken consent: the name the operator typed as the one answering for it.
    consent_recorded_by = models.CharField(_("consent recorded by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("assisted filing")
        verbose_name_plural = _("assisted filings")

    def __str__(self) -> str:
        return f"{self.report_id} by {self.helper_id} ({self.consent})"


class ZaloContact(models.Model):
    """A Zalo user who wrote to the city's Official Account, and the resident account that
    their reports belong to (made at the first report; joined to their phone's account when
    they link it)."""

    zalo_user_id = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="zalo_contact"
    )
    display_name = models.CharField(max_length=150, blank=True)
    # The conversation: what step it is at and what the resident said so far (text,
    # suggestions, photos, place). Emptied once the report is filed or cancelled.
    state = models.CharField(max_length=20, default="idle")
    draft = models.JSONField(default=dict, blank=True)
    # The phone a link was asked for, waiting for its code.
    pending_phone = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("Zalo contact")
        verbose_name_plural = _("Zalo contacts")

    def __str__(self) -> str:
        return f"zalo:{self.zalo_user_id} → {self.user_id}"


class ZaloEvent(models.Model):
    """One webhook event from Zalo, stored before it is handled (the webhook answers at once,
    a worker handles it). Unique per message id: Zalo's retries and replays are handled once."""

    msg_id = models.CharField(max_length=100, unique=True)
    event_name = models.CharField(max_length=50)
    zalo_user_id = models.CharField(max_length=64)
    payload = models.JSONField()
    received_at = models.DateTimeField()
    # Compare-and-set claim by the worker (handled once even if the task runs twice).
    handled_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The sweep that takes up events whose task was lost.
            models.Index(fields=["handled_at", "received_at"], name="zalo_event_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} {self.msg_id}"


class ZaloReply(models.Model):
    """A conversation reply to send through the OA message API, retried like a notice's
    delivery (the same statuses and back-off as notify.Delivery)."""

    Status = Delivery.Status

    zalo_user_id = models.CharField(max_length=64)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="zalo_reply_retry_idx")]

    def __str__(self) -> str:
        return f"{self.zalo_user_id} {self.status}"


class MailIntake(models.Model):
    """One mail received at the intake address, and what became of it (a report, a refusal,
    or nothing for an automatic mail)."""

    class Outcome(models.TextChoices):
        FILED = "filed", _("Filed as a report")
        REFUSED = "refused", _("Refused")
        IGNORED = "ignored", _("Ignored (automatic mail)")
        RATE_LIMITED = "rate_limited", _("Sender over the limit")

    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    sender = models.CharField(max_length=254, db_index=True)
    subject = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    report = models.ForeignKey(
        "reports.Report", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mail received")
        verbose_name_plural = _("mails received")

    def __str__(self) -> str:
        return f"{self.sender} {self.outcome}"
