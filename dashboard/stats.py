"""The leaders' dashboard figures. The headline and the ranking read the rollups (rollups/:
counters per unit × category × local day of the reports received that day, kept exact by the
services that change reports), so they cost the same at 10 M reports as at 10 k. Stage durations, trends and drill-downs are
plain GROUP BY queries over reports and ratings, medians and percentiles computed in Python
(the same on SQLite and PostgreSQL: no percentile SQL). dashboard/stats_groupby.py keeps the
GROUP BY headline and ranking as the reference. The definitions here are the contract, and
they agree with the public scorecard (citizen/scorecard.py); one difference in precision: the
headline and ranking medians come from duration histograms (rollups/histogram.py), within
one bucket (< 19 %) of the exact median.

Every figure is over the reports of the scope (`scope_for(user)`) RECEIVED IN THE PERIOD
(`created_at` within `Period.bounds()`), duplicates merged away excluded (the original counts):
- received: how many;
- handled: of those, resolved or closed (a rejected report is not handled);
- on time: handled and resolved no later than its resolve deadline (`resolved_at <=
  resolve_due_at`; a granted extension moves the deadline); late: handled and not on time
  (also when either timestamp is missing), so on time + late = handled;
- overdue now: still open (a unit owes a step, OPEN_STATUSES) and past its deadline at read
  time (`due_at <= now`) or flagged overdue by the SLA sweep (`overdue_since`). The rollups
  count the flag; the reports whose deadline passed since the last sweep (at most a minute's
  worth, sla.selectors.unflagged_overdue, on a partial index) are added at read time, so the
  figure is exact at the deadline and a report is never counted twice;
- unresolved now: still open (OPEN_STATUSES);
- ratings / satisfied: the residents' Rating rows of those reports, every round;
- reopened: reopened at least once (`reopen_count >= 1`);
- median hours to accept: median of `accepted_at - created_at` over those accepted (a
  reopened report is accepted again: its latest acceptance counts); median hours to resolve:
  median of `resolved_at - created_at` over those with `resolved_at`.
Percentages and "per 100 received" are rounded to one decimal and are None when nothing is
there to divide by.

Stages ("where the time goes"), over the same reports, each counted when both ends exist:
routing = routed_at - created_at; accepting = accepted_at - routed_at; resolving =
resolved_at - accepted_at; rating = created_at of the rating of the current resolution (round
= resolution_count) - resolved_at. Hours are wall-clock hours (not working hours), one decimal;
median = statistics.median; p90 = nearest rank (sorted[ceil(0.9 n) - 1]). The bottleneck is
the stage with the largest median.

Ranking rows: one per agency with reports in the scope and period; reports with no agency yet
(unroutable) count only in the headline and the whole-scope stage row.

Days are local days in settings.TIME_ZONE (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.expressions import Col
from django.db.models.functions import TruncDate
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND, OR, WhereNode
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role, User
from reports.models import Rating, Report
from reports.selectors import reports_visible_to
from reports.workflow import OPEN_STATUSES, Status
from rollups.histogram import ACCEPT_FIELDS, RESOLVE_FIELDS, median_hours
from rollups.selectors import summed
from sla.selectors import overdue_q, unflagged_overdue_by_agency, unflagged_overdue_count
from units.models import Agency

if TYPE_CHECKING:
    from django.utils.functional import Promise

# --- periods ---------------------------------------------------------------------------------

PERIOD_CHOICES = ("7d", "30d", "90d", "year", "all", "custom")
DEFAULT_PERIOD = "90d"
PERIOD_LABELS: dict[str, Promise] = {
    "7d": _("Last 7 days"),
    "30d": _("Last 30 days"),
    "90d": _("Last 90 days"),
    "year": _("This year"),
    "all": _("All time"),
    "custom": _("Custom dates"),
}
# "7d" is the 7 local days ending today (today included); "year" runs from 1 January.
_PRESET_DAYS = {"7d": 7, "30d": 30, "90d": 90}


def local_tz():
    return timezone.get_default_timezone()


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment, local_tz()).date()


@dataclass(frozen=True)
class Period:
    """A run of whole local days: [start 00:00, end + 1 day 00:00); None = open-ended."""

    key: str
    start: date | None
    end: date | None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        tz = local_tz()
        start = datetime.combine(self.start, time.min, tzinfo=tz) if self.start else None
        end = (
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
            if self.end
            else None
        )
        return start, end

    def as_params(self) -> dict[str, str]:
        params = {"period": self.key}
        if self.key == "custom" and self.start and self.end:
            params["from"] = self.start.isoformat()
            params["to"] = self.end.isoformat()
        return params


def period_from_params(params: Mapping[str, str], *, today: date) -> Period:
    """The period a query string asks for (`period`, and `from`/`to` for custom); anything
    invalid (unknown key, bad date, from after to) gives the default, the last 90 days."""
    key = params.get("period", "") or DEFAULT_PERIOD
    if key in _PRESET_DAYS:
        return Period(key, today - timedelta(days=_PRESET_DAYS[key] - 1), today)
    if key == "year":
        return Period(key, date(today.year, 1, 1), today)
    if key == "all":
        return Period(key, None, None)
    if key == "custom":
        try:
            start = date.fromisoformat(params.get("from", "") or "")
            end = date.fromisoformat(params.get("to", "") or "")
        except ValueError:
            pass
        else:
            if start <= end:
                return Period(key, start, end)
    return period_from_params({"period": DEFAULT_PERIOD}, today=today)


# --- scope -----------------------------------------------------------------------------------


def scope_for(user: User | None) -> tuple[QuerySet[Report], list[int] | None]:
    """The reports `user`'s dashboard covers, and their agency ids (None = the whole city).

    City leaders and coordinators: every report; unit leaders: their units' reports; anyone
    else: nothing. Built on reports_visible_to so access is still decided in one place."""
    if user is None or not user.is_authenticated:
        return Report.objects.none(), []
    memberships = user.active_memberships()
    roles = {m.role for m in memberships}
    if roles & {Role.CITY_LEADER, Role.COORDINATOR}:
        return reports_visible_to(user), None
    agency_ids = sorted({m.agency_id for m in memberships if m.role == Role.UNIT_LEADER})
    if agency_ids:
        return reports_visible_to(user).filter(agency_id__in=agency_ids), agency_ids
    return Report.objects.none(), []


def received_in(reports: QuerySet[Report], period: Period) -> QuerySet[Report]:
    """The scope's reports received in the period, merged duplicates left out."""
    reports = reports.exclude(status=Status.MERGED)
    start, end = period.bounds()
    if start is not None:
        reports = reports.filter(created_at__gte=start)
    if end is not None:
        reports = reports.filter(created_at__lt=end)
    return reports


