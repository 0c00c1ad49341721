from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from routing.models import Priority

from .storage import private_storage
from .workflow import STATUS_COLOURS, Action, Status


class TrackingCounter(models.Model):
    """The last tracking number handed out in a year (PA-2026-000123)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ReportChannel(models.TextChoices):
    """How a report reached us: every channel ends in the same submit path (report_submit)."""

    WEB = "web", _("Website and app")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    ZALO = "zalo", _("Zalo")
    EMAIL = "email", _("E-mail")
    HOTLINE = "hotline", _("Hotline")
    ASSISTED = "assisted", _("Filed by a community helper")


class Report(models.Model):
    """A problem a resident reported at a place, and where it stands."""

    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        "routing.Category", on_delete=models.PROTECT, related_name="reports"
    )
    # Empty only for a report sent by an outside system with an address and no coordinates
    # (Open311 allows it): it goes to the coordination office, which places it.
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    ward = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    # The residential group (tổ dân phố, thôn) below the ward: from the point where the group
    # has a boundary, else as the resident or the officer chose (units/groups.py).
    residential_group = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("residential group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_reports",
    )
    agency = models.ForeignKey(
        "units.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
    )
    # Never shown to the public: residents are anonymous on public pages.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    is_public = models.BooleanField(_("public"), default=True)
    # Indexed for the dashboard's per-channel counts and the inbox filter.
    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=ReportChannel.choices,
        default=ReportChannel.WEB,
        db_index=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )

    # Deadlines, in working hours from the category's SLA. `due_at` is the deadline of the
    # step a unit owes now (accept, re-route, or resolve) and is empty when nobody owes
    # anything, so "overdue" is just `due_at < now` on an index (report_due_at_idx).
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # The SLA clock's flag (sla/services.py): when `due_at` passed unhandled. Indexed for the
    # rankings and the "overdue now" counts; cleared by the workflow when the deadline changes.
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True, db_index=True)
    # Overdue notices sent for the current deadline (the first one included), and the last:
    # the next reminder is due SLA_REMINDER_HOURS working hours after it.
    overdue_reminders = models.PositiveSmallIntegerField(default=0)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(_("submitted at"))
    updated_at = models.DateTimeField(_("updated at"))
    routed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(
        _("escalated at"),
        null=True,
        blank=True,
        help_text=_("Set when a report is reopened a second time."),
    )

    answer = models.TextField(_("answer"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    resolution_count = models.PositiveSmallIntegerField(default=0)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    # A client-chosen key: the same submission sent twice (flaky network) is stored once.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    # Tracking code, title, description and address folded by reports.search.fold (no accents,
    # lower case), for the workspace's search; written once at creation.
    search_text = models.TextField(blank=True, default="", editable=False)
    # Tamper evidence of the row itself (reports/audit.py): how many events its chain has, and
    # a keyed seal over the audited fields and the last event's hash, written with every
    # event. An answer edited in the database no longer matches its seal.
    audit_seq = models.PositiveIntegerField(default=0, editable=False)
    audit_seal = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["due_at"], name="report_due_at_idx"),
            # The workspace inbox: one agency's reports by status.
            models.Index(fields=["agency", "status"], name="report_agency_status_idx"),
            models.Index(fields=["status", "created_at"], name="report_status_created_idx"),
            models.Index(fields=["created_at"], name="report_created_idx"),
            # Open311 clients sync with updated_after/updated_before.
            models.Index(fields=["updated_at", "id"], name="report_updated_idx"),
            # The public map at street zoom (api/map.py points): a range on lat, lon checked in
            # the index, public reports only (the rest never appear there).
            models.Index(
                fields=["lat", "lon", "created_at"],
                name="report_map_point_idx",
                condition=models.Q(is_public=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[Status(self.status)]


class GroundOutcome(models.TextChoices):
    """What a residential group's leader found on the ground (Action.GROUND_CHECK)."""

    PRESENT = "present", _("The problem is there, as reported")
    NOT_FOUND = "not_found", _("The problem was not found on the ground")
    FIXED = "fixed", _("Fixed: checked on the ground")
    NOT_FIXED = "not_fixed", _("Not fixed: checked on the ground")


# Before the unit resolves, the question is whether the problem is there; after, whether it is
# fixed.
GROUND_BEFORE = (GroundOutcome.PRESENT, GroundOutcome.NOT_FOUND)
GROUND_AFTER = (GroundOutcome.FIXED, GroundOutcome.NOT_FIXED)


