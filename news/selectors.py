"""Reads of news: the public list (by ward) and the staff's lists."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from alerts.services import publishable_ward_ids
from units.models import AdministrativeUnit

from .models import Article, ArticleStatus

STAFF_LIST_MAX = 100


def _with_wards(rows: QuerySet[Article]) -> QuerySet[Article]:
    return rows.prefetch_related(
        Prefetch("wards", queryset=AdministrativeUnit.objects.only("id", "name").order_by("name"))
    )


def published_articles(*, ward_id: int | None = None) -> QuerySet[Article]:
    """Published articles, newest first; for a ward: its own and the whole-city ones."""
    rows = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    if ward_id is not None:
        in_ward = Article.wards.through.objects.filter(administrativeunit_id=ward_id)
        rows = rows.filter(Q(whole_city=True) | Q(pk__in=in_ward.values("article_id")))
    return _with_wards(rows.order_by("-published_at", "-id"))


def staff_articles(actor: User) -> dict[str, list[Article]]:
    """The staff page: this person's own articles, and those waiting for their review."""
    mine = list(
        _with_wards(Article.objects.filter(author=actor).order_by("-updated_at"))[:STAFF_LIST_MAX]
    )
    allowed = publishable_ward_ids(actor)
    to_review: list[Article] = []
    if allowed is None or allowed:
        rows = Article.objects.filter(status=ArticleStatus.IN_REVIEW).exclude(author=actor)
        if allowed is not None:
            outside = Article.wards.through.objects.exclude(administrativeunit_id__in=allowed)
            rows = rows.filter(whole_city=False).exclude(pk__in=outside.values("article_id"))
        to_review = list(
            _with_wards(rows.select_related("author").order_by("updated_at"))[:STAFF_LIST_MAX]
        )
    return {"mine": mine, "to_review": to_review}
