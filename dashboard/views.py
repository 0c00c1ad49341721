"""The leaders' dashboard pages. Every view: who may look (role_required), which reports they
cover (stats.scope_for, narrowed by ?agency= within that scope or a 404), which period
(?period=, ?from=, ?to=); then one call into dashboard.stats / heat / exports and a render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Max, Q, QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import DASHBOARD_ROLES, role_required
from classify import selectors as classify_selectors
from congdanso.tables import next_sort
from reports import clock
from reports.models import Report, ReportEvent
from routing.models import Category
from sla.selectors import unflagged_overdue_count
from units.models import Agency

from . import channels as channel_stats
from . import exports, stats
from . import groups as group_stats
from . import heat as heat_map

PAGE_SIZE = 50

# The headline figures, in the order shown: (key, label, drill-down metric). Percentages link
# to the reports they count (handled %, on time %...); the medians to the reports they measure.
HEADLINE = (
    ("received", gettext_lazy("Received"), "received"),
    ("handled_pct", gettext_lazy("Handled"), "handled"),
    ("on_time_pct", gettext_lazy("On time"), "on_time"),
    ("overdue_now", gettext_lazy("Overdue now"), "overdue_now"),
    ("unresolved_now", gettext_lazy("Unresolved now"), "unresolved_now"),
    ("satisfied_pct", gettext_lazy("Satisfied"), "satisfied"),
    ("reopened_pct", gettext_lazy("Reopened"), "reopened"),
    ("median_accept_hours", gettext_lazy("Median time to accept"), "received"),
    ("median_resolve_hours", gettext_lazy("Median time to resolve"), "handled"),
)
PERCENT = frozenset(
    {"handled_pct", "on_time_pct", "satisfied_pct", "reopened_pct"}
    | {"overdue_per_100", "unresolved_per_100"}
)
HOURS = frozenset({"median_accept_hours", "median_resolve_hours"})
# The numbers behind a percentage, shown under it ("12 of 40").
PARTS = {
    "handled_pct": ("handled", "received"),
    "on_time_pct": ("on_time", "handled"),
    "satisfied_pct": ("satisfied", "ratings"),
    "reopened_pct": ("reopened", "received"),
}

# The ranking table's columns: (sort key, label, drill-down metric).
RANKING_COLUMNS = (
    ("received", gettext_lazy("Received"), "received"),
    ("handled_pct", gettext_lazy("Handled %"), "handled"),
    ("on_time_pct", gettext_lazy("On time %"), "on_time"),
    ("overdue_now", gettext_lazy("Overdue now"), "overdue_now"),
    ("unresolved_now", gettext_lazy("Unresolved now"), "unresolved_now"),
    ("overdue_per_100", gettext_lazy("Overdue per 100"), "overdue_now"),
    ("unresolved_per_100", gettext_lazy("Unresolved per 100"), "unresolved_now"),
    ("satisfied_pct", gettext_lazy("Satisfied %"), "satisfied"),
    ("reopened_pct", gettext_lazy("Reopened %"), "reopened"),
    ("median_accept_hours", gettext_lazy("Median hours to accept"), "received"),
    ("median_resolve_hours", gettext_lazy("Median hours to resolve"), "handled"),
)

METRIC_LABELS = {
    "received": gettext_lazy("Received in the period"),
    "handled": gettext_lazy("Handled (resolved or closed)"),
    "on_time": gettext_lazy("Handled on time"),
    "late": gettext_lazy("Handled late"),
    "overdue_now": gettext_lazy("Overdue now"),
    "unresolved_now": gettext_lazy("Unresolved now"),
    "satisfied": gettext_lazy("Rated satisfied"),
    "unsatisfied": gettext_lazy("Rated not satisfied"),
    "reopened": gettext_lazy("Reopened"),
}


@dataclass
class Scope:
    """What one request looks at: the reports, whose they are, and when."""

    reports: QuerySet[Report]
    agency_ids: list[int] | None  # None: the whole city
    agency: Agency | None  # ?agency= narrowing, checked against the scope
    period: stats.Period
    now: datetime
    label: str

    def params(self, **extra: str) -> dict[str, str]:
        params = self.period.as_params()
        if self.agency is not None:
            params["agency"] = str(self.agency.pk)
        params.update({k: v for k, v in extra.items() if v})
        return params

    def query(self, **extra: str) -> str:
        return urlencode(self.params(**extra))


def scope_of(request) -> Scope:
    """The request's scope; ?agency= outside the user's scope is a 404 (as a missing unit)."""
    reports, agency_ids = stats.scope_for(request.user)
    if agency_ids == []:
        raise Http404
    now = clock.now()
    period = stats.period_from_params(request.GET, today=stats.local_date(now))
    agency = None
    raw = request.GET.get("agency", "")
    if raw:
        try:
            agency_id = int(raw)
        except ValueError:
            raise Http404 from None
        if agency_ids is not None and agency_id not in agency_ids:
            raise Http404
        agency = get_object_or_404(Agency, pk=agency_id)
        reports = reports.filter(agency_id=agency_id)
    if agency is not None:
        label = agency.name
    elif agency_ids is None:
        label = _("Whole city")
    else:
        label = ", ".join(Agency.objects.filter(pk__in=agency_ids).values_list("name", flat=True))
    return Scope(reports, agency_ids, agency, period, now, label)


def _period_context(scope: Scope) -> dict:
    return {
        "period": scope.period,
        "period_choices": [(key, stats.PERIOD_LABELS[key]) for key in stats.PERIOD_CHOICES],
        "today": stats.local_date(scope.now),
        "period_only_query": urlencode(scope.period.as_params()),
    }


def latest_event_id(scope: Scope) -> int:
    """The newest event touching the scope: the live poll's one cheap query (the primary key
    index for the city; a unit's reports, or its own actions such as a transfer away)."""
    events = ReportEvent.objects.all()
    ids = [scope.agency.pk] if scope.agency is not None else scope.agency_ids
    if ids is not None:
        events = events.filter(Q(report__agency_id__in=ids) | Q(actor_agency_id__in=ids))
    return events.aggregate(latest=Max("id"))["latest"] or 0


