from django.contrib import admin

from .models import Category, RoutingRule


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    raw_id_fields = ("area",)
    autocomplete_fields = ("agency",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "handling_level",
        "default_agency",
        "accept_hours",
        "resolve_hours",
        "priority",
        "is_active",
    )
    list_filter = ("handling_level", "priority", "is_active")
    list_editable = ("accept_hours", "resolve_hours", "priority", "is_active")
    search_fields = ("name", "name_en", "code", "keywords")
    autocomplete_fields = ("default_agency",)
    inlines = [RoutingRuleInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "area", "agency", "priority", "is_active")
    list_filter = ("is_active", "category")
    raw_id_fields = ("area",)
    autocomplete_fields = ("agency", "category")
