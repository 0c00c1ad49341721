from django.contrib import admin

from .models import Camera, CameraFlip


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "agency", "kind", "health", "health_since", "last_ok_at")
    list_filter = ("health", "kind", "is_active")
    search_fields = ("code", "name", "road")
    raw_id_fields = ("ward", "agency")
    readonly_fields = (
        "health",
        "health_since",
        "last_probe_at",
        "last_ok_at",
        "last_error",
        "frame",
        "frame_at",
    )
    exclude = (
        "picture_hash",
        "same_picture_count",
        "media_sequence",
        "media_sequence_since",
        "notified_for",
    )


@admin.register(CameraFlip)
class CameraFlipAdmin(admin.ModelAdmin):
    list_display = ("camera", "from_health", "to_health", "at", "detail")
    list_filter = ("to_health",)