class ReportEvent(models.Model):
    """One step in a report's life: who did what, from which status to which, and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30, choices=Action.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_agency = models.ForeignKey(
        "units.Agency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Internal notes (e.g. a routing rule id) stay off the public timeline.
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(db_index=True)
    # Tamper evidence: each event carries the hash of the previous event of the same report
    # and its own hash over its content and that one (a chain `verify_audit` checks).
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    # Position in the report's chain (1, 2, 3 …; 0: older than the keyed chain): a deleted
    # event is named by the number that is missing.
    seq = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at"], name="event_report_created_idx")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} {self.from_status}→{self.to_status}"

    @property
    def ground_outcome(self) -> str:
        """The label of a ground check's finding; "" for every other step."""
        outcome = self.data.get("outcome") if isinstance(self.data, dict) else None
        if self.action != Action.GROUND_CHECK or outcome not in GroundOutcome.values:
            return ""
        return str(GroundOutcome(outcome).label)


class MediaKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Document")


class Media(models.Model):
    """A file attached to a report: the resident's evidence, or a unit's proof of the result."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="media")
    # The event this file belongs to (the resolution it proves); empty for the resident's evidence.
    event = models.ForeignKey(
        ReportEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="media"
    )
    is_proof = models.BooleanField(default=False)
    kind = models.CharField(max_length=10, choices=MediaKind.choices)
    # The upload as received, EXIF/GPS intact (provenance); private, never served at MEDIA_URL.
    file = models.FileField(upload_to="reports/%Y/%m/", storage=private_storage)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    # Content hash: a proof photo already used elsewhere is refused (reused images prove nothing).
    sha256 = models.CharField(max_length=64, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    # Public copies made by the process_media task (in MEDIA_ROOT, unguessable names, no
    # metadata): a photo's thumbnail (≤ 320 px) and display size (≤ 1280 px); a video's poster
    # frame and its copy with the metadata stripped. Empty until processed.
    thumbnail = models.FileField(upload_to="public/", max_length=200, blank=True)
    display = models.FileField(upload_to="public/", max_length=200, blank=True)
    poster = models.FileField(upload_to="public/", max_length=200, blank=True)
    public_video = models.FileField(upload_to="public/", max_length=200, blank=True)
    duration_s = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Why processing failed (shown to staff; the page says the file could not be processed).
    processing_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file.name}"

    @property
    def is_ready(self) -> bool:
        """The public copies exist (photos and videos are shown only once processed)."""
        if self.kind == MediaKind.PHOTO:
            return bool(self.display and self.thumbnail)
        if self.kind == MediaKind.VIDEO:
            return bool(self.public_video)
        return True

    def public_url(self, variant: str) -> str:
        """The access-checked URL of one public copy (thumbnail, display, poster, video,
        document); use this instead of `file.url`: originals have no URL."""
        from django.urls import reverse

        return reverse("citizen:media_file", args=[self.pk, variant])


class Rating(models.Model):
    """The reporter's verdict on one resolution (one rating per resolution)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="ratings")
    round = models.PositiveSmallIntegerField(help_text=_("Which resolution this rates (1, 2, …)."))
    satisfied = models.BooleanField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["report", "round"], name="rating_once_per_resolution")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} #{self.round}: {'+' if self.satisfied else '-'}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(models.Model):
    """An officer's request for more time, decided by the unit's leader."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_due_at = models.DateTimeField(_("new deadline"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            # At most one open request per report: the leader decides one thing at a time.
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(status="pending"),
                name="one_pending_extension",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.requested_due_at:%Y-%m-%d %H:%M} ({self.status})"


class ReportFollower(models.Model):
    """A resident who follows a report ("me too") and hears what happens to it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_reports"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.report_id}"


class ResponseTemplate(models.Model):
    """A starting text for an answer; it must be edited before it can resolve a report."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    category = models.ForeignKey(
        "routing.Category", on_delete=models.CASCADE, null=True, blank=True
    )
    agency = models.ForeignKey("units.Agency", on_delete=models.CASCADE, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return self.title


class AuditCheckpoint(models.Model):
    """A signed statement of the whole audit chain at one moment (reports/audit.py): kept here
    and published, so that a copy kept by anyone shows a later rewrite of the past."""

    created_at = models.DateTimeField()
    max_event_id = models.BigIntegerField()
    events = models.BigIntegerField()
    reports = models.BigIntegerField()
    head = models.CharField(max_length=64)
    # The exact signed JSON and its Ed25519 signature (base64): what others keep.
    body = models.TextField()
    signature = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"checkpoint {self.created_at:%Y-%m-%d %H:%M} ≤ event {self.max_event_id}"