def overdue_gap(scope: Scope) -> int:
    """How many of the scope's reports passed their deadline since the SLA sweep last ran: the
    live poll's second cheap query (a partial index). A deadline writes no event, so without it
    an open page would show 13:59's "overdue now" until the sweep's event a minute later."""
    return unflagged_overdue_count(scope.reports, scope.now)


def _figure(figures: stats.Figures, key: str):
    value = getattr(figures, key)
    return {"key": key, "value": value, "percent": key in PERCENT, "hours": key in HOURS}


def _sort_header(scope: Scope, sort: str, key: str, label) -> dict:
    following, aria = next_sort(sort, key)
    url = reverse("dashboard:index") + "?" + scope.query(sort=following)
    return {"label": label, "url": url, "aria_sort": aria}


def panels_context(request, scope: Scope) -> dict:
    """The live part of the index page: the headline figures and the ranking table."""
    sort = request.GET.get("sort", "")
    if sort.removeprefix("-") not in stats.RANKING_SORTS:
        sort = ""
    figures = stats.headline(scope.reports, scope.period, now=scope.now)
    rows = stats.ranking(scope.reports, scope.period, now=scope.now, sort=sort)
    drill = reverse("dashboard:drilldown")
    headline = []
    for key, label, metric in HEADLINE:
        item = _figure(figures, key)
        item.update(label=label, url=f"{drill}?{scope.query(metric=metric)}")
        if key in PARTS:
            part, whole = PARTS[key]
            item["part"], item["whole"] = getattr(figures, part), getattr(figures, whole)
        headline.append(item)
    ranking = [
        {
            "row": row,
            "cells": [
                {
                    **_figure(row.figures, key),
                    "url": drill
                    + "?"
                    + urlencode(
                        {**scope.period.as_params(), "agency": row.agency_id, "metric": metric}
                    ),
                }
                for key, _label, metric in RANKING_COLUMNS
            ],
        }
        for row in rows
    ]
    return {
        "scope": scope,
        "figures": figures,
        "headline": headline,
        "ranking": ranking,
        "name_header": _sort_header(scope, sort, "name", _("Unit")),
        "headers": [_sort_header(scope, sort, key, label) for key, label, _m in RANKING_COLUMNS],
        "sort": sort,
        "latest_event": latest_event_id(scope),
        "overdue_gap": overdue_gap(scope),
        "live_query": scope.query(sort=sort),
        "updated_at": timezone.localtime(scope.now),
    }


