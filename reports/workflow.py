"""The report lifecycle: statuses, the one table of transitions, and the one function that
changes a report's status. Nothing else in the code base assigns `report.status`.

Every transition writes a ReportEvent in the same transaction: the resident's timeline, the
source of SLA statistics and the outbox notifications are delivered from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import audit, clock, derived

if TYPE_CHECKING:
    from accounts.models import User
    from units.models import Agency

    from .models import Report, ReportEvent


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ROUTED = "routed", _("Sent to the handling unit")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned to the coordinator")
    REOPENED = "reopened", _("Reopened")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged as a duplicate")


# Colours for badges; the label comes with the status, the colour with it here.
STATUS_COLOURS = {
    Status.SUBMITTED: "grey",
    Status.ROUTED: "blue",
    Status.ACCEPTED: "teal",
    Status.IN_PROGRESS: "orange",
    Status.RESOLVED: "green",
    Status.CLOSED: "dark-green",
    Status.RETURNED: "purple",
    Status.REOPENED: "red",
    Status.REJECTED: "dark-grey",
    Status.MERGED: "dark-grey",
}

# A unit still owes work on these; `due_at` is set exactly while a report is in one of them.
OPEN_STATUSES = frozenset(
    {
        Status.SUBMITTED,
        Status.ROUTED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.RETURNED,
        Status.REOPENED,
    }
)
FINAL_STATUSES = frozenset({Status.CLOSED, Status.REJECTED, Status.MERGED})

# Report fields of the SLA clock's overdue flag: written only through `transition(changes=…)`
# (sla/services.py sets them; `transition` clears them when the deadline changes).
OVERDUE_FIELDS = frozenset({"overdue_since", "overdue_reminders", "overdue_reminded_at"})


class Role:
    """Who an actor is with respect to one report."""

    REPORTER = "reporter"
    OFFICER = "officer"  # an officer of the agency the report is with
    UNIT_LEADER = "unit_leader"  # a leader of the agency the report is with
    COORDINATOR = "coordinator"  # city coordination office: every report
    # The leader of the report's residential group, or a community digital team member of its
    # ward (of its group, when the member works one group): checks it on the ground.
    GROUP_MEMBER = "group_member"
    SYSTEM = "system"  # routing, the SLA clock, auto-close


UNIT = frozenset({Role.OFFICER, Role.UNIT_LEADER})


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    ROUTE = "route", _("Routed")
    ACCEPT = "accept", _("Accepted")
    START = "start", _("Work started")
    ASSIGN = "assign", _("Assigned")
    RETURN = "return", _("Returned to the coordinator")
    REROUTE = "reroute", _("Re-routed by the coordinator")
    TRANSFER = "transfer", _("Transferred to another unit")
    REQUEST_EXTENSION = "request_extension", _("Extension requested")
    GRANT_EXTENSION = "grant_extension", _("Extension granted")
    REFUSE_EXTENSION = "refuse_extension", _("Extension refused")
    RESOLVE = "resolve", _("Resolved")
    MERGE = "merge", _("Merged as a duplicate")
    REJECT = "reject", _("Rejected")
    RATE_SATISFIED = "rate_satisfied", _("Resident satisfied")
    REOPEN = "reopen", _("Reopened: resident not satisfied")
    AUTO_CLOSE = "auto_close", _("Closed with no rating")
    # The SLA clock (sla/services.py): no status change, only the flag and the record.
    MARK_OVERDUE = "mark_overdue", _("Deadline passed")
    REMIND_OVERDUE = "remind_overdue", _("Still overdue: reminder sent")
    # Not a step of the work: a leader or coordinator opened an attachment's original (with
    # its GPS and camera data). On the chain like every step, never on the public timeline.
    VIEW_ORIGINAL = "view_original", _("Original file viewed")
    # Not a step of the work: the resident proved by phone code that two sign-ins are one
    # person (accounts/linking.py); their report moves to the account they keep. Never public.
    JOIN_ACCOUNTS = "join_accounts", _("Reporter's accounts joined")
    # Not a step of the work: the residential group the report lies in was set or corrected.
    SET_GROUP = "set_group", _("Residential group set")
    # The group's leader (or the ward's community team) went and looked, with a photo: before
    # the unit resolves (is the problem there?) and after (is it fixed?). The unit's work and
    # the resident's rating are unchanged by it.
    GROUND_CHECK = "ground_check", _("Checked on the ground")


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    # None: the status stays; the event still records who did what.
    target: Status | None
    roles: frozenset[str]
    # The note (a reason) is required: the resident or the next unit must see why.
    note_required: bool = False


def _t(action, sources, target, roles, note_required=False) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), note_required)


S = Status
HANDLING = {S.ACCEPTED, S.IN_PROGRESS, S.REOPENED}
# A report a unit has (or had) to act on: worth looking at on the ground, before and after.
GROUND_CHECKED = {S.ROUTED, S.RETURNED, *HANDLING, S.RESOLVED, S.CLOSED}

# The one table of the lifecycle.
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t(Action.SUBMIT, set(), S.SUBMITTED, {Role.REPORTER, Role.SYSTEM}),
        _t(Action.ROUTE, {S.SUBMITTED}, S.ROUTED, {Role.SYSTEM}),
        _t(Action.ACCEPT, {S.ROUTED, S.REOPENED}, S.ACCEPTED, UNIT),
        _t(Action.START, {S.ACCEPTED, S.REOPENED}, S.IN_PROGRESS, UNIT),
        _t(Action.ASSIGN, {S.ROUTED, *HANDLING}, None, {Role.UNIT_LEADER, Role.OFFICER}),
        _t(Action.RETURN, {S.ROUTED, *HANDLING}, S.RETURNED, UNIT, note_required=True),
        _t(Action.REROUTE, {S.ROUTED, S.RETURNED, S.REOPENED}, S.ROUTED, {Role.COORDINATOR}),
        _t(
            Action.TRANSFER,
            {S.ROUTED, *HANDLING},
            S.ROUTED,
            UNIT | {Role.COORDINATOR},
            note_required=True,
        ),
        _t(Action.REQUEST_EXTENSION, HANDLING, None, UNIT, note_required=True),
        _t(Action.GRANT_EXTENSION, HANDLING, None, {Role.UNIT_LEADER}),
        _t(Action.REFUSE_EXTENSION, HANDLING, None, {Role.UNIT_LEADER}, note_required=True),
        _t(Action.RESOLVE, HANDLING, S.RESOLVED, UNIT),
        _t(Action.MERGE, {S.ROUTED, S.RETURNED, *HANDLING}, S.MERGED, UNIT | {Role.COORDINATOR}),
        _t(
            Action.REJECT,
            {S.ROUTED, S.RETURNED, *HANDLING},
            S.REJECTED,
            UNIT | {Role.COORDINATOR},
            note_required=True,
        ),
        _t(Action.RATE_SATISFIED, {S.RESOLVED}, S.CLOSED, {Role.REPORTER}),
        _t(Action.REOPEN, {S.RESOLVED}, S.REOPENED, {Role.REPORTER}, note_required=True),
        _t(Action.AUTO_CLOSE, {S.RESOLVED}, S.CLOSED, {Role.SYSTEM}),
        _t(Action.MARK_OVERDUE, OPEN_STATUSES, None, {Role.SYSTEM}),
        _t(Action.REMIND_OVERDUE, OPEN_STATUSES, None, {Role.SYSTEM}),
        _t(
            Action.VIEW_ORIGINAL,
            set(Status.values),
            None,
            {Role.UNIT_LEADER, Role.COORDINATOR},
            note_required=True,
        ),
        _t(Action.JOIN_ACCOUNTS, set(Status.values), None, {Role.REPORTER}),
        _t(Action.SET_GROUP, set(Status.values) - {S.MERGED}, None, UNIT | {Role.COORDINATOR}),
        _t(Action.GROUND_CHECK, GROUND_CHECKED, None, {Role.GROUP_MEMBER}),
    ]
}


class TransitionNotAllowed(Exception):
    """The report's status does not allow this action (e.g. resolving a closed report)."""

    def __init__(self, action: str, status: str):
        self.action = action
        self.status = status
        super().__init__(
            _("This action (%(action)s) is not possible while the report is “%(status)s”.")
            % {"action": Action(action).label, "status": Status(status).label}
        )


