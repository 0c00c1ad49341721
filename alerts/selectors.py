"""Reads of area alerts: the current alerts a resident (or a ward) should see, the staff list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from reports import clock
from units.models import GROUP_TYPES, AdministrativeUnit

from .models import AreaAlert, WardFollow
from .services import can_withdraw, publishable_ward_ids, wards

# The staff list: what is current or coming, and what ended within this many days.
STAFF_LIST_DAYS = 30
STAFF_LIST_MAX = 100


def _with_wards(alerts: QuerySet[AreaAlert]) -> QuerySet[AreaAlert]:
    return alerts.prefetch_related(
        Prefetch("wards", queryset=AdministrativeUnit.objects.only("id", "name").order_by("name"))
    )


def followed_ward_ids(user: User) -> set[int]:
    """The wards whose alerts `user` gets: the ones they follow and their home ward."""
    if not user.is_authenticated:
        return set()
    ids = set(WardFollow.objects.filter(user=user).values_list("ward_id", flat=True))
    if user.home_ward_id is not None:
        ids.add(user.home_ward_id)
    return ids


def current_alerts(*, ward_ids: set[int]) -> QuerySet[AreaAlert]:
    """Alerts in force now (not withdrawn, started, not ended) for these wards, and the
    whole-city ones; newest first. Uses areaalert_current_idx."""
    now = clock.now()
    # A subquery rather than a join on the wards: no duplicates, no DISTINCT.
    in_wards = AreaAlert.wards.through.objects.filter(administrativeunit_id__in=ward_ids)
    return AreaAlert.objects.filter(
        Q(whole_city=True) | Q(pk__in=in_wards.values("areaalert_id")),
        withdrawn_at__isnull=True,
        valid_from__lte=now,
        valid_until__gt=now,
    ).order_by("-valid_from", "-id")


def current_alerts_for(
    user: User | None = None, *, ward: AdministrativeUnit | None = None
) -> list[AreaAlert]:
    """The current alerts for a person (their followed wards and home ward) or for one ward,
    with their wards. A visitor who gave no ward sees the whole-city alerts only."""
    ward_ids = {ward.pk} if ward is not None else followed_ward_ids(user) if user else set()
    return list(_with_wards(current_alerts(ward_ids=ward_ids)))


@dataclass
class ResidentAlerts:
    alerts: list[AreaAlert]
    home_ward: AdministrativeUnit | None
    followed: list[AdministrativeUnit]
    # (id, name) of every ward not yet followed, for the follow form.
    choices: list[tuple[int, str]]


def resident_alerts(user: User) -> ResidentAlerts:
    """Everything the residents' alerts page shows, in a constant number of queries."""
    followed = list(
        AdministrativeUnit.objects.filter(
            pk__in=WardFollow.objects.filter(user=user).values("ward_id")
        )
        .only("id", "name", "full_name")
        .order_by("name")
    )
    home = (
        AdministrativeUnit.objects.only("id", "name", "full_name").get(pk=user.home_ward_id)
        if user.home_ward_id is not None
        else None
    )
    ids = {w.pk for w in followed} | ({home.pk} if home else set())
    alerts = list(_with_wards(current_alerts(ward_ids=ids)))
    # The residential groups of the wards one lives in or follows come first: a group's
    # announcements reach only its followers.
    group_rows = (
        AdministrativeUnit.objects.filter(parent_id__in=ids, type__in=GROUP_TYPES)
        .order_by("parent__name", "code")
        .values_list("id", "full_name")
    )
    choices = [(pk, name) for pk, name in group_rows if pk not in ids] + [
        (pk, name)
        for pk, name in wards().order_by("name").values_list("id", "full_name")
        if pk not in ids
    ]
    return ResidentAlerts(alerts=alerts, home_ward=home, followed=followed, choices=choices)


@dataclass
class StaffAlerts:
    alerts: list[tuple[AreaAlert, bool]]  # each alert and whether this person may withdraw it
    # (id, name) of the wards this person may publish for; whole_city when they may choose it.
    ward_choices: list[tuple[int, str]]
    whole_city: bool


def staff_alerts(actor: User) -> StaffAlerts:
    """The publish page: the wards `actor` may publish for, and the alerts current, coming or
    ended in the last STAFF_LIST_DAYS that concern those wards (all of them for the city)."""
    allowed = publishable_ward_ids(actor)
    since = clock.now() - timedelta(days=STAFF_LIST_DAYS)
    alerts = AreaAlert.objects.filter(valid_until__gt=since).select_related("created_by")
    ward_qs = wards().order_by("name")
    group_choices: list[tuple[int, str]] = []
    if allowed is not None:
        # A ward's leader announces to the ward, or to one of its residential groups.
        groups = AdministrativeUnit.objects.filter(parent_id__in=allowed, type__in=GROUP_TYPES)
        area_ids = set(allowed) | set(groups.values_list("id", flat=True))
        in_wards = AreaAlert.wards.through.objects.filter(administrativeunit_id__in=area_ids)
        alerts = alerts.filter(Q(whole_city=True) | Q(pk__in=in_wards.values("areaalert_id")))
        ward_qs = ward_qs.filter(pk__in=allowed)
        group_choices = list(groups.order_by("code").values_list("id", "full_name"))
    rows = list(_with_wards(alerts.order_by("-valid_from", "-id"))[:STAFF_LIST_MAX])
    return StaffAlerts(
        alerts=[(a, can_withdraw(actor, a, [w.pk for w in a.wards.all()])) for a in rows],
        ward_choices=list(ward_qs.values_list("id", "full_name")) + group_choices,
        whole_city=allowed is None,
    )
