from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render

from reports.selectors import filter_reports, get_report_for, reports_visible_to
from reports.workflow import Status
from routing.models import Category
from units.lookup import current_era
from units.models import WARD_LEVEL_TYPES, AdministrativeUnit

from .views_public import PERIODS, period_start

PAGE_SIZE = 25


def report_list(request):
    reports = reports_visible_to(request.user)
    # Unknown filter values are ignored rather than refused: a stale link still shows a list.
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    category = request.GET.get("category", "")
    ward = request.GET.get("ward", "")
    period = request.GET.get("period", "")
    if period_start(period) is None:
        period = ""
    reports = filter_reports(
        reports, category=category, status=status, ward=ward, since=period_start(period)
    )
    page = Paginator(reports.order_by("-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"status": status, "category": category, "ward": ward, "period": period}
    return render(
        request,
        "citizen/report_list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "categories": Category.objects.filter(is_active=True),
            "wards": AdministrativeUnit.objects.filter(era=current_era(), type__in=WARD_LEVEL_TYPES)
            .order_by("name")
            .values_list("code", "full_name"),
            "periods": PERIODS,
            "filters": filters,
            "query": urlencode({k: v for k, v in filters.items() if v}),
        },
    )


def report_detail(request, tracking_code: str):
    report = get_report_for(request.user, tracking_code)
    events = (
        report.events.filter(is_public=True)
        .select_related("actor_agency")
        .prefetch_related("media")
    )
    media = report.media.filter(is_proof=False)
    return render(
        request, "citizen/report_detail.html", {"report": report, "events": events, "media": media}
    )