def roles_for(actor: User | None, report: Report) -> frozenset[str]:
    """The roles `actor` holds toward `report`; None is the system itself."""
    if actor is None:
        return frozenset({Role.SYSTEM})
    roles: set[str] = set()
    if report.reporter_id is not None and report.reporter_id == actor.pk:
        roles.add(Role.REPORTER)
    for membership in actor.active_memberships():
        if membership.role == "coordinator":
            roles.add(Role.COORDINATOR)
        elif membership.agency_id == report.agency_id and membership.role in UNIT:
            roles.add(membership.role)
        elif _covers_group(membership, report):
            roles.add(Role.GROUP_MEMBER)
    return frozenset(roles)


def _covers_group(membership: Any, report: Report) -> bool:
    """A group leader of the report's group; a community team member of its ward (of its
    group, when the member works one)."""
    if membership.role == "group_leader":
        return membership.unit_id is not None and membership.unit_id == report.residential_group_id
    if membership.role == "community_helper" and report.ward_id is not None:
        if membership.unit_id is not None:
            return membership.unit_id == report.residential_group_id
        return membership.agency.unit_id == report.ward_id
    return False


# Steps a service takes on the actor's behalf as part of a larger act (joining two
# accounts), or that have their own form on the page (the group, a ground check): allowed
# through `transition`, never offered as a plain button.
NOT_BUTTONS = frozenset({Action.JOIN_ACCOUNTS, Action.SET_GROUP, Action.GROUND_CHECK})