# --- figures ---------------------------------------------------------------------------------

HANDLED = (Status.RESOLVED, Status.CLOSED)
_HANDLED_Q = Q(status__in=HANDLED)
_ON_TIME_Q = _HANDLED_Q & Q(
    resolved_at__isnull=False,
    resolve_due_at__isnull=False,
    resolved_at__lte=F("resolve_due_at"),
)
_LATE_Q = _HANDLED_Q & (
    Q(resolved_at__isnull=True)
    | Q(resolve_due_at__isnull=True)
    | Q(resolved_at__gt=F("resolve_due_at"))
)
_OPEN_Q = Q(status__in=OPEN_STATUSES)


def _overdue_q(now: datetime) -> Q:
    # The flag (what the rollups count) or the clock (the reports the sweep has not reached
    # yet): the two parts headline() and ranking() add up.
    return _OPEN_Q & (Q(overdue_since__isnull=False) | overdue_q(now))


def _share(part: int, whole: int, per: int = 100) -> float | None:
    return round(per * part / whole, 1) if whole else None


def _span(start: str, end: str) -> ExpressionWrapper:
    """`end - start` computed by the database (NULL when either is missing): Django's
    temporal subtraction, portable across SQLite and PostgreSQL, and one duration to convert
    per row instead of two datetimes (the conversion dominates at 100 k reports)."""
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _hours(span: timedelta) -> float:
    # Routing stamps `routed_at` with the submission's clock reading, microseconds before the
    # event's `created_at`: never show that as "-0.0 h".
    return max(span.total_seconds(), 0.0) / 3600


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1], 1)


