"""Synthetic reports for load tests and benchmarks (`manage.py generate_reports N`).

Reports are spread over the current era's wards by estimated population, get categories in
proportion, and follow iHanoi-like outcomes (83 % handled, ~65 % of ratings satisfied, some
units three times slower). Every report gets its events with a valid audit chain (the hashes
of reports/audit.py computed here, in Python), so `manage.py verify_audit` passes.

Speed comes from writing rows directly: COPY on PostgreSQL, one executemany per table on
SQLite, all inside one transaction, with the primary keys reserved up front so the ORM keeps
working afterwards. Columns are always listed explicitly: a nullable column added to a table
later is left NULL instead of breaking the COPY.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from reports import audit, derived
from reports.audit import FORMAT, _normalise, audit_key
from reports.search import fold

US = 1_000_000  # microseconds per second: every time here is int µs since the epoch (UTC)
HOUR = 3600 * US

# Tracking codes of synthetic reports: "PA-SYN-" and the report's id. Real ones are
# PA-<year>-<6 digits> (reports.services._next_tracking_code), so the two never clash, and the
# id makes them unique across runs. The URL patterns take any code without a slash.
CODE_PREFIX = "PA-SYN-"

# Population density assumed per unit type (people/km²), since units carry an area but no
# population: Hanoi's urban wards average ~10,000–40,000/km² and its rural communes ~1,000–
# 2,000/km² (GSO census 2019, by district). An ASSUMPTION, good for the spread, not for census use.
DENSITY = {"phuong": 20_000.0, "thi_tran": 5_000.0, "xa": 1_500.0}

# Category shares. An ASSUMPTION: iHanoi publishes totals, not per-category shares; the order
# follows what Vietnamese city hotlines report most (environment/rubbish and urban order first,
# then traffic infrastructure and public utilities). Unknown category codes get weight 1.
CATEGORY_WEIGHTS = {
    "rac-thai-ve-sinh": 24,
    "o-nhiem-moi-truong": 12,
    "trat-tu-do-thi": 18,
    "ha-tang-giao-thong": 12,
    "dien-nuoc-chieu-sang": 7,
    "den-tin-hieu-bien-bao": 4,
    "un-tac-giao-thong": 3,
    "an-ninh-trat-tu": 5,
    "cay-xanh-cong-vien": 4,
    "dich-vu-cong-thu-tuc": 4,
    "an-sinh-xa-hoi": 2,
    "an-toan-thuc-pham": 2,
    "nguy-co-chay-no": 1,
    "phong-chong-toi-pham": 1,
    "khac": 1,
}

# Outcomes (iHanoi's published record: ~83 % of reports handled, ~65 % of ratings satisfied).
MERGED_SHARE = 0.02  # duplicates, outside the "received" count the dashboard uses
HANDLED_SHARE = 0.83  # of the rest: resolved or closed
REJECTED_SHARE = 0.04  # of the rest; the remaining 13 % are still open
RATED_SHARE = 0.40  # of the handled: the resident rated the first answer
SATISFIED_SHARE = 0.65  # of the rated
PHOTO_SHARE = 0.8  # reports with the resident's photo
SLOW_AGENCY_SHARE = 0.10  # agencies whose timings are three times longer
SLOW_FACTOR = 3.0
ACCEPT_MEAN_H = 6.0  # wall-clock hours from routing to acceptance (exponential)
RESOLVE_MEAN_H = 36.0  # from acceptance to resolution, scaled by the category's resolve_hours

TEXTS = {
    "rac-thai-ve-sinh": ("Rác thải tồn đọng", "Rác thải sinh hoạt tồn đọng nhiều ngày, bốc mùi."),
    "o-nhiem-moi-truong": ("Ô nhiễm môi trường", "Khói bụi và nước thải gây ô nhiễm khu dân cư."),
    "trat-tu-do-thi": (
        "Lấn chiếm vỉa hè",
        "Hàng quán lấn chiếm vỉa hè, người đi bộ phải xuống lòng đường.",
    ),
    "ha-tang-giao-thong": (
        "Ổ gà trên đường",
        "Mặt đường hư hỏng, nhiều ổ gà nguy hiểm cho xe máy.",
    ),
    "dien-nuoc-chieu-sang": (
        "Đèn đường không sáng",
        "Đèn chiếu sáng công cộng hỏng, ngõ tối vào ban đêm.",
    ),
    "den-tin-hieu-bien-bao": (
        "Đèn tín hiệu hỏng",
        "Đèn tín hiệu giao thông tại nút giao không hoạt động.",
    ),
    "un-tac-giao-thong": ("Ùn tắc giao thông", "Ùn tắc kéo dài giờ cao điểm, cần phân luồng."),
    "cay-xanh-cong-vien": ("Cây xanh nguy hiểm", "Cây xanh nghiêng, có nguy cơ đổ vào nhà dân."),
}
DEFAULT_TEXT = ("Phản ánh hiện trường", "Người dân phản ánh sự việc tại khu vực, đề nghị xử lý.")
ANSWER = (
    "Đơn vị đã kiểm tra hiện trường, xử lý dứt điểm sự việc và cập nhật kết quả kèm hình ảnh "
    "sau khi xử lý."
)
REJECT_REASON = "Nội dung phản ánh không thuộc phạm vi tiếp nhận của hệ thống."
REOPEN_COMMENT = "Sự việc vẫn chưa được xử lý triệt để."


# --- reference data ---------------------------------------------------------------------------


@dataclass
class Ward:
    id: int
    full_name: str
    weight: float
    geometry: Any  # shapely geometry, lon/lat


@dataclass
class CategoryInfo:
    id: int
    code: str
    priority: str
    accept_hours: int
    resolve_hours: int
    is_public: bool
    photo: bool
    weight: float


@dataclass
class Reference:
    wards: list[Ward]
    categories: list[CategoryInfo]
    # (category index, ward index) → (agency id, routing note escaped for COPY, as JSON,
    # routing data as JSON)
    routes: dict[tuple[int, int], tuple[int, str, str, str]]
    slow_agencies: frozenset[int] = field(default_factory=frozenset)


def ward_weight(unit_type: str, area_km2: float | None, geometry: Any) -> float:
    """Estimated population: area (the unit's, else its polygon's) × an assumed density."""
    if area_km2 is None:
        # Degrees² to km² near 21° N: 110.6 km per degree of latitude, 103.9 of longitude.
        area_km2 = geometry.area * 110.574 * 103.93
    return max(area_km2, 0.01) * DENSITY.get(unit_type, 5_000.0)


def json_text(value: Any) -> str:
    """JSON as the audit hash serialises it (sorted keys, no spaces, UTF-8)."""
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def load_reference(seed: int) -> Reference:
    """The current era's wards, the categories and the routing decision for each pair."""
    from django.conf import settings
    from django.utils import translation
    from shapely.geometry import shape

    from routing.models import Category, RoutingRule
    from routing.rules import route
    from units.models import WARD_LEVEL_TYPES, AdministrativeUnit, Agency, AgencyKind

    units = list(
        AdministrativeUnit.objects.filter(era=settings.UNITS_CURRENT_ERA, type__in=WARD_LEVEL_TYPES)
        .exclude(geometry="")
        .order_by("code")
    )
    if not units:
        raise ValueError("no wards with boundaries: run `manage.py load_units` first")
    wards = []
    for unit in units:
        geometry = shape(json.loads(unit.geometry))
        wards.append(
            Ward(unit.pk, unit.full_name, ward_weight(unit.type, unit.area_km2, geometry), geometry)
        )
    categories = [
        CategoryInfo(
            c.pk,
            c.code,
            c.priority,
            c.accept_hours,
            c.resolve_hours,
            c.public_by_default,
            c.photo_required,
            float(CATEGORY_WEIGHTS.get(c.code, 1)),
        )
        for c in Category.objects.filter(is_active=True).order_by("id")
    ]
    if not categories:
        raise ValueError("no categories: run `manage.py load_categories` first")
    # The real routing rules (routing.rules.route, what routing.services.route_report calls),
    # once per (category, ward) pair, with the rules and committees read once: the same
    # agencies and reasons a live submission would get.
    routes: dict[tuple[int, int], tuple[int, str, str, str]] = {}
    by_id = {c.pk: c for c in Category.objects.all()}
    rules: dict[int, list[RoutingRule]] = {}
    for rule in RoutingRule.objects.filter(is_active=True).select_related("agency"):
        rules.setdefault(rule.category_id, []).append(rule)
    committees = {a.unit_id: a for a in Agency.objects.filter(unit__in=units)}
    office = (
        Agency.objects.filter(kind=AgencyKind.COORDINATION, is_active=True).order_by("id").first()
    )
    if office is None:
        raise ValueError("no coordination office: run `manage.py load_agencies` first")
    with translation.override(settings.LANGUAGE_CODE):
        for ci, category in enumerate(categories):
            for wi, unit in enumerate(units):
                decision = route(
                    by_id[category.id],
                    unit,
                    rules.get(category.id, []),
                    ward_committee=committees.get(unit.pk),
                    coordination_office=office,
                )
                reason = str(decision.reason)
                routes[(ci, wi)] = (
                    decision.agency.pk,
                    copy_text(reason),
                    _j(reason),
                    json_text({"routing": decision.as_data()}),
                )
    agency_ids = sorted(Agency.objects.values_list("id", flat=True))
    rng = random.Random(seed)
    slow = frozenset(rng.sample(agency_ids, max(1, round(len(agency_ids) * SLOW_AGENCY_SHARE))))
    return Reference(wards, categories, routes, slow)


