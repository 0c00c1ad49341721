from django.contrib import admin

from .models import AdministrativeUnit, Agency


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "full_name", "type", "era", "parent", "leader_name", "area_km2")
    list_filter = ("era", "type")
    search_fields = ("code", "name", "full_name", "name_en")
    exclude = ("geometry",)
    readonly_fields = ("era", "code")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "unit", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "name_en")
    raw_id_fields = ("unit",)
