"""The public-service directory's pages: search and browse, and one procedure. Public."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from . import selectors
from .models import Procedure

PER_PAGE = 20


@require_GET
def procedure_list(request):
    """`?q=` searches (accents ignored); `?field=` and `?agency=` narrow the list."""
    query = request.GET.get("q", "").strip()[:200]
    field = request.GET.get("field", "").strip()[:120]
    agency = request.GET.get("agency", "").strip()[:200]
    rows = selectors.procedures_search(query=query, field=field, agency=agency)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "field": field,
        "agency": agency,
        "facets": selectors.facets(),
        "any_sample": selectors.any_sample(),
    }
    return render(request, "procedures/list.html", context)


@require_GET
def procedure_detail(request, code: str):
    procedure = get_object_or_404(Procedure, code=code)
    return render(request, "procedures/detail.html", {"procedure": procedure})
