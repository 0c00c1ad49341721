"""The "send a report" page of the residents' app, and the files that make it a PWA (the
service worker and the manifest are served from the site root so that their scope is the
whole site, not /static/)."""

from __future__ import annotations

import json
import uuid
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import ratelimit
from api.reports import submit_from_form
from reports.text import unaccent
from routing.models import Category
from units.lookup import current_era
from units.models import WARD_LEVEL_TYPES, AdministrativeUnit

# Bump when the page shell changes so that installed service workers refresh their cache.
SHELL_VERSION = "3"
SHELL_STATIC = [
    "css/site.css",
    "css/submit.css",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "js/basemap.js",
    "js/offline-queue.js",
    "js/report-form.js",
    "icons/icon-192.png",
]


def _category_groups() -> list[tuple[str, list[dict]]]:
    english = (get_language() or "").startswith("en")
    groups: dict[str, list[dict]] = {}
    for c in Category.objects.filter(is_active=True):
        name = c.name_en if english else c.name
        groups.setdefault(c.group or "", []).append(
            {
                "code": c.code,
                "name": name,
                "icon": c.icon,
                # Search text without diacritics: "rac" finds "Rác thải".
                "search": unaccent(" ".join([c.name, c.name_en, c.keywords])),
                "documents": c.code == "dich-vu-cong-thu-tuc",
            }
        )
    return list(groups.items())


def _strings() -> dict[str, str]:
    """The texts report-form.js shows, translated here ({n}, {code}, {name} filled in JS)."""
    return {
        "waiting": _("Waiting to send: {n}"),
        "sent": _("Sent. Tracking code: {code}"),
        "queued": _(
            "No network: the report is saved on this device and will be sent automatically."
        ),
        "locating": _("Finding the ward…"),
        "offlineWard": _("You are offline: the ward will be checked when the report is sent."),
        "fromPhoto": _("Location taken from the photo."),
        "groupFound": _("Residential group: {name}"),
        "gpsFailed": _("Your position could not be found. Use the map or the list of wards."),
        "wardChosen": _("Ward chosen from the list: {name}"),
        "noPoint": _("Choose the location: your position, the map, or a ward from the list."),
        "noCategory": _("Choose a category."),
        "noDescription": _("Describe the problem."),
        "tooManyPhotos": _("At most 6 photos may be attached."),
        "oneVideo": _("At most one video may be attached."),
        "videoTooBig": _("The video is larger than 50 MB."),
        "pdfOnly": _("PDF documents are accepted only for public services and procedures."),
        "notSupported": _("This kind of file cannot be attached: {name}"),
        "remove": _("Remove {name}"),
        "photo": _("Photo {n}"),
        "suggested": _("Suggested categories"),
        "preselected": _("Chosen for you: {name}. Change it if it is not right."),
        "meToo": _("I have this problem too"),
        "following": _("You now follow {code}. No new report was sent."),
        "followers": _("Followers: {n}"),
        "sending": _("Sending…"),
        "sendFailed": _("The report could not be sent."),
        "send": _("Send report"),
        "discard": _("Discard this report"),
    }


def _wards() -> list[tuple[str, str]]:
    return list(
        AdministrativeUnit.objects.filter(era=current_era(), type__in=WARD_LEVEL_TYPES)
        .order_by("name")
        .values_list("code", "full_name")
    )


@login_required
def submit(request):
    """The page, and its plain form post for phones and tools without JavaScript (with it, the
    script sends to /api/reports or queues offline). Both end in api.reports.submit_from_form,
    so there is one way a report is sent."""
    error = ""
    values: dict[str, str] = {}
    files_dropped = False
    if request.method == "POST":
        limited = ratelimit.submission_limited(request, request.user.pk)
        if limited is not None:
            error = ratelimit.message(limited)
        else:
            try:
                report = submit_from_form(
                    reporter=request.user, data=request.POST, files=request.FILES.getlist("files")
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                # Post/Redirect/Get: reloading the report's page does not send it again (and a
                # second press of "send" carries the same idempotency key: the same report).
                messages.success(
                    request, _("Sent. Tracking code: %(code)s") % {"code": report.tracking_code}
                )
                return redirect("citizen:report_detail", report.tracking_code)
        fields = (
            "category",
            "description",
            "address",
            "lat",
            "lon",
            "ward",
            "group",
            "idempotency_key",
        )
        values = {k: request.POST.get(k, "") for k in fields}
        files_dropped = bool(request.FILES)
    key = values.get("idempotency_key") or uuid.uuid4().hex
    return render(
        request,
        "citizen/submit.html",
        {
            "groups": _category_groups(),
            "wards": _wards(),
            "strings": _strings(),
            "error": error,
            "values": values,
            "files_dropped": files_dropped,
            "idempotency_key": key,
        },
        status=400 if error else 200,
    )


@lru_cache(maxsize=1)
def _cached_service_worker_source() -> str:
    return (settings.BASE_DIR / "static" / "sw.js").read_text(encoding="utf-8")


def _service_worker_source() -> str:
    # Read afresh under DEBUG so that an edited sw.js is served without a restart.
    if settings.DEBUG:
        return (settings.BASE_DIR / "static" / "sw.js").read_text(encoding="utf-8")
    return _cached_service_worker_source()


@require_GET
def service_worker(request):
    shell = {
        "version": SHELL_VERSION,
        "pages": ["/gui-phan-anh/"],
        "static": [static(p) for p in SHELL_STATIC] + ["/api/units/wards.geojson"],
        "queue": static("js/offline-queue.js"),
    }
    body = _service_worker_source().replace("self.__SHELL__", json.dumps(shell))
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    path = settings.BASE_DIR / "static" / "manifest.webmanifest"
    response = HttpResponse(path.read_bytes(), content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response
