"""Filing a report for a resident: hotline operators (the coordination office) and members of a
ward's community digital team, at /can-bo/tiep-nhan/.

The resident owns the report (reporter = the account of their phone, made the first time), so
they see it, hear of every step and rate it. The helper is recorded beside it, with how the
resident consented: by the one-time code sent to their phone, or, when the resident cannot
read a code (a landline call), a spoken consent the operator answers for with their name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import phone as phone_codes
from accounts.access import HOTLINE_ROLES
from accounts.models import Membership, Role, User
from api.reports import submit_from_form
from notify.models import ChannelPreference
from reports import clock
from reports.models import Report, ReportChannel
from reports.services import parse_point
from units.lookup import OutsideCity, current_era, locate
from units.models import AdministrativeUnit, Agency

from .models import AssistedFiling, Consent


@dataclass(frozen=True)
class HelperRole:
    """What a helper may do: the channel their filings carry, the agency they act for, and the
    wards they may file in (None: anywhere in the city)."""

    channel: str
    agency: Agency
    ward_ids: frozenset[int] | None
    # A group leader's own group: the filing's group when the place names none.
    group_code: str = ""


def helper_role(user: User) -> HelperRole | None:
    """The hotline role wins over a ward team's: an operator files anywhere."""
    memberships: list[Membership] = user.active_memberships()
    for m in memberships:
        if m.role in HOTLINE_ROLES:
            return HelperRole(channel=ReportChannel.HOTLINE, agency=m.agency, ward_ids=None)
    # A residential group's leader files like the ward's community team: in that ward.
    teams = [
        m
        for m in memberships
        if m.role in (Role.COMMUNITY_HELPER, Role.GROUP_LEADER) and m.agency.unit_id
    ]
    if not teams:
        return None
    group = next((m.unit for m in teams if m.unit_id is not None), None)
    return HelperRole(
        channel=ReportChannel.ASSISTED,
        agency=teams[0].agency,
        ward_ids=frozenset(m.agency.unit_id for m in teams if m.agency.unit_id),
        group_code=group.code if group is not None else "",
    )


def consent_code_send(*, actor: User, phone_raw: str, ip: str | None) -> str:
    """Send the resident the code they read back to the helper; returns the phone (E.164)."""
    role = helper_role(actor)
    if role is None:
        raise PermissionDenied
    text = _(
        "%(helper)s (%(agency)s) is sending a report for you to Digital Citizen. If you agree, "
        "tell them this code: %(code)s. Valid 5 minutes."
    ) % {
        # Escaped: the text is formatted once more with the code.
        "helper": actor.display_name().replace("%", "%%"),
        "agency": role.agency.name.replace("%", "%%"),
        "code": "%(code)s",
    }
    sent = phone_codes.phone_code_request(
        phone_raw=phone_raw, ip=ip, purpose=phone_codes.CONSENT, text=text
    )
    return sent.phone


def _outside_ward_error() -> ValidationError:
    return ValidationError(
        _("This place is outside your ward: a community team files reports in its own ward only."),
        code="outside_helper_ward",
    )


def _checked_place(role: HelperRole, data: dict[str, Any]) -> dict[str, Any]:
    """The place of the filing, refused when a ward team's helper points outside its wards; a
    ward team filing with an address alone files in its own ward."""
    if role.ward_ids is None:
        return data
    if role.group_code and not (data.get("group") or "").strip():
        data = {**data, "group": role.group_code}
    lat, lon = (data.get("lat") or "").strip(), (data.get("lon") or "").strip()
    if lat or lon:
        try:
            hit = locate(*parse_point(lat, lon))
        except OutsideCity as exc:
            raise ValidationError(str(exc), code="outside_city") from None
        if hit.unit_id not in role.ward_ids:
            raise _outside_ward_error()
        return data
    ward_code = data.get("ward", "")
    if ward_code:
        unit = AdministrativeUnit.objects.filter(era=current_era(), code=ward_code).first()
        if unit is None or unit.pk not in role.ward_ids:
            raise _outside_ward_error()
        return data
    own = AdministrativeUnit.objects.filter(pk=role.agency.unit_id or 0).first()
    return {**data, "ward": own.code if own else ""}


def assisted_report_file(
    *,
    actor: User,
    phone_raw: str,
    consent: str,
    code: str = "",
    consent_recorded_by: str = "",
    data: dict[str, Any],
    files: Sequence[File] = (),
    ip: str | None = None,
) -> Report:
    """File `data` (the submit form's fields) for the resident of `phone_raw`, with their
    consent; nothing is stored unless all of it holds."""
    role = helper_role(actor)
    if role is None:
        raise PermissionDenied
    phone = phone_codes.parse_phone(phone_raw)
    data = _checked_place(role, dict(data))
    recorded_by = " ".join((consent_recorded_by or "").split())[:150]
    if consent == Consent.SPOKEN:
        if not recorded_by:
            raise ValidationError(
                _("Type your full name: you answer for the resident's spoken consent."),
                code="consent_name_missing",
            )
    elif consent != Consent.CODE:
        raise ValidationError(_("Choose how the resident consented."), code="consent_missing")
    holders = User.objects.filter(phone=phone)
    if any(phone_codes.needs_second_factor(u) for u in holders):
        raise ValidationError(
            _("This phone number belongs to a staff account, not a resident's."),
            code="staff_phone",
        )
    if consent == Consent.CODE:
        # Used before the report is stored: a wrong code must count against the tries even
        # when the rest of the form is refused afterwards.
        phone_codes.phone_code_use(phone=phone, code=code, ip=ip, purpose=phone_codes.CONSENT)
    with transaction.atomic():
        is_new = not holders.exists()
        resident = phone_codes.resident_for_phone(phone)
        if resident is None:  # pragma: no cover - refused above
            raise phone_codes.staff_phone_error()
        if not resident.is_active:
            raise phone_codes.disabled_account_error()
        if is_new:
            # A resident without the app hears of their report by SMS.
            ChannelPreference.objects.create(user=resident, sms=True, email=False, push=False)
        report = submit_from_form(
            reporter=resident, data=data, files=list(files), channel=role.channel
        )
        AssistedFiling.objects.create(
            report=report,
            helper=actor,
            helper_agency=role.agency,
            consent=consent,
            consent_recorded_by=recorded_by if consent == Consent.SPOKEN else "",
            created_at=clock.now(),
        )
    return report
