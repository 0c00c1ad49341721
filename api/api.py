"""The JSON API for our own pages and mobile clients (django-ninja; schema at /api/docs).

Each domain adds its endpoints as a Router in its own module and registers it here. Every
error, ninja's own included, has one shape: {"code": "...", "detail": "..."}, the detail in
the request's language (LocaleMiddleware: Accept-Language, else Vietnamese).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestValidationError

from reports.workflow import TransitionNotAllowed

from .auth import session_auth, token_auth, user_auth

__all__ = ["api", "session_auth", "token_auth", "user_auth"]

api = NinjaAPI(
    title="Công dân số API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    description=(
        "Our pages call it with their session (and the CSRF token on changes); mobile clients "
        "with `Authorization: Bearer <token>` from POST /api/tokens. Errors are "
        '`{"code": "...", "detail": "..."}` with the detail in the Accept-Language language.'
    ),
)


def _error(request, status: int, code: str, message: str):
    return api.create_response(request, {"code": code, "detail": message}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return _error(request, 400, getattr(exc, "code", None) or "invalid", " ".join(exc.messages))


def _field_names(errors: list[dict]) -> list[str]:
    names: list[str] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
        # loc is ("query", "page") or ("body", "data", "ids"): the last name is the field.
        name = loc[-1] if len(loc) > 1 else (loc[0] if loc else "")
        if name and name not in names:
            names.append(name)
    return names


@api.exception_handler(RequestValidationError)
def on_request_validation_error(request, exc: RequestValidationError):
    # ninja's own check of parameters and bodies: pydantic's English messages are replaced by
    # one sentence in the user's language naming the fields.
    names = _field_names(exc.errors)
    if names:
        detail = _("The request is not valid. Check: %(fields)s.") % {"fields": ", ".join(names)}
    else:
        detail = _("The request is not valid.")
    return _error(request, 400, "invalid_input", detail)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # ninja raises these for a missing/invalid sign-in (401), a failed CSRF check (403) and
    # throttling (429); 400 when a body is not well-formed JSON.
    if exc.status_code == 400:
        return _error(
            request, 400, "invalid_json", _("The request is not valid: its body is not JSON.")
        )
    if exc.status_code == 401:
        return _error(request, 401, "unauthorized", _("Sign in, or send a valid access token."))
    if exc.status_code == 403:
        return _error(
            request,
            403,
            "csrf_failed",
            _("The page has expired: reload it and try again."),
        )
    if exc.status_code == 429:
        return _error(request, 429, "throttled", _("Too many requests: try again later."))
    return _error(request, exc.status_code, "error", _("The request could not be handled."))


@api.exception_handler(TransitionNotAllowed)
def on_transition_not_allowed(request, exc: TransitionNotAllowed):
    return _error(request, 409, "transition_not_allowed", str(exc))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return _error(
        request, 403, "forbidden", str(exc) or _("You are not allowed to do this on this report.")
    )


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    return _error(request, 404, "not_found", _("Not found."))


def _register_routers() -> None:
    from . import audit, me, reports, tokens, units, workspace
    from . import map as report_map

    api.add_router("/units", units.router)
    api.add_router("/reports", report_map.router)
    api.add_router("/", reports.router)
    # After the routers above: /reports/nearby must win over /reports/{tracking_code}.
    api.add_router("/tokens", tokens.router)
    api.add_router("/", me.router)
    api.add_router("/workspace", workspace.router)
    api.add_router("/audit", audit.router)
    # Issue 21: the public-service directory and dossier look-up / signed push.
    from dossiers.api import router as dossiers_router
    from procedures.api import router as procedures_router

    api.add_router("/procedures", procedures_router)
    api.add_router("/dossiers", dossiers_router)
    # Issue 20: traffic cameras.
    from cameras.api import router as cameras_router

    api.add_router("/cameras", cameras_router)


_register_routers()
