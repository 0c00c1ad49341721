"""Reads of the public-service directory: search (accents ignored) and browsing by field and
agency."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from reports.search import fold

from .models import Procedure

MAX_QUERY_WORDS = 8


def procedures_search(*, query: str = "", field: str = "", agency: str = "") -> QuerySet[Procedure]:
    """Procedures whose code, name, field or agency contain every word of `query` (accents and
    case ignored: "khai sinh" and "KHAI SINH" find "Đăng ký khai sinh"), optionally in one field
    and/or of one agency."""
    rows = Procedure.objects.all()
    for word in fold(query).split(" ")[:MAX_QUERY_WORDS]:
        if word:
            rows = rows.filter(search_text__contains=word)
    if field:
        rows = rows.filter(field=field)
    if agency:
        rows = rows.filter(agency=agency)
    return rows.order_by("field", "name", "code")


def facets() -> dict[str, list[tuple[str, int]]]:
    """The fields and agencies of the directory with how many procedures each has."""
    fields = Procedure.objects.values_list("field").annotate(n=Count("id")).order_by("field")
    agencies = Procedure.objects.values_list("agency").annotate(n=Count("id")).order_by("agency")
    return {"fields": list(fields), "agencies": list(agencies)}


def any_sample() -> bool:
    return Procedure.objects.filter(is_sample=True).exists()
