"""Residential groups in real Chromium, in Vietnamese: a group leader's page and the check on
the ground with a photo (and the 404 for another group's report), the ward staff's list of
groups, a resident choosing their group on the submit page, and the dashboard's group tab."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from conftest import IN_TDP03, photo_file
from reports.models import Report
from reports.workflow import Action
from units.models import AdministrativeUnit

from .conftest import SCREENSHOTS, assert_accessible, open_page, sign_in

SENT = re.compile(r"Đã gửi\. Mã phản ánh: (PA-\d{4}-\d{6})")


def jpeg(name: str = "hien-truong.jpg") -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": photo_file(name).read()}


def test_group_leader_checks_a_report_on_the_ground(
    live_server, sample_groups, submit, group_leader_a, media_root
):
    mine = submit(title="Rác đầu ngõ Hàng Đào", is_public=False)
    other = submit(title="Rác ở tổ ba", lat=IN_TDP03[0], lon=IN_TDP03[1])
    upload = jpeg()
    with open_page() as page:
        sign_in(page, live_server.url, "group_leader_a", "/can-bo/to-dan-pho/")
        page.get_by_role("heading", name="Phản ánh của tổ dân phố").wait_for()
        expect(page.locator("#group-reports")).to_contain_text("Rác đầu ngõ Hàng Đào")
        expect(page.locator("#group-reports")).not_to_contain_text("Rác ở tổ ba")
        assert_accessible(page)
        page.get_by_role("link", name="Rác đầu ngõ Hàng Đào").click()
        page.get_by_role("heading", name="Kiểm tra thực tế").wait_for()
        expect(page.locator(".reporter")).to_contain_text("Nguyễn Thị Alice")
        # Without a photo the browser itself asks for one; the note is kept either way.
        page.get_by_label("Vấn đề có thật, đúng như phản ánh").check()
        page.get_by_label("Ghi chú (không bắt buộc)").fill("Rác vẫn còn, khoảng 2 xe")
        page.get_by_label("Ảnh chụp tại hiện trường (bắt buộc)").set_input_files(upload)
        page.get_by_role("button", name="Ghi nhận kiểm tra").click()
        expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận kết quả kiểm tra thực tế")
        expect(page.locator(".timeline")).to_contain_text("Đã kiểm tra thực tế")
        expect(page.locator(".timeline .ground-outcome")).to_have_text(
            "Vấn đề có thật, đúng như phản ánh"
        )
        page.screenshot(path=str(SCREENSHOTS / "group_ground_check_vi.png"), full_page=True)
        assert_accessible(page)
        # Another group's report is a page that does not exist.
        response = page.goto(f"{live_server.url}/can-bo/to-dan-pho/phan-anh/{other.tracking_code}/")
        assert response is not None and response.status == 404
        expect(page.locator("body")).not_to_contain_text("Rác ở tổ ba")
    event = mine.events.get(action=Action.GROUND_CHECK)
    assert event.data["outcome"] == "present" and event.media.count() == 1


def test_ward_leader_edits_a_group_and_a_bad_boundary_is_refused(
    live_server, sample_groups, leader_a
):
    neighbour = AdministrativeUnit.objects.get(code="00070-TDP03").geometry
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "leader_a", "/can-bo/to-dan-pho/quan-ly/")
        page.get_by_role("heading", name="Tổ dân phố của phường").wait_for()
        expect(page.locator("#groups-00070")).to_contain_text("Tổ dân phố số 2")
        assert_accessible(page)
        page.get_by_role("link", name="00070-TDP02").click()
        page.get_by_label("Họ tên tổ trưởng").fill("Bà Lê Thị Mai")
        page.get_by_label("Điện thoại công việc của tổ trưởng").fill("0912 000 111")
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Đã lưu Tổ dân phố số 2.")
        expect(page.locator("#groups-00070")).to_contain_text("Bà Lê Thị Mai")
        page.get_by_role("link", name="00070-TDP02").click()
        expect(page.locator(".group-history")).to_contain_text("Sửa")
        # A boundary laid over the next group: refused, named, nothing changes.
        page.get_by_label(re.compile("^Ranh giới")).fill(neighbour)
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator("#group-error")).to_contain_text("chồng lên 00070-TDP03")
        expect(page.get_by_label("Họ tên tổ trưởng")).to_have_value("Bà Lê Thị Mai")
        page.screenshot(path=str(SCREENSHOTS / "group_admin_refused_vi.png"), full_page=True)
        assert_accessible(page)
    group = AdministrativeUnit.objects.get(code="00070-TDP02")
    assert group.leader_phone == "+84912000111"
    assert group.geometry != neighbour


def test_resident_chooses_the_group_from_the_wards_list(
    live_server, sample_groups, alice, media_root
):
    with open_page() as page:
        sign_in(page, live_server.url, "alice", "/gui-phan-anh/")
        page.locator("#submit-map.leaflet-container[data-wards=loaded]").wait_for()
        page.locator("#gallery").set_input_files([jpeg("a.jpg")])
        page.get_by_text("Không dùng được bản đồ").click()
        page.get_by_label("Phường hoặc xã").select_option(label="Phường Ba Đình")
        # The ward's groups arrive in the field's list.
        expect(page.locator("#group-options option")).to_have_count(4)
        page.get_by_label("Tổ dân phố, thôn (không bắt buộc)").fill("Tổ dân phố số 3")
        page.get_by_label("Mô tả vấn đề").fill("Rác thải bừa bãi trên vỉa hè")
        page.get_by_role("radio", name=re.compile("Rác thải, vệ sinh")).check()
        assert_accessible(page)
        page.get_by_role("button", name="Gửi phản ánh").click()
        page.get_by_role("link", name=SENT).wait_for()
    report = Report.objects.get()
    assert report.ward.code == "00004"
    assert report.residential_group.code == "00004-TDP03"


def test_the_map_pin_fills_in_the_group(live_server, sample_groups, alice, media_root):
    with open_page() as page:
        sign_in(page, live_server.url, "alice", "/gui-phan-anh/")
        page.locator("#submit-map.leaflet-container[data-wards=loaded]").wait_for()
        # The map opens on the lake, in 00070-TDP02: a tap at its centre lies in that group.
        the_map = page.locator("#submit-map")
        box = the_map.bounding_box()
        the_map.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        expect(page.locator("#location-status")).to_contain_text("Tổ dân phố: Tổ dân phố số")
        expect(page.get_by_label("Tổ dân phố, thôn (không bắt buộc)")).to_have_value(
            re.compile("^Tổ dân phố số \\d$")
        )


def test_city_leader_sees_reports_per_group(
    live_server, sample_groups, submit, city_leader, media_root
):
    submit()
    submit(lat=IN_TDP03[0], lon=IN_TDP03[1])
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "city_leader", "/bang-dieu-khien/to-dan-pho/")
        page.get_by_role("heading", name="Phản ánh theo tổ dân phố").wait_for()
        row = page.locator('tr[data-group="00070-TDP02"]')
        expect(row).to_contain_text("Tổ dân phố số 2")
        expect(row).to_contain_text("Hoàn Kiếm")
        expect(page.locator('tr[data-group="00070-TDP03"]')).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "dashboard_groups_vi.png"), full_page=True)
        assert_accessible(page)


def test_officer_sets_the_group_on_the_staff_report_page(
    live_server, sample_groups, submit, ward_b, media_root
):
    from accounts.models import Role
    from conftest import BA_DINH_SQUARE, make_user

    report = submit(lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])
    make_user("canbo_badinh", agency=ward_b, role=Role.OFFICER, full_name="Cán Bộ Ba Đình")
    with open_page(width=1280, height=900) as page:
        sign_in(page, live_server.url, "canbo_badinh", f"/can-bo/phan-anh/{report.tracking_code}/")
        expect(page.locator("#report-group")).to_contain_text("—")
        page.get_by_label("Tổ dân phố", exact=True).select_option(label="Tổ dân phố số 3")
        page.get_by_role("button", name="Lưu tổ dân phố").click()
        expect(page.locator("#report-group")).to_contain_text("Tổ dân phố số 3")
        expect(page.locator("#report-group")).to_contain_text("Tổ trưởng số 3 (mẫu)")
        assert_accessible(page)
    report.refresh_from_db()
    assert report.residential_group.code == "00004-TDP03"
