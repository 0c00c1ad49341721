from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """One periodic job of the scheduler and when it is next due.

    Schedulers claim a due run by moving `next_run_at` forward with a compare-and-set
    UPDATE (… WHERE name = x AND next_run_at = <what I read>): of two schedulers started by
    mistake, exactly one updates the row and enqueues the task."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    next_run_at = models.DateTimeField(_("next run at"))
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    # Which scheduler process enqueued the last run (host:pid): to trace a double start.
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} → {self.next_run_at:%Y-%m-%d %H:%M}"
