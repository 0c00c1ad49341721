"""The plan of a demo: what happens to each report and when, decided before anything is
written (pure Python, one seeded RNG per report, so a seed gives the same demo).

Each report gets a fate (its final status, in iHanoi's proportions), a place in a ward
(weighted towards the dense urban wards), a case (title, description, answers), and a chain
of steps with plausible delays: working hours for staff, waking hours for residents. The
chain is then placed in time so that it ends where its fate says: a closed report within
the window, a resolved one within the auto-close delay, an overdue one long enough ago.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import shapely
from django.conf import settings
from shapely.geometry import shape

from accounts.models import User
from reports.deadlines import add_working_hours, is_working_day
from reports.models import ExtensionRequest
from routing.models import Category, HandlingLevel
from units.lookup import OutsideCity, current_era, get_locator
from units.models import WARD_LEVEL_TYPES, AdministrativeUnit, Agency, AgencyKind, UnitType

from . import places, texts

DEMO_KEY_PREFIX = "demo-"  # idempotency_key of every demo report: how a demo is recognised
COORDINATION_CODE = "dieu-phoi"

# Final statuses and their shares, after iHanoi's public record: ~83 % handled (resolved or
# closed), a few per cent rejected or merged, the rest still open (most of it overdue).
FATES = [
    ("closed", 0.725),
    ("resolved", 0.10),
    ("in_progress", 0.045),
    ("routed", 0.03),
    ("rejected", 0.03),
    ("merged", 0.025),
    ("accepted", 0.02),
    ("reopened", 0.015),
    ("returned", 0.01),
]
OPEN_FATES = {"in_progress", "routed", "accepted", "reopened", "returned"}
STALLED_SHARE = 0.7  # of open reports: left untouched long enough to be overdue
RATED_SHARE = 0.55  # residents who rate an answer at all (the rest auto-close after 7 days)
SATISFIED_SHARE = {1: 0.68, 2: 0.72}  # by resolution round; the third always satisfies

# Category mix (urban wards, rural communes): pavements and rubbish lead, as on iHanoi.
CATEGORY_WEIGHTS = {
    "o-nhiem-moi-truong": (7, 9),
    "rac-thai-ve-sinh": (17, 20),
    "ha-tang-giao-thong": (12, 12),
    "den-tin-hieu-bien-bao": (5, 1),
    "un-tac-giao-thong": (4, 0.5),
    "trat-tu-do-thi": (20, 10),
    "an-ninh-trat-tu": (5, 6),
    "nguy-co-chay-no": (2.5, 2),
    "an-toan-thuc-pham": (3, 3),
    "phong-chong-toi-pham": (2, 2),
    "an-sinh-xa-hoi": (2, 3),
    "dich-vu-cong-thu-tuc": (3, 4),
    "dien-nuoc-chieu-sang": (9, 10),
    "cay-xanh-cong-vien": (6, 4),
    "khac": (3, 3),
}
# How reports reach the city (ReportChannel): the website/app first, then Zalo, the hotline,
# helpers of the community digital teams and e-mail.
CHANNELS = (["web", "zalo", "hotline", "assisted", "email"], [0.7, 0.15, 0.07, 0.05, 0.03])

# How a delay counts: working hours; clock hours of someone staying late (in the evening
# only, else working hours); a resident's hours (awake 6:00–23:00); the system's clock hours.
WORK, LATE, RESIDENT, SYSTEM = "work", "late", "resident", "system"


@dataclass
class Ward:
    id: int
    code: str
    name: str
    full_name: str
    urban: bool
    geom: Any
    weight: float
    committee: Agency | None = None


@dataclass
class Step:
    at: datetime
    kind: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """One report, decided before anything is written."""

    key: str
    fate: str
    rng: random.Random
    category: Category
    ward: Ward
    lat: float
    lon: float
    place: str
    case: texts.Case
    title: str
    description: str
    answers: tuple[str, ...]
    reporter: User | None
    is_public: bool
    channel: str
    photos: int
    slowness: float
    submitted_at: datetime  # when the resident sent it (chosen by `_place`)
    officer: int = 0  # which of the unit's two officers handles it, unless assigned
    reject_reason: str = ""
    steps: list[Step] = field(default_factory=list)
    merge_into: Plan | None = None
    # Filled while running.
    report_id: int | None = None
    returned_from: Agency | None = None
    extension: ExtensionRequest | None = None


class Planner:
    """Plans `n` reports over the `days` before `now`, reported by `residents`."""

    def __init__(self, *, seed: int, now: datetime, days: int, residents: list[User]):
        self.seed = seed
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = now.astimezone(self.tz).replace(second=0, microsecond=0)
        self.cap = self.now - timedelta(minutes=5)  # nothing happens after this moment
        self.window_start = self.now - timedelta(days=days)
        self.residents = residents
        # A few residents report a lot, most now and then.
        self.resident_weights = [1 / (k + 3) ** 0.8 for k in range(len(residents))]
        self.agencies_by_code = {a.code: a for a in Agency.objects.all()}
        self.cut_short = 0  # plans that end earlier in their life than their fate (rare)
        self.wards = self._wards()
        self.locator = get_locator()
        self.categories = list(
            Category.objects.filter(is_active=True).select_related("default_agency")
        )
        # Some units are much slower than others (and it shows in their overdue counts).
        rng = random.Random(f"{seed}:slowness")
        self.slowness = {
            code: rng.choices([1.0, 1.8, 3.5], [0.7, 0.2, 0.1])[0]
            for code in sorted(self.agencies_by_code)
        }

    def plan(self, n: int) -> list[Plan]:
        """The plans in the order they must run: by submission time."""
        rng = random.Random(f"{self.seed}:plan")
        self.cut_short = 0
        fates = self._quota(n)
        rng.shuffle(fates)
        base: list[tuple[str, str]] = []
        dups: list[tuple[str, str]] = []
        for i, fate in enumerate(fates):
            key = f"{DEMO_KEY_PREFIX}{self.seed}-{i + 1:05d}"
            (dups if fate == "merged" else base).append((key, fate))
        plans = [self._plan_report(key, fate) for key, fate in base]
        originals = [
            p
            for p in plans
            if p.fate != "rejected" and p.submitted_at <= self.now - timedelta(days=5)
        ]
        for key, _fate in dups:
            if not originals:
                plans.append(self._plan_report(key, "closed"))
                continue
            plans.append(self._plan_duplicate(key, rng.choice(originals)))
        plans.sort(key=lambda p: (p.submitted_at, p.key))
        return plans

    def _quota(self, n: int) -> list[str]:
        """Exactly n fates in the target shares (largest remainder); every fate at least once
        when there is room, so even a small demo shows every status."""
        exact = [(fate, n * share) for fate, share in FATES]
        counts = {fate: int(x) for fate, x in exact}
        for fate, _x in sorted(exact, key=lambda fx: fx[1] - int(fx[1]), reverse=True):
            if sum(counts.values()) >= n:
                break
            counts[fate] += 1
        if n >= 3 * len(FATES):
            for fate in counts:
                if counts[fate] == 0:
                    counts[fate] = 1
                    counts["closed"] -= 1
        return [fate for fate, c in counts.items() for _ in range(c)]

    def _wards(self) -> list[Ward]:
        committees = {
            a.unit_id: a
            for a in Agency.objects.filter(kind=AgencyKind.WARD_COMMITTEE, is_active=True)
        }
        wards = []
        rows = AdministrativeUnit.objects.filter(
            era=current_era(), type__in=WARD_LEVEL_TYPES
        ).exclude(geometry="")
        for unit in rows.order_by("code"):
            geom = shape(json.loads(unit.geometry))
            shapely.prepare(geom)
            urban = unit.type == UnitType.WARD
            area = unit.area_km2 or 10.0
            # Reports follow people: the small, dense inner wards send the most.
            weight = 12 / math.sqrt(area) if urban else 0.8
            wards.append(
                Ward(
                    unit.pk,
                    unit.code,
                    unit.name,
                    unit.full_name,
                    urban,
                    geom,
                    weight,
                    committees.get(unit.pk),
                )
            )
        return wards

    def _point_in(self, ward: Ward, rng: random.Random) -> tuple[float, float]:
        """A uniform random point inside the ward (rejection sampling in its bounds)."""
        x0, y0, x1, y1 = ward.geom.bounds
        for _ in range(200):
            lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if shapely.contains_xy(ward.geom, lon, lat):
                try:
                    if self.locator.locate(lat, lon).unit_id == ward.id:
                        return round(lat, 6), round(lon, 6)
                except OutsideCity:
                    pass
        c = ward.geom.representative_point()
        return round(c.y, 6), round(c.x, 6)

    def _plan_report(self, key: str, fate: str) -> Plan:
        rng = random.Random(f"{self.seed}:{key}")
        stalled = fate in OPEN_FATES and rng.random() < STALLED_SHARE
        ward = rng.choices(self.wards, [w.weight for w in self.wards])[0]
        if stalled and rng.random() < 0.5:
            # Overdue reports pile up at the slow units.
            slow = [w for w in self.wards if w.committee and self.slowness[w.committee.code] > 1]
            ward = rng.choice(slow) if slow else ward
        category = self._pick_category(rng, ward)
        plan = self._new_plan(key, fate, rng, category, ward, *self._point_in(ward, rng))
        specs = self._chain(plan, stalled)
        self._place(plan, specs, stalled)
        return plan

    def _pick_category(self, rng: random.Random, ward: Ward) -> Category:
        weights = [
            CATEGORY_WEIGHTS.get(c.code, (2, 2))[0 if ward.urban else 1] for c in self.categories
        ]
        return rng.choices(self.categories, weights)[0]

    def _new_plan(self, key, fate, rng, category, ward, lat, lon, place=None, case=None) -> Plan:
        case = case or rng.choice(texts.CASES.get(category.code, texts.CASES["khac"]))
        title, description, answers = case
        place = place or places.place_in(ward.name, ward.urban, rng)
        values = {
            "place": place,
            "hour": rng.choice([5, 6, 17, 18, 19, 20, 21]),
            "days": rng.randrange(2, 6),
        }
        description = texts.fill(description, **values)
        reject_reason = ""
        if fate == "rejected":
            if rng.random() < 0.6:
                title, description, reject_reason = rng.choice(texts.SPAM)
            else:
                reject_reason = "not_found"  # written when it happens: it names the date
        needs_account = not category.may_be_anonymous or fate == "reopened"
        anonymous = not needs_account and rng.random() < 0.08
        reporter = None if anonymous else rng.choices(self.residents, self.resident_weights)[0]
        photos = (
            rng.choices([1, 2, 3], [0.75, 0.2, 0.05])[0]
            if category.photo_required
            else rng.choices([0, 1], [0.6, 0.4])[0]
        )
        agency_code = self._expected_agency(category, ward)
        return Plan(
            key=key,
            fate=fate,
            rng=rng,
            category=category,
            ward=ward,
            lat=lat,
            lon=lon,
            place=place,
            case=case,
            title=title,
            description=description,
            answers=answers,
            reporter=reporter,
            is_public=category.public_by_default and rng.random() > 0.05,
            channel=rng.choices(*CHANNELS)[0],
            photos=photos,
            slowness=self.slowness.get(agency_code, 1.0),
            submitted_at=self.now,
            officer=rng.randrange(2),
            reject_reason=reject_reason,
        )

    def _expected_agency(self, category: Category, ward: Ward) -> str:
        if category.handling_level == HandlingLevel.WARD and ward.committee:
            return ward.committee.code
        if category.handling_level == HandlingLevel.DEPARTMENT and category.default_agency:
            return category.default_agency.code
        return COORDINATION_CODE

    def _chain(self, plan: Plan, stalled: bool) -> list[tuple[str, dict, str, float]]:
        """What happens after submission, as (kind, args, how the delay counts, hours)."""
        rng, cat, slow, fate = plan.rng, plan.category, plan.slowness, plan.fate
        specs: list[tuple[str, dict, str, float]] = []

        def lg(median: float, sigma: float = 0.8) -> float:
            return median * math.exp(rng.gauss(0, sigma))

        def staff(kind: str, hours: float, **args) -> None:
            # Mostly within office hours; sometimes someone stays late.
            specs.append((kind, args, LATE if rng.random() < 0.08 else WORK, max(hours, 0.05)))

        def resident(kind: str, hours: float, **args) -> None:
            specs.append((kind, args, RESIDENT, min(max(hours, 0.3), 6 * 24)))

        accept_h = max(0.25, min(cat.accept_hours * 0.25, 2.0)) * slow
        via_coordinator = cat.handling_level == HandlingLevel.COORDINATOR
        if fate == "rejected":
            staff("reject", lg(1.5, 0.9), by_coordinator=via_coordinator or rng.random() < 0.4)
            return specs
        if fate == "routed":
            if via_coordinator and rng.random() < 0.5:
                staff("reroute", lg(1.0))
            elif not via_coordinator and rng.random() < 0.25:
                staff("transfer", lg(2 * slow))
            return specs
        if via_coordinator:
            staff("reroute", lg(1.0))
        if fate == "returned":
            staff("return", lg(1.5 * slow))
            return specs
        r = rng.random()
        if r < 0.05:
            staff("return", lg(1.5 * slow))
            staff("reroute", lg(1.0))
        elif r < 0.08:
            staff("transfer", lg(2 * slow))
        if rng.random() < 0.35:
            staff("assign", lg(0.4), officer=rng.randrange(2), by_leader=rng.random() < 0.75)
        staff("accept", lg(accept_h, 0.9), note=rng.choice(texts.ACCEPT_NOTES))
        if fate == "accepted":
            return specs
        if fate == "in_progress" or rng.random() < 0.75:
            staff("start", lg(0.8, 0.9), note=rng.choice(texts.START_NOTES))
        resolve_h = cat.resolve_hours * 0.4 * slow
        if fate == "in_progress":
            if rng.random() < 0.3:
                staff("extend", lg(resolve_h * 0.4), extra_hours=rng.uniform(16, 40))
                if not stalled and rng.random() < 0.5:
                    staff("decide", lg(2), grant=rng.random() < 0.75)
                elif stalled and rng.random() < 0.3:
                    staff("decide", lg(2), grant=False)
            return specs
        rounds = 1
        while True:
            if rng.random() < 0.08:  # more time asked before resolving
                before = lg(resolve_h * 0.4, 0.6)
                staff("extend", before, extra_hours=rng.uniform(16, 40))
                staff("decide", lg(2), grant=rng.random() < 0.75)
                staff(
                    "resolve",
                    lg(resolve_h * 0.6, 0.6),
                    round=rounds,
                    proofs=rng.choices([1, 2], [0.85, 0.15])[0],
                )
            else:
                staff(
                    "resolve",
                    lg(resolve_h if rounds == 1 else resolve_h * 0.7, 0.6),
                    round=rounds,
                    proofs=rng.choices([1, 2], [0.85, 0.15])[0],
                )
            can_rate = plan.reporter is not None
            if fate == "resolved":
                if rounds >= 3 or not can_rate or rng.random() < 0.8:
                    return specs  # waiting for the resident's rating
                satisfied = False
            elif fate == "reopened":
                resident("rate", lg(8, 1.1), satisfied=False)
                if rounds == 1 and rng.random() < 0.35:
                    staff("accept", lg(accept_h, 0.9), note="")
                    staff("start", lg(0.8, 0.9), note="")
                    rounds += 1
                    continue
                return specs
            else:
                if not can_rate or rng.random() > RATED_SHARE:
                    specs.append(
                        (
                            "auto_close",
                            {},
                            SYSTEM,
                            settings.AUTO_CLOSE_DAYS * 24 + rng.uniform(0.5, 20),
                        )
                    )
                    return specs
                satisfied = rounds >= 3 or rng.random() < SATISFIED_SHARE[rounds]
            resident("rate", lg(8, 1.1), satisfied=satisfied)
            if satisfied:
                return specs
            staff("accept", lg(accept_h, 0.9), note="")
            if rng.random() < 0.6:
                staff("start", lg(0.8, 0.9), note="")
            rounds += 1

    # --- time --------------------------------------------------------------------------------

    def _submit_time_of_day(self, rng: random.Random) -> time:
        start, end = rng.choices(
            [(6, 9), (9, 12), (12, 14), (14, 18), (18, 23)], [0.2, 0.25, 0.1, 0.25, 0.2]
        )[0]
        return time(rng.randrange(start, end), rng.randrange(60))

    def _resident_time(self, moment: datetime) -> datetime:
        """Residents act between 6:00 and 23:00."""
        local = moment.astimezone(self.tz)
        if local.hour >= 23:
            return (local + timedelta(days=1)).replace(hour=6)
        if local.hour < 6:
            return local.replace(hour=6)
        return local

    def _layout(self, start: datetime, specs) -> list[datetime]:
        moments, t = [], start
        for _kind, _args, how, hours in specs:
            if how == WORK:
                t = add_working_hours(t, hours)
            elif how == LATE:
                late = t + timedelta(hours=hours)
                t = (
                    late
                    if 17 <= late.astimezone(self.tz).hour < 21
                    and is_working_day(late.astimezone(self.tz).date())
                    else add_working_hours(t, hours)
                )
            elif how == SYSTEM:
                t = t + timedelta(hours=hours)
            else:
                t = self._resident_time(t + timedelta(hours=hours))
            moments.append(t.replace(microsecond=0))
        return moments

    def _duration(self, specs) -> timedelta:
        """About how long the chain takes (it depends a little on where weekends fall)."""
        trial_start = self.window_start + timedelta(days=30)
        trial = self._layout(trial_start, specs)
        return (trial[-1] if trial else trial_start) - trial_start

    def _window(self, plan: Plan, duration: timedelta, stalled: bool) -> tuple[datetime, datetime]:
        """Where the last step must fall for the report to end where its fate says."""
        earliest = self.window_start + duration + timedelta(hours=2)
        if plan.fate == "resolved":
            # Resolved within the auto-close delay, else it would have closed by itself.
            return self.now - timedelta(days=settings.AUTO_CLOSE_DAYS - 0.5), self.cap
        if plan.fate in OPEN_FATES:
            if not stalled:
                return self.now - timedelta(hours=36), self.cap
            owed_hours = max(plan.category.accept_hours, settings.COORDINATOR_SLA_HOURS)
            if plan.fate in {"accepted", "in_progress"}:
                owed_hours = plan.category.resolve_hours
            # Long enough ago that what the unit owes is past due (9 working hours a day).
            latest = self.now - timedelta(days=owed_hours / 9 * 7 / 5 + 3)
            return min(earliest, latest - timedelta(days=1)), latest
        return min(earliest, self.cap - timedelta(days=1)), self.cap

    def _place(self, plan: Plan, specs, stalled: bool) -> None:
        """Choose the submission moment so the last step lands in the fate's window, then
        drop whatever would still lie in the future."""
        rng = plan.rng
        duration = self._duration(specs)
        lo, hi = self._window(plan, duration, stalled)
        target = lo + (hi - lo) * rng.random()
        tod = self._submit_time_of_day(rng)
        day = (target - duration).astimezone(self.tz).date()
        for _attempt in range(6):  # whole days, keeping the resident's time of day
            start = datetime.combine(day, tod, self.tz)
            moments = self._layout(start, specs)
            last = moments[-1] if moments else start
            if lo <= last <= hi and start <= self.cap:
                break
            off = last - target
            day -= timedelta(
                days=round(off / timedelta(days=1)) or (1 if off > timedelta(0) else -1)
            )
        else:
            # Weekends keep throwing the last step over a narrow window: search the start
            # itself (the last step moves monotonically with it), then wake the resident up.
            early, late = self.window_start - timedelta(days=30), self.cap
            for _ in range(30):
                middle = early + (late - early) / 2
                middle_moments = self._layout(middle, specs)
                if (middle_moments[-1] if middle_moments else middle) <= target:
                    early = middle
                else:
                    late = middle
            start = self._resident_time(early).replace(second=0, microsecond=0)
            moments = self._layout(start, specs)
        plan.submitted_at = min(start, self.cap - timedelta(hours=1))
        for (kind, args, _how, _hours), at in zip(specs, moments, strict=True):
            if at > self.cap or at <= plan.submitted_at:
                self.cut_short += 1  # ends earlier in its life than planned (rare)
                break
            plan.steps.append(Step(at, kind, args))
        self._close_if_left_resolved(plan)
        self._add_followers(plan)

    def _close_if_left_resolved(self, plan: Plan) -> None:
        """A resolution older than AUTO_CLOSE_DAYS that nobody rated has closed by itself."""
        if plan.steps and plan.steps[-1].kind == "resolve":
            at = plan.steps[-1].at + timedelta(
                days=settings.AUTO_CLOSE_DAYS, hours=plan.rng.uniform(0.5, 20)
            )
            if at <= self.cap:
                plan.steps.append(Step(at, "auto_close"))

    def _add_followers(self, plan: Plan) -> None:
        rng = plan.rng
        if rng.random() < 0.15 and plan.fate != "merged":
            end = plan.steps[-1].at if plan.steps else self.cap
            count = min(rng.randrange(1, 5), len(self.residents))
            for follower in rng.sample(self.residents, count):
                if follower is plan.reporter:
                    continue
                at = self._resident_time(plan.submitted_at + timedelta(hours=rng.uniform(1, 72)))
                if at < min(end, self.cap):
                    plan.steps.append(Step(at, "follow", {"user": follower}))
            plan.steps.sort(key=lambda s: s.at)

    def _plan_duplicate(self, key: str, original: Plan) -> Plan:
        """The same problem sent again by someone else, merged into the first report."""
        rng = random.Random(f"{self.seed}:{key}")
        # A few metres away: another phone's GPS at the same place.
        lat = round(original.lat + rng.uniform(-1e-4, 1e-4), 6)
        lon = round(original.lon + rng.uniform(-1e-4, 1e-4), 6)
        plan = self._new_plan(
            key,
            "merged",
            rng,
            original.category,
            original.ward,
            lat,
            lon,
            original.place,
            original.case,
        )
        plan.description = "Tôi cũng thấy: " + plan.description[0].lower() + plan.description[1:]
        for _ in range(10):  # someone else, where there is someone else
            if plan.reporter is None or plan.reporter is not original.reporter:
                break
            plan.reporter = rng.choice(self.residents)
        plan.merge_into = original
        submitted = self._resident_time(original.submitted_at + timedelta(hours=rng.uniform(2, 48)))
        plan.submitted_at = min(submitted, self.cap - timedelta(hours=3))
        merge_at = add_working_hours(plan.submitted_at, 0.3 + rng.random() * 4).replace(
            microsecond=0
        )
        if merge_at <= self.cap:
            plan.steps.append(Step(merge_at, "merge", {"by_coordinator": rng.random() < 0.4}))
        return plan
