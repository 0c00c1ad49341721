"""Pages for a signed-in resident: their reports, their notifications, rating a result."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notify.services import notifications_for, notifications_mark_read
from reports import services
from reports.models import Report
from reports.selectors import get_report_for, reports_visible_to
from reports.workflow import Status, TransitionNotAllowed

from .forms_resident import RatingForm

NOTIFICATIONS_SHOWN = 50


@login_required
def my_reports(request):
    visible = reports_visible_to(request.user)
    own = visible.filter(reporter=request.user).order_by("-created_at")
    followed = (
        visible.filter(followers__user=request.user)
        .exclude(reporter=request.user)
        .order_by("-created_at")
    )
    return render(
        request,
        "citizen/my_reports.html",
        {"own": list(own), "followed": list(followed), "now": timezone.now()},
    )


@login_required
def notifications(request):
    """The latest notifications; opening the list marks the ones shown as read."""
    items = list(notifications_for(request.user)[:NOTIFICATIONS_SHOWN])
    # The objects keep read_at=None for this render, so new ones are still marked "new".
    notifications_mark_read(user=request.user, ids=[n.pk for n in items if n.read_at is None])
    return render(request, "citizen/notifications.html", {"items": items})


def can_rate(user, report: Report) -> bool:
    return (
        user.is_authenticated
        and report.reporter_id == user.pk
        and report.status == Status.RESOLVED
        and not report.ratings.filter(round=report.resolution_count).exists()
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_rate(request, tracking_code: str):
    """The reporter rates a resolution: satisfied closes it, not satisfied reopens it.
    Anyone else gets 403 from the service (or 404 if they may not even see the report)."""
    report = get_report_for(request.user, tracking_code)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_rate(
                actor=request.user,
                report=report,
                satisfied=form.cleaned_data["satisfied"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form.add_error("comment" if exc.code == "comment_required" else None, exc)
        except TransitionNotAllowed:
            form.add_error(None, _("This report can no longer be rated."))
        else:
            if form.cleaned_data["satisfied"]:
                messages.success(request, _("Thank you. The report is closed."))
            else:
                messages.success(request, _("The report was reopened and sent back to the unit."))
            return redirect("citizen:report_detail", tracking_code=report.tracking_code)
    elif request.method == "GET" and not can_rate(request.user, report):
        return redirect("citizen:report_detail", tracking_code=report.tracking_code)
    status = 400 if request.method == "POST" else 200
    return render(request, "citizen/rate.html", {"report": report, "form": form}, status=status)


@login_required
@require_POST
def media_delete(request, media_id: int):
    """The reporter removes one of their own photos or videos (a face, a number plate, the
    wrong picture): the attachment and every stored copy of it go. Anyone else: 404."""
    from reports.media_services import media_delete as delete
    from reports.models import Media

    media = Media.objects.select_related("report").filter(pk=media_id).first()
    if media is None:
        raise Http404
    report = get_report_for(request.user, media.report.tracking_code)
    try:
        delete(actor=request.user, media_ids=[media.pk])
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The file was deleted, with every copy of it."))
    return redirect("citizen:report_detail", report.tracking_code)
