from __future__ import annotations

from django.contrib import admin

from .models import ScheduledJob


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    """Read-only: which periodic job ran when, and which scheduler process enqueued it."""

    list_display = ["name", "next_run_at", "last_run_at", "claimed_by", "runs"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
