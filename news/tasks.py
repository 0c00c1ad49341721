"""Background work for news. Tasks only call services; they are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def deliver_article(article_id: int) -> int:
    """Notify the followers of an important article's wards (or the whole city)."""
    return services.article_deliver(article_id=article_id)