@dataclass
class Figures:
    """The headline figures of one scope (the city, or one unit) for one period."""

    received: int = 0
    handled: int = 0
    on_time: int = 0
    overdue_now: int = 0
    unresolved_now: int = 0
    ratings: int = 0
    satisfied: int = 0
    reopened: int = 0
    median_accept_hours: float | None = None
    median_resolve_hours: float | None = None

    @property
    def late(self) -> int:
        return self.handled - self.on_time

    @property
    def unsatisfied(self) -> int:
        return self.ratings - self.satisfied

    @property
    def handled_pct(self) -> float | None:
        return _share(self.handled, self.received)

    @property
    def on_time_pct(self) -> float | None:
        return _share(self.on_time, self.handled)

    @property
    def satisfied_pct(self) -> float | None:
        return _share(self.satisfied, self.ratings)

    @property
    def reopened_pct(self) -> float | None:
        return _share(self.reopened, self.received)

    @property
    def unresolved_per_100(self) -> float | None:
        return _share(self.unresolved_now, self.received)

    @property
    def overdue_per_100(self) -> float | None:
        return _share(self.overdue_now, self.received)


def _counts(now: datetime) -> dict:
    return {
        "received": Count("id"),
        "handled": Count("id", filter=_HANDLED_Q),
        "on_time": Count("id", filter=_ON_TIME_Q),
        "overdue_now": Count("id", filter=_overdue_q(now)),
        "unresolved_now": Count("id", filter=_OPEN_Q),
        "reopened": Count("id", filter=Q(reopen_count__gte=1)),
    }


_COUNT_FIELDS = ("received", "handled", "on_time", "overdue_now", "unresolved_now", "reopened")


def _timing_rows(received: QuerySet[Report]):
    # Only the reports with something to measure, and only the three columns needed.
    return (
        received.filter(Q(accepted_at__isnull=False) | Q(resolved_at__isnull=False))
        .order_by()
        .values_list(
            "agency_id", _span("created_at", "accepted_at"), _span("created_at", "resolved_at")
        )
    )


def _set_medians(figures: Figures, accept: list[float], resolve: list[float]) -> None:
    figures.median_accept_hours = _median(accept)
    figures.median_resolve_hours = _median(resolve)


def _rollup_scope(reports: QuerySet[Report]) -> tuple[bool, frozenset[int] | None]:
    """Whether the rollups can answer for `reports`, and which units it covers (None: every
    report, unroutable ones included).

    The rollups are keyed by unit, so they answer for the querysets scope_for and the views
    build: every report (city leaders, coordinators), or narrowed to units by `agency_id IN …`
    / `agency_id = …` — possibly AND an OR-group that has one such unit filter as a branch
    covering those units (reports_visible_to's "public | own | my units", which is then
    implied). Anything else goes to the GROUP BY path (stats_groupby) and stays exact."""
    query = reports.query
    if query.model is not Report or query.is_empty() or query.is_sliced or query.combinator:
        return False, None
    where = query.where
    if where.negated or (where.children and where.connector != AND):
        return False, None

    def unit_filter(node) -> frozenset[int] | None:
        if not isinstance(node, Exact | In) or not isinstance(node.lhs, Col):
            return None
        if node.lhs.target.attname != "agency_id" or node.lhs.alias != query.base_table:
            return None
        values = [node.rhs] if isinstance(node, Exact) else list(node.rhs)
        if not all(isinstance(v, int) for v in values):
            return None
        return frozenset(values)

    units: frozenset[int] | None = None
    groups = []
    for child in where.children:
        found = unit_filter(child)
        if found is not None:
            units = found if units is None else units & found
        elif isinstance(child, WhereNode) and child.connector == OR and not child.negated:
            groups.append(child)
        else:
            return False, None
    for group in groups:
        branches = [unit_filter(c) for c in group.children]
        if units is None or not any(b is not None and units <= b for b in branches):
            return False, None
    return True, units


def _figures(sums: Mapping[str, int]) -> Figures:
    return Figures(
        received=sums["received"],
        handled=sums["handled"],
        on_time=sums["on_time"],
        overdue_now=sums["overdue"],
        unresolved_now=sums["unresolved"],
        ratings=sums["ratings"],
        satisfied=sums["satisfied"],
        reopened=sums["reopened"],
        median_accept_hours=median_hours([sums[f] for f in ACCEPT_FIELDS]),
        median_resolve_hours=median_hours([sums[f] for f in RESOLVE_FIELDS]),
    )


