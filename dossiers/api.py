"""The dossier endpoints: a resident's look-up (GET /api/dossiers/{code}?phone_last4=NNNN) and
the procedure system's signed push (POST /api/dossiers/push)."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status

from accounts import ratelimit
from api.schemas import errors
from reports import clock

from .services import PushRefused, SyncError, dossier_lookup, dossiers_push
from .views import lookup_limited

router = Router(tags=["dossiers"])


class StepOut(Schema):
    at: datetime
    status: str
    status_label: str
    unit: str
    note: str


class DossierOut(Schema):
    code: str
    procedure_code: str
    procedure_name: str | None
    agency: str
    unit: str
    status: str
    status_label: str
    received_at: datetime
    due_at: datetime
    finished_at: datetime | None
    late: bool
    steps: list[StepOut]


class PushOut(Schema):
    created: int
    updated: int
    unchanged: int


@router.post(
    "/push",
    response={200: PushOut, **errors(400, 401, 403, 409)},
    summary="Signed push of dossiers from the procedure system",
    auth=None,
)
def push(request: HttpRequest):
    """The body is the sync format ({"dossiers": [...]}). Headers: `X-Dossier-Timestamp`
    (Unix seconds, within DOSSIER_PUSH_WINDOW_SECONDS of our clock) and `X-Dossier-Signature:
    sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with DOSSIER_PUSH_SECRET>`."""
    try:
        body = request.body
    except RawPostDataException:
        # A form post (its fields already parsed): no raw body to check a signature over.
        return Status(401, {"code": "bad_signature", "detail": _("The push must be signed JSON.")})
    try:
        result = dossiers_push(
            timestamp=request.headers.get("X-Dossier-Timestamp", ""),
            signature=request.headers.get("X-Dossier-Signature", ""),
            body=body,
        )
    except PushRefused as exc:
        return Status(exc.status, {"code": exc.code, "detail": str(exc)})
    except SyncError as exc:
        return Status(400, {"code": "invalid_records", "detail": str(exc)})
    return Status(
        200, {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    )


@router.get(
    "/{code}",
    response={200: DossierOut, **errors(400, 404, 429)},
    summary="A dossier by its code and the last 4 digits of the applicant's phone",
)
def dossier(
    request: HttpRequest,
    code: str = Path(..., max_length=40, pattern=r"^[A-Za-z0-9._/-]+$"),
    phone_last4: str = Query("", max_length=10),
):
    """A wrong code and wrong digits both answer 404; look-ups are rate-limited per address
    and per code (429 with Retry-After)."""
    limited = lookup_limited(request, code)
    if limited is not None:
        return ratelimit.json_response(limited)
    found = dossier_lookup(code=code, phone_last4=phone_last4)
    if found is None:
        raise Http404
    now = clock.now()
    return Status(
        200,
        {
            "code": found.code,
            "procedure_code": found.procedure_code,
            "procedure_name": found.procedure.name if found.procedure_id else None,
            "agency": found.agency.name,
            "unit": found.current_unit,
            "status": found.status,
            "status_label": str(found.get_status_display()),
            "received_at": found.received_at,
            "due_at": found.due_at,
            "finished_at": found.finished_at,
            "late": found.is_late(now),
            "steps": [
                {
                    "at": s.at,
                    "status": s.status,
                    "status_label": str(s.get_status_display()),
                    "unit": s.unit,
                    "note": s.note,
                }
                for s in found.steps.all()
            ],
        },
    )
