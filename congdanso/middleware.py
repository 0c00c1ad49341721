"""Request-level guard: a NUL character anywhere a view might store or query it.

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL (0x00) characters"), so
one in a search box, a form field, a JSON body or a URL would be a 500 there, while SQLite
stores it silently. No person types a NUL; it comes from a fuzzer, a broken client or an
attack. The services strip control characters too (reports.text.clean_text), this guard
catches the rest (search queries, filters, lookups by code) before any query runs, and answers
a clear 400 in the user's language instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"
# Headers whose values views read and may store or query (others are never looked at).
_HEADERS = ("HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR", "HTTP_REFERER", "HTTP_IDEMPOTENCY_KEY")


def _has_nul(values: Iterable[str]) -> bool:
    return any(NUL in v for v in values)


def _json_has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(NUL in k or _json_has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(v) for v in value)
    return False


def request_has_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info:
        return True
    if _has_nul(request.GET.keys()) or _has_nul(v for vs in request.GET.lists() for v in vs[1]):
        return True
    if any(NUL in request.META.get(h, "") for h in _HEADERS):
        return True
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # Form fields and uploaded files' names; the files' bytes are binary and may hold NUL.
        post = request.POST
        names = [f.name or "" for fs in request.FILES.lists() for f in fs[1]]
        return (
            _has_nul(post.keys())
            or _has_nul(v for vs in post.lists() for v in vs[1])
            or _has_nul(request.FILES.keys())
            or _has_nul(names)
        )
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return False  # malformed JSON: the view's own parser answers it
        return _json_has_nul(body)
    return False


def _refusal(request: HttpRequest) -> HttpResponse:
    message = _("The request contains a NUL character, which is not allowed in text.")
    path = request.path_info
    if path.startswith("/open311/"):
        # Open311 clients expect the GeoReport error list, as JSON or XML after the suffix.
        from open311.render import errors

        return errors("xml" if path.endswith(".xml") else "json", 400, [message])
    accept = request.headers.get("Accept", "")
    if path.startswith("/api/") or "application/json" in accept:
        return JsonResponse({"code": "invalid_input", "detail": message}, status=400)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


class RefuseNulMiddleware:
    """Answers 400 to a request with a NUL in its path, query, form fields, JSON or headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_has_nul(request):
            return _refusal(request)
        return self.get_response(request)
