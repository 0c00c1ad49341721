from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from units.lookup import OutsideCity, locate

from . import probe
from .models import Camera, CameraFlip, CameraReport
from .services import prober_policy


class CameraForm(forms.ModelForm):
    """The admin's edit of a camera follows the loader's rules: the ward comes from the point,
    and the feed's host must be one the prober may fetch."""

    class Meta:
        model = Camera
        fields = (
            *("code", "name", "road", "direction", "lat", "lon"),
            *("agency", "kind", "url", "is_active"),
        )

    def clean(self):
        data = super().clean()
        lat, lon, url = data.get("lat"), data.get("lon"), data.get("url")
        if lat is not None and lon is not None:
            try:
                self.instance.ward_id = locate(lat, lon).unit_id
            except OutsideCity:
                self.add_error("lat", _("the point is outside Hà Nội"))
        if url:
            try:
                probe.host_allowed(url, prober_policy())
            except probe.Refused as exc:
                self.add_error("url", _("the feed URL is refused (%(why)s)") % {"why": exc})
        return data


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    form = CameraForm
    list_display = ("code", "name", "agency", "kind", "health", "health_since", "last_ok_at")
    list_filter = ("health", "kind", "is_active")
    search_fields = ("code", "name", "road")
    raw_id_fields = ("agency",)
    readonly_fields = (
        "ward",
        "health",
        "health_since",
        "last_probe_at",
        "last_ok_at",
        "last_error",
        "frame",
        "frame_at",
    )


@admin.register(CameraFlip)
class CameraFlipAdmin(admin.ModelAdmin):
    list_display = ("camera", "from_health", "to_health", "at", "detail")
    list_filter = ("to_health",)


@admin.register(CameraReport)
class CameraReportAdmin(admin.ModelAdmin):
    list_display = ("camera", "report")
    raw_id_fields = ("camera", "report")