@role_required(*DASHBOARD_ROLES)
def index(request):
    scope = scope_of(request)
    context = panels_context(request, scope)
    context.update(_period_context(scope))
    context.update(
        {
            "categories": Category.objects.filter(is_active=True).order_by("name"),
            "query": scope.query(),
            "chart_texts": {
                "received": _("Reports received"),
                "handled": _("Reports handled"),
                "satisfied": _("Satisfied (%)"),
                "week_of": _("Week of"),
                "no_data": _("No data for this period."),
            },
            "heat_texts": {
                "legend": _("Reports per hexagon"),
                "count": _("%(n)s reports"),
                "total": _("%(n)s reports on the map"),
                "error": _("The map data could not be loaded."),
            },
        }
    )
    return render(request, "dashboard/index.html", context)


@role_required(*DASHBOARD_ROLES)
def live(request):
    """Polled every second by the open page (not while its tab is hidden, static/js/live.js):
    204 while nothing changed in the scope, else the refreshed headline and ranking (and an
    HX-Trigger so the charts and map reload too). "Changed" is a new event (`after`) or a
    deadline passed (`gap`, the count of reports overdue and not yet flagged: it rises at the
    deadline, and the sweep's flag is itself an event); a poll without `gap` checks events only."""
    scope = scope_of(request)
    try:
        after = int(request.GET.get("after", ""))
    except ValueError:
        after = -1
    gap = request.GET.get("gap", "")
    unchanged = latest_event_id(scope) == after
    if unchanged and gap:
        unchanged = gap.isdigit() and overdue_gap(scope) == int(gap)
    if unchanged:
        return HttpResponse(status=204)
    response = render(request, "dashboard/includes/panels.html", panels_context(request, scope))
    response["HX-Trigger"] = "dashboard-changed"
    return response


@role_required(*DASHBOARD_ROLES)
def drilldown(request):
    scope = scope_of(request)
    metric = request.GET.get("metric", "") or "received"
    try:
        reports = stats.drilldown(scope.reports, scope.period, metric, now=scope.now)
    except ValueError:
        raise Http404 from None
    reports = reports.select_related("category", "ward", "agency").order_by("-created_at", "-id")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "scope": scope,
        "page": page,
        "metric": metric,
        "metric_label": METRIC_LABELS[metric],
        "metrics": list(METRIC_LABELS.items()),
        "query": scope.query(metric=metric),
        "back_query": scope.query(),
        "now": scope.now,
        **_period_context(scope),
    }
    return render(request, "dashboard/drilldown.html", context)


@role_required(*DASHBOARD_ROLES)
def stages(request):
    scope = scope_of(request)
    whole, units = stats.stage_durations(scope.reports, scope.period)
    rows = [
        {
            "agency_id": row.agency_id,
            "name": row.name,
            "cells": [
                {"figure": row.stages[key], "bottleneck": key == row.bottleneck}
                for key in stats.STAGES
            ],
        }
        # The whole scope first, unless it is a single unit (then the unit's row says it all).
        for row in ([whole] if len(units) != 1 else []) + units
    ]
    context = {
        "scope": scope,
        "rows": rows,
        "stages": [(key, stats.STAGE_LABELS[key]) for key in stats.STAGES],
        "query": scope.query(),
        **_period_context(scope),
    }
    return render(request, "dashboard/stages.html", context)


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


@role_required(*DASHBOARD_ROLES)
def trends(request):
    scope = scope_of(request)
    data = stats.trends(scope.reports, scope.period, now=scope.now)
    return JsonResponse(
        {
            "days": [_iso(d) for d in data.days],
            "received": data.received,
            "handled": data.handled,
            "weeks": [_iso(w) for w in data.weeks],
            "satisfied_pct": data.satisfied_pct,
        }
    )


@role_required(*DASHBOARD_ROLES)
def heat(request):
    scope = scope_of(request)
    category = request.GET.get("category", "")
    reports = stats.received_in(scope.reports, scope.period)
    return JsonResponse(heat_map.heat_data(reports, category=category))


