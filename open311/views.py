"""The GeoReport v2 endpoints under /open311/v2/: parse, call one selector or service, render.
Every endpoint answers in JSON or XML after its suffix; errors follow the spec
([{"code": 400, "description": "…"}]) in the request's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts import ratelimit
from reports import text
from reports.models import Media, Report, ReportEvent
from reports.workflow import OPEN_STATUSES, Action, Status, TransitionNotAllowed
from routing.models import Category

from . import selectors, services
from .render import errors, respond, w3

JURISDICTION_ID = getattr(settings, "OPEN311_JURISDICTION_ID", "hanoi.gov.vn")
# The spec's 4,000 characters, the same cap every other way in uses (reports.text).
MAX_DESCRIPTION = text.DESCRIPTION_MAX


class ApiError(Exception):
    """One or more errors of one HTTP status, answered in the spec's error format."""

    def __init__(self, status: int, *descriptions: str):
        self.status = status
        self.descriptions = list(descriptions)
        super().__init__("; ".join(descriptions))


def endpoint(methods: list[str]) -> Callable:
    """The shared frame: allowed methods, the jurisdiction check, errors in the spec's shape."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt  # outside systems authenticate with api_key, not a session
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    # The spec's "URL request is invalid": 400, in the spec's error shape.
                    raise ApiError(
                        400,
                        _("This resource accepts only %(methods)s.")
                        % {"methods": ", ".join(methods)},
                    )
                jurisdiction = _param(request, "jurisdiction_id")
                if jurisdiction and jurisdiction != JURISDICTION_ID:
                    raise ApiError(
                        404, _("Unknown jurisdiction_id: %(id)s.") % {"id": jurisdiction}
                    )
                return view(request, *args, fmt=fmt, **kwargs)
            except ApiError as exc:
                return errors(fmt, exc.status, exc.descriptions)
            except Http404:
                return errors(fmt, 404, [_("No such service request.")])
            except PermissionDenied as exc:
                return errors(fmt, 403, [str(exc) or _("Not allowed.")])
            except ValidationError as exc:
                return errors(fmt, 400, list(exc.messages))

        return wrapped

    return decorate


def _param(request: HttpRequest, name: str) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return (source.get(name) or request.GET.get(name) or "").strip()


def _list_param(request: HttpRequest, name: str) -> list[str]:
    """Comma-delimited and/or declared several times."""
    return [v.strip() for raw in request.GET.getlist(name) for v in raw.split(",") if v.strip()]


def _datetime(request: HttpRequest, name: str, problems: list[str]) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    # A "+" in an offset arrives as a space when the client did not encode it.
    raw = raw.replace(" ", "+")
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    if moment is None:
        problems.append(
            _("%(name)s must be a date and time in W3C format, e.g. 2026-01-31T08:00:00+07:00.")
            % {"name": name}
        )
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _positive_int(
    request: HttpRequest, name: str, default: int, maximum: int | None, problems: list[str]
) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (maximum is not None and value > maximum):
        if maximum is None:
            problems.append(_("%(name)s must be a whole number of at least 1.") % {"name": name})
        else:
            problems.append(
                _("%(name)s must be a whole number from 1 to %(max)d.")
                % {"name": name, "max": maximum}
            )
        return default
    return value


def _client(request: HttpRequest) -> services.ApiClient:
    client = services.api_client_for_key(_param(request, "api_key"))
    if client is None:
        raise ApiError(403, _("Missing or invalid api_key."))
    return client


# --- discovery and services ----------------------------------------------------------------------


@endpoint(["GET"])
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    data = {
        "changeset": "2026-01-01T00:00:00+07:00",
        "contact": getattr(settings, "OPEN311_CONTACT", "") or settings.DEFAULT_FROM_EMAIL,
        "key_service": _("API keys are issued by the city's coordination office."),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": "2026-01-01T00:00:00+07:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", data)


def _service_name(category: Category) -> str:
    if get_language() == "en" and category.name_en:
        return category.name_en
    return category.name


def _service_data(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": _service_name(category),
        "description": _("%(level)s; resolved within %(hours)d working hours.")
        % {"level": category.get_handling_level_display(), "hours": category.resolve_hours},
        # No category asks extra questions: the service definitions' attribute lists are empty.
        "metadata": False,
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
        "groups": [category.group] if category.group else [],
    }


@endpoint(["GET"])
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return respond(fmt, "services", [_service_data(c) for c in selectors.services()])


@endpoint(["GET"])
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    category = selectors.service(code)
    if category is None:
        raise ApiError(404, _("Unknown service_code: %(code)s.") % {"code": code})
    return respond(fmt, "service_definition", {"service_code": category.code, "attributes": []})


# --- requests ------------------------------------------------------------------------------------


def _open_or_closed(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def _photo_url(request: HttpRequest, media: Media) -> str:
    return request.build_absolute_uri(media.public_url("display"))


def _photo_urls(request: HttpRequest) -> Callable[[int], str]:
    """Absolute URL of a photo's display copy by its id: resolved once per response, not once
    per photo (a page of 500 requests has hundreds of photos)."""
    marker = 987654321
    template = request.build_absolute_uri(reverse("citizen:media_file", args=[marker, "display"]))
    before, after = template.split(str(marker), 1)
    return lambda media_id: f"{before}{media_id}{after}"


def _request_data(
    report: Report,
    details: selectors.RequestDetails,
    extensions: bool,
    photo_url: Callable[[int], str],
) -> dict:
    # Only public facts: never the reporter (name, phone, e-mail, account) nor who acted.
    events = details.events.get(report.pk, [])
    photos = details.photos.get(report.pk, [])
    notes = [e.note for e in events if e.note]
    data: dict[str, Any] = {
        "service_request_id": report.tracking_code,
        "status": _open_or_closed(report.status),
        "status_notes": notes[-1] if notes else None,
        "service_name": _service_name(report.category),
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": report.agency.name if report.agency else None,
        "service_notice": None,
        "requested_datetime": w3(report.created_at),
        "updated_datetime": w3(report.updated_at),
        "expected_datetime": w3(report.resolve_due_at),
        "address": report.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lon,
        "media_url": photo_url(photos[0]) if photos else None,
    }
    if extensions:
        data["extended_attributes"] = {
            "channel": report.channel,
            "ward": report.ward.full_name if report.ward else None,
            "duplicate": report.duplicate_of_id is not None,
            "parent_service_request_id": (
                report.duplicate_of.tracking_code if report.duplicate_of else None
            ),
            "photos": [photo_url(m) for m in photos],
        }
        data["notes"] = [
            {
                "datetime": w3(e.created_at),
                "description": e.note or str(Action(e.action).label),
                "type": e.action,
            }
            for e in events
        ]
    return data


def _request_filters(request: HttpRequest) -> selectors.RequestFilters:
    problems: list[str] = []
    filters = selectors.RequestFilters(
        codes=_list_param(request, "service_request_id"),
        service_codes=_list_param(request, "service_code"),
        start=_datetime(request, "start_date", problems),
        end=_datetime(request, "end_date", problems),
        updated_after=_datetime(request, "updated_after", problems),
        updated_before=_datetime(request, "updated_before", problems),
        q=request.GET.get("q", "").strip(),
        agency=request.GET.get("agency_responsible", "").strip(),
        page=_positive_int(request, "page", 1, None, problems),
        page_size=_positive_int(
            request, "page_size", selectors.DEFAULT_PAGE_SIZE, selectors.MAX_PAGE_SIZE, problems
        ),
    )
    statuses = [s.lower() for s in _list_param(request, "status")]
    if any(s not in {"open", "closed"} for s in statuses):
        problems.append(_("status must be open or closed."))
    filters.statuses = statuses
    sort = request.GET.get("sort", "").strip()
    if sort:
        if sort not in selectors.SORTS:
            problems.append(
                _("sort must be one of: %(sorts)s.") % {"sorts": ", ".join(selectors.SORTS)}
            )
        else:
            filters.sort = sort
    has_photo = request.GET.get("has_photo", "").strip().lower()
    if has_photo:
        if has_photo not in {"true", "false", "1", "0"}:
            problems.append(_("has_photo must be true or false."))
        else:
            filters.has_photo = has_photo in {"true", "1"}
    bbox = request.GET.get("bbox", "").strip()
    if bbox:
        try:
            west, south, east, north = (float(v) for v in bbox.split(","))
            if not (west <= east and south <= north):
                raise ValueError
            filters.bbox = (west, south, east, north)
        except ValueError:
            problems.append(_("bbox must be min_lon,min_lat,max_lon,max_lat."))
    if filters.start and filters.end and filters.start > filters.end:
        problems.append(_("start_date must be before end_date."))
    if problems:
        raise ApiError(400, *problems)
    return filters


@endpoint(["GET", "POST"])
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    filters = _request_filters(request)
    page = selectors.page_of(selectors.requests(filters), filters)
    details = selectors.details_for(page)
    extensions = request.GET.get("extensions", "").strip().lower() in {"true", "1"}
    photo_url = _photo_urls(request)
    return respond(
        fmt, "service_requests", [_request_data(r, details, extensions, photo_url) for r in page]
    )


@endpoint(["GET"])
def request_detail(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    filters = selectors.RequestFilters(codes=[code], page_size=1)
    page = selectors.page_of(selectors.requests(filters), filters)
    if not page:
        raise ApiError(404, _("Unknown service_request_id: %(id)s.") % {"id": code})
    details = selectors.details_for(page)
    extensions = request.GET.get("extensions", "").strip().lower() in {"true", "1"}
    data = _request_data(page[0], details, extensions, _photo_urls(request))
    return respond(fmt, "service_requests", [data])


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request)
    # A client is a whole system sending for many people: limited by its key, generously.
    limited = ratelimit.check("open311-submit:client", client.pk)
    if limited is not None:
        return ratelimit.with_retry_after(errors(fmt, 429, [ratelimit.message(limited)]), limited)
    code = _param(request, "service_code")
    category = selectors.service(code) if code else None
    if code and category is None:
        raise ApiError(404, _("Unknown service_code: %(code)s.") % {"code": code})
    problems: list[str] = []
    if category is None:
        problems.append(_("service_code is required."))
    lat, lon = _param(request, "lat"), _param(request, "long")
    address = _param(request, "address_string")
    if bool(lat) != bool(lon):
        problems.append(_("lat and long must be sent together."))
    elif not lat and not address:
        if _param(request, "address_id"):
            problems.append(
                _("address_id is not supported here: send lat and long or address_string.")
            )
        else:
            problems.append(_("A location is required: lat and long, or address_string."))
    description = _param(request, "description")
    if not description:
        problems.append(_("description is required."))
    elif len(description) > MAX_DESCRIPTION:
        problems.append(_("description must be at most %(n)d characters.") % {"n": MAX_DESCRIPTION})
    if problems or category is None:
        raise ApiError(400, *problems)
    report = services.request_submit(
        client=client,
        category=category,
        lat=lat or None,
        lon=lon or None,
        address=address,
        title=_param(request, "title"),
        description=description,
        media_urls=[u.strip() for u in request.POST.getlist("media_url") if u.strip()][:8],
        files=request.FILES.getlist("media"),
    )
    notice = _("Sent to %(agency)s; expected to be resolved by %(due)s.") % {
        "agency": report.agency.name if report.agency else "",
        "due": w3(report.resolve_due_at),
    }
    data = [
        {"service_request_id": report.tracking_code, "service_notice": notice, "account_id": None}
    ]
    return respond(fmt, "service_requests", data)


@endpoint(["GET"])
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    # Every request is routed while it is posted, so POST returns its service_request_id and
    # this server never issues tokens: every token is unknown.
    raise ApiError(
        404,
        _("Unknown token: this server returns service_request_id directly and issues no tokens."),
    )


# --- service request updates ---------------------------------------------------------------------

# Our statuses as the extended statuses of "Open311 extended" (FixMyStreet).
EXTERNAL_STATUS = {
    Status.SUBMITTED: "FOR_TRIAGE",
    Status.ROUTED: "FOR_TRIAGE",
    Status.ACCEPTED: "ACTION_SCHEDULED",
    Status.IN_PROGRESS: "IN_PROGRESS",
    Status.RESOLVED: "FIXED",
    Status.CLOSED: "CLOSED",
    Status.RETURNED: "NOT_COUNCILS_RESPONSIBILITY",
    Status.REOPENED: "REOPEN",
    Status.REJECTED: "NO_FURTHER_ACTION",
    Status.MERGED: "DUPLICATE",
}


def external_status(event: ReportEvent) -> str:
    if event.action in {Action.TRANSFER, Action.REROUTE}:
        return "INTERNAL_REFERRAL"
    return EXTERNAL_STATUS[Status(event.to_status)]


def _update_data(request: HttpRequest, event: ReportEvent) -> dict:
    photos = getattr(event, "open311_photos", [])
    return {
        "update_id": str(event.pk),
        "service_request_id": event.report.tracking_code,
        "status": _open_or_closed(event.to_status),
        "updated_datetime": w3(event.created_at),
        "description": event.note or str(Action(event.action).label),
        "media_url": _photo_url(request, photos[0]) if photos else None,
        "external_status_code": external_status(event),
    }


@endpoint(["GET", "POST"])
def updates(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_update(request, fmt)
    problems: list[str] = []
    start = _datetime(request, "start_date", problems)
    end = _datetime(request, "end_date", problems)
    page = _positive_int(request, "page", 1, None, problems)
    page_size = _positive_int(
        request, "page_size", selectors.DEFAULT_PAGE_SIZE, selectors.MAX_PAGE_SIZE, problems
    )
    if problems:
        raise ApiError(400, *problems)
    rows = selectors.updates(start=start, end=end, page=page, page_size=page_size)
    return respond(fmt, "service_request_updates", [_update_data(request, e) for e in rows])


def _post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request)
    problems = []
    code = _param(request, "service_request_id")
    status = _param(request, "status")
    if not code:
        problems.append(_("service_request_id is required."))
    if not status:
        problems.append(_("status is required."))
    if problems:
        raise ApiError(400, *problems)
    try:
        result = services.request_update(
            client=client,
            tracking_code=code,
            status=status,
            description=_param(request, "description"),
            files=request.FILES.getlist("media"),
        )
    except TransitionNotAllowed as exc:
        raise ApiError(400, str(exc)) from None
    data = [
        {
            "update_id": str(result.event.pk),
            "service_request_id": result.report.tracking_code,
            "status": _open_or_closed(result.report.status),
            "external_status_code": external_status(result.event),
        }
    ]
    return respond(fmt, "service_request_updates", data)
