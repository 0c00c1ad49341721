from django.contrib import admin

from .models import Article, ArticleEvent


class ArticleEventInline(admin.TabularInline):
    model = ArticleEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "actor", "note", "created_at")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    # Read-only here: writing, review and publishing go through the staff pages (news.services),
    # which sanitise the body, check who may speak for which ward and keep the history.
    list_display = ("title", "status", "important", "whole_city", "author", "published_at")
    list_filter = ("status", "important", "whole_city")
    search_fields = ("title",)
    inlines = [ArticleEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