def _export_reports(request, scope: Scope) -> tuple[QuerySet[Report], str]:
    metric = request.GET.get("metric", "") or "received"
    try:
        reports = stats.drilldown(scope.reports, scope.period, metric, now=scope.now)
    except ValueError:
        raise Http404 from None
    stem = f"phan-anh-{metric}-{scope.period.key}"
    if scope.agency is not None:
        stem += f"-{scope.agency.code}"
    return reports, stem


@role_required(*DASHBOARD_ROLES)
def export_csv(request):
    scope = scope_of(request)
    reports, stem = _export_reports(request, scope)
    return exports.csv_response(reports, filename=f"{stem}.csv", now=scope.now)


@role_required(*DASHBOARD_ROLES)
def export_xlsx(request):
    scope = scope_of(request)
    reports, stem = _export_reports(request, scope)
    return exports.xlsx_response(reports, filename=f"{stem}.xlsx", now=scope.now)


@role_required(*DASHBOARD_ROLES)
def export_pdf(request):
    scope = scope_of(request)
    figures = stats.headline(scope.reports, scope.period, now=scope.now)
    rows = stats.ranking(scope.reports, scope.period, now=scope.now)
    period_label = _period_label(scope.period)
    stem = f"tong-hop-{scope.period.key}"
    if scope.agency is not None:
        stem += f"-{scope.agency.code}"
    return exports.pdf_response(
        figures=figures,
        rows=rows,
        scope_label=scope.label,
        period_label=period_label,
        now=scope.now,
        filename=f"{stem}.pdf",
    )


def _period_label(period: stats.Period) -> str:
    label = str(stats.PERIOD_LABELS[period.key])
    if period.start and period.end:
        return f"{label} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})"
    return label


@role_required(*DASHBOARD_ROLES)
def registrations(request):
    scope = scope_of(request)
    rows = stats.registrations(scope.period, now=scope.now)
    context = {
        "scope": scope,
        "rows": rows,
        "total_accounts": sum(r.accounts for r in rows),
        "total_new": sum(r.new_in_period for r in rows),
        "query": scope.query(),
        **_period_context(scope),
    }
    return render(request, "dashboard/registrations.html", context)


@role_required(*DASHBOARD_ROLES)
def suggestions(request):
    """Do residents take the category suggestion, and what do wrong picks cost."""
    scope = scope_of(request)
    context = {
        "scope": scope,
        "rows": classify_selectors.acceptance_by_month(scope.reports, now=scope.now),
        "model": classify_selectors.serving_model_row(),
        "query": scope.query(),
    }
    return render(request, "dashboard/suggestions.html", context)


@role_required(*DASHBOARD_ROLES)
def channels(request):
    """How reports reach the city, and who files for residents who cannot."""
    scope = scope_of(request)
    context = {
        "scope": scope,
        "rows": channel_stats.by_channel(scope.reports, scope.period, now=scope.now),
        "helpers": channel_stats.by_helper(scope.reports, scope.period),
        "query": scope.query(),
    }
    context.update(_period_context(scope))
    return render(request, "dashboard/channels.html", context)


@role_required(*DASHBOARD_ROLES)
def groups(request):
    """The scope's reports per residential group below the wards."""
    scope = scope_of(request)
    context = {
        "scope": scope,
        "rows": group_stats.by_group(scope.reports, scope.period, now=scope.now),
        "query": scope.query(),
    }
    context.update(_period_context(scope))
    return render(request, "dashboard/groups.html", context)


@role_required(*DASHBOARD_ROLES)
def cameras(request):
    """Uptime of the cameras in scope over 7 and 30 days, and their owners ranked by hours
    without a picture."""
    from cameras import selectors as camera_stats
    from cameras.models import Camera

    scope = scope_of(request)
    in_scope = Camera.objects.filter(is_active=True)
    if scope.agency_ids is not None:
        in_scope = in_scope.filter(agency_id__in=scope.agency_ids)
    if scope.agency is not None:
        in_scope = in_scope.filter(agency=scope.agency)
    try:
        days = 30 if int(request.GET.get("days", "7")) == 30 else 7
    except ValueError:
        days = 7
    rows = camera_stats.uptime(in_scope, days=days, now=scope.now)
    context = {
        "scope": scope,
        "days": days,
        "rows": rows,
        "owners": camera_stats.owners(rows),
        "query": scope.query(),
    }
    context.update(_period_context(scope))
    return render(request, "dashboard/cameras.html", context)
