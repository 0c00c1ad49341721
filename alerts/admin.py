from django.contrib import admin

from .models import AreaAlert, WardFollow


@admin.register(AreaAlert)
class AreaAlertAdmin(admin.ModelAdmin):
    # Read-only here: publishing and withdrawing go through the staff page (alerts.services),
    # which checks who may speak for which ward and schedules the delivery.
    list_display = ("title", "kind", "whole_city", "valid_from", "valid_until", "withdrawn_at")
    list_filter = ("kind", "whole_city")
    search_fields = ("title",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WardFollow)
class WardFollowAdmin(admin.ModelAdmin):
    list_display = ("user", "ward", "created_at")
    raw_id_fields = ("user", "ward")
