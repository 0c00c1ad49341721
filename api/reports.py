"""The residents' reporting flow: where a point is, which category fits, what is already
reported nearby, "me too", and sending a report (with photos) from the submit page."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from shapely.geometry import shape

from accounts import ratelimit
from accounts.models import User
from classify import services as classify
from reports import clock
from reports.models import MediaKind, Report, ReportChannel
from reports.selectors import get_report_for, reports_visible_to
from reports.services import parse_point, report_follow, report_submit
from reports.text import clean_text
from reports.workflow import OPEN_STATUSES
from routing.models import Category
from units import groups as residential_groups
from units.lookup import OutsideCity, current_era, locate
from units.models import WARD_LEVEL_TYPES, AdministrativeUnit

from .auth import actor, user_auth
from .schemas import errors, tracking_code_param

router = Router(tags=["reports"])

NEARBY_METRES = 250
NEARBY_DAYS = 30
_M_PER_DEG_LAT = 110_574.0


def _locate(lat: float, lon: float):
    try:
        return locate(lat, lon)
    except OutsideCity as exc:
        raise ValidationError(str(exc), code="outside_city") from None


@lru_cache(maxsize=256)
def ward_point(code: str, era: str) -> tuple[float, float] | None:
    """A point surely inside the ward (shapely's point_on_surface), for reports sent with an
    address and a chosen ward but no pin ("the map does not work for me")."""
    unit = (
        AdministrativeUnit.objects.filter(era=era, code=code, type__in=WARD_LEVEL_TYPES)
        .exclude(geometry="")
        .first()
    )
    if unit is None:
        return None
    point = shape(json.loads(unit.geometry)).point_on_surface()
    return point.y, point.x


def _signed_in(request: HttpRequest) -> User:
    # Only on endpoints with auth=user_auth, which lets signed-in users through alone.
    return actor(request)


class GroupOut(Schema):
    code: str
    name: str


class LocateOut(Schema):
    code: str
    name: str
    edge_distance_m: float
    # The residential group whose boundary holds the point, if any; and the ward's groups, for
    # the resident to choose from where none does.
    group: GroupOut | None = None
    groups: list[GroupOut] = []


class SuggestionOut(Schema):
    code: str
    name: str
    group: str
    icon: str
    # A probability, 0-1.
    score: float
    confident: bool


class NearbyOut(Schema):
    tracking_code: str
    title: str
    status: str
    status_label: str
    status_colour: str
    age: str
    distance_m: int
    thumbnail: str | None
    followers: int
    url: str
    # With `text`: how alike the two descriptions are (0-1); None without text.
    similarity: float | None = None
    same_category: bool = False


class FollowOut(Schema):
    tracking_code: str
    followers: int


class SubmitIn(Schema):
    """The submit page's multipart form (documented here; the view reads request.POST)."""

    category: str = ""
    lat: str = ""
    lon: str = ""
    # A ward's code instead of lat/lon when the resident cannot place a pin.
    ward: str = ""
    title: str = ""
    description: str = ""
    address: str = ""
    idempotency_key: str = ""


class SubmittedOut(Schema):
    tracking_code: str
    url: str
    ward: str
    status_label: str


def _category_name(category: Category) -> str:
    return category.name_en if (get_language() or "").startswith("en") else category.name


@router.get(
    "/locate",
    response={200: LocateOut, **errors(400)},
    summary="The ward or commune a point lies in, and its residential groups",
)
def locate_point(request: HttpRequest, lat: str = "", lon: str = ""):
    lat_f, lon_f = parse_point(lat, lon)
    hit = _locate(lat_f, lon_f)
    group = residential_groups.group_at(hit.unit_id, lat_f, lon_f)
    return {
        "code": hit.code,
        "name": hit.full_name,
        "edge_distance_m": round(hit.distance_m, 1),
        "group": {"code": group.code, "name": group.name} if group else None,
        "groups": _groups_out(hit.unit_id),
    }


def _groups_out(ward_id: int) -> list[dict[str, str]]:
    return [
        {"code": g.code, "name": g.name}
        for g in sorted(residential_groups.groups_of(ward_id), key=lambda g: g.code)
    ]


@router.get(
    "/wards/{code}/groups",
    response={200: list[GroupOut], **errors(404)},
    summary="The residential groups of a ward or commune in force",
)
def ward_groups(request: HttpRequest, code: str):
    ward = AdministrativeUnit.objects.filter(
        era=current_era(), code=code, type__in=WARD_LEVEL_TYPES
    ).first()
    if ward is None:
        raise Http404
    return _groups_out(ward.pk)


class SuggestIn(Schema):
    text: str = ""


def _suggestions(text: str) -> list[dict[str, Any]]:
    return [
        {
            "code": s.category.code,
            "name": _category_name(s.category),
            "group": s.category.group,
            "icon": s.category.icon,
            "score": round(s.probability, 4),
            "confident": classify.is_confident(s),
        }
        for s in classify.suggest(clean_text(text[: classify.MAX_CHARS]))
    ]


@router.get(
    "/categories/suggest",
    response={200: list[SuggestionOut], **errors(400)},
    summary="Up to 3 categories for a description, likeliest first",
    description=(
        "`score` is the probability the category is the right one (the classifier trained on "
        "the city's reports; while no model is trained, a keyword match scored at most 0.5). "
        "`confident`: sure enough to preselect. Text past 4,000 characters is ignored; for "
        'long texts use POST with a JSON body `{"text": ...}`.'
    ),
)
def suggest(request: HttpRequest, text: str = ""):
    return _suggestions(text)


@router.post(
    "/categories/suggest",
    response={200: list[SuggestionOut], **errors(400)},
    summary="The same suggestions for a text sent in the body",
)
def suggest_post(request: HttpRequest, body: SuggestIn):
    return _suggestions(body.text)


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Equirectangular: exact to centimetres at 250 m.
    dy = (lat2 - lat1) * _M_PER_DEG_LAT
    dx = (lon2 - lon1) * 111_320.0 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def _thumbnail_url(media) -> str | None:
    thumb = getattr(media, "thumbnail", None) if media is not None else None
    return thumb.url if thumb else None


@router.get(
    "/reports/nearby",
    response={200: list[NearbyOut], **errors(400)},
    summary="Open reports within 250 m, last 30 days: of a category, or saying the same",
)
def nearby(
    request: HttpRequest,
    lat: str = "",
    lon: str = "",
    # A category code (rac-thai-ve-sinh); anything else is refused before the query.
    category: str = Query("", max_length=100, pattern=r"^[a-z0-9-]*$"),
    # What the resident has written so far: reports saying the same thing are offered even
    # under another category ("cột điện đổ" / "trụ điện bị ngã"), the likeliest first.
    text: str = "",
):
    lat_f, lon_f = parse_point(lat, lon)
    dlat = NEARBY_METRES / _M_PER_DEG_LAT
    dlon = NEARBY_METRES / (111_320.0 * math.cos(math.radians(lat_f)))
    now = clock.now()
    candidates = (
        reports_visible_to(request.user if request.user.is_authenticated else None)
        .filter(
            status__in=OPEN_STATUSES,
            created_at__gte=now - timedelta(days=NEARBY_DAYS),
            # A bounding box first, so the database does the coarse cut.
            lat__range=(lat_f - dlat, lat_f + dlat),
            lon__range=(lon_f - dlon, lon_f + dlon),
        )
        .select_related("category")
        .prefetch_related("media", "followers")
        .order_by("-created_at")
    )
    text = clean_text(text[: classify.MAX_CHARS])
    by_meaning = any(ch.isalpha() for ch in text)
    if category and not by_meaning:
        candidates = candidates.filter(category__code=category)
    close = []
    for report in candidates[: 200 if by_meaning else 50]:
        if report.lat is None or report.lon is None:  # the bounding box already excludes these
            continue
        distance = _distance_m(lat_f, lon_f, report.lat, report.lon)
        if distance <= NEARBY_METRES:
            close.append((report, distance))
    similarity = [None] * len(close)
    if by_meaning:
        similarity = classify.similarity(text, [f"{r.title}\n{r.description}" for r, _d in close])
    found: list[dict[str, Any]] = []
    for (report, distance), similar in zip(close, similarity, strict=True):
        same_category = bool(category) and report.category.code == category
        if similar is not None and not same_category and similar < classify.SAME_PROBLEM:
            continue  # another category and another problem: not a duplicate
        photo = next(
            (m for m in report.media.all() if m.kind == MediaKind.PHOTO and not m.is_proof), None
        )
        found.append(
            {
                "tracking_code": report.tracking_code,
                "title": report.title,
                "status": report.status,
                "status_label": str(report.get_status_display()),
                "status_colour": report.status_colour,
                "age": _("%(time)s ago") % {"time": timesince(report.created_at, now, depth=1)},
                "distance_m": round(distance),
                # Only the public copy (made by the media task, metadata stripped) is shown;
                # the upload itself is private.
                "thumbnail": _thumbnail_url(photo),
                "followers": len(report.followers.all()),
                "url": reverse("citizen:report_detail", args=[report.tracking_code]),
                "similarity": None if similar is None else round(similar, 3),
                "same_category": same_category,
            }
        )
    if by_meaning:
        # Saying the same thing counts most; the same category and nearness break ties.
        found.sort(key=lambda r: (-(r["similarity"] + 0.1 * r["same_category"]), r["distance_m"]))
    else:
        found.sort(key=lambda r: r["distance_m"])
    return found[:10]


@router.post(
    "/reports/{tracking_code}/follow",
    auth=user_auth,
    response={200: FollowOut, **errors(400, 401, 403, 404)},
    summary="“I have this problem too”: follow a report instead of sending a new one",
)
def follow(request: HttpRequest, tracking_code: str = tracking_code_param()):
    user = _signed_in(request)
    report = get_report_for(user, tracking_code)
    report_follow(actor=user, report=report)
    return {"tracking_code": report.tracking_code, "followers": report.followers.count()}


def _title_from(description: str) -> str:
    first = (description.strip().splitlines() or [""])[0].strip()
    return first if len(first) <= 80 else first[:79].rstrip() + "…"


def submit_from_form(
    *, reporter: User, data: Any, files: list, channel: str = ReportChannel.WEB
) -> Report:
    """The submit page's fields (sent by its script to /api/reports, or posted by the page
    itself without JavaScript) turned into one report_submit call: one way to send a report.
    A ward chosen from the list stands for a point when there is no pin."""
    category = Category.objects.filter(code=data.get("category", ""), is_active=True).first()
    if category is None:
        raise ValidationError(_("Choose a category."), code="bad_category")
    lat: object = (data.get("lat") or "").strip()
    lon: object = (data.get("lon") or "").strip()
    ward = data.get("ward", "")
    from_ward_list = bool(not lat and not lon and ward)
    if from_ward_list:
        point = ward_point(ward, current_era())
        if point is None:
            raise ValidationError(_("Choose a ward from the list."), code="bad_ward")
        lat, lon = point
    lat_f: float | None = None
    lon_f: float | None = None
    if lat or lon:
        lat_f, lon_f = parse_point(lat, lon)
    # else: an address alone, which report_submit sends to the coordination office to place
    # (as Open311's address_string), or its "give the location" error when there is none.
    description = clean_text(data.get("description", ""))
    return report_submit(
        reporter=reporter,
        category=category,
        lat=lat_f,
        lon=lon_f,
        title=clean_text(data.get("title", ""), multiline=False) or _title_from(description),
        description=description,
        address=data.get("address", ""),
        idempotency_key=data.get("idempotency_key") or None,
        files=files,
        channel=channel,
        residential_group=data.get("group", ""),
        # The ward's inner point stands for the ward, not for a place in one of its groups.
        point_is_exact=not from_ward_list,
    )


@router.post(
    "/reports",
    auth=user_auth,
    response={201: SubmittedOut, **errors(400, 401, 403, 429)},
    summary="Send a report (multipart form)",
)
def submit(
    request: HttpRequest,
    form: Form[SubmitIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    limited = ratelimit.submission_limited(request, _signed_in(request).pk)
    if limited is not None:
        return ratelimit.json_response(limited)
    # Our own pages send with the session (the website/app channel); another client with a
    # token is "api".
    channel = ReportChannel.API if getattr(request, "via_token", False) else ReportChannel.WEB
    report = submit_from_form(
        reporter=_signed_in(request),
        data=request.POST,
        files=request.FILES.getlist("files"),
        channel=channel,
    )
    return Status(
        201,
        {
            "tracking_code": report.tracking_code,
            "url": reverse("citizen:report_detail", args=[report.tracking_code]),
            "ward": report.ward.full_name if report.ward else "",
            "status_label": str(report.get_status_display()),
        },
    )
