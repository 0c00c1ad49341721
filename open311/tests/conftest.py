from __future__ import annotations

import pytest

from conftest import make_user
from open311.services import api_client_issue


@pytest.fixture
def admin_user(db):
    return make_user("admin", is_superuser=True, is_staff=True)


@pytest.fixture
def newspaper(admin_user):
    """A newspaper's app: may send reports, speaks for no agency."""
    return api_client_issue(actor=admin_user, name="Báo Hà Nội Mới", agency=None)


@pytest.fixture
def ward_a_system(admin_user, ward_a):
    """Ward A's own case-management system: may report progress on ward A's reports."""
    return api_client_issue(actor=admin_user, name="Hệ thống một cửa Hoàn Kiếm", agency=ward_a)


@pytest.fixture
def process_photos(run_worker):
    """Make the public copies of every photo stored so far, as the worker does after commit
    (inside a test's transaction nothing commits, so nothing was enqueued)."""
    from reports import tasks
    from reports.models import Media

    def _process() -> None:
        for pk in Media.objects.filter(processed_at=None).values_list("pk", flat=True):
            tasks.process_media.enqueue(pk)
        run_worker()

    return _process
