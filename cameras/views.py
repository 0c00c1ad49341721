"""The public camera page and the cached pictures. A page view never reaches a camera: the
pictures are the prober's, from our storage."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import ratelimit

from .models import Camera
from .selectors import map_points, public_cameras
from .services import camera_report, open_camera_report


@require_safe
def camera_list(request):
    lat, lon = request.GET.get("lat", ""), request.GET.get("lon", "")
    cameras, near = public_cameras(lat, lon)
    return render(
        request,
        "cameras/list.html",
        {"cameras": cameras, "near": near, "points": map_points(cameras)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def camera_report_page(request, code: str):
    """ "This camera is broken": one report to its owner, or following the open one."""
    camera = get_object_or_404(Camera.objects.select_related("ward", "agency"), code=code)
    if not camera.is_active:
        raise Http404
    error = ""
    note = ""
    if request.method == "POST":
        note = request.POST.get("note", "")
        # The same limits as any report: this is one more way into the one submit path.
        limited = ratelimit.submission_limited(request, request.user.pk)
        if limited is not None:
            error = ratelimit.message(limited)
        else:
            try:
                report, created = camera_report(
                    actor=request.user,
                    camera=camera,
                    note=note,
                    files=request.FILES.getlist("files"),
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                if created:
                    text = _("Sent to %(owner)s. Tracking code: %(code)s")
                else:
                    text = _(
                        "This camera is already reported (%(code)s); you will hear when "
                        "%(owner)s answers."
                    )
                messages.success(
                    request, text % {"owner": camera.agency.name, "code": report.tracking_code}
                )
                if created or report.is_public or report.reporter_id == request.user.pk:
                    return redirect("citizen:report_detail", report.tracking_code)
                # Another resident's private report: its page is theirs; the notices are not.
                return redirect("cameras:list")
    return render(
        request,
        "cameras/report.html",
        {"camera": camera, "open_report": open_camera_report(camera), "error": error, "note": note},
        status=400 if error else 200,
    )


@require_safe
def camera_frame(request, code: str):
    camera = get_object_or_404(Camera, code=code, is_active=True)
    if not camera.frame or not default_storage.exists(camera.frame):
        raise Http404
    response = FileResponse(default_storage.open(camera.frame, "rb"), content_type="image/jpeg")
    # Every viewer gets the same cached picture; browsers keep it until the next probe.
    response["Cache-Control"] = "public, max-age=60"
    return response
