"""Residential groups below the wards: the file loader (all or nothing, every problem named by
its line), the boundary rules, and the point → group lookup."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import box, mapping, shape

from conftest import BA_DINH_SQUARE, HOAN_KIEM_LAKE, IN_TDP03, SAMPLE_GROUPS
from units.groups import GroupFileError, group_at, group_named, groups_load
from units.lookup import locate
from units.models import GROUP_TYPES, AdministrativeUnit, UnitType

pytestmark = pytest.mark.django_db

HEADER = "ward_code,code,name,kind,streets,leader_name,leader_phone,boundary\n"


def groups():
    return AdministrativeUnit.objects.filter(type__in=GROUP_TYPES)


def ward_shape(code: str):
    return shape(json.loads(AdministrativeUnit.objects.get(era="2025", code=code).geometry))


def csv_row(*cells: str) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' for c in cells) + "\n"


def square_in(code: str, dx: float = 0.0, size: float = 0.001) -> str:
    """A small square near the middle of the ward (shifted east by `dx` degrees)."""
    centre = ward_shape(code).representative_point()
    return json.dumps(mapping(box(centre.x + dx, centre.y, centre.x + dx + size, centre.y + size)))


def test_the_sample_file_loads_once_and_a_second_run_changes_nothing():
    first = groups_load(SAMPLE_GROUPS.read_text(encoding="utf-8"))
    assert first == {"created": 10, "updated": 0, "unchanged": 0}
    again = groups_load(SAMPLE_GROUPS.read_text(encoding="utf-8"))
    assert again == {"created": 0, "updated": 0, "unchanged": 10}
    group = AdministrativeUnit.objects.get(era="2025", code="00070-TDP02")
    assert group.parent.code == "00070"
    assert group.type == UnitType.RESIDENTIAL_GROUP
    assert group.full_name == "Tổ dân phố số 2, Hoàn Kiếm"
    assert group.street_list() == ["Hàng Đào", "Hàng Ngang", "Hàng Đường"]
    assert group.leader_phone.startswith("+8424")


def test_a_changed_row_updates_its_group_and_nothing_else():
    groups_load(SAMPLE_GROUPS.read_text(encoding="utf-8"))
    text = SAMPLE_GROUPS.read_text(encoding="utf-8").replace(
        "Tổ trưởng số 3 (mẫu)", "Nguyễn Văn Mới", 1
    )
    assert groups_load(text) == {"created": 0, "updated": 1, "unchanged": 9}
    assert AdministrativeUnit.objects.get(code="00070-TDP03").leader_name == "Nguyễn Văn Mới"


def test_groups_are_not_wards_for_the_point_lookup(sample_groups):
    # The ward lookup and every ward list stay as they were: a point is placed in its ward.
    assert locate(*HOAN_KIEM_LAKE).code == "00070"
    assert groups().count() == 10


def test_a_point_is_placed_in_the_group_whose_boundary_holds_it(sample_groups):
    ward = locate(*HOAN_KIEM_LAKE)
    assert group_at(ward.unit_id, *HOAN_KIEM_LAKE).code == "00070-TDP02"
    assert group_at(ward.unit_id, *IN_TDP03).code == "00070-TDP03"
    # Ba Đình's groups have no boundary: the resident or the officer chooses.
    ba_dinh = locate(*BA_DINH_SQUARE)
    assert group_at(ba_dinh.unit_id, *BA_DINH_SQUARE) is None


def test_a_group_is_found_by_code_or_by_name_without_accents(sample_groups):
    ba_dinh = AdministrativeUnit.objects.get(era="2025", code="00004")
    assert group_named(ba_dinh.pk, "00004-TDP02").code == "00004-TDP02"
    assert group_named(ba_dinh.pk, "to dan pho so 2").code == "00004-TDP02"
    assert group_named(ba_dinh.pk, "") is None
    with pytest.raises(Exception, match="Tổ 99"):
        group_named(ba_dinh.pk, "Tổ 99")


def test_a_bad_file_names_every_problem_by_line_and_loads_nothing():
    text = (
        HEADER
        + csv_row("00070", "00070-A", "Tổ dân phố A", "to_dan_pho", "", "", "", "")  # good
        + csv_row("99999", "X-1", "Tổ 1", "thon", "", "", "", "")  # no such ward
        + csv_row("00070", "00070-B", "Tổ B", "làng", "", "", "", "")  # unknown kind
        + csv_row("00070", "00070-C", "Tổ C", "thôn", "", "", "", "")
        + csv_row("00070", "00070-C", "Tổ C lần hai", "thôn", "", "", "", "")  # duplicate
        + csv_row("00070", "00004", "Tổ D", "thon", "", "", "", "")  # a ward's code
        + csv_row("00070", "00070-E", "Tổ E", "thon", "", "", "12345", "")  # bad phone
        + csv_row("00070", "00070-F", "Tổ F", "thon", "", "", "", "{not json")
    )
    with pytest.raises(GroupFileError) as caught:
        groups_load(text)
    problems = "\n".join(caught.value.problems)
    assert "dòng 3: không có phường, xã nào mang mã “99999”" in problems
    for fragment in ("“làng”", "00070-C", "00004", "12345", "GeoJSON"):
        assert fragment in problems, fragment
    lines = {p.split(":")[0] for p in caught.value.problems}
    assert len(lines) == 6  # lines 3, 4, 6, 7, 8, 9: each named
    assert not groups().exists()  # the good first row was not written either


def test_a_boundary_outside_its_ward_is_refused():
    # A square in Ba Đình given as a group of Hoàn Kiếm.
    text = HEADER + csv_row(
        "00070", "00070-X", "Tổ X", "to_dan_pho", "", "", "", square_in("00004")
    )
    with pytest.raises(GroupFileError) as caught:
        groups_load(text)
    assert caught.value.problems[0].startswith("dòng 2: ")
    assert "nằm ngoài Hoàn Kiếm" in caught.value.problems[0]
    assert not groups().exists()


def test_overlapping_groups_of_a_ward_are_refused_and_touching_ones_are_not():
    a = square_in("00070")
    overlapping = square_in("00070", dx=0.0005)
    touching = square_in("00070", dx=0.001)
    with pytest.raises(GroupFileError) as caught:
        groups_load(
            HEADER
            + csv_row("00070", "00070-A", "Tổ A", "to_dan_pho", "", "", "", a)
            + csv_row("00070", "00070-B", "Tổ B", "to_dan_pho", "", "", "", overlapping)
        )
    assert "00070-A" in caught.value.problems[0] and "00070-B" in caught.value.problems[0]
    assert not groups().exists()
    groups_load(
        HEADER
        + csv_row("00070", "00070-A", "Tổ A", "to_dan_pho", "", "", "", a)
        + csv_row("00070", "00070-B", "Tổ B", "to_dan_pho", "", "", "", touching)
    )
    assert groups().count() == 2
    # A later file overlapping a group already stored is refused as well.
    with pytest.raises(GroupFileError):
        groups_load(HEADER + csv_row("00070", "00070-C", "Tổ C", "thon", "", "", "", overlapping))
    assert groups().count() == 2


def test_a_self_crossing_boundary_is_refused():
    centre = ward_shape("00070").representative_point()
    x, y = centre.x, centre.y
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + 0.001, y + 0.001], [x + 0.001, y], [x, y + 0.001], [x, y]]],
    }
    with pytest.raises(GroupFileError) as caught:
        groups_load(
            HEADER + csv_row("00070", "00070-A", "A", "thon", "", "", "", json.dumps(bowtie))
        )
    assert caught.value.problems == ["dòng 2: ranh giới tự cắt chính nó: hãy vẽ lại"]


def test_the_command_speaks_vietnamese_and_names_the_bad_row(tmp_path, capsys):
    path = tmp_path / "groups.csv"
    path.write_text(HEADER + csv_row("99999", "X-1", "Tổ 1", "thon", "", "", "", ""), "utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_residential_groups", str(path))
    assert "Không nạp gì" in str(caught.value)
    assert "dòng 2" in str(caught.value) and "99999" in str(caught.value)
    call_command("load_residential_groups", str(SAMPLE_GROUPS))
    assert "10 tạo mới" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("load_residential_groups", str(tmp_path / "missing.csv"))
