"""Workspace writes that are more than one call: a unit leader's bulk accept / assign.

Each report still goes through its own `reports.services` call (permission check, event,
transaction), so a bulk action is exactly the same as doing each one by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Role, User
from reports.selectors import reports_visible_to
from reports.services import report_accept, report_assign
from reports.workflow import TransitionNotAllowed

from .selectors import unit_agency_ids

BULK_ACTIONS = ("accept", "assign")
# One page of the inbox is 25 rows; a few pages' worth is the most a leader selects at once.
MAX_BULK = 100


@dataclass(frozen=True)
class BulkResult:
    tracking_code: str
    ok: bool
    error: str = ""


def reports_bulk_apply(
    *, actor: User, tracking_codes: list[str], action: str, assignee: User | None = None
) -> list[BulkResult]:
    """Accept, or assign to `assignee`, each report of the leader's units; one failure does
    not stop the others. Raises PermissionDenied if `actor` leads no unit."""
    agency_ids = unit_agency_ids(actor, roles=(Role.UNIT_LEADER,))
    if not agency_ids:
        raise PermissionDenied(_("Only a unit leader can act on several reports at once."))
    if action not in BULK_ACTIONS or (action == "assign" and assignee is None):
        raise ValidationError(_("Choose what to do with the selected reports."), code="bad_bulk")
    codes = list(dict.fromkeys(c.strip() for c in tracking_codes if c.strip()))[:MAX_BULK]
    # Another unit's report is "not found", exactly like one that does not exist.
    reports = {
        r.tracking_code: r
        for r in reports_visible_to(actor).filter(agency_id__in=agency_ids, tracking_code__in=codes)
    }
    results = []
    for code in codes:
        report = reports.get(code)
        if report is None:
            results.append(BulkResult(code, False, _("not found")))
            continue
        try:
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
