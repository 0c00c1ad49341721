from django.contrib import admin

from .models import AssistedFiling, MailIntake, ZaloContact, ZaloEvent, ZaloReply


@admin.register(AssistedFiling)
class AssistedFilingAdmin(admin.ModelAdmin):
    list_display = ("report", "helper", "helper_agency", "consent", "created_at")
    list_filter = ("consent",)
    raw_id_fields = ("report", "helper")


@admin.register(ZaloContact)
class ZaloContactAdmin(admin.ModelAdmin):
    list_display = ("zalo_user_id", "user", "state", "updated_at")
    raw_id_fields = ("user",)


@admin.register(ZaloEvent)
class ZaloEventAdmin(admin.ModelAdmin):
    list_display = ("msg_id", "event_name", "zalo_user_id", "received_at", "handled_at", "error")


@admin.register(ZaloReply)
class ZaloReplyAdmin(admin.ModelAdmin):
    list_display = ("zalo_user_id", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status",)


@admin.register(MailIntake)
class MailIntakeAdmin(admin.ModelAdmin):
    list_display = ("sender", "subject", "outcome", "report", "received_at")
    list_filter = ("outcome",)
