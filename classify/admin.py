from django.contrib import admin

from .models import CategoryModel, Suggestion


@admin.register(CategoryModel)
class CategoryModelAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "state", "heldout_top1", "heldout_top3", "size_bytes")
    list_filter = ("state",)
    exclude = ("blob",)
    readonly_fields = [f.name for f in CategoryModel._meta.fields if f.name != "blob"]

    def has_add_permission(self, request):
        return False  # models come from train_category_model only


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("report", "top_code", "top_probability", "chosen_code", "chosen_rank")
    raw_id_fields = ("report",)
    readonly_fields = ("report", "model", "suggested", "created_at")
