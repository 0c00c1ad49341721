"""The public camera page and the cached pictures. A page view never reaches a camera: the
pictures are the prober's, from our storage."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Camera
from .selectors import public_cameras


@require_safe
def camera_list(request):
    lat, lon = request.GET.get("lat", ""), request.GET.get("lon", "")
    cameras, near = public_cameras(lat, lon)
    return render(request, "cameras/list.html", {"cameras": cameras, "near": near})


@require_safe
def camera_frame(request, code: str):
    camera = get_object_or_404(Camera, code=code, is_active=True)
    if not camera.frame or not default_storage.exists(camera.frame):
        raise Http404
    response = FileResponse(default_storage.open(camera.frame, "rb"), content_type="image/jpeg")
    # Every viewer gets the same cached picture; browsers keep it until the next probe.
    response["Cache-Control"] = "public, max-age=60"
    return response