def allowed_actions(actor: User | None, report: Report) -> list[Action]:
    """What `actor` may do to `report` now: what the workspace shows as buttons."""
    roles = roles_for(actor, report)
    return [
        Action(t.action)
        for t in TRANSITIONS.values()
        if report.status in t.sources and roles & t.roles and t.action not in NOT_BUTTONS
    ]


def may(actor: User | None, report: Report, action: str) -> bool:
    """Whether `actor` may take `action` on `report` now (the forms that are not buttons)."""
    t = TRANSITIONS[action]
    return bool(roles_for(actor, report) & t.roles) and report.status in t.sources


def check(report: Report, action: str, actor: User | None) -> Transition:
    """Raise unless `actor` may take `action` on `report` in its current status."""
    transition = TRANSITIONS[action]
    if not (roles_for(actor, report) & transition.roles):
        raise PermissionDenied(_("You are not allowed to do this on this report."))
    if transition.sources and report.status not in transition.sources:
        raise TransitionNotAllowed(action, report.status)
    if not transition.sources and report.pk is not None:
        # No source status means a creation step: it cannot reset a stored report.
        raise TransitionNotAllowed(action, report.status)
    return transition


def transition(
    report: Report,
    action: str,
    *,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    actor_agency: Agency | None = None,
    is_public: bool = True,
) -> ReportEvent:
    """Apply `action`: check it, change the status and `changes`, and record the event.

    Must run inside the caller's transaction with the report row locked, so that two
    officers acting at once cannot both move it.
    """
    from .models import ReportEvent

    t = check(report, action, actor)
    note = (note or "").strip()
    if t.note_required and not note:
        from django.core.exceptions import ValidationError

        raise ValidationError(_("A reason is required for this action."), code="reason_required")
    now = clock.now()
    # A new report comes from no status (the model default would say "submitted").
    from_status = report.status if report.pk is not None else ""
    before = derived.snapshot(report) if report.pk is not None else None
    fields = ["updated_at"]
    changes = dict(changes or {})
    if report.overdue_since is not None and not OVERDUE_FIELDS & changes.keys():
        leaves_open = t.target is not None and t.target not in OPEN_STATUSES
        if leaves_open or ("due_at" in changes and changes["due_at"] != report.due_at):
            # The overdue flag belongs to one deadline: a new deadline (accepted, extended,
            # re-routed, reopened) or no deadline at all (resolved, closed) starts it afresh.
            changes.update(overdue_since=None, overdue_reminders=0, overdue_reminded_at=None)
    for name, value in changes.items():
        setattr(report, name, value)
        fields.append(name)
    if t.target is not None:
        report.status = t.target
        fields.append("status")
    if report.status not in OPEN_STATUSES and (t.target is not None or report.due_at is not None):
        # Nobody owes work on a resolved or final report: it cannot be overdue.
        report.due_at = None
        fields.append("due_at")
    report.updated_at = now
    report_is_new = report.pk is None
    if report_is_new:
        report.created_at = now
        report.save()
    values: dict[str, Any] = {
        "report": report,
        "action": action,
        "from_status": from_status,
        "to_status": report.status,
        "actor": actor,
        "actor_agency": actor_agency,
        "note": note,
        "data": data or {},
        "is_public": is_public,
        "created_at": now,
    }
    # Chained to the report's previous event (tamper evidence, reports/audit.py); the caller's
    # row lock on the report keeps two events from chaining to the same one. The row is sealed
    # with the event: its audited fields as they now are, and this event's hash.
    chain = audit.chain_fields(ReportEvent(**values), report_is_new=report_is_new)
    report.audit_seq = chain["seq"]
    report.audit_seal = audit.seal_of(report, seq=chain["seq"], last_hash=chain["hash"])
    if report_is_new:
        type(report).objects.filter(pk=report.pk).update(
            audit_seq=report.audit_seq, audit_seal=report.audit_seal
        )
    else:
        report.save(update_fields=sorted({*fields, "audit_seq", "audit_seal"}))
    event = ReportEvent.objects.create(**values, **chain)
    derived.report_changed(before=before, report=report)
    # The apps that follow the lifecycle (rollups, map, notices, SLA) hear of it here, inside
    # this transaction; they import reports, never the reverse (reports/derived.py).
    derived.event_recorded(event=event)
    return event
