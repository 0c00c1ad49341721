"""Every change to news articles: write, edit, submit, approve, return, withdraw, deliver.

Who may do what (decided here, and only here):
- write: coordinators and city leaders (the city, or any wards); officers and unit leaders of a
  ward's People's Committee (their ward only). Department staff do not publish news here.
- review (approve, return, withdraw): coordinators and city leaders any article; a ward's unit
  leader the articles of their ward alone (alerts.services.publishable_ward_ids, the same rule
  as for area alerts). Nobody approves their own article: a second person reads every text
  before it goes public.
The lifecycle is the TRANSITIONS table; each transition writes an ArticleEvent (the history).
An important article, once published, notifies the followers of its wards (or the whole city)
through notify_staff, as area alerts do.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.urls import reverse
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps

from accounts.models import Role, User
from alerts.services import publishable_ward_ids, ward_follower_pages, wards
from notify.services import notify_staff
from reports import clock
from reports.media import inspect_upload
from reports.models import MediaKind

from .models import Article, ArticleEvent, ArticleStatus

TITLE_MAX = 200
SUMMARY_MAX = 500
BODY_MAX = 50_000
COVER_PX = 1600
DELIVERY_BATCH = 500
CITY_ROLES = (Role.COORDINATOR, Role.CITY_LEADER)

# The markup staff may use. No images (the cover is the one picture, checked), no styles, no
# forms, no scripts or event handlers: nh3 drops every tag and attribute not listed.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "ul", "ol", "li",
    "h2", "h3", "h4", "blockquote", "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


class NotAllowed(PermissionDenied):
    pass


@dataclass(frozen=True)
class Transition:
    source: ArticleStatus
    target: ArticleStatus
    label: str
    reviewer: bool  # a reviewer's action (else the author's)
    note_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW, gettext_lazy("Send for review"), False),
    "approve": Transition(ArticleStatus.IN_REVIEW, ArticleStatus.PUBLISHED, gettext_lazy("Approve and publish"), True),
    "return": Transition(ArticleStatus.IN_REVIEW, ArticleStatus.DRAFT, gettext_lazy("Return to the author"), True, True),
    "withdraw": Transition(ArticleStatus.PUBLISHED, ArticleStatus.WITHDRAWN, gettext_lazy("Withdraw"), True, True),
}  # fmt: skip


def clean_body(raw: str) -> str:
    """The body as safe HTML: allowed tags only, links made rel="noopener noreferrer nofollow".
    Plain text (no tag at all) becomes paragraphs."""
    raw = (raw or "").strip()
    if "<" not in raw:
        raw = linebreaks(raw)  # escapes the text, then <p>/<br>
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


def writable_ward_ids(actor: User) -> set[int] | None:
    """None: the city and any ward; else the wards `actor` writes for (empty: not a writer)."""
    if not actor.is_authenticated:
        return set()
    if actor.has_staff_role(*CITY_ROLES):
        return None
    return {
        m.agency.unit_id
        for m in actor.active_memberships()
        if m.role in (Role.OFFICER, Role.UNIT_LEADER) and m.agency.unit_id is not None
    }


def can_write(actor: User) -> bool:
    allowed = writable_ward_ids(actor)
    return allowed is None or bool(allowed)


def _in_scope(allowed: set[int] | None, article: Article, ward_ids: Iterable[int] | None) -> bool:
    if allowed is None:
        return True
    if not allowed or article.whole_city:
        return False
    ids = set(article.wards.values_list("id", flat=True) if ward_ids is None else ward_ids)
    return bool(ids) and ids <= allowed


def can_review(actor: User, article: Article, ward_ids: Iterable[int] | None = None) -> bool:
    return _in_scope(publishable_ward_ids(actor), article, ward_ids)


def can_see(actor: User, article: Article) -> bool:
    """The staff page of an article: its author and its reviewers (others get a 404)."""
    return article.author_id == actor.pk or can_review(actor, article)


def allowed_actions(actor: User, article: Article) -> list[str]:
    actions = []
    for name, t in TRANSITIONS.items():
        if article.status != t.source:
            continue
        if t.reviewer:
            if can_review(actor, article) and not (
                name == "approve" and article.author_id == actor.pk
            ):
                actions.append(name)
        elif article.author_id == actor.pk:
            actions.append(name)
    return actions


def _cover(upload: File) -> ContentFile:
    """The cover through our media checks (type from the content, size, pixel bomb, damage),
    then re-encoded: a new JPEG holds pixels only, no EXIF/GPS of the original."""
    inspect_upload(upload, {MediaKind.PHOTO})
    upload.seek(0)
    with Image.open(upload) as image:
        pixels = ImageOps.exif_transpose(image).convert("RGB")
    pixels.thumbnail((COVER_PX, COVER_PX), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _clean_fields(
    actor: User,
    *,
    title: str,
    summary: str,
    body: str,
    ward_ids: Iterable[int],
    whole_city: bool,
) -> tuple[dict, set[int]]:
    allowed = writable_ward_ids(actor)
    if allowed is not None and not allowed:
        raise NotAllowed(_("You may not write news."))
    errors: dict[str, list[str]] = {}
    title, summary = (title or "").strip(), (summary or "").strip()
    if not title:
        errors["title"] = [_("Write a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("The title may have at most %(n)d characters.") % {"n": TITLE_MAX}]
    if not summary:
        errors["summary"] = [_("Write a short summary.")]
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = [
            _("The summary may have at most %(n)d characters.") % {"n": SUMMARY_MAX}
        ]
    clean = clean_body(body)
    if len(body or "") > BODY_MAX:
        errors["body"] = [_("The text may have at most %(n)d characters.") % {"n": BODY_MAX}]
    elif not nh3.clean(clean, tags=set()).strip():
        errors["body"] = [_("Write the text of the article.")]
    chosen = set(ward_ids)
    if whole_city:
        if allowed is not None:
            errors["whole_city"] = [_("Only the city may write for the whole city.")]
        chosen = set()
    elif not chosen:
        errors["wards"] = [_("Choose at least one ward, or the whole city.")]
    else:
        known = set(wards().filter(id__in=chosen).values_list("id", flat=True))
        if known != chosen:
            errors["wards"] = [_("Choose wards from the list.")]
        elif allowed is not None and not chosen <= allowed:
            errors["wards"] = [_("You may write only for the ward of your own unit.")]
    if errors:
        raise ValidationError(errors)
    return {"title": title, "summary": summary, "body": clean, "whole_city": whole_city}, chosen


def _record(article: Article, *, action: str, source: str, actor: User, note: str = "") -> None:
    ArticleEvent.objects.create(
        article=article,
        action=action,
        from_status=source,
        to_status=article.status,
        actor=actor,
        note=note,
        created_at=clock.now(),
    )


def article_create(
    *,
    actor: User,
    title: str,
    summary: str,
    body: str,
    ward_ids: Iterable[int] = (),
    whole_city: bool = False,
    important: bool = False,
    cover: File | None = None,
) -> Article:
    """A new draft. PermissionDenied for a non-writer; ValidationError per field (nothing is
    stored then, the cover included)."""
    values, chosen = _clean_fields(
        actor, title=title, summary=summary, body=body, ward_ids=ward_ids, whole_city=whole_city
    )
    cover_file = None
    if cover is not None:
        try:
            cover_file = _cover(cover)
        except ValidationError as exc:
            raise ValidationError({"cover": exc.messages}) from None
    now = clock.now()
    with transaction.atomic():
        article = Article(
            **values, important=important, author=actor, created_at=now, updated_at=now
        )
        if cover_file is not None:
            article.cover.save(cover_file.name, cover_file, save=False)
        article.save()
        if chosen:
            article.wards.set(sorted(chosen))
        _record(article, action="create", source="", actor=actor)
    return article


def article_update(
    *,
    actor: User,
    article: Article,
    title: str,
    summary: str,
    body: str,
    ward_ids: Iterable[int] = (),
    whole_city: bool = False,
    important: bool = False,
    cover: File | None = None,
) -> Article:
    """Edit a draft: its author only, and only while it is a draft (a text under review or
    published is what the reviewer read)."""
    if article.author_id != actor.pk:
        raise NotAllowed(_("Only the author may edit this article."))
    if article.status != ArticleStatus.DRAFT:
        raise ValidationError(_("Only a draft can be edited."), code="not_draft")
    values, chosen = _clean_fields(
        actor, title=title, summary=summary, body=body, ward_ids=ward_ids, whole_city=whole_city
    )
    cover_file = None
    if cover is not None:
        try:
            cover_file = _cover(cover)
        except ValidationError as exc:
            raise ValidationError({"cover": exc.messages}) from None
    with transaction.atomic():
        for key, value in values.items():
            setattr(article, key, value)
        article.important = important
        article.updated_at = clock.now()
        if cover_file is not None:
            article.cover.save(cover_file.name, cover_file, save=False)
        article.save()
        article.wards.set(sorted(chosen))
        _record(article, action="edit", source=article.status, actor=actor)
    return article


def article_transition(*, actor: User, article: Article, action: str, note: str = "") -> Article:
    """Move an article along TRANSITIONS; PermissionDenied or ValidationError otherwise."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    if action not in allowed_actions(actor, article):
        if action == "approve" and article.author_id == actor.pk:
            raise NotAllowed(_("Another leader must approve your own article."))
        if article.status != transition.source:
            raise ValidationError(
                _("This article is “%(status)s”: it cannot be changed this way.")
                % {"status": article.get_status_display()},
                code="wrong_status",
            )
        raise NotAllowed(_("You may not do this on this article."))
    note = (note or "").strip()[:500]
    if transition.note_required and not note:
        raise ValidationError({"note": [_("Say why, for the author.")]})
    now = clock.now()
    with transaction.atomic():
        changes = {"status": transition.target, "updated_at": now}
        if transition.target == ArticleStatus.PUBLISHED:
            changes["published_at"] = now
        # Compare-and-set: two reviewers acting at once, only the first counts.
        done = Article.objects.filter(pk=article.pk, status=transition.source).update(**changes)
        if not done:
            raise ValidationError(_("Someone changed this article meanwhile: reload it."))
        source = article.status
        for key, value in changes.items():
            setattr(article, key, value)
        _record(article, action=action, source=source, actor=actor, note=note)
        if transition.target == ArticleStatus.PUBLISHED and article.important:
            from . import tasks  # deferred: tasks imports this module

            transaction.on_commit(partial(tasks.deliver_article.enqueue, article.pk), robust=True)
    return article


def recipient_pages(article: Article) -> Iterator[list[int]]:
    """Ids of the active people who follow the article's wards (home ward included), or, for the
    whole city, of everyone who gave a home ward or follows one; never the author. In pages."""
    ward_ids = None if article.whole_city else list(article.wards.values_list("id", flat=True))
    return ward_follower_pages(
        ward_ids=ward_ids, except_user_id=article.author_id, batch=DELIVERY_BATCH
    )


def article_deliver(*, article_id: int) -> int:
    """Notify the followers of an important published article's wards; safe to run twice
    (one message per person and article). Returns how many people it covered."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.status != ArticleStatus.PUBLISHED or not article.important:
        return 0
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Announcement: %(title)s") % {"title": article.title}
    count = 0
    for page in recipient_pages(article):
        notify_staff(
            users=list(User.objects.filter(pk__in=page).only("pk")),
            kind="news",
            title=title,
            body=article.summary,
            url=reverse("news:detail", args=[article.pk]),
            dedupe_key=f"news:{article.pk}",
        )
        count += len(page)
    return count
