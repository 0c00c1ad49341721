"""Reads: who may see which reports. Access is decided here and nowhere else."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User

from .models import Report
from .workflow import Status


def reports_visible_to(user: User | None) -> QuerySet[Report]:
    """Reports `user` may open: the public ones for everybody; their own for a resident; their
    agencies' for officers; all for coordinators and city leaders."""
    base = Report.objects.select_related("category", "ward", "agency")
    public = Q(is_public=True) & ~Q(status__in=[Status.REJECTED])
    if user is None or not user.is_authenticated:
        return base.filter(public)
    memberships = user.active_memberships()
    if any(m.role in {Role.COORDINATOR, Role.CITY_LEADER} for m in memberships):
        return base
    agency_ids = [m.agency_id for m in memberships if m.role in {Role.OFFICER, Role.UNIT_LEADER}]
    return base.filter(public | Q(reporter=user) | Q(agency_id__in=agency_ids))


def get_report_for(user: User | None, tracking_code: str) -> Report:
    """The report if `user` may see it; 404 both when it is missing and when it is not theirs."""
    try:
        return reports_visible_to(user).get(tracking_code=tracking_code)
    except Report.DoesNotExist:
        raise Http404 from None


def get_report_for_staff(user: User, tracking_code: str) -> Report:
    """The report for the workspace page, which shows internal events and the reporter's
    contact: only the staff who work on it (its unit's officers and leaders, coordinators, city
    leaders). Another unit's officer gets the same 404 as for a missing report, even when the
    report is public (the public page is there for that)."""
    report = get_report_for(user, tracking_code)
    if user.has_staff_role(Role.COORDINATOR, Role.CITY_LEADER):
        return report
    if any(
        m.agency_id == report.agency_id and m.role in (Role.OFFICER, Role.UNIT_LEADER)
        for m in user.active_memberships()
    ):
        return report
    raise Http404


# --- residential groups: their leaders and the wards' community teams -----------------------


def _group_scope(user: User) -> Q | None:
    """The reports a group's leader or a community team member works on: the leader's group;
    the member's group, or their whole ward when they work no single group. None: no such role."""
    scope = Q(pk__in=[])
    found = False
    for m in user.active_memberships():
        if m.role == Role.GROUP_LEADER and m.unit_id is not None:
            scope |= Q(residential_group_id=m.unit_id)
            found = True
        elif m.role == Role.COMMUNITY_HELPER:
            if m.unit_id is not None:
                scope |= Q(residential_group_id=m.unit_id)
            else:
                scope |= Q(ward_id=m.agency.unit_id or 0)
            found = True
    return scope if found else None


def reports_of_groups(user: User | None) -> QuerySet[Report]:
    """The reports of the groups `user` looks after (none for anyone else), merged ones
    aside: their group page lists these and nothing more."""
    if user is None or not user.is_authenticated:
        return Report.objects.none()
    scope = _group_scope(user)
    if scope is None:
        return Report.objects.none()
    return (
        Report.objects.select_related("category", "ward", "agency", "residential_group")
        .filter(scope)
        .exclude(status=Status.MERGED)
    )


def get_report_for_group_member(user: User, tracking_code: str) -> Report:
    """A report of `user`'s groups for their group page; the same 404 for another group's
    report as for a missing one."""
    try:
        return reports_of_groups(user).get(tracking_code=tracking_code)
    except Report.DoesNotExist:
        raise Http404 from None


def group_member_ids(report: Report) -> set[int]:
    """Who looks after the report's place: its group's leaders and its ward's community team
    (those of the whole ward, and those of its group)."""
    from accounts.models import Membership

    if report.ward_id is None:
        return set()
    leaders = Q(role=Role.GROUP_LEADER, unit_id=report.residential_group_id or 0)
    team = Q(role=Role.COMMUNITY_HELPER) & (
        Q(unit__isnull=True, agency__unit_id=report.ward_id)
        | Q(unit_id=report.residential_group_id or 0)
    )
    return set(
        Membership.objects.filter(
            leaders | team, is_active=True, agency__is_active=True
        ).values_list("user_id", flat=True)
    )


def may_see_report_files(user: User | None, report_id: int) -> bool:
    """Whether `user` may open the files of this report: a report they may see, or one of the
    groups they look after (whose page shows the resident's photos)."""
    return (
        reports_visible_to(user).filter(pk=report_id).exists()
        or reports_of_groups(user).filter(pk=report_id).exists()
    )


def public_reports() -> QuerySet[Report]:
    return reports_visible_to(None)


# A report whose deadline is this close is "due soon": the workspace shows it in amber.
DUE_SOON = timedelta(hours=4)


def overdue_reports(now) -> QuerySet[Report]:
    # Uses report_due_at_idx: due_at is set only while a unit owes a step. A deadline is
    # missed at its very instant (14:00 is overdue at 14:00:00), as in sla.selectors.
    return Report.objects.filter(due_at__lte=now)


def sla_state(report: Report, now: datetime) -> str:
    """ "overdue", "due_soon", "on_track", or "" when nobody owes a step."""
    if report.due_at is None:
        return ""
    if report.due_at <= now:
        return "overdue"
    if report.due_at - now <= DUE_SOON:
        return "due_soon"
    return "on_track"


def filter_reports(
    reports: QuerySet[Report],
    *,
    category: str = "",
    status: str = "",
    ward: str = "",
    since: date | None = None,
) -> QuerySet[Report]:
    """The filters the public list and the map share; empty values filter nothing."""
    if category:
        reports = reports.filter(category__code=category)
    if status:
        reports = reports.filter(status=status)
    if ward:
        reports = reports.filter(ward__code=ward)
    if since is not None:
        # From the start of that local day (USE_TZ: an aware midnight in Asia/Ho_Chi_Minh).
        reports = reports.filter(
            created_at__gte=timezone.make_aware(datetime.combine(since, time.min))
        )
    return reports