def headline(reports: QuerySet[Report], period: Period, *, now: datetime) -> Figures:
    """The scope's figures for the period: two queries, the rollups' sums and the deadlines
    passed since the last sweep (a few rows on a partial index). Medians come from the
    duration histograms (rollups/histogram.py: within one bucket, < 19 %, of the exact
    median)."""
    usable, units = _rollup_scope(reports)
    if not usable:
        from . import stats_groupby

        return stats_groupby.headline(reports, period, now=now)
    [sums] = summed(start=period.start, end=period.end, agency_ids=units, per_agency=False)
    figures = _figures(sums)
    # The rollups count the sweep's flag; add the deadlines passed since its last run.
    figures.overdue_now += unflagged_overdue_count(received_in(reports, period), now)
    return figures


# --- ranking ---------------------------------------------------------------------------------


@dataclass
class UnitRow:
    """One unit's line in the ranking table."""

    agency_id: int
    code: str
    name: str
    figures: Figures


RANKING_SORTS = (
    "name",
    "received",
    "handled_pct",
    "on_time_pct",
    "overdue_now",
    "unresolved_now",
    "overdue_per_100",
    "unresolved_per_100",
    "satisfied_pct",
    "reopened_pct",
    "median_accept_hours",
    "median_resolve_hours",
)


def ranking(
    reports: QuerySet[Report], period: Period, *, now: datetime, sort: str = ""
) -> list[UnitRow]:
    """One row per unit with reports in the scope and period, sorted by `sort` ("key" or
    "-key" for descending, keys in RANKING_SORTS); by default the units with the most
    unresolved, then the most overdue, first. Three queries whatever the number of units: the
    rollups per unit, the units' names, the deadlines passed since the last sweep."""
    usable, units = _rollup_scope(reports)
    if not usable:
        from . import stats_groupby

        return stats_groupby.ranking(reports, period, now=now, sort=sort)
    per_unit = summed(start=period.start, end=period.end, agency_ids=units, per_agency=True)
    names = dict(
        (pk, (code, name))
        for pk, code, name in Agency.objects.filter(
            pk__in=[s["agency_id"] for s in per_unit]
        ).values_list("pk", "code", "name")
    )
    rows = [
        UnitRow(
            agency_id=s["agency_id"],
            code=names[s["agency_id"]][0],
            name=names[s["agency_id"]][1],
            figures=_figures(s),
        )
        for s in per_unit
    ]
    # As in headline(): the deadlines passed since the sweep's last run, per unit (a report in
    # the gap was received in the period, so its unit has a rollup row).
    gap = unflagged_overdue_by_agency(received_in(reports, period), now, agency_ids=units)
    for row in rows:
        row.figures.overdue_now += gap.get(row.agency_id, 0)
    return sort_ranking(rows, sort)


def _name_key(row) -> str:
    return row.name.casefold()


def sort_ranking(rows: list[UnitRow], sort: str) -> list[UnitRow]:
    """Sort rows by a RANKING_SORTS key; ties by name; units with no value (no ratings, nothing
    handled) last whichever way the column is sorted. Unknown keys give the default order."""
    key = sort.removeprefix("-")
    if key not in RANKING_SORTS:
        return sorted(
            rows,
            key=lambda r: (-r.figures.unresolved_now, -r.figures.overdue_now, _name_key(r)),
        )
    descending = sort.startswith("-")
    if key == "name":
        return sorted(rows, key=_name_key, reverse=descending)
    by_name = sorted(rows, key=_name_key)
    present = [r for r in by_name if getattr(r.figures, key) is not None]
    missing = [r for r in by_name if getattr(r.figures, key) is None]
    # sort() is stable also with reverse=True: equal values keep the name order.
    present.sort(key=lambda r: getattr(r.figures, key), reverse=descending)
    return present + missing


# --- where the time goes ---------------------------------------------------------------------

