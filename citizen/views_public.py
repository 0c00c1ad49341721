"""Public pages with no personal data: the map of reports and the units' scorecard."""

from __future__ import annotations

from datetime import date, timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congdanso.tables import next_sort
from reports.workflow import Status
from routing.models import Category
from units.lookup import current_era
from units.models import WARD_LEVEL_TYPES, AdministrativeUnit

from .scorecard import SORT_KEYS, scorecard_rows

# The periods both pages offer, in days; "" is everything.
PERIODS = [
    ("7", gettext_lazy("Last 7 days")),
    ("30", gettext_lazy("Last 30 days")),
    ("90", gettext_lazy("Last 90 days")),
    ("365", gettext_lazy("Last 12 months")),
]


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def period_start(period: str) -> date | None:
    """The first day of a period ("30" → 30 days ago, local date); None for all time."""
    if period not in dict(PERIODS):
        return None
    return days_ago(int(period))


def public_map(request):
    # The map's period is a start date: the API takes `since`, and links stay meaningful.
    start_choices = [(days_ago(int(value)).isoformat(), label) for value, label in PERIODS]
    wards = AdministrativeUnit.objects.filter(
        era=current_era(), type__in=WARD_LEVEL_TYPES
    ).order_by("name")
    texts = {
        "cluster": _("%(n)s reports here: zoom in"),
        "count_clusters": _("%(n)s reports in this area."),
        "count_points": _("%(n)s reports shown."),
        "truncated": _("Only the newest %(n)s are shown: zoom in or filter."),
        "open": _("Open the report"),
        "error": _("The map data could not be loaded."),
    }
    return render(
        request,
        "citizen/map.html",
        {
            "categories": Category.objects.filter(is_active=True),
            "statuses": [(v, label) for v, label in Status.choices if v != Status.MERGED],
            "wards": wards.values_list("code", "full_name"),
            "periods": start_choices,
            "selected": {
                k: request.GET.get(k, "") for k in ("category", "status", "ward", "since")
            },
            "texts": texts,
        },
    )


def scorecard(request):
    period = request.GET.get("period", "")
    if period not in dict(PERIODS):
        period = ""
    sort = request.GET.get("sort", "-received")
    if sort.lstrip("-") not in SORT_KEYS:
        sort = "-received"
    rows = scorecard_rows(since=period_start(period), sort=sort)
    columns = [
        ("name", _("Unit")),
        ("received", _("Received")),
        ("handled", _("Handled")),
        ("on_time", _("On time")),
        ("satisfied_pct", _("Satisfied")),
    ]
    headers = []
    for key, label in columns:
        following, aria = next_sort(sort, key)
        headers.append({"key": key, "label": label, "next": following, "aria_sort": aria})
    return render(
        request,
        "citizen/scorecard.html",
        {"rows": rows, "headers": headers, "periods": PERIODS, "period": period, "sort": sort},
    )
