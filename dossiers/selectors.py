"""Reads of dossiers: a resident's own (by their phone's hash), and on time / late per agency
for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from accounts.models import Role, User
from reports import clock
from units.models import Agency

from .models import Dossier
from .services import resident_phone_hash

MY_DOSSIERS_MAX = 100


def dossiers_of_resident(user: User) -> QuerySet[Dossier]:
    """The dossiers filed with this signed-in resident's phone, newest first (none without a
    phone on the account)."""
    digest = resident_phone_hash(user)
    if digest is None:
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(phone_hash=digest)
        .select_related("agency", "procedure")
        .prefetch_related("steps")
        .order_by("-received_at", "-id")[:MY_DOSSIERS_MAX]
    )


@dataclass
class AgencyTimeliness:
    agency: Agency
    on_time: int  # finished by the due date
    late: int  # finished after it, or still open past it
    open: int  # still open, not yet due
    total: int


def timeliness_by_agency(actor: User) -> list[AgencyTimeliness]:
    """Per agency: dossiers on time, late and open; the city roles see every agency, a unit
    leader their own agencies. One grouped query."""
    now = clock.now()
    rows = Dossier.objects.all()
    if not actor.has_staff_role(Role.COORDINATOR, Role.CITY_LEADER):
        own = [m.agency_id for m in actor.active_memberships() if m.role == Role.UNIT_LEADER]
        rows = rows.filter(agency_id__in=own)
    finished = Q(finished_at__isnull=False)
    counts = (
        rows.values("agency_id")
        .annotate(
            on_time=Count("id", filter=finished & Q(finished_at__lte=F("due_at"))),
            late=Count(
                "id",
                filter=(finished & Q(finished_at__gt=F("due_at")))
                | Q(finished_at__isnull=True, due_at__lt=now),
            ),
            open=Count("id", filter=Q(finished_at__isnull=True, due_at__gte=now)),
            total=Count("id"),
        )
        .order_by()
    )
    agencies = Agency.objects.in_bulk([c["agency_id"] for c in counts])
    result = [
        AgencyTimeliness(
            agency=agencies[c["agency_id"]],
            on_time=c["on_time"],
            late=c["late"],
            open=c["open"],
            total=c["total"],
        )
        for c in counts
    ]
    return sorted(result, key=lambda r: (-r.late, r.agency.name))
