"""One resident, one account: a phone proven by an SMS code is linked to the signed-in account.

A resident who signed in once by phone code and once by VNeID has two accounts when the
provider did not vouch for the phone (accounts/vneid.py links them silently only when it did).
We never join them on a guess; the resident is offered the link, and proves the phone with a
code. Then:

- no other account has that phone: it becomes this account's phone;
- the phone's account is a resident's: the two are joined into the phone's account (the one
  the phone signs in to from now on). Everything this account holds moves there: its VNeID
  identity, its reports (each through the lifecycle, as a non-public step on the report's
  chain: `reporter` is a sealed field), follows, notices, devices. This account is closed;
- the phone is a staff member's, or its account is disabled, or it already has another VNeID
  identity (two national IDs on one phone: a family phone, not one person): refused.
"""

from __future__ import annotations

import logging

from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from . import phone as phone_codes
from .access import needs_second_factor
from .models import ExternalIdentity, User

log = logging.getLogger(__name__)

LINKED_VIA_PHONE_CODE = "phone_code"


def may_link_phone(user: User) -> bool:
    """Residents only: staff accounts are managed by their administrators."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not needs_second_factor(user)
        and not user.has_usable_password()
    )


def phone_link_verify(
    *, request: HttpRequest, actor: User, phone: str, code: str, ip: str | None
) -> User:
    """Check the SMS code sent to `phone` and link that phone to `actor` (see the module).
    Returns the account the resident is signed in to afterwards (signed in on `request`).

    Raises ValidationError with the resident's message, ratelimit.RateLimited, or
    PermissionDenied (not a resident's account)."""
    if not may_link_phone(actor):
        raise PermissionDenied
    phone_codes.phone_code_use(phone=phone, code=code, ip=ip)
    account = link_phone(actor=actor, phone=phone)
    if account.pk != actor.pk:
        login(request, account, backend=phone_codes.BACKEND)
    return account


def link_phone(*, actor: User, phone: str) -> User:
    """The link itself, once the phone is proven (see the module)."""
    with transaction.atomic():
        # Locked in id order, so that two links racing on the same pair cannot deadlock.
        holders = list(
            User.objects.select_for_update().filter(phone=phone).exclude(pk=actor.pk).order_by("pk")
        )
        source = User.objects.select_for_update().get(pk=actor.pk)
        if any(needs_second_factor(u) or u.has_usable_password() for u in holders):
            raise phone_codes.staff_phone_error()
        if not holders:
            source.phone = phone
            source.save(update_fields=["phone"])
            log.info("resident %s proved phone by code; phone set", source.pk)
            return source
        # The account the phone signs in to (accounts.phone.resident_for_phone: the first).
        target = holders[0]
        if not target.is_active:
            raise phone_codes.disabled_account_error()
        providers = set(
            ExternalIdentity.objects.filter(user=target).values_list("provider", flat=True)
        )
        if providers & set(
            ExternalIdentity.objects.filter(user=source).values_list("provider", flat=True)
        ):
            raise ValidationError(
                _(
                    "This phone number is already linked to another VNeID identity. One "
                    "account can hold one VNeID identity; contact the city's support line if "
                    "this is your phone."
                ),
                code="phone_has_other_identity",
            )
        _join(source=source, target=target)
    log.info("resident %s joined into resident %s (phone proved by code)", source.pk, target.pk)
    return target


def _join(*, source: User, target: User) -> None:
    """Move what `source` holds to `target` and close `source`; inside the caller's
    transaction, both rows locked."""
    # Imported here: these apps import accounts.models at load time.
    from alerts.models import WardFollow
    from api.models import ApiToken
    from notify.models import ChannelPreference, Notification, PushSubscription, ReportMute
    from reports import workflow
    from reports.models import Report, ReportFollower

    ExternalIdentity.objects.filter(user=source).update(
        user=target, linked_via=LINKED_VIA_PHONE_CODE
    )
    for report in Report.objects.select_for_update().filter(reporter=source).order_by("pk"):
        workflow.transition(
            report,
            workflow.Action.JOIN_ACCOUNTS,
            actor=source,
            changes={"reporter": target},
            data={"account": target.pk},
            is_public=False,
        )
    # Rows that exist once per (user, thing): the target's copy wins, the source's goes.
    for model, field in (
        (ReportFollower, "report"),
        (WardFollow, "ward"),
        (ReportMute, "report"),
        (Notification, "event"),
    ):
        held = model.objects.filter(user=target).values(field)
        model.objects.filter(user=source, **{f"{field}__in": held}).delete()
        model.objects.filter(user=source).update(user=target)
    PushSubscription.objects.filter(user=source).update(user=target)
    ApiToken.objects.filter(user=source).update(user=target)
    if ChannelPreference.objects.filter(user=target).exists():
        ChannelPreference.objects.filter(user=source).delete()
    else:
        ChannelPreference.objects.filter(user=source).update(user=target)
    fields = []
    for name in ("full_name", "email", "home_ward_id"):
        if not getattr(target, name) and getattr(source, name):
            setattr(target, name, getattr(source, name))
            fields.append(name)
    if fields:
        target.save(update_fields=fields)
    # Kept as a row (its events stay on the reports' chains), holding nothing personal.
    source.username = f"joined-{source.pk}-into-{target.pk}"
    source.full_name = source.first_name = source.last_name = ""
    source.phone = source.email = ""
    source.home_ward = None
    source.is_active = False
    source.set_unusable_password()
    source.save()
