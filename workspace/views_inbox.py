"""The unit's inbox, a unit leader's bulk actions, and the coordination office's queue.

Each list page answers an htmx request (HX-Request header) with only the list, so changing a
tab, a filter or a page swaps the list; without JavaScript the same URLs return whole pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import COORDINATOR_ROLES, WORKSPACE_ROLES, role_required
from accounts.models import Role, User
from reports import clock
from reports.selectors import DUE_SOON, get_report_for
from reports.services import report_reroute
from reports.workflow import TransitionNotAllowed
from routing.models import Category
from units.models import Agency

from . import selectors
from .forms import InboxFilterForm, QueueFilterForm
from .services import (
    MAX_BULK,
    BulkResult,
    BulkSelection,
    reports_bulk_apply,
    reports_bulk_selection,
)

PER_PAGE = 25
BUCKET_LABELS = {
    "new": gettext_lazy("New"),
    "accepted": gettext_lazy("Accepted"),
    "in_progress": gettext_lazy("In progress"),
    "due_soon": gettext_lazy("Due soon"),
    "overdue": gettext_lazy("Overdue"),
    "returned": gettext_lazy("Returned"),
    "open": gettext_lazy("All open"),
}


def _is_htmx(request) -> bool:
    # A history restore (back button, htmx cache miss) wants the whole page.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _render(request, full: str, partial: str, context: dict, status: int = 200):
    htmx = _is_htmx(request)
    response = render(
        request, partial if htmx else full, {**context, "is_htmx": htmx}, status=status
    )
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _without(params: QueryDict, *keys: str) -> str:
    """The query string minus `keys`: tabs drop the tab and page, pager links the page."""
    kept = params.copy()
    for key in keys:
        kept.pop(key, None)
    return kept.urlencode()


@require_GET
@role_required(*WORKSPACE_ROLES)
def inbox(request):
    if not selectors.unit_agency_ids(request.user):
        # Coordinators and city leaders belong to no unit: their list is the city's queue.
        return redirect("workspace:coordinator_queue")
    return _render_inbox(request, request.GET)


def _inbox_form(user: User, params: QueryDict, agency_ids: list[int], members: list[User]):
    return InboxFilterForm(
        params,
        wards=selectors.inbox_wards(user, agency_ids),
        members=members,
        buckets=selectors.INBOX_BUCKETS,
    )


def _render_inbox(request, params: QueryDict, *, summary: str = "", status: int = 200):
    user = request.user
    now = clock.now()
    agency_ids = selectors.unit_agency_ids(user)
    members = selectors.unit_members(agency_ids)
    form = _inbox_form(user, params, agency_ids, members)
    filters = form.filters()
    reports = selectors.inbox_reports(user, agency_ids, filters, now)
    page = Paginator(reports, PER_PAGE).get_page(params.get("page"))
    counts = selectors.inbox_counts(user, agency_ids, now)
    tab_query = _without(params, "bucket", "page")
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "tabs": [
            {"key": b, "label": BUCKET_LABELS[b], "count": counts[b]}
            for b in selectors.INBOX_BUCKETS
        ],
        "tab_query": tab_query,
        "page_query": _without(params, "page"),
        # The open page re-reads its list every minute (static/js/inbox.js), with the same
        # tab, filters and page: a deadline passing turns its row and the tab count overdue.
        "live_query": params.urlencode(),
        "is_leader": selectors.is_unit_leader(user),
        "members": members,
        "summary": summary,
        "max_bulk": MAX_BULK,
        "now": now,
        "soon": now + DUE_SOON,
    }
    return _render(
        request, "workspace/inbox.html", "workspace/includes/inbox_list.html", context, status
    )


@require_POST
@role_required(*WORKSPACE_ROLES)
def bulk(request):
    """A unit leader accepts or assigns the ticked reports, or every report matching the
    inbox's filter; first a confirmation naming the count and the action (a page without
    JavaScript, swapped into the list with htmx), then the inbox with a summary of what
    happened to each one. The service refuses anyone who leads no unit (403)."""
    user = request.user
    action = request.POST.get("action", "")
    assignee = None
    assignee_id = request.POST.get("assignee", "")
    if action == "assign" and assignee_id.isdigit():
        assignee = User.objects.filter(pk=assignee_id).first()
    # The list comes back as the leader was looking at it (same tab, filters and page).
    filter_query = request.POST.get("filters", "")
    params = QueryDict(filter_query)
    every_match = "all" in request.POST.getlist("scope")
    filters = None
    if every_match:
        # "All matching": the filter is parsed again here; ticked codes are ignored.
        agency_ids = selectors.unit_agency_ids(user)
        form = _inbox_form(user, params, agency_ids, selectors.unit_members(agency_ids))
        filters = form.filters()
    codes = [] if every_match else request.POST.getlist("codes")
    chosen = {"action": action, "assignee": assignee, "tracking_codes": codes, "filters": filters}
    try:
        selection = reports_bulk_selection(actor=user, **chosen)
    except ValidationError as exc:
        return _render_inbox(request, params, summary=" ".join(exc.messages))
    confirmed = request.POST.get("confirm") == "1"
    notice = ""
    expected = request.POST.get("expected", "")
    if confirmed and every_match and expected != str(selection.count):
        # The filter matches other reports than the ones counted when the leader confirmed.
        notice = _(
            "The filter now matches %(n)d reports, not %(before)s as before: confirm again."
        ) % {"n": selection.count, "before": expected or "?"}
        confirmed = False
    if not confirmed:
        context = {
            "selection": selection,
            "question": _bulk_question(selection, action, assignee),
            "action": action,
            "assignee": assignee,
            "filter_query": filter_query,
            "back_url": reverse("workspace:inbox") + (f"?{filter_query}" if filter_query else ""),
            "notice": notice,
        }
        return _render(
            request, "workspace/bulk_confirm.html", "workspace/includes/bulk_confirm.html", context
        )
    try:
        results = reports_bulk_apply(actor=user, **chosen)
    except ValidationError as exc:
        summary = " ".join(exc.messages)
    else:
        summary = _bulk_summary(results, action, assignee)
    return _render_inbox(request, params, summary=summary)


def _bulk_question(selection: BulkSelection, action: str, assignee: User | None) -> str:
    n = selection.count
    name = assignee.display_name() if assignee else ""
    if action == "accept" and selection.every_match:
        text = ngettext(
            "Accept all %(n)d report matching this filter?",
            "Accept all %(n)d reports matching this filter?",
            n,
        )
    elif action == "accept":
        text = ngettext(
            "Accept the %(n)d selected report?", "Accept the %(n)d selected reports?", n
        )
    elif selection.every_match:
        text = ngettext(
            "Assign all %(n)d report matching this filter to %(name)s?",
            "Assign all %(n)d reports matching this filter to %(name)s?",
            n,
        )
    else:
        text = ngettext(
            "Assign the %(n)d selected report to %(name)s?",
            "Assign the %(n)d selected reports to %(name)s?",
            n,
        )
    return text % {"n": n, "name": name}


def _bulk_summary(results: list[BulkResult], action: str, assignee: User | None) -> str:
    done = sum(r.ok for r in results)
    if action == "accept":
        text = ngettext("%(n)d accepted", "%(n)d accepted", done) % {"n": done}
    else:
        text = ngettext("%(n)d assigned to %(name)s", "%(n)d assigned to %(name)s", done) % {
            "n": done,
            "name": assignee.display_name() if assignee else "",
        }
    failed = [r for r in results if not r.ok]
    if failed:
        # Grouped by reason: "all matching" may skip dozens for the same one.
        by_reason: dict[str, list[str]] = {}
        for r in failed:
            by_reason.setdefault(r.error, []).append(r.tracking_code)
        listed = "; ".join(f"{', '.join(codes)} {error}" for error, codes in by_reason.items())
        text += ", " + ngettext(
            "%(n)d could not be: %(list)s", "%(n)d could not be: %(list)s", len(failed)
        ) % {"n": len(failed), "list": listed}
    return text


# --- the coordination office's queue -----------------------------------------------------------


@require_GET
@role_required(*COORDINATOR_ROLES)
def coordinator_queue(request):
    return _render_queue(request, request.GET)


def _render_queue(request, params: QueryDict, *, notice: str = "", status: int = 200):
    now = clock.now()
    form = QueueFilterForm(params)
    values = form.values()
    reports = selectors.queue_reports(
        request.user, reason=values.get("reason", ""), q=values.get("q", ""), now=now
    )
    page = Paginator(reports, PER_PAGE).get_page(params.get("page"))
    # A city leader sees the queue read-only: re-routing is the coordinators' job.
    can_reroute = request.user.has_staff_role(Role.COORDINATOR)
    categories = selectors.active_categories()
    context = {
        "form": form,
        "page": page,
        "rows": selectors.queue_rows(list(page), now, categories),
        "agencies": selectors.active_agencies() if can_reroute else [],
        "categories": categories if can_reroute else [],
        "can_reroute": can_reroute,
        "page_query": _without(params, "page"),
        "notice": notice,
        "now": now,
    }
    return _render(
        request,
        "workspace/coordinator_queue.html",
        "workspace/includes/queue_list.html",
        context,
        status,
    )


@require_POST
@role_required(Role.COORDINATOR)
def queue_reroute(request, tracking_code: str):
    """Send one queued report to the chosen unit; htmx swaps the row for the outcome."""
    report = get_report_for(request.user, tracking_code)
    agency_id = request.POST.get("agency", "")
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id.isdigit() else None
    # The category travels with the unit: the coordinator corrects a wrong pick here.
    code = request.POST.get("category", "")
    category = Category.objects.filter(code=code).first() if code else None
    error = ""
    if agency is None:
        error = _("Choose the unit to send the report to.")
    else:
        try:
            report = report_reroute(
                actor=request.user,
                report=report,
                agency=agency,
                note=request.POST.get("note", ""),
                category=category,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except (PermissionDenied, TransitionNotAllowed) as exc:
            error = str(exc)
    if not _is_htmx(request):
        notice = error or _("%(code)s sent to %(unit)s.") % {"code": tracking_code, "unit": agency}
        return _render_queue(request, QueryDict(""), notice=notice, status=400 if error else 200)
    now = clock.now()
    categories = selectors.active_categories()
    context = {
        "row": selectors.queue_rows([report], now, categories)[0],
        "agencies": selectors.active_agencies(),
        "categories": categories,
        "can_reroute": True,
        "error": error,
        "sent_to": None if error else agency,
        "now": now,
    }
    # 200 even for a refusal: htmx swaps only successful responses, and the row must show why.
    return render(request, "workspace/includes/queue_row.html", context)
