"""Loading the routing inputs from the database for the pure `route` function."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils import translation

from units.models import AdministrativeUnit, Agency, AgencyKind

from .models import Category, RoutingRule
from .rules import RoutingDecision, route


def route_report(*, category: Category, ward: AdministrativeUnit | None) -> RoutingDecision:
    rules = list(
        RoutingRule.objects.filter(category=category, is_active=True).select_related("agency")
    )
    # The ward's committee and the coordination office in one query (every submission pays it).
    office_q = Q(kind=AgencyKind.COORDINATION, is_active=True)
    agencies = list(
        Agency.objects.filter(office_q | Q(unit=ward) if ward is not None else office_q).order_by(
            "id"
        )
    )
    committee = next((a for a in agencies if ward is not None and a.unit_id == ward.id), None)
    office = next((a for a in agencies if a.kind == AgencyKind.COORDINATION and a.is_active), None)
    if office is None:
        raise Agency.DoesNotExist("no active coordination office: run `manage.py load_agencies`")
    # The reason is stored in the audit trail: always in the official language, whatever
    # language the resident's browser asked for.
    with translation.override(settings.LANGUAGE_CODE):
        return route(category, ward, rules, ward_committee=committee, coordination_office=office)
