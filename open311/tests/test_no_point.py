"""A report sent with an address and no point (Open311 allows it): stored, sent to the
coordination office, and every page or figure that draws points simply leaves it out."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from conftest import HOAN_KIEM_LAKE
from dashboard.heat import cell_counts
from reports.models import Report
from routing.models import Category

ADDRESS = "Số 5 phố Hàng Bạc, Hoàn Kiếm"


@pytest.fixture
def no_point(submit):
    return submit(lat=None, lon=None, address=ADDRESS, category=Category.objects.get(code="khac"))


@pytest.mark.django_db
def test_address_only_report_goes_to_the_coordination_office(no_point, office):
    assert (no_point.lat, no_point.lon, no_point.ward_id) == (None, None, None)
    assert no_point.agency == office
    assert no_point.due_at is not None


@pytest.mark.django_db
def test_no_point_and_no_address_is_refused(submit):
    with pytest.raises(ValidationError) as exc:
        submit(lat=None, lon=None, address="  ")
    assert exc.value.code == "no_location"
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_public_page_of_a_report_without_a_point_opens(client, no_point):
    response = client.get(f"/phan-anh/{no_point.tracking_code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert ADDRESS in response.content.decode()


@pytest.mark.django_db
def test_map_and_heat_leave_out_a_report_without_a_point(client, no_point, submit):
    with_point = submit(lat=HOAN_KIEM_LAKE[0], lon=HOAN_KIEM_LAKE[1])
    assert sum(cell_counts(Report.objects.all()).values()) == 1
    data = client.get("/api/reports/map", {"bbox": "105.28,20.56,106.02,21.39", "zoom": 17}).json()
    assert [p["code"] for p in data["points"]] == [with_point.tracking_code]


@pytest.mark.django_db
def test_workspace_page_of_a_report_without_a_point_opens(client, no_point, coordinator):
    client.force_login(coordinator)
    response = client.get(f"/can-bo/phan-anh/{no_point.tracking_code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "None: an address only" in body
    assert "Show on the public map" not in body  # no link to a point that does not exist
