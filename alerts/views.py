"""The alerts pages: residents' current alerts and followed wards; staff publish and withdraw.
Thin: parse, call the service or selector, render."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import DASHBOARD_ROLES, role_required
from reports import clock

from . import selectors, services
from .forms import FollowForm, PublishForm, WithdrawForm
from .models import AreaAlert

# Unit leaders (their ward), coordinators and city leaders (the city): the same people as the
# dashboard's; which wards each may name is decided by alerts.services.
PUBLISHER_ROLES = DASHBOARD_ROLES


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def resident_alerts(request):
    """Current alerts of the wards this person follows (their home ward included), and the
    form to follow or stop following a ward."""
    if request.method == "POST":
        form = FollowForm(request.POST)
        if form.is_valid():
            ward_id = form.cleaned_data["ward"]
            try:
                if form.cleaned_data["action"] == "follow":
                    services.ward_follow(user=request.user, ward_id=ward_id)
                    messages.success(request, _("You will get the alerts of this ward."))
                else:
                    services.ward_unfollow(user=request.user, ward_id=ward_id)
                    messages.success(request, _("You no longer follow this ward."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _("Choose a ward from the list."))
        return redirect("alerts:resident")
    page = selectors.resident_alerts(request.user)
    return render(request, "alerts/resident.html", {"page": page})


def _publish_form(request, page: selectors.StaffAlerts, data=None) -> PublishForm:
    now = timezone.localtime(clock.now()).replace(second=0, microsecond=0)
    return PublishForm(
        data,
        ward_choices=page.ward_choices,
        whole_city=page.whole_city,
        initial={"valid_from": now, "valid_until": now + timedelta(hours=12)},
    )


@role_required(*PUBLISHER_ROLES)
@require_http_methods(["GET", "POST"])
def staff_alerts(request):
    """The alerts this person may manage, and the form to publish a new one."""
    page = selectors.staff_alerts(request.user)
    status = 200
    if request.method == "POST":
        form = _publish_form(request, page, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.alert_publish(
                    actor=request.user,
                    kind=data["kind"],
                    title=data["title"],
                    body=data["body"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    ward_ids=data["wards"],
                    whole_city=data.get("whole_city", False),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The alert was published."))
                return redirect("alerts:staff")
        status = 400
    else:
        form = _publish_form(request, page)
    can_publish = bool(page.ward_choices) or page.whole_city
    return render(
        request,
        "alerts/staff.html",
        {"page": page, "form": form, "can_publish": can_publish},
        status=status,
    )


@require_POST
@role_required(*PUBLISHER_ROLES)
def withdraw(request):
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an alert to withdraw."))
        return redirect("alerts:staff")
    alert = get_object_or_404(AreaAlert, pk=form.cleaned_data["alert"])
    try:
        services.alert_withdraw(actor=request.user, alert=alert)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The alert was withdrawn."))
    return redirect("alerts:staff")
