"""The audited viewer of an attachment's original: the reason first, then the file, the
opening recorded on the report's chain (reports.media_services.media_original_view)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import WORKSPACE_ROLES, role_required
from reports.media_services import media_delete as delete_media
from reports.media_services import media_original_view
from reports.models import Media
from reports.selectors import get_report_for_staff
from reports.workflow import Action, TransitionNotAllowed, allowed_actions


@role_required(*WORKSPACE_ROLES)
def media_original(request, media_id: int):
    media = Media.objects.select_related("report").filter(pk=media_id).first()
    if media is None or not media.file:
        raise Http404
    # Another unit's report: the same 404 as a missing file.
    report = get_report_for_staff(request.user, media.report.tracking_code)
    if Action.VIEW_ORIGINAL not in allowed_actions(request.user, report):
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            media_original_view(actor=request.user, media=media, reason=request.POST.get("reason"))
        except (PermissionDenied, TransitionNotAllowed):
            raise Http404 from None
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            response = FileResponse(
                media.file.storage.open(media.file.name, "rb"), content_type=media.content_type
            )
            response["Content-Disposition"] = "inline"
            # Never kept by a browser cache or a proxy: the next look is a new, recorded one.
            response["Cache-Control"] = "no-store"
            response["X-Content-Type-Options"] = "nosniff"
            return response
    return render(
        request,
        "workspace/media_original.html",
        {"report": report, "media": media, "error": error},
        status=400 if error else 200,
    )


@role_required(*WORKSPACE_ROLES)
@require_POST
def media_delete(request, media_id: int):
    """The unit's leader or a coordinator deletes a resident's photo that must not be kept
    (a face, a number plate): the attachment and all its files go."""
    media = Media.objects.select_related("report").filter(pk=media_id).first()
    if media is None:
        raise Http404
    report = get_report_for_staff(request.user, media.report.tracking_code)
    try:
        delete_media(actor=request.user, media_ids=[media.pk])
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The file was deleted, with every copy of it."))
    return redirect("workspace:report", report.tracking_code)