STAGES = ("routing", "accepting", "resolving", "rating")
STAGE_LABELS: dict[str, Promise] = {
    "routing": _("Received → routed"),
    "accepting": _("Routed → accepted"),
    "resolving": _("Accepted → resolved"),
    "rating": _("Resolved → rated"),
}


@dataclass
class StageFigure:
    """How long one stage took: how many reports passed it, median and p90 hours."""

    count: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None


@dataclass
class StageRow:
    """The stage durations of one unit (or of the whole scope: agency_id None)."""

    agency_id: int | None
    code: str
    name: str
    stages: dict[str, StageFigure] = field(default_factory=dict)
    bottleneck: str | None = None


def _stage_row(
    agency_id: int | None, code: str, name: str, durations: Mapping[str, list[float]]
) -> StageRow:
    stages = {
        stage: StageFigure(
            count=len(durations.get(stage, [])),
            median_hours=_median(durations.get(stage, [])),
            p90_hours=_p90(durations.get(stage, [])),
        )
        for stage in STAGES
    }
    medians: list[tuple[float, str]] = [
        (m, s) for s in STAGES if (m := stages[s].median_hours) is not None
    ]
    # max() keeps the first of equal medians: the earlier stage.
    bottleneck = max(medians, key=lambda m: m[0])[1] if medians else None
    return StageRow(agency_id, code, name, stages, bottleneck)


def stage_durations(reports: QuerySet[Report], period: Period) -> tuple[StageRow, list[StageRow]]:
    """(the whole scope's row, one row per unit sorted by name). Two queries."""
    received = received_in(reports, period).order_by()
    rating_span = dict(
        Rating.objects.filter(report__in=received, round=F("report__resolution_count"))
        .order_by()
        .values_list("report_id", _span("report__resolved_at", "created_at"))
    )
    whole: dict[str, list[float]] = defaultdict(list)
    per_unit: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    names: dict[int, tuple[str, str]] = {}
    rows = received.values_list(
        "id",
        "agency_id",
        "agency__code",
        "agency__name",
        _span("created_at", "routed_at"),
        _span("routed_at", "accepted_at"),
        _span("accepted_at", "resolved_at"),
    )
    for pk, agency_id, code, name, routing, accepting, resolving in rows:
        spans = zip(STAGES, (routing, accepting, resolving, rating_span.get(pk)), strict=True)
        if agency_id is not None:
            names[agency_id] = (code, name)
        for stage, span in spans:
            if span is None:
                continue
            hours = _hours(span)
            whole[stage].append(hours)
            if agency_id is not None:
                per_unit[agency_id][stage].append(hours)
    units = [
        _stage_row(agency_id, code, name, per_unit.get(agency_id, {}))
        for agency_id, (code, name) in names.items()
    ]
    units.sort(key=_name_key)
    return _stage_row(None, "", "", whole), units


# --- trends ----------------------------------------------------------------------------------


@dataclass
class Trends:
    """Per local day: received and handled; per week (its Monday): satisfied % of ratings."""

    days: list[date]
    received: list[int]
    handled: list[int]
    weeks: list[date]
    satisfied_pct: list[float | None]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _per_day(queryset: QuerySet, column: str, **counts) -> Iterable[dict]:
    return (
        queryset.annotate(day=TruncDate(column, tzinfo=local_tz()))
        .values("day")
        .annotate(**counts)
        .order_by()
    )


