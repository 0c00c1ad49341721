"""The JSON API for our own pages and mobile clients (django-ninja; schema at /api/docs).

Each domain adds its endpoints as a Router in its own module and registers it here.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.security import SessionAuth

from reports.workflow import TransitionNotAllowed

api = NinjaAPI(
    title="Công dân số API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
)

# Session authentication for our pages; routers that need a signed-in user pass auth=...
session_auth = SessionAuth()  # checks the CSRF token on unsafe methods


def _error(request, status: int, code: str, message: str):
    return api.create_response(request, {"code": code, "detail": message}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return _error(request, 400, getattr(exc, "code", None) or "invalid", " ".join(exc.messages))


@api.exception_handler(TransitionNotAllowed)
def on_transition_not_allowed(request, exc: TransitionNotAllowed):
    return _error(request, 409, "transition_not_allowed", str(exc))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return _error(request, 403, "forbidden", str(exc) or "Forbidden")


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    return _error(request, 404, "not_found", "Not found")


def _register_routers() -> None:
    from . import map as report_map
    from . import reports, units

    api.add_router("/units", units.router)
    api.add_router("/reports", report_map.router)
    api.add_router("/", reports.router)


_register_routers()
