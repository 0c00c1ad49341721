from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from reports.selectors import get_report_for, reports_visible_to
from reports.workflow import Status
from routing.models import Category

PAGE_SIZE = 25


def report_list(request):
    reports = reports_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        reports = reports.filter(status=status)
    category = request.GET.get("category", "")
    if category:
        reports = reports.filter(category__code=category)
    page = Paginator(reports.order_by("-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "citizen/report_list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "categories": Category.objects.filter(is_active=True),
            "status": status,
            "category": category,
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