# --- working hours, vectorised ----------------------------------------------------------------


class WorkingClock:
    """reports.deadlines.add_working_hours for arrays: a table of each day's office hours
    with the working time accumulated before it, inverted by binary search."""

    def __init__(self, first: date, last: date, tz: ZoneInfo, start_hour: int, end_hour: int):
        from reports.deadlines import is_working_day

        days = (last - first).days + 1
        self.first = first
        self.tz = tz
        opens = np.zeros(days, dtype=np.int64)
        lengths = np.zeros(days, dtype=np.int64)
        for i in range(days):
            day = first + timedelta(days=i)
            o = datetime.combine(day, time(start_hour), tz)
            opens[i] = int(o.timestamp()) * US
            if is_working_day(day):
                lengths[i] = (end_hour - start_hour) * HOUR
        midnight = datetime.combine(first, time(0), tz)
        self.midnight0 = int(midnight.timestamp()) * US
        self.opens = opens
        self.lengths = lengths
        self.before = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        self.ends = self.before + lengths

    def add(self, start: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """`start` + `hours` working hours (int µs arrays in, int µs out)."""
        day = (start - self.midnight0) // (86400 * US)
        into = np.clip(start - self.opens[day], 0, self.lengths[day])
        target = self.before[day] + into + (hours * HOUR).astype(np.int64)
        d = np.searchsorted(self.ends, target, side="left")
        return self.opens[d] + (target - self.before[d])


def iso_strings(us: np.ndarray) -> list[str]:
    """'2026-01-02T03:04:05.678901+00:00' for each µs timestamp: what the hash takes."""
    return [s + "+00:00" for s in np.datetime_as_string(us.astype("datetime64[us]"), unit="us")]


# --- rows -------------------------------------------------------------------------------------

REPORT_COLUMNS = (
    "id",
    "tracking_code",
    "title",
    "description",
    "category_id",
    "lat",
    "lon",
    "address",
    "ward_id",
    "agency_id",
    "priority",
    "is_public",
    "channel",
    "status",
    "accept_due_at",
    "resolve_due_at",
    "due_at",
    "overdue_reminders",
    "overdue_since",
    "created_at",
    "updated_at",
    "routed_at",
    "accepted_at",
    "resolved_at",
    "closed_at",
    "answer",
    "reopen_count",
    "resolution_count",
    "duplicate_of_id",
    "search_text",
    "audit_seq",
    "audit_seal",
)
EVENT_COLUMNS = (
    "id",
    "report_id",
    "action",
    "from_status",
    "to_status",
    "actor_agency_id",
    "note",
    "data",
    "is_public",
    "created_at",
    "prev_hash",
    "hash",
    "seq",
)
MEDIA_COLUMNS = (
    "report_id",
    "event_id",
    "is_proof",
    "kind",
    "file",
    "content_type",
    "size",
    "sha256",
    "width",
    "height",
    "created_at",
    "thumbnail",
    "display",
    "poster",
    "public_video",
    "processed_at",
    "processing_error",
)
RATING_COLUMNS = ("report_id", "round", "satisfied", "comment", "created_at")


@dataclass
class Batch:
    """Rows as lines of PostgreSQL's COPY text format (tab-separated, \\N for NULL, 1/0 for
    booleans, UTC timestamps without a zone): written as they are by COPY, and split back
    into values for SQLite. Formatting a line once costs less than adapting every value."""

    reports: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    ratings: list[str] = field(default_factory=list)
    next_event_id: int = 0


NULL = "\\N"


def copy_text(text: str) -> str:
    """`text` escaped for a COPY text field."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def db_time(iso: str | None) -> str:
    """'2026-01-02T03:04:05.678901+00:00' → '2026-01-02 03:04:05.678901' (UTC: Django sets
    the PostgreSQL session's time zone to UTC, and stores this text in SQLite)."""
    return NULL if iso is None else f"{iso[:10]} {iso[11:26]}"


# An event's fixed parts: action, from and to status, note (escaped for COPY), the note as
# JSON and the data as JSON (both as the hash serialises them).
Step = tuple[str, str, str, str, str, str]


def _j(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


STEP_SUBMIT: Step = ("submit", "", "submitted", "", '""', "{}")
STEP_ACCEPT: Step = ("accept", "routed", "accepted", "", '""', "{}")
STEP_ACCEPT_AGAIN: Step = ("accept", "reopened", "accepted", "", '""', "{}")
STEP_START: Step = ("start", "accepted", "in_progress", "", '""', "{}")
STEP_RESOLVE: Step = ("resolve", "accepted", "resolved", ANSWER, _j(ANSWER), "{}")
STEP_REJECT: Step = ("reject", "routed", "rejected", REJECT_REASON, _j(REJECT_REASON), "{}")
STEP_RATE_SATISFIED: Step = ("rate_satisfied", "resolved", "closed", "", '""', "{}")
STEP_REOPEN: Step = (
    "reopen",
    "resolved",
    "reopened",
    REOPEN_COMMENT,
    _j(REOPEN_COMMENT),
    '{"reopen_count":1}',
)
STEP_AUTO_CLOSE: Step = ("auto_close", "resolved", "closed", "", '""', "{}")


class Chain:
    """Events of one report with their hashes (reports/audit.py's canonical form, built
    with string formatting instead of json.dumps: ~4× faster, same bytes)."""

    __slots__ = ("batch", "key", "next_id", "prev", "report_id", "seq")

    def __init__(self, batch: Batch, report_id: int, next_id: int):
        self.batch = batch
        self.report_id = report_id
        self.prev = ""
        self.next_id = next_id
        self.seq = 0
        self.key = audit_key()

    def add(self, step: Step, agency_id: int | None, at: str) -> int:
        """Append one public event (`at` as iso_strings gives it); return its id."""
        action, from_status, to_status, note, note_json, data_json = step
        text = (
            f'["{FORMAT}",{self.report_id},"{action}","{from_status}","{to_status}",null,'
            f"{'null' if agency_id is None else agency_id},{note_json},{data_json},"
            f'true,"{at}","{self.prev}",{self.seq + 1}]'
        )
        self.seq += 1
        digest = hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()
        event_id = self.next_id
        data = copy_text(data_json) if "\\" in data_json else data_json
        self.batch.events.append(
            f"{event_id}\t{self.report_id}\t{action}\t{from_status}\t{to_status}\t"
            f"{NULL if agency_id is None else agency_id}\t{note}\t{data}\t"
            f"1\t{at[:10]} {at[11:26]}\t{self.prev}\t{digest}\t{self.seq}"
        )
        self.prev = digest
        self.next_id += 1
        return event_id


@dataclass
class Plan:
    """What `build_batch` needs besides the random generator."""

    ref: Reference
    clock: WorkingClock
    now_us: int
    days: int
    auto_close_us: int
    ward_p: np.ndarray
    category_p: np.ndarray
    texts: list[tuple[str, str, str, str]]  # per category: title, description, folded both
    addresses: list[tuple[str, str]]  # per ward: address, folded
    seed: int = 0  # with a batch's number, the seed of that batch's random stream


def make_plan(ref: Reference, *, now: datetime, days: int, auto_close_days: int) -> Plan:
    from django.conf import settings

    tz = ZoneInfo(settings.TIME_ZONE)
    first = (now - timedelta(days=days + 2)).astimezone(tz).date()
    # Deadlines run up to ~80 working hours past the newest report; 60 days covers Tết.
    last = (now + timedelta(days=60)).astimezone(tz).date()
    clock = WorkingClock(first, last, tz, settings.WORKDAY_START_HOUR, settings.WORKDAY_END_HOUR)
    weights = np.array([w.weight for w in ref.wards])
    cat_weights = np.array([c.weight for c in ref.categories])
    texts: list[tuple[str, str, str, str]] = []
    for c in ref.categories:
        title, description = TEXTS.get(c.code, DEFAULT_TEXT)
        folded = (fold(title), fold(description))
        texts.append(
            (copy_text(title), copy_text(description), copy_text(folded[0]), copy_text(folded[1]))
        )
    addresses = [(copy_text(w.full_name), copy_text(fold(w.full_name))) for w in ref.wards]
    return Plan(
        ref,
        clock,
        int(now.timestamp() * US),
        days,
        auto_close_days * 86400 * US,
        weights / weights.sum(),
        cat_weights / cat_weights.sum(),
        texts,
        addresses,
    )


def points_in(geometry: Any, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`n` points uniformly inside `geometry` (rejection sampling in its bounding box)."""
    import shapely

    minx, miny, maxx, maxy = geometry.bounds
    lats: list[np.ndarray] = []
    lons: list[np.ndarray] = []
    have = 0
    shapely.prepare(geometry)
    while have < n:
        k = max(16, int((n - have) * 1.6))
        x = rng.uniform(minx, maxx, k)
        y = rng.uniform(miny, maxy, k)
        inside = shapely.contains_xy(geometry, x, y)
        lons.append(x[inside])
        lats.append(y[inside])
        have += int(inside.sum())
    return np.concatenate(lats)[:n], np.concatenate(lons)[:n]


def build_batch(
    plan: Plan, rng: np.random.Generator, first_report_id: int, first_event_id: int, n: int
) -> Batch:
    """`n` reports with ids from `first_report_id`, their events (ids from `first_event_id`,
    consecutive per report: the chain's order), photos and ratings."""
    ref = plan.ref
    batch = Batch()
    ward_ix = rng.choice(len(ref.wards), size=n, p=plan.ward_p)
    cat_ix = rng.choice(len(ref.categories), size=n, p=plan.category_p)
    lat = np.empty(n)
    lon = np.empty(n)
    for w in np.unique(ward_ix):
        where = np.nonzero(ward_ix == w)[0]
        lat[where], lon[where] = points_in(ref.wards[w].geometry, len(where), rng)
    created = plan.now_us - rng.integers(HOUR, plan.days * 86400 * US, size=n)
    # Never a whole second: Django writes such a datetime to SQLite without ".000000", and
    # text comparison there would then differ from ours.
    created |= 1
    routed = created + rng.integers(20_000, 400_000, size=n)  # the same request, ms later
    accept_h = np.array([ref.categories[c].accept_hours for c in cat_ix], dtype=float)
    resolve_h = np.array([ref.categories[c].resolve_hours for c in cat_ix], dtype=float)
    urgent = np.array([ref.categories[c].priority == "urgent" for c in cat_ix])
    complex_ = np.array([ref.categories[c].priority == "complex" for c in cat_ix])
    # The services' rules (reports.services._resolve_hours): urgent ≤ 4 h, complex ≥ 80 h.
    resolve_h = np.where(urgent, np.minimum(resolve_h, 4), resolve_h)
    resolve_h = np.where(complex_, np.maximum(resolve_h, 80), resolve_h)
    accept_due = plan.clock.add(routed, accept_h)
    resolve_due = plan.clock.add(routed, resolve_h)
    agency = np.array(
        [ref.routes[(int(c), int(w))][0] for c, w in zip(cat_ix, ward_ix, strict=True)]
    )
    slow = np.isin(agency, list(ref.slow_agencies))
    factor = np.where(slow, SLOW_FACTOR, 1.0)
    accepted = routed + (rng.exponential(ACCEPT_MEAN_H, n) * factor * HOUR).astype(np.int64)
    resolved = accepted + (
        rng.exponential(RESOLVE_MEAN_H, n) * (resolve_h / 40) * factor * HOUR
    ).astype(np.int64)
    # A handled report is handled by now: squeeze timings that would end in the future.
    late = resolved >= plan.now_us - 60 * US
    span = np.maximum(plan.now_us - 60 * US - routed, 2)
    accepted = np.where(late, routed + span // 4, accepted)
    resolved = np.where(late, routed + span // 2, resolved)
    rated_at = resolved + (rng.exponential(20, n) * HOUR).astype(np.int64)
    rated_at = np.minimum(rated_at, plan.now_us - 30 * US)
    rated_at = np.maximum(rated_at, resolved + US)
    reaccepted = rated_at + (rng.exponential(ACCEPT_MEAN_H, n) * factor * HOUR).astype(np.int64)
    reresolved = reaccepted + (rng.exponential(RESOLVE_MEAN_H, n) * factor * HOUR).astype(np.int64)
    # Reopened reports are re-handled within what is left of the time until now.
    left = np.maximum(plan.now_us - 20 * US - rated_at, 4)
    reaccepted = np.minimum(reaccepted, rated_at + left // 3)
    reresolved = np.minimum(reresolved, rated_at + 2 * (left // 3))
    reaccepted = np.maximum(reaccepted, rated_at + 1)
    reresolved = np.maximum(reresolved, reaccepted + 1)
    outcome = rng.random(n)
    rated = rng.random(n)
    satisfied = rng.random(n)
    photo = rng.random(n)
    open_kind = rng.integers(0, 3, size=n)
    rejected_at = routed + (rng.exponential(8, n) * HOUR).astype(np.int64)
    rejected_at = np.minimum(rejected_at, plan.now_us - 10 * US)
    rejected_at = np.maximum(rejected_at, routed + 1)

    iso = {
        name: iso_strings(values)
        for name, values in {
            "created": created,
            "routed": routed,
            "accepted": accepted,
            "resolved": resolved,
            "rated": rated_at,
            "reaccepted": reaccepted,
            "reresolved": reresolved,
            "rejected": rejected_at,
            "accept_due": accept_due,
            "resolve_due": resolve_due,
            "reopen_accept_due": plan.clock.add(rated_at, accept_h),
            "reopen_resolve_due": plan.clock.add(rated_at, resolve_h),
        }.items()
    }
    # When a resolved report is closed with no rating (reports_auto_close), if that is past.
    auto_close_at = np.maximum(resolved, reresolved) + plan.auto_close_us
    iso["auto_close_first"] = iso_strings(resolved + plan.auto_close_us)
    iso["auto_close_second"] = iso_strings(reresolved + plan.auto_close_us)

    event_id = first_event_id
    now_iso = iso_strings(np.array([plan.now_us]))[0]
    lat_l = lat.tolist()
    lon_l = lon.tolist()
    first_close = (resolved + plan.auto_close_us <= plan.now_us).tolist()
    second_close = (reresolved + plan.auto_close_us <= plan.now_us).tolist()
    del auto_close_at
    for i in range(n):
        report_id = first_report_id + i
        code = f"{CODE_PREFIX}{report_id:09d}"
        ci = int(cat_ix[i])
        wi = int(ward_ix[i])
        category = ref.categories[ci]
        agency_id, route_note, route_note_j, route_data = ref.routes[(ci, wi)]
        title, description, title_f, description_f = plan.texts[ci]
        address, address_f = plan.addresses[wi]
        chain = Chain(batch, report_id, event_id)
        c_at = iso["created"][i]
        r_at = iso["routed"][i]
        chain.add(STEP_SUBMIT, None, c_at)
        chain.add(
            ("route", "submitted", "routed", route_note, route_note_j, route_data), agency_id, r_at
        )
        accepted_at = resolved_at = closed_at = duplicate_of = None
        due_at: str | None = None
        accept_due_at = iso["accept_due"][i]
        resolve_due_at = iso["resolve_due"][i]
        answer = ""
        resolution_count = reopen_count = 0
        updated = r_at
        o = outcome[i]
        if o < MERGED_SHARE and i > 0:
            status = "merged"
            duplicate_of = report_id - 1
            into = f"{CODE_PREFIX}{duplicate_of:09d}"
            updated = iso["rejected"][i]
            chain.add(
                ("merge", "routed", "merged", into, _j(into), json_text({"into": into})),
                agency_id,
                updated,
            )
        elif o < MERGED_SHARE + (1 - MERGED_SHARE) * HANDLED_SHARE:
            accepted_at = iso["accepted"][i]
            resolved_at = iso["resolved"][i]
            chain.add(STEP_ACCEPT, agency_id, accepted_at)
            resolve_event = chain.add(STEP_RESOLVE, agency_id, resolved_at)
            answer = ANSWER
            resolution_count = 1
            status = "resolved"
            updated = resolved_at
            if rated[i] < RATED_SHARE:
                at = iso["rated"][i]
                if satisfied[i] < SATISFIED_SHARE:
                    batch.ratings.append(f"{report_id}\t1\t1\t\t{db_time(at)}")
                    chain.add(STEP_RATE_SATISFIED, None, at)
                    status, closed_at, updated = "closed", at, at
                else:
                    batch.ratings.append(f"{report_id}\t1\t0\t{REOPEN_COMMENT}\t{db_time(at)}")
                    chain.add(STEP_REOPEN, None, at)
                    accept_due_at = iso["reopen_accept_due"][i]
                    resolve_due_at = iso["reopen_resolve_due"][i]
                    reopen_count = 1
                    accepted_at = iso["reaccepted"][i]
                    resolved_at = iso["reresolved"][i]
                    chain.add(STEP_ACCEPT_AGAIN, agency_id, accepted_at)
                    resolve_event = chain.add(STEP_RESOLVE, agency_id, resolved_at)
                    resolution_count = 2
                    updated = resolved_at
                    if second_close[i]:
                        at = iso["auto_close_second"][i]
                        chain.add(STEP_AUTO_CLOSE, None, at)
                        status, closed_at, updated = "closed", at, at
            elif first_close[i]:
                at = iso["auto_close_first"][i]
                chain.add(STEP_AUTO_CLOSE, None, at)
                status, closed_at, updated = "closed", at, at
            if photo[i] < PHOTO_SHARE:
                _proof(batch, report_id, resolve_event, code, resolved_at)
        elif o < MERGED_SHARE + (1 - MERGED_SHARE) * (HANDLED_SHARE + REJECTED_SHARE):
            status = "rejected"
            closed_at = updated = iso["rejected"][i]
            chain.add(STEP_REJECT, agency_id, updated)
        else:
            kind = open_kind[i]
            if kind == 0:
                status = "routed"
                due_at = accept_due_at
            else:
                accepted_at = updated = iso["accepted"][i]
                chain.add(STEP_ACCEPT, agency_id, accepted_at)
                status = "accepted"
                due_at = resolve_due_at
                if kind == 2:
                    chain.add(STEP_START, agency_id, accepted_at)
                    status = "in_progress"
        event_id = chain.next_id
        if photo[i] < PHOTO_SHARE or category.photo:
            _evidence(batch, report_id, code, c_at)
        # Columns in REPORT_COLUMNS order; search_text is reports.search.search_text_for, from
        # the parts folded once per category and ward.
        batch.reports.append(
            f"{report_id}\t{code}\t{title}\t{description}\t{category.id}\t{lat_l[i]!r}\t"
            f"{lon_l[i]!r}\t{address}\t{ref.wards[wi].id}\t{agency_id}\t{category.priority}\t"
            f"{1 if category.is_public else 0}\tweb\t{status}\t{db_time(accept_due_at)}\t"
            f"{db_time(resolve_due_at)}\t{db_time(due_at)}\t0\t"
            # Flagged as the SLA sweep would have (sla/services.py), so the dashboard's
            # "overdue now" is right at once; the sweep's mark_overdue event is not written.
            f"{db_time(due_at) if due_at is not None and due_at < now_iso else NULL}\t"
            f"{db_time(c_at)}\t"
            f"{db_time(updated)}\t{db_time(r_at)}\t{db_time(accepted_at)}\t"
            f"{db_time(resolved_at)}\t{db_time(closed_at)}\t{answer}\t{reopen_count}\t"
            f"{resolution_count}\t{NULL if duplicate_of is None else duplicate_of}\t"
            f"{code.lower()} {title_f} {description_f} {address_f}\t{chain.seq}\t"
        )
    batch.next_event_id = event_id
    return batch


def _evidence(batch: Batch, report_id: int, code: str, at: str) -> None:
    # A reference only: the file is not there (like bench/synthetic.py's photos). Columns in
    # MEDIA_COLUMNS order; processed, so pages show it as a ready photo.
    at = db_time(at)
    batch.media.append(
        f"{report_id}\t{NULL}\t0\tphoto\treports/synthetic/{code}.jpg\timage/jpeg\t240000\t"
        f"{report_id:064x}\t1600\t1200\t{at}\tpublic/{code}-t.jpg\tpublic/{code}-d.jpg\t"
        f"\t\t{at}\t"
    )


def _proof(batch: Batch, report_id: int, event_id: int, code: str, at: str) -> None:
    at = db_time(at)
    batch.media.append(
        f"{report_id}\t{event_id}\t1\tphoto\treports/synthetic/{code}-proof.jpg\timage/jpeg\t"
        f"220000\tf{report_id:063x}\t1600\t1200\t{at}\tpublic/{code}-pt.jpg\t"
        f"public/{code}-pd.jpg\t\t\t{at}\t"
    )


# --- writing ----------------------------------------------------------------------------------

TABLES = ("reports_report", "reports_reportevent", "reports_media", "reports_rating")
# Rebuilt from the reports at the end (reports.derived.rebuild_all).
DERIVED_TABLES = (
    "rollups_unitcategoryday",
    "rollups_unitday",
    "rollups_unitmonth",
    "maps_mapcell",
)
EVENTS_PER_REPORT_MAX = 8  # submit, route, accept, resolve, reopen, accept, resolve, close


class Writer:
    """Inserts batches into one database: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, connection: Any):
        self.connection = connection
        self.vendor = connection.vendor
        connection.ensure_connection()
        self.raw = connection.connection

    def write_batch(self, batch: Batch) -> None:
        # Same order as TABLES.
        self.write("reports_report", REPORT_COLUMNS, batch.reports)
        self.write("reports_reportevent", EVENT_COLUMNS, batch.events)
        self.write("reports_media", MEDIA_COLUMNS, batch.media)
        self.write("reports_rating", RATING_COLUMNS, batch.ratings)

    def analyze(self, tables: Sequence[str]) -> None:
        """Fresh planner statistics for the tables written. Without them PostgreSQL plans the
        next queries on a million new rows as if the tables were still small (bench/open311.py
        at 1 M: p95 918 ms before, see docs/benchmarks.md); a live database gets them from
        autovacuum, minutes later."""
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(f"ANALYZE {', '.join(quote(t) for t in tables)}")
            else:
                for table in tables:  # SQLite's ANALYZE takes one table (or everything)
                    cursor.execute(f"ANALYZE {quote(table)}")

    def skip_foreign_key_checks(self) -> None:
        """On PostgreSQL as a superuser, for this transaction only, skip the foreign-key
        triggers: checking ~10 references per report at commit costs more than the COPY itself,
        and every id written here was either reserved above or read from the reference
        tables. Anyone else keeps the checks (and the speed of a normal insert)."""
        if self.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def drop_secondary_indexes(self, tables: Sequence[str]) -> list[str]:
        """Drop the tables' plain indexes (not primary keys, not unique constraints: those stay
        and keep checking) and return the statements that recreate them.

        Maintaining ~20 indexes row by row costs more than the COPY itself; one sorted build
        per index afterwards is several times cheaper. Inside the caller's transaction: on
        PostgreSQL the drop is undone if the run fails, and other sessions wait (ACCESS
        EXCLUSIVE) instead of seeing the tables without their indexes.
        """
        statements: list[str] = []
        with self.connection.cursor() as cursor:
            for table in tables:
                if self.vendor == "postgresql":
                    cursor.execute(
                        """
                        SELECT i.relname, pg_get_indexdef(x.indexrelid)
                        FROM pg_index x
                        JOIN pg_class i ON i.oid = x.indexrelid
                        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
                          AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                          WHERE c.conindid = x.indexrelid)
                        ORDER BY i.relname
                        """,
                        [table],
                    )
                else:
                    cursor.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                        "AND tbl_name = %s AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' "
                        "ORDER BY name",
                        [table],
                    )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    statements.append(definition)
        return statements

    def create_indexes(self, statements: Sequence[str]) -> None:
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                # Sort in memory; let the server use its parallel maintenance workers.
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for statement in statements:
                cursor.execute(statement)

    def row_count_estimate(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table]
                )
                return max(0, cursor.fetchone()[0])
            cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 - our constants
            return cursor.fetchone()[0] or 0

    def reserve(self, table: str, n: int) -> int:
        """The first of `n` consecutive ids for `table`, taken so that the ORM's next insert
        comes after them. The caller holds the table lock (PostgreSQL) or the write lock."""
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
                cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
                sequence = cursor.fetchone()[0]
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our constants
                top = cursor.fetchone()[0]
                cursor.execute("SELECT last_value, is_called FROM " + sequence)  # noqa: S608 - from pg
                last, called = cursor.fetchone()
                start = max(top, last if called else last - 1) + 1
                # Concurrent inserts wait on the lock above; they then draw ids past ours.
                cursor.execute("SELECT setval(%s, %s, true)", [sequence, start + n - 1])
                return start
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our constants
            top = cursor.fetchone()[0]
            # AUTOINCREMENT tables never reuse an id: start past the highest ever given.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            return max(top, row[0] if row else 0) + 1

    def write(self, table: str, columns: Sequence[str], lines: list[str]) -> None:
        if not lines:
            return
        if self.vendor == "postgresql":
            # The psycopg connection itself, taken in the caller's thread: the writing thread
            # must use this connection (and its transaction), not a thread-local one of its own.
            with self.raw.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write("\n".join(lines) + "\n")
            return
        rows = [tuple(_sqlite_value(v) for v in line.split("\t")) for line in lines]
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, rows)


_UNESCAPE = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


def _sqlite_value(value: str) -> str | None:
    """A COPY text field as the value SQLite stores (its column affinity turns digits into
    numbers, as it would for Django's own parameters)."""
    if value == NULL:
        return None
    if "\\" in value:
        return re.sub(r"\\[\\tnr]", lambda m: _UNESCAPE[m.group()], value)
    return value


@dataclass
class Result:
    reports: int
    events: int
    media: int
    ratings: int
    seconds: float
    derived_seconds: float = 0.0


def _build_job(plan: Plan, job: tuple[int, int, int, int]) -> Batch:
    """One batch: (batch number, first report id, first event id, size). Each batch has its own
    random stream (seed, number): a batch does not depend on the ones before it."""
    number, report_id, event_id, size = job
    return build_batch(plan, np.random.default_rng([plan.seed, number]), report_id, event_id, size)


def generate(
    n: int,
    *,
    seed: int = 2025,
    days: int = 365,
    now: datetime | None = None,
    chunk: int = 10_000,
    progress: Callable[[int], None] | None = None,
    rebuild_indexes: bool | None = None,
) -> Result:
    """Write `n` synthetic reports (with events, photos, ratings) in one transaction.

    `rebuild_indexes`: drop the secondary indexes of the tables written and build them again
    at the end (None: when the run at least doubles the reports table and writes ≥ 50,000).
    """
    import time as _time

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    if n < 1:
        raise ValueError("the number of reports must be at least 1")
    if days < 1:
        raise ValueError("the spread must be at least one day")
    started = _time.perf_counter()
    now = now or timezone.now()
    ref = load_reference(seed)
    plan = make_plan(
        ref, now=now.astimezone(UTC), days=days, auto_close_days=settings.AUTO_CLOSE_DAYS
    )
    plan.seed = seed
    writer = Writer(connection)
    totals = Result(0, 0, 0, 0, 0.0)
    with transaction.atomic():
        writer.skip_foreign_key_checks()
        if rebuild_indexes is None:
            rebuild_indexes = n >= 50_000 and n >= writer.row_count_estimate("reports_report")
        index_statements = writer.drop_secondary_indexes(TABLES) if rebuild_indexes else []
        first_report = writer.reserve("reports_report", n)
        first_event = writer.reserve("reports_reportevent", n * EVENTS_PER_REPORT_MAX)
        # Batch k owns report ids [first_report + k·chunk, …) and event ids
        # [first_event + k·chunk·MAX, …): known up front, whatever the other batches hold.
        jobs = [
            (
                k,
                first_report + start,
                first_event + start * EVENTS_PER_REPORT_MAX,
                min(chunk, n - start),
            )
            for k, start in enumerate(range(0, n, chunk))
        ]
        # On PostgreSQL one thread COPYs a batch while this one builds the next (psycopg
        # releases the GIL while the server works); SQLite's connection stays here.
        threaded = writer.vendor == "postgresql"
        with ThreadPoolExecutor(max_workers=1) as writing:
            pending: Future | None = None
            for job in jobs:
                batch = _build_job(plan, job)
                if pending is not None:
                    pending.result()  # in order, and a failure stops the run here
                if threaded:
                    pending = writing.submit(writer.write_batch, batch)
                else:
                    writer.write_batch(batch)
                totals.reports += len(batch.reports)
                totals.events += len(batch.events)
                totals.media += len(batch.media)
                totals.ratings += len(batch.ratings)
                if progress is not None:
                    progress(len(batch.reports))
            if pending is not None:
                pending.result()
        writer.create_indexes(index_statements)
        # The rows' seals (reports/audit.py) from what was just written.
        audit.seal_reports(range(first_report, first_report + n))
        # The dashboard's rollups and the map's cells follow the reports written above; their
        # indexes too are built once afterwards rather than kept up row by row.
        derived_started = _time.perf_counter()
        derived_indexes = writer.drop_secondary_indexes(DERIVED_TABLES) if rebuild_indexes else []
        derived.rebuild_all()
        writer.create_indexes(derived_indexes)
        writer.analyze([*TABLES, *DERIVED_TABLES])
        totals.derived_seconds = _time.perf_counter() - derived_started
    totals.seconds = _time.perf_counter() - started
    return totals
