"""The operator's page (filing for a resident) and the Zalo webhook. Views parse and call one
service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import phone as phone_codes
from accounts import ratelimit
from accounts.access import INTAKE_ROLES, role_required
from citizen.views_submit import _wards
from routing.models import Category
from units import groups as residential_groups
from units.models import AdministrativeUnit

from . import services
from .models import AssistedFiling, Consent

FIELDS = ("phone", "category", "title", "description", "address", "ward", "group", "lat", "lon")


@role_required(*INTAKE_ROLES)
def assisted(request):
    role = services.helper_role(request.user)
    if role is None:  # a coordinator's office without the hotline role: nothing to file as
        return redirect("workspace:inbox")
    error = ""
    values = {k: request.GET.get(k, "") for k in ("phone",)}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in FIELDS}
        values["consent"] = request.POST.get("consent", "")
        values["consent_recorded_by"] = request.POST.get("consent_recorded_by", "")
        try:
            report = services.assisted_report_file(
                actor=request.user,
                phone_raw=values["phone"],
                consent=values["consent"],
                code=request.POST.get("code", ""),
                consent_recorded_by=values["consent_recorded_by"],
                data={k: values[k] for k in FIELDS if k != "phone"},
                files=request.FILES.getlist("files"),
                ip=ratelimit.client_ip(request),
            )
        except ratelimit.RateLimited as exc:
            error = exc.message
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("Filed for the resident. Tracking code: %(code)s")
                % {"code": report.tracking_code},
            )
            return redirect(reverse("intake:assisted"))
    wards = _wards()
    if role.ward_ids is not None:
        own = set(
            AdministrativeUnit.objects.filter(pk__in=role.ward_ids).values_list("code", flat=True)
        )
        wards = [w for w in wards if w[0] in own]
    recent = (
        AssistedFiling.objects.filter(helper=request.user)
        .select_related("report")
        .order_by("-created_at")[:10]
    )
    return render(
        request,
        "intake/assisted.html",
        {
            "role": role,
            "error": error,
            "values": values,
            "files_dropped": request.method == "POST" and bool(request.FILES),
            "categories": Category.objects.filter(is_active=True).order_by("name"),
            "wards": wards,
            "consents": Consent.choices,
            "recent": recent,
            "group_options": [
                g
                for ward_id in sorted(role.ward_ids or ())
                for g in residential_groups.groups_of(ward_id)
            ],
            "code_sent_to": request.GET.get("sent", ""),
        },
        status=400 if error else 200,
    )


@require_POST
@role_required(*INTAKE_ROLES)
def consent_code(request):
    raw = request.POST.get("phone", "")
    try:
        phone = services.consent_code_send(
            actor=request.user, phone_raw=raw, ip=ratelimit.client_ip(request)
        )
    except ratelimit.RateLimited as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        shown = phone_codes.display_phone(phone)
        return redirect(
            reverse("intake:assisted") + "?" + urlencode({"phone": shown, "sent": shown})
        )
    return redirect(reverse("intake:assisted") + "?" + urlencode({"phone": raw}))
