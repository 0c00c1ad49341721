from django.contrib import admin

from reports.search import fold

from .models import Procedure


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "agency", "level", "online_level", "is_sample")
    list_filter = ("level", "online_level", "is_sample", "field")
    search_fields = ("code", "name", "search_text")
    readonly_fields = ("updated_at",)

    def save_model(self, request, obj, form, change) -> None:
        # Keep the folded search copy in step with an edit made here.
        obj.search_text = fold(" ".join([obj.code, obj.name, obj.field, obj.agency]))
        if obj.updated_at is None:
            from reports import clock

            obj.updated_at = clock.now()
        super().save_model(request, obj, form, change)
