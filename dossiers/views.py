"""Dossier pages: the public look-up, a signed-in resident's own dossiers, and the leaders'
on time / late page. Thin: parse, call the selector or service, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import ratelimit
from accounts.access import DASHBOARD_ROLES, role_required
from reports import clock

from . import selectors
from .services import dossier_lookup, normalise_code

LOOKUP_TEMPLATE = "dossiers/lookup.html"


def lookup_limited(request, code: str) -> ratelimit.Limited | None:
    """Count one look-up for the address and for the code: the address limit stops a script
    walking codes, the code limit stops guessing a code's four digits from many addresses."""
    by_address = ratelimit.check("dossier-lookup:ip", ratelimit.client_ip(request))
    if by_address is not None:
        # Refused before the code is counted: a scanner walking codes past its limit writes
        # one counter, not a new row for every code it tries (bench/dossier_lookups.py).
        return by_address
    return ratelimit.check("dossier-lookup:code", normalise_code(code) or None)


@require_http_methods(["GET", "POST"])
def lookup(request):
    """A dossier by its code and the last 4 digits of the applicant's phone. POST, so the
    digits stay out of addresses and logs; a wrong code or wrong digits read the same."""
    context: dict = {"now": clock.now()}
    if request.method == "GET":
        return render(request, LOOKUP_TEMPLATE, context)
    code = request.POST.get("code", "")[:60]
    digits = request.POST.get("phone_last4", "")[:10]
    context |= {"code": code, "phone_last4": ""}
    limited = lookup_limited(request, code)
    if limited is not None:
        return ratelimit.html_response(request, limited, LOOKUP_TEMPLATE, context)
    dossier = dossier_lookup(code=code, phone_last4=digits)
    if dossier is None:
        context["not_found"] = True
        return render(request, LOOKUP_TEMPLATE, context, status=404)
    context["dossier"] = dossier
    context["steps"] = list(dossier.steps.all())
    return render(request, LOOKUP_TEMPLATE, context)


@login_required
@require_GET
def my_dossiers(request):
    """The dossiers filed with the phone on this resident's account, without typing codes."""
    dossiers = list(selectors.dossiers_of_resident(request.user))
    return render(
        request,
        "dossiers/mine.html",
        {"dossiers": dossiers, "has_phone": bool(request.user.phone), "now": clock.now()},
    )


@role_required(*DASHBOARD_ROLES)
@require_GET
def timeliness(request):
    """Dossiers on time / late per agency, beside the reports' figures on the dashboard."""
    rows = selectors.timeliness_by_agency(request.user)
    return render(request, "dossiers/timeliness.html", {"rows": rows})
