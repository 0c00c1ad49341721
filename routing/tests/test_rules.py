"""Who handles a report: the pure `route()` decision with plain objects (no database), then
the same decision made from the rules stored in the database on a real submission."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from conftest import BA_DINH_SQUARE
from routing import models as routing_models
from routing.models import HandlingLevel
from routing.rules import RoutingDecision, route
from units import models as units_models


@dataclass
class Agency:
    code: str
    is_active: bool = True

    def __str__(self) -> str:
        return self.code


@dataclass
class Unit:
    id: int
    parent_id: int | None
    full_name: str


@dataclass
class Category:
    id: int
    name: str
    handling_level: str = HandlingLevel.WARD
    default_agency: Agency | None = None


_ids = iter(range(1, 10_000))


@dataclass
class Rule:
    category_id: int
    area_id: int | None
    agency: Agency
    priority: int = 0
    is_active: bool = True
    id: int = field(default_factory=lambda: next(_ids))


CITY = 1
WARD = Unit(id=70, parent_id=CITY, full_name="Phường Hoàn Kiếm")
OTHER_WARD = Unit(id=4, parent_id=CITY, full_name="Phường Ba Đình")
COMMITTEE = Agency("ubnd-00070")
OFFICE = Agency("dieu-phoi")
URENCO = Agency("urenco")
TRANSPORT = Agency("so-giao-thong")
WASTE = Category(id=2, name="Rác thải", default_agency=URENCO)
ROADS = Category(
    id=3,
    name="Hạ tầng giao thông",
    handling_level=HandlingLevel.DEPARTMENT,
    default_agency=TRANSPORT,
)
OTHER = Category(id=15, name="Khác", handling_level=HandlingLevel.COORDINATOR)


def decide(category=WASTE, ward=WARD, rules=(), committee=COMMITTEE) -> RoutingDecision:
    return route(category, ward, rules, ward_committee=committee, coordination_office=OFFICE)


def test_ward_level_category_goes_to_the_wards_committee():
    decision = decide()
    assert decision.agency is COMMITTEE
    assert decision.basis == "ward"
    assert "Phường Hoàn Kiếm" in decision.reason
    assert decision.rule_id is None


def test_rule_beats_the_handling_level():
    rule = Rule(WASTE.id, None, URENCO)
    decision = decide(rules=[rule])
    assert decision.agency is URENCO
    assert decision.basis == "rule"
    assert decision.rule_id == rule.id
    assert f"#{rule.id}" in decision.reason
    assert "toàn Thành phố" in decision.reason


def test_ward_specific_rule_beats_city_wide_rule_at_equal_priority():
    city_wide = Rule(WASTE.id, None, URENCO, priority=5)
    local = Rule(WASTE.id, WARD.id, TRANSPORT, priority=5)
    for rules in ([city_wide, local], [local, city_wide]):
        decision = decide(rules=rules)
        assert decision.agency is TRANSPORT
        assert decision.rule_id == local.id
        assert "Phường Hoàn Kiếm" in decision.reason


def test_higher_priority_wins_even_over_a_ward_specific_rule():
    local = Rule(WASTE.id, WARD.id, TRANSPORT, priority=1)
    city_wide = Rule(WASTE.id, None, URENCO, priority=10)
    assert decide(rules=[local, city_wide]).rule_id == city_wide.id
    assert decide(rules=[city_wide, local]).rule_id == city_wide.id


def test_equal_rules_are_decided_by_the_older_rule():
    first = Rule(WASTE.id, None, URENCO, priority=3)
    second = Rule(WASTE.id, None, TRANSPORT, priority=3)
    assert decide(rules=[second, first]).rule_id == first.id


def test_rule_for_the_wards_parent_applies():
    rule = Rule(WASTE.id, CITY, URENCO)
    assert decide(rules=[rule]).rule_id == rule.id


@pytest.mark.parametrize(
    "rule",
    [
        Rule(WASTE.id, None, URENCO, priority=99, is_active=False),
        Rule(ROADS.id, None, URENCO, priority=99),
        Rule(WASTE.id, OTHER_WARD.id, URENCO, priority=99),
        Rule(WASTE.id, None, Agency("giai-the", is_active=False), priority=99),
    ],
    ids=["inactive-rule", "other-category", "other-ward", "inactive-agency"],
)
def test_rule_that_does_not_apply_is_ignored(rule):
    decision = decide(rules=[rule])
    assert decision.agency is COMMITTEE
    assert decision.basis == "ward"


def test_department_level_category_goes_to_its_department():
    decision = decide(category=ROADS)
    assert decision.agency is TRANSPORT
    assert decision.basis == "department"


def test_coordinator_level_category_goes_to_the_coordination_office():
    decision = decide(category=OTHER)
    assert decision.agency is OFFICE
    assert decision.basis == "coordinator"


@pytest.mark.parametrize(
    ("category", "ward", "committee"),
    [
        (WASTE, WARD, None),
        (WASTE, WARD, Agency("ubnd-00070", is_active=False)),
        (WASTE, None, COMMITTEE),
        (
            Category(id=9, name="Sở chưa gán", handling_level=HandlingLevel.DEPARTMENT),
            WARD,
            COMMITTEE,
        ),
        (
            Category(
                id=9,
                name="Sở đã giải thể",
                handling_level=HandlingLevel.DEPARTMENT,
                default_agency=Agency("so-cu", is_active=False),
            ),
            WARD,
            COMMITTEE,
        ),
    ],
    ids=[
        "no-ward-committee",
        "inactive-ward-committee",
        "no-ward",
        "no-default-department",
        "inactive-default-department",
    ],
)
def test_missing_handler_falls_back_to_the_coordination_office(category, ward, committee):
    decision = decide(category=category, ward=ward, committee=committee)
    assert decision.agency is OFFICE
    assert decision.basis == "fallback"
    assert "điều phối" in decision.reason


def test_decision_data_names_the_agency_by_code():
    rule = Rule(WASTE.id, WARD.id, URENCO)
    assert decide(rules=[rule]).as_data() == {
        "basis": "rule",
        "reason": decide(rules=[rule]).reason,
        "rule_id": rule.id,
        "agency": "urenco",
    }


# --- the decision on real submissions -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_password_hasher")
class TestRoutingFromTheDatabase:
    def test_routing_reason_is_stored_on_the_route_event(self, submit, ward_a):
        report = submit()
        event = report.events.get(action="route")
        assert event.data["routing"] == {
            "basis": "ward",
            "reason": event.note,
            "rule_id": None,
            "agency": "ubnd-00070",
        }
        assert "Phường Hoàn Kiếm" in event.note
        assert event.to_status == "routed"

    def test_rule_in_the_database_sends_the_report_to_its_agency(self, submit, waste):
        urenco = units_models.Agency.objects.get(code="urenco")
        hoan_kiem = units_models.AdministrativeUnit.objects.get(era="2025", code="00070")
        rule = routing_models.RoutingRule.objects.create(
            category=waste, area=hoan_kiem, agency=urenco, priority=1
        )

        report = submit()

        assert report.agency == urenco
        routing = report.events.get(action="route").data["routing"]
        assert routing["basis"] == "rule"
        assert routing["rule_id"] == rule.pk
        assert routing["agency"] == "urenco"

    def test_rule_for_one_ward_leaves_other_wards_alone(self, submit, waste, ward_b):
        routing_models.RoutingRule.objects.create(
            category=waste,
            area=units_models.AdministrativeUnit.objects.get(era="2025", code="00070"),
            agency=units_models.Agency.objects.get(code="urenco"),
        )
        report = submit(lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
        assert report.agency == ward_b

    def test_inactive_rule_in_the_database_is_ignored(self, submit, waste, ward_a):
        routing_models.RoutingRule.objects.create(
            category=waste,
            area=None,
            agency=units_models.Agency.objects.get(code="urenco"),
            priority=9,
            is_active=False,
        )
        assert submit().agency == ward_a

    def test_department_category_goes_to_the_department(self, submit):
        report = submit(category=routing_models.Category.objects.get(code="ha-tang-giao-thong"))
        assert report.agency.code == "so-giao-thong"
        assert report.events.get(action="route").data["routing"]["basis"] == "department"

    def test_other_category_goes_to_the_coordinator(self, submit, office):
        report = submit(category=routing_models.Category.objects.get(code="khac"), files=[])
        assert report.agency == office
        assert report.events.get(action="route").data["routing"]["basis"] == "coordinator"

    def test_ward_without_a_committee_falls_back_to_the_coordinator(self, submit, ward_a, office):
        ward_a.is_active = False
        ward_a.save(update_fields=["is_active"])
        report = submit()
        assert report.agency == office
        assert report.events.get(action="route").data["routing"]["basis"] == "fallback"
