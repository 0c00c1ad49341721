"""A resident's notification settings: channels, this browser's push subscription, muting a
report. Thin: parse, call one service, render."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reports.selectors import get_report_for

from . import services
from .forms import ChannelPreferenceForm


@login_required
@require_http_methods(["GET", "POST"])
def channel_settings(request):
    pref = services.channel_preference_for(request.user)
    if request.method == "POST":
        form = ChannelPreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.channel_preference_update(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                # base.html shows no flash messages: the page says it from the query string.
                return redirect(reverse("notify:settings") + "?saved=1")
    else:
        form = ChannelPreferenceForm(
            initial={"email": pref.email, "sms": pref.sms, "push": pref.push}
        )
    return render(
        request,
        "notify/settings.html",
        {
            "form": form,
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
            "subscriptions": request.user.push_subscriptions.count(),
            "saved": request.method == "GET" and request.GET.get("saved") == "1",
        },
    )


@login_required
@require_POST
def push_subscribe(request):
    """The JSON of a PushSubscription (endpoint, keys.p256dh, keys.auth), from static/js/push.js.
    CSRF-protected like any POST: the script sends the token in X-CSRFToken."""
    try:
        data = json.loads(request.body)
        keys = data.get("keys") or {}
        services.push_subscription_save(
            actor=request.user,
            endpoint=str(data.get("endpoint") or ""),
            p256dh=str(keys.get("p256dh") or ""),
            auth=str(keys.get("auth") or ""),
        )
    except (ValueError, AttributeError):
        return JsonResponse(
            {"error": _("The browser sent an invalid push subscription.")}, status=400
        )
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"message": _("Push notifications are on for this browser.")}, status=201)


@login_required
@require_POST
def report_mute(request, tracking_code: str):
    report = get_report_for(request.user, tracking_code)
    muted = request.POST.get("muted") == "1"
    # The report's page then shows the new state in the mute box itself.
    services.report_mute(actor=request.user, report=report, muted=muted)
    return redirect("citizen:report_detail", tracking_code=report.tracking_code)
