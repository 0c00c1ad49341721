"""The routing decision: one pure function from (category, ward, rules) to an agency and a reason.

No database access here, so the whole decision table is testable with plain objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext as _

from .models import HandlingLevel


class _Unit(Protocol):
    id: int
    parent_id: int | None
    full_name: str


class _Rule(Protocol):
    id: int
    category_id: int
    area_id: int | None
    agency: Any
    priority: int
    is_active: bool


@dataclass(frozen=True)
class RoutingDecision:
    agency: Any
    # Why: "rule", "ward", "department", "coordinator", "owner" (of the thing reported: a
    # camera), or "fallback".
    basis: str
    reason: str
    rule_id: int | None = None

    def as_data(self) -> dict:
        return {
            "basis": self.basis,
            "reason": self.reason,
            "rule_id": self.rule_id,
            "agency": getattr(self.agency, "code", None),
        }


def route(
    category: Any,
    ward: _Unit | None,
    rules: Iterable[_Rule],
    *,
    ward_committee: Any | None,
    coordination_office: Any,
) -> RoutingDecision:
    """Decide who handles a report; never fails: the coordination office is the last resort.

    Order: the highest-priority active rule of the category whose area is the ward (or its
    parent, or the whole city), a ward-specific rule beating a city-wide one at equal
    priority; then the category's handling level; then the coordination office.
    """
    area_ids: set[int | None] = {None}
    if ward is not None:
        area_ids |= {ward.id, ward.parent_id}
    matching = [
        r
        for r in rules
        if r.is_active
        and r.category_id == category.id
        and r.area_id in area_ids
        and getattr(r.agency, "is_active", True)
    ]
    if matching:
        rule = min(matching, key=lambda r: (-r.priority, r.area_id is None, r.id))
        where = (
            ward.full_name
            if (ward is not None and rule.area_id == ward.id)
            else _("the whole city")
        )
        reason = _("Rule #%(id)s: %(category)s (%(where)s) → %(agency)s") % {
            "id": rule.id,
            "category": category.name,
            "where": where,
            "agency": rule.agency,
        }
        return RoutingDecision(rule.agency, "rule", reason, rule.id)

    level = category.handling_level
    if level == HandlingLevel.WARD:
        if ward is None:
            return RoutingDecision(
                coordination_office,
                "fallback",
                _("The ward is unknown: sent to the coordination office"),
            )
        if ward_committee is None or not getattr(ward_committee, "is_active", True):
            reason = _("%(ward)s has no receiving unit: sent to the coordination office") % {
                "ward": ward.full_name
            }
            return RoutingDecision(coordination_office, "fallback", reason)
        reason = _("%(category)s is handled by the ward: %(ward)s") % {
            "category": category.name,
            "ward": ward.full_name,
        }
        return RoutingDecision(ward_committee, "ward", reason)
    if level == HandlingLevel.DEPARTMENT:
        agency = category.default_agency
        if agency is None or not getattr(agency, "is_active", True):
            reason = _(
                "%(category)s has no responsible department: sent to the coordination office"
            ) % {"category": category.name}
            return RoutingDecision(coordination_office, "fallback", reason)
        reason = _("%(category)s is handled by %(agency)s") % {
            "category": category.name,
            "agency": agency,
        }
        return RoutingDecision(agency, "department", reason)
    reason = _("%(category)s: the coordination office assigns the unit") % {
        "category": category.name
    }
    return RoutingDecision(coordination_office, "coordinator", reason)
