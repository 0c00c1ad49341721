"""Workspace writes that are more than one call: a unit leader's bulk accept / assign.

Each report still goes through its own `reports.services` call (permission check, workflow
check, event, transaction), so a bulk action is exactly the same as doing each one by hand.

The reports are either the ticked ones (tracking codes from the form) or "all matching this
filter": then the filter is evaluated again here, through the inbox's own selector, and no
list of reports from the browser is used, so a forged form can only name reports the leader
could have ticked anyway (another unit's report is "not found", as when ticked by hand).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Role, User
from reports import clock
from reports.models import Report
from reports.selectors import reports_visible_to
from reports.services import report_accept, report_assign
from reports.workflow import TransitionNotAllowed

from .selectors import InboxFilters, inbox_reports, unit_agency_ids

BULK_ACTIONS = ("accept", "assign")
# The most reports one bulk action changes. Each is its own transaction with its event and
# notices (~10-20 ms): 500 is a ten-second request at worst, and more than a leader can have
# looked at. A larger selection is refused whole, never cut silently.
MAX_BULK = 500


@dataclass(frozen=True)
class BulkResult:
    tracking_code: str
    ok: bool
    error: str = ""


@dataclass
class BulkSelection:
    """What a bulk action would change: the ticked codes, or every report matching `filters`."""

    every_match: bool
    codes: list[str] = field(default_factory=list)
    count: int = 0


def _leader_agencies(actor: User) -> list[int]:
    agency_ids = unit_agency_ids(actor, roles=(Role.UNIT_LEADER,))
    if not agency_ids:
        raise PermissionDenied(_("Only a unit leader can act on several reports at once."))
    return agency_ids


def _check_action(action: str, assignee: User | None) -> None:
    if action not in BULK_ACTIONS or (action == "assign" and assignee is None):
        raise ValidationError(_("Choose what to do with the selected reports."), code="bad_bulk")


def _too_many(count: int) -> ValidationError:
    return ValidationError(
        _(
            "%(count)d reports are selected; one bulk action takes at most %(max)d. Narrow the "
            "filter and apply it in several steps."
        )
        % {"count": count, "max": MAX_BULK},
        code="too_many",
    )


def _matching(actor: User, filters: InboxFilters):
    # The same selector and unit list as the inbox page itself, so "all N matching" is what
    # the leader saw counted; reports of a unit he does not lead are then skipped, with why.
    return inbox_reports(actor, unit_agency_ids(actor), filters, clock.now())


def reports_bulk_selection(
    *,
    actor: User,
    action: str,
    assignee: User | None = None,
    tracking_codes: list[str] | None = None,
    filters: InboxFilters | None = None,
) -> BulkSelection:
    """What the bulk action would apply to (for the confirmation step): the number of reports
    and, for ticked reports, their codes. `filters` given means "all matching this filter".
    Raises PermissionDenied if `actor` leads no unit, ValidationError for a bad action, an
    empty selection or more than MAX_BULK reports."""
    _leader_agencies(actor)
    _check_action(action, assignee)
    if filters is not None:
        count = _matching(actor, filters).count()
        selection = BulkSelection(every_match=True, count=count)
    else:
        codes = list(dict.fromkeys(c.strip() for c in tracking_codes or [] if c.strip()))
        selection = BulkSelection(every_match=False, codes=codes, count=len(codes))
    if selection.count == 0:
        raise ValidationError(_("Select at least one report."), code="empty")
    if selection.count > MAX_BULK:
        raise _too_many(selection.count)
    return selection


def reports_bulk_apply(
    *,
    actor: User,
    action: str,
    assignee: User | None = None,
    tracking_codes: list[str] | None = None,
    filters: InboxFilters | None = None,
) -> list[BulkResult]:
    """Accept, or assign to `assignee`, each selected report of the leader's units; one failure
    does not stop the others. The selection is that of `reports_bulk_selection`, evaluated
    again now. Raises as `reports_bulk_selection` does, before changing anything."""
    agency_ids = _leader_agencies(actor)
    selection = reports_bulk_selection(
        actor=actor,
        action=action,
        assignee=assignee,
        tracking_codes=tracking_codes,
        filters=filters,
    )
    reports: dict[str, Report]
    if filters is not None:
        matching = list(_matching(actor, filters)[: MAX_BULK + 1])
        if len(matching) > MAX_BULK:  # grew past the cap since it was counted
            raise _too_many(len(matching))
        codes = [r.tracking_code for r in matching]
        reports = {r.tracking_code: r for r in matching if r.agency_id in agency_ids}
        outside = _("not a report of a unit you lead")
    else:
        codes = selection.codes
        # Another unit's report is "not found", exactly like one that does not exist.
        reports = {
            r.tracking_code: r
            for r in reports_visible_to(actor).filter(
                agency_id__in=agency_ids, tracking_code__in=codes
            )
        }
        outside = _("not found")
    results = []
    for code in codes:
        report = reports.get(code)
        if report is None:
            results.append(BulkResult(code, False, outside))
            continue
        try:
            # Each service re-reads the report under its row lock and runs workflow.check.
            if action == "accept":
                report_accept(actor=actor, report=report)
            elif assignee is not None:
                report_assign(actor=actor, report=report, assignee=assignee)
        except ValidationError as exc:
            results.append(BulkResult(code, False, " ".join(exc.messages)))
        except (PermissionDenied, TransitionNotAllowed) as exc:
            results.append(BulkResult(code, False, str(exc)))
        else:
            results.append(BulkResult(code, True))
    return results
