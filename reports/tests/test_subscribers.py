"""The lifecycle and what follows from it (reports/derived.py): the apps built on reports
subscribe to its steps; reports imports none of them, and a subscriber's failure rolls the
step back rather than leaving a counter or a notice out of step with the report."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

from conftest import photo_file
from notify.models import Notification
from reports import derived, services
from reports.models import Report
from rollups.models import UnitDay

ROOT = Path(settings.BASE_DIR)
# The core: units, routing and reports. None of it may import an app that is built on it.
CORE = ("units", "routing", "reports")
BUILT_ON_THE_CORE = {
    "rollups",
    "maps",
    "notify",
    "sla",
    "dashboard",
    "workspace",
    "citizen",
    "api",
    "open311",
    "alerts",
    "demo",
}


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_core_imports_none_of_the_apps_built_on_it():
    offenders = []
    for app in CORE:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for name in sorted(_imported_apps(path) & BUILT_ON_THE_CORE):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_every_app_that_follows_the_lifecycle_is_subscribed():
    assert {s.name for s in derived.subscribers()} == {
        "rollups",
        "maps",
        "notify",
        "sla",
        "classify",
    }


@pytest.fixture
def failing_subscriber():
    class Refused(Exception):
        pass

    def fail(event):
        if event.action == "resolve":
            raise Refused(event.action)

    derived.subscribe(derived.Subscriber(name="test-failing", event_recorded=fail))
    try:
        yield Refused
    finally:
        derived._subscribers.pop("test-failing", None)


def test_a_failing_subscriber_rolls_the_step_back(
    submit, officer_a, failing_subscriber, run_on_commit
):
    report = run_on_commit(submit)
    run_on_commit(services.report_accept, actor=officer_a, report=report)
    counts = list(UnitDay.objects.order_by("pk").values())
    notices = Notification.objects.count()
    with pytest.raises(failing_subscriber):
        run_on_commit(
            services.report_resolve,
            actor=officer_a,
            report=Report.objects.get(pk=report.pk),
            answer="Đội vệ sinh đã thu gom toàn bộ rác ở đầu ngõ, vỉa hè đã sạch.",
            files=[photo_file()],
        )
    report.refresh_from_db()
    assert report.status == "accepted"
    assert not report.events.filter(action="resolve").exists()
    assert list(UnitDay.objects.order_by("pk").values()) == counts
    assert Notification.objects.count() == notices
