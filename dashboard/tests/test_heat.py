"""The heat map's JSON: reports per H3 cell (resolution 8) in the leader's scope and period."""

from __future__ import annotations

import h3
import pytest
from django.urls import reverse

from conftest import BA_DINH_SQUARE, HOAN_KIEM_LAKE
from routing.models import Category

pytestmark = pytest.mark.django_db

HEAT = reverse("dashboard:heat")
LAKE_CELL = h3.latlng_to_cell(*HOAN_KIEM_LAKE, 8)
SQUARE_CELL = h3.latlng_to_cell(*BA_DINH_SQUARE, 8)


@pytest.fixture
def three_reports(submit):
    procedures = Category.objects.get(code="dich-vu-cong-thu-tuc")
    submit(title="Rác bên hồ")
    submit(title="Thủ tục chậm", category=procedures)
    submit(title="Rác ở quảng trường", lat=BA_DINH_SQUARE[0], lon=BA_DINH_SQUARE[1])


def test_city_leader_gets_exact_counts_per_cell_with_boundaries(client, city_leader, three_reports):
    client.force_login(city_leader)
    data = client.get(HEAT).json()
    assert data["resolution"] == 8
    assert data["total"] == 3
    assert data["max"] == 2
    assert [(c["cell"], c["count"]) for c in data["cells"]] == [(LAKE_CELL, 2), (SQUARE_CELL, 1)]
    boundary = data["cells"][0]["boundary"]
    assert len(boundary) == 6
    assert boundary[0] == [round(x, 6) for x in h3.cell_to_boundary(LAKE_CELL)[0]]


def test_category_filter_keeps_only_that_category(client, city_leader, three_reports):
    client.force_login(city_leader)
    data = client.get(HEAT, {"category": "dich-vu-cong-thu-tuc"}).json()
    assert [(c["cell"], c["count"]) for c in data["cells"]] == [(LAKE_CELL, 1)]


def test_unit_leader_sees_only_his_units_cells(client, leader_a, three_reports):
    client.force_login(leader_a)
    data = client.get(HEAT).json()
    assert [(c["cell"], c["count"]) for c in data["cells"]] == [(LAKE_CELL, 2)]


def test_reports_before_the_period_are_left_out(client, city_leader, three_reports):
    client.force_login(city_leader)
    data = client.get(HEAT, {"period": "custom", "from": "2020-01-01", "to": "2020-12-31"}).json()
    assert data == {"resolution": 8, "total": 0, "max": 0, "cells": []}
