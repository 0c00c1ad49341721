"""Loading the administrative units: the eras, the hierarchy, and re-running without changes."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command

from units.models import WARD_LEVEL_TYPES, AdministrativeUnit, Agency, AgencyKind, UnitType

pytestmark = pytest.mark.django_db

DISTRICT_TYPES = (UnitType.URBAN_DISTRICT, UnitType.RURAL_DISTRICT, UnitType.TOWN)


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def all_units() -> list[dict]:
    return list(AdministrativeUnit.objects.order_by("id").values())


def test_running_load_units_again_changes_nothing():
    before = all_units()
    output = run("load_units", "--no-progress")
    assert "0 created, 0 updated" in output
    assert f"{len(before)} unchanged" in output
    assert all_units() == before


def test_load_units_repairs_a_unit_edited_by_hand():
    unit = AdministrativeUnit.objects.get(era="2025", code="00070")
    expected = {"name": unit.name, "full_name": unit.full_name, "parent_id": unit.parent_id}
    AdministrativeUnit.objects.filter(pk=unit.pk).update(
        name="Sai tên", full_name="Sai", parent=None
    )

    output = run("load_units", "--no-progress")

    assert "0 created, 1 updated" in output
    unit.refresh_from_db()
    assert {"name": unit.name, "full_name": unit.full_name, "parent_id": unit.parent_id} == expected


def test_load_units_refuses_a_missing_data_folder(tmp_path):
    with pytest.raises(CommandError, match="not found"):
        run("load_units", "--no-progress", "--data-dir", str(tmp_path / "nowhere"))


def test_2025_era_has_126_wards_directly_under_the_city():
    city = AdministrativeUnit.objects.get(era="2025", type=UnitType.CITY)
    assert (city.code, city.full_name) == ("01", "Thành phố Hà Nội")
    assert city.parent is None
    wards = AdministrativeUnit.objects.filter(era="2025", type__in=WARD_LEVEL_TYPES)
    assert wards.count() == 126
    assert set(wards.values_list("parent_id", flat=True)) == {city.pk}
    assert wards.filter(type=UnitType.WARD).count() == 51
    assert wards.filter(type=UnitType.COMMUNE).count() == 75
    # Two levels only since 1 July 2025: no districts.
    assert not AdministrativeUnit.objects.filter(era="2025", type__in=DISTRICT_TYPES).exists()
    assert not wards.filter(geometry="").exists()


def test_2024_era_has_30_districts_each_with_its_wards():
    city = AdministrativeUnit.objects.get(era="2024", type=UnitType.CITY)
    districts = AdministrativeUnit.objects.filter(era="2024", type__in=DISTRICT_TYPES)
    assert districts.count() == 30
    assert set(districts.values_list("parent_id", flat=True)) == {city.pk}
    wards = AdministrativeUnit.objects.filter(era="2024", type__in=WARD_LEVEL_TYPES)
    assert wards.count() == 579
    district_ids = set(districts.values_list("id", flat=True))
    assert set(wards.values_list("parent_id", flat=True)) <= district_ids
    hoan_kiem = AdministrativeUnit.objects.get(era="2024", code="002")
    assert hoan_kiem.full_name == "Quận Hoàn Kiếm"
    assert hoan_kiem.children.count() == 18


def test_codes_are_reused_across_eras_but_name_different_units():
    old = AdministrativeUnit.objects.get(era="2024", code="00070")
    new = AdministrativeUnit.objects.get(era="2025", code="00070")
    assert old.pk != new.pk
    assert old.full_name == "Phường Hàng Trống"
    assert new.full_name == "Phường Hoàn Kiếm"


def test_unit_names_are_stored_in_one_unicode_form():
    names = AdministrativeUnit.objects.values_list("name", "full_name")
    assert all(
        unicodedata.is_normalized("NFC", n) and unicodedata.is_normalized("NFC", f)
        for n, f in names
    )


def test_agencies_are_one_committee_per_ward_plus_the_city_agencies():
    assert Agency.objects.count() == 137
    committees = Agency.objects.filter(kind=AgencyKind.WARD_COMMITTEE)
    assert committees.count() == 126
    assert set(committees.values_list("unit__era", flat=True)) == {"2025"}
    assert Agency.objects.filter(kind=AgencyKind.COORDINATION).count() == 1
    assert "0 created" in run("load_agencies")
    assert Agency.objects.count() == 137
