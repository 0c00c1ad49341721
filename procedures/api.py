"""GET /api/procedures?q=…: the public-service directory as JSON, in the paging envelope."""

from __future__ import annotations

from ninja import Query, Router, Schema

from api.schemas import errors, page_body, paginate
from procedures.models import Procedure
from procedures.selectors import procedures_search

router = Router(tags=["procedures"])


class ProcedureOut(Schema):
    code: str
    name: str
    field: str
    level: str
    agency: str
    processing_time: str
    fees: str
    papers: list[str]
    online_level: str
    portal_url: str
    is_sample: bool


class ProcedurePage(Schema):
    count: int
    page: int
    pages: int
    items: list[ProcedureOut]


def _out(p: Procedure) -> dict:
    return {f: getattr(p, f) for f in ProcedureOut.model_fields}


# 400: a NUL character in a parameter (congdanso.middleware) — no person types one.
@router.get(
    "",
    response={200: ProcedurePage, **errors(400)},
    summary="Search the public-service directory",
)
def procedures(
    request,
    q: str = Query("", max_length=200),
    field: str = Query("", max_length=120),
    agency: str = Query("", max_length=200),
    page: int = Query(1, ge=1, le=2**31 - 1),
):
    """Accent-insensitive: `q=khai sinh` finds "Đăng ký khai sinh"."""
    paginator, current = paginate(procedures_search(query=q, field=field, agency=agency), page)
    return page_body(paginator, current, [_out(p) for p in current])
