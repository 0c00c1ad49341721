from django.contrib import admin

from .models import ChannelPreference, Delivery, Notification, PushSubscription, ReportMute


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "report", "event"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Failed and given-up deliveries stay here for an admin to see: nothing is dropped silently."""

    list_display = [
        "created_at",
        "notification",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["notification__user__username", "last_error"]
    raw_id_fields = ["notification"]
    readonly_fields = ["created_at", "sent_at", "attempts", "last_error"]


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "sms", "push", "updated_at"]
    raw_id_fields = ["user"]


@admin.register(ReportMute)
class ReportMuteAdmin(admin.ModelAdmin):
    list_display = ["user", "report", "created_at"]
    raw_id_fields = ["user", "report"]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "endpoint", "created_at"]
    raw_id_fields = ["user"]
