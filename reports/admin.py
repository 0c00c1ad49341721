from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ExtensionRequest, Media, Rating, Report, ReportEvent, ResponseTemplate


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "from_status", "to_status", "actor", "actor_agency", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class MediaInline(admin.TabularInline):
    model = Media
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "is_proof",
        "original",
        "content_type",
        "size",
        "sha256",
        "processed_at",
        "processing_error",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("original"))
    def original(self, obj: Media) -> str:
        # The name only: originals (with EXIF/GPS) are private and have no URL.
        return obj.file.name


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the workflow services, never a form save."""

    list_display = (
        "tracking_code",
        "title",
        "category",
        "ward",
        "agency",
        "status",
        "due_at",
        "created_at",
    )
    list_filter = ("status", "category", "agency__kind", "priority")
    search_fields = ("tracking_code", "title", "description", "address")
    date_hierarchy = "created_at"
    list_select_related = ("category", "ward", "agency")
    inlines = [ReportEventInline, MediaInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    list_display = ("report", "action", "from_status", "to_status", "actor", "created_at")
    list_filter = ("action",)
    raw_id_fields = ("report",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "agency", "is_active")
    list_filter = ("is_active", "category")


admin.site.register(Rating)
admin.site.register(ExtensionRequest)