def trends(reports: QuerySet[Report], period: Period, *, now: datetime) -> Trends:
    """Every local day of the period (for "all": from the scope's first report) up to its end
    (or today): reports received that day (created_at); reports of the scope handled that day
    (resolved or closed now, by the local day of resolved_at, whenever received); and per
    week (Monday) the satisfied share of the ratings created that week within the period."""
    scope = reports.exclude(status=Status.MERGED).order_by()
    start_day, end_day = period.start, period.end or local_date(now)
    if start_day is None:
        first = scope.aggregate(first=Min("created_at"))["first"]
        start_day = local_date(first) if first else end_day
    start_day = min(start_day, end_day)
    days = [start_day + timedelta(days=i) for i in range((end_day - start_day).days + 1)]
    start, end = Period(period.key, start_day, end_day).bounds()
    within = {"__gte": start, "__lt": end}

    def in_period(column: str) -> dict:
        return {column + op: value for op, value in within.items()}

    received = {
        r["day"]: r["n"]
        for r in _per_day(scope.filter(**in_period("created_at")), "created_at", n=Count("id"))
    }
    handled = {
        r["day"]: r["n"]
        for r in _per_day(
            scope.filter(_HANDLED_Q, **in_period("resolved_at")), "resolved_at", n=Count("id")
        )
    }
    weeks = sorted({_monday(d) for d in days})
    total: dict[date, int] = defaultdict(int)
    satisfied: dict[date, int] = defaultdict(int)
    ratings = Rating.objects.filter(report__in=scope, **in_period("created_at"))
    for r in _per_day(
        ratings, "created_at", n=Count("id"), yes=Count("id", filter=Q(satisfied=True))
    ):
        total[_monday(r["day"])] += r["n"]
        satisfied[_monday(r["day"])] += r["yes"]
    return Trends(
        days=days,
        received=[received.get(d, 0) for d in days],
        handled=[handled.get(d, 0) for d in days],
        weeks=weeks,
        satisfied_pct=[_share(satisfied[w], total[w]) for w in weeks],
    )


# --- drill-down ------------------------------------------------------------------------------

DRILLDOWN_METRICS = (
    "received",
    "handled",
    "on_time",
    "late",
    "overdue_now",
    "unresolved_now",
    "satisfied",
    "unsatisfied",
    "reopened",
)


def drilldown(
    reports: QuerySet[Report], period: Period, metric: str, *, now: datetime
) -> QuerySet[Report]:
    """The reports behind one figure (newest first). "satisfied"/"unsatisfied" list the reports
    with at least one such rating: the figures count ratings, so a report rated unsatisfied
    twice counts twice there and is listed once here."""
    received = received_in(reports, period)
    if metric == "received":
        return received
    if metric in ("satisfied", "unsatisfied"):
        ratings = Rating.objects.filter(report=OuterRef("pk"), satisfied=metric == "satisfied")
        return received.filter(Exists(ratings))
    filters = {
        "handled": _HANDLED_Q,
        "on_time": _ON_TIME_Q,
        "late": _LATE_Q,
        "overdue_now": _overdue_q(now),
        "unresolved_now": _OPEN_Q,
        "reopened": Q(reopen_count__gte=1),
    }
    if metric not in filters:
        raise ValueError(f"unknown metric {metric!r}")
    return received.filter(filters[metric])


# --- registrations ---------------------------------------------------------------------------


@dataclass
class RegistrationRow:
    """Residents' accounts of one home ward (ward_id None: ward not stated)."""

    ward_id: int | None
    code: str
    name: str
    accounts: int
    new_in_period: int


def registrations(
    period: Period, *, now: datetime | None = None, today: date | None = None
) -> list[RegistrationRow]:
    """Active residents' accounts (no active staff role) per home ward, most first, then one
    row for "ward not stated"; new_in_period counts those who joined in the period.
    `now`/`today` are accepted for symmetry with the other functions and not needed."""
    staff = Membership.objects.filter(user=OuterRef("pk"), is_active=True, agency__is_active=True)
    residents = User.objects.filter(is_active=True).exclude(Exists(staff))
    start, end = period.bounds()
    joined = Q()
    if start is not None:
        joined &= Q(date_joined__gte=start)
    if end is not None:
        joined &= Q(date_joined__lt=end)
    counts = (
        residents.values("home_ward_id", "home_ward__code", "home_ward__full_name")
        .annotate(accounts=Count("id"), new=Count("id", filter=joined) if joined else Count("id"))
        .order_by()
    )
    rows: list[RegistrationRow] = []
    unstated = RegistrationRow(None, "", gettext("Ward not stated"), 0, 0)
    for c in counts:
        if c["home_ward_id"] is None:
            unstated.accounts, unstated.new_in_period = c["accounts"], c["new"]
            continue
        rows.append(
            RegistrationRow(
                c["home_ward_id"],
                c["home_ward__code"],
                c["home_ward__full_name"],
                c["accounts"],
                c["new"],
            )
        )
    rows.sort(key=lambda r: (-r.accounts, r.name.casefold()))
    return [*rows, unstated]
