"""News and announcements (tin tức, thông báo) written by the city's and the wards' staff,
reviewed by a leader, then published for the whole city or chosen wards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


STATUS_COLOURS = {
    ArticleStatus.DRAFT: "dark-grey",
    ArticleStatus.IN_REVIEW: "blue",
    ArticleStatus.PUBLISHED: "green",
    ArticleStatus.WITHDRAWN: "red",
}


class Article(models.Model):
    """An article or announcement; its status changes only through news.services."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    # Stored already sanitised (news.services.clean_body, nh3 allow-list): pages print it as is.
    body = models.TextField(_("text"))
    cover = models.FileField(_("cover image"), upload_to="news/covers/", blank=True)
    whole_city = models.BooleanField(_("whole city"), default=False)
    wards = models.ManyToManyField(
        "units.AdministrativeUnit", verbose_name=_("wards"), related_name="+", blank=True
    )
    important = models.BooleanField(_("important announcement"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]
        indexes = [
            # The public list and the feed: published, newest first.
            models.Index(fields=["status", "-published_at"], name="article_public_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "blue")


class ArticleEvent(models.Model):
    """One change of an article's status (or its creation), with who made it: its history."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("article event")
        verbose_name_plural = _("article events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.article_id} {self.action}"
