from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One in-app message to one person about one step (event) of a report."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    report = models.ForeignKey(
        "reports.Report",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # Both empty for a message about no single report (a unit leader's daily digest).
    event = models.ForeignKey(
        "reports.ReportEvent",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # The event's action (route, resolve, …): lets a later delivery issue pick channels by kind.
    kind = models.CharField(_("kind"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # Where the message leads (a report page, the workspace); relative to SITE_URL.
    url = models.CharField(_("link"), max_length=300, blank=True)
    # What makes this message unique, for messages not tied to one event ("overdue:<report>:<n>",
    # "digest:<agency>:<date>"): a task that runs twice creates it once.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Each event notifies each person once, even if notify_event runs twice (retries).
            models.UniqueConstraint(fields=["user", "event"], name="notification_once_per_event")
        ]
        indexes = [
            # The header's unread count on every page a signed-in person opens.
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.report_id}"


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Push notification")
    # The city's Zalo Official Account, for residents who wrote to it (intake/zalo.py).
    ZALO = "zalo", _("Zalo")


class Delivery(models.Model):
    """One notification sent (or to be sent) through one channel other than in-app.

    Unique per notification and channel: a delivery task that runs twice sends once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        # Claimed by one worker (a conditional UPDATE from pending/failed); next_attempt_at is
        # then the lease's end, after which the retry sweep takes it back (a worker that died).
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Failed for good")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [
            # The retry sweep: failed deliveries whose next attempt is due.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_retry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class ChannelPreference(models.Model):
    """How a person wants to hear from us besides in-app messages (always on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preference"
    )
    email = models.BooleanField(_("e-mail"), default=True)
    sms = models.BooleanField(_("SMS"), default=False)
    push = models.BooleanField(_("push notifications"), default=True)
    zalo = models.BooleanField(_("Zalo messages"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: email={self.email} sms={self.sms} push={self.push}"


class ReportMute(models.Model):
    """A person who no longer wants messages about one report (in-app ones included)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "report"], name="report_mute_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.report_id}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (from PushManager.subscribe in the residents' app)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"{self.user_id} {self.endpoint[:60]}"
