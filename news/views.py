"""News pages: the public list, article and Atom feed; the staff's write and review pages
(htmx swaps the review panel after an action; without JavaScript the forms post and redirect).
Thin: parse, call the service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import WORKSPACE_ROLES, role_required
from alerts.services import wards

from . import selectors, services
from .forms import ArticleForm, TransitionForm
from .models import Article, ArticleStatus

PER_PAGE = 20
FEED_ITEMS = 50


def _ward_param(request) -> int | None:
    try:
        return int(request.GET.get("ward", ""))
    except ValueError:
        return None


@require_GET
def article_list(request):
    ward_id = _ward_param(request)
    page = Paginator(selectors.published_articles(ward_id=ward_id), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "ward_id": ward_id,
        "wards": list(wards().order_by("name").values_list("id", "full_name")),
    }
    return render(request, "news/list.html", context)


@require_GET
def article_detail(request, article_id: int):
    article = get_object_or_404(selectors.published_articles(), pk=article_id)
    return render(request, "news/detail.html", {"article": article})


@require_GET
def feed(request):
    """Atom 1.0 of the latest published articles (`?ward=` as on the list)."""
    ward_id = _ward_param(request)
    link = request.build_absolute_uri("/tin-tuc/")
    atom = Atom1Feed(
        title=_("Digital Citizen: news and announcements"),
        link=link,
        description=_("News and announcements of the city and its wards."),
        language="vi",
        feed_url=request.build_absolute_uri(),
    )
    for article in selectors.published_articles(ward_id=ward_id)[:FEED_ITEMS]:
        url = request.build_absolute_uri(f"/tin-tuc/{article.pk}/")
        atom.add_item(
            title=article.title,
            link=url,
            description=article.summary,
            unique_id=url,
            pubdate=article.published_at,
            updateddate=article.updated_at,
            categories=[w.name for w in article.wards.all()] or [_("The whole city")],
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    atom.write(response, "utf-8")
    return response


# --- staff ---------------------------------------------------------------------------------


def _form(actor, data=None, files=None, initial=None) -> ArticleForm:
    allowed = services.writable_ward_ids(actor)
    ward_qs = wards().order_by("name")
    if allowed is not None:
        ward_qs = ward_qs.filter(pk__in=allowed)
    return ArticleForm(
        data,
        files,
        ward_choices=list(ward_qs.values_list("id", "full_name")),
        whole_city=allowed is None,
        initial=initial,
    )


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _save(request, form: ArticleForm, article: Article | None):
    data = form.cleaned_data
    values = {
        "actor": request.user,
        "title": data["title"],
        "summary": data["summary"],
        "body": data["body"],
        "ward_ids": data["wards"],
        "whole_city": data.get("whole_city", False),
        "important": data["important"],
        "cover": data.get("cover"),
    }
    if article is None:
        return services.article_create(**values)
    return services.article_update(article=article, **values)


@role_required(*WORKSPACE_ROLES)
@require_GET
def staff_list(request):
    lists = selectors.staff_articles(request.user)
    return render(
        request,
        "news/staff_list.html",
        {**lists, "can_write": services.can_write(request.user)},
    )


@role_required(*WORKSPACE_ROLES)
@require_http_methods(["GET", "POST"])
def staff_create(request):
    if not services.can_write(request.user):
        raise Http404
    form = _form(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = _save(request, form, None)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("news:staff_article", article.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "news/staff_edit.html", {"form": form, "article": None}, status=status)


def _staff_article_or_404(request, article_id: int) -> Article:
    article = get_object_or_404(Article.objects.select_related("author"), pk=article_id)
    if not services.can_see(request.user, article):
        raise Http404
    return article


def _panel_context(request, article: Article, form: TransitionForm | None = None) -> dict:
    return {
        "article": article,
        "actions": [
            (name, services.TRANSITIONS[name])
            for name in services.allowed_actions(request.user, article)
        ],
        "events": list(article.events.select_related("actor")),
        "note_form": form or TransitionForm(),
    }


@role_required(*WORKSPACE_ROLES)
@require_http_methods(["GET", "POST"])
def staff_article(request, article_id: int):
    """An article's staff page: the preview, its history, the actions open to this person, and
    (for its author, while a draft) the edit form."""
    article = _staff_article_or_404(request, article_id)
    editable = article.author_id == request.user.pk and article.status == ArticleStatus.DRAFT
    form = None
    status = 200
    if editable:
        initial = {
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "wards": list(article.wards.values_list("id", flat=True)),
            "whole_city": article.whole_city,
            "important": article.important,
        }
        form = _form(request.user, request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST":
            if form.is_valid():
                try:
                    _save(request, form, article)
                except ValidationError as exc:
                    _add_errors(form, exc)
                else:
                    messages.success(request, _("The draft was saved."))
                    return redirect("news:staff_article", article.pk)
            status = 400
    elif request.method == "POST":
        raise Http404
    context = {**_panel_context(request, article), "form": form}
    return render(request, "news/staff_article.html", context, status=status)


@role_required(*WORKSPACE_ROLES)
@require_POST
def staff_transition(request, article_id: int, action: str):
    article = _staff_article_or_404(request, article_id)
    if action not in services.TRANSITIONS:
        raise Http404
    note = request.POST.get("note", "")
    htmx = request.headers.get("HX-Request") == "true"
    status = 200
    try:
        services.article_transition(actor=request.user, article=article, action=action, note=note)
    except (ValidationError, PermissionDenied) as exc:
        message = " ".join(getattr(exc, "messages", None) or [str(exc)])
        status = 400
        if not htmx:
            messages.error(request, message)
            return redirect("news:staff_article", article.pk)
        context = _panel_context(request, article)
        context["panel_error"] = message
    else:
        if not htmx:
            messages.success(
                request,
                _("Done: the article is now “%(status)s”.")
                % {"status": article.get_status_display()},
            )
            return redirect("news:staff_article", article.pk)
        context = _panel_context(request, article)
        context["panel_message"] = _("Done: the article is now “%(status)s”.") % {
            "status": article.get_status_display()
        }
    response = render(request, "news/includes/panel.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
