from __future__ import annotations

from datetime import timedelta

import pytest

from alerts.services import alert_publish
from reports import clock
from units.models import AdministrativeUnit


@pytest.fixture
def unit_a(ward_a) -> AdministrativeUnit:
    """Phường Hoàn Kiếm, the ward governed by ward A's committee."""
    return ward_a.unit


@pytest.fixture
def unit_b(ward_b) -> AdministrativeUnit:
    """Phường Ba Đình, ward B's."""
    return ward_b.unit


@pytest.fixture
def publish(coordinator):
    """Publish an alert (as the coordinator unless told otherwise), valid now for 6 hours."""

    def _publish(**overrides):
        now = clock.now()
        values = {
            "actor": coordinator,
            "kind": "flood",
            "title": "Ngập sâu phố Hàng Bài",
            "body": "Nước ngập 40 cm, tránh đi qua từ 17 giờ đến 20 giờ.",
            "valid_from": now,
            "valid_until": now + timedelta(hours=6),
        }
        values.update(overrides)
        return alert_publish(**values)

    return _publish
