from django.contrib import admin

from .models import Dossier, DossierPush, DossierStep


class DossierStepInline(admin.TabularInline):
    model = DossierStep
    extra = 0
    can_delete = False
    readonly_fields = ("at", "status", "unit", "note")


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    # Read-only: dossiers are copies of the procedure system's (sync_dossiers, the push); an
    # edit here would be overwritten by the next sync. The phone is only a hash and 4 digits.
    list_display = ("code", "procedure_code", "agency", "status", "due_at", "finished_at")
    list_filter = ("status", "agency")
    search_fields = ("code", "procedure_code")
    exclude = ("phone_hash",)
    inlines = [DossierStepInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DossierPush)
class DossierPushAdmin(admin.ModelAdmin):
    list_display = ("received_at", "created", "updated", "unchanged")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
