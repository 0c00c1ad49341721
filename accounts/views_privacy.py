"""A resident's own personal data (Decree 13/2023/NĐ-CP): see it, download it, delete the account."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import services


def _page(request, *, error: str = "", status: int = 200):
    data = services.resident_data_export(actor=request.user)
    return render(
        request,
        "accounts/my_data.html",
        {
            "data": data,
            "is_staff_account": request.user.is_staff or request.user.memberships.exists(),
            "confirm_word": _("DELETE"),
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def my_data(request):
    return _page(request)


@login_required
@require_GET
def my_data_download(request):
    data = services.resident_data_export(actor=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="du-lieu-cua-toi.json"'
    return response


@login_required
@require_POST
def my_data_delete(request):
    try:
        services.resident_delete(actor=request.user, confirm=request.POST.get("confirm", ""))
    except ValidationError as exc:
        return _page(request, error=" ".join(exc.messages), status=400)
    except PermissionDenied as exc:
        return _page(request, error=str(exc) or _("You may not do that."), status=403)
    logout(request)
    messages.success(request, _("Your account has been deleted. Your reports stay, anonymously."))
    return redirect("citizen:report_list")
