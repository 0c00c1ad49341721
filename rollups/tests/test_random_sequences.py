"""Random sequences of real service calls: after each sequence the incrementally kept rollups
equal a rebuild from the reports, and the dashboard's figures equal the GROUP BY ones."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import GOOD_ANSWER, photo_file
from dashboard import stats
from reports import services
from reports.models import Report
from reports.workflow import TransitionNotAllowed
from sla.services import sla_sweep

from .test_rollups import ALL, HCM, MARCH, MONDAY_9AM, assert_incremental_equals_rebuilt
from .test_rollups import assert_rollups_equal_groupby as assert_equal_groupby

# Weighted so that sequences reach the later steps (resolve, rate, reopen) often: each name
# appears as many times as its weight.
ACTIONS = (
    *["submit"] * 2,
    *["accept"] * 3,
    "start",
    *["resolve"] * 3,
    *["rate_satisfied"] * 2,
    *["reopen"] * 2,
    "transfer",
    "reroute",
    "merge",
    "reject",
    "sweep",
    *["wait"] * 2,
)

steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.integers(0, 2), st.integers(1, 60)),
    min_size=3,
    max_size=18,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_random_service_sequences_keep_the_rollups_exact(
    steps, submit, alice, officer_a, officer_b, coordinator, ward_a, ward_b
):
    officers = {ward_a.pk: officer_a, ward_b.pk: officer_b}
    other = {ward_a.pk: ward_b, ward_b.pk: ward_a}
    with transaction.atomic(), time_machine.travel(MONDAY_9AM, tick=False) as clock:
        reports: list[Report] = [submit()]
        for action, pick, hours in steps:
            report = Report.objects.get(pk=reports[pick % len(reports)].pk)
            officer = officers.get(report.agency_id, officer_a)
            try:
                if action == "submit":
                    reports.append(submit())
                elif action == "accept":
                    services.report_accept(actor=officer, report=report)
                elif action == "start":
                    services.report_start(actor=officer, report=report)
                elif action == "resolve":
                    services.report_resolve(
                        actor=officer, report=report, answer=GOOD_ANSWER, files=[photo_file()]
                    )
                elif action == "rate_satisfied":
                    services.report_rate(actor=alice, report=report, satisfied=True)
                elif action == "reopen":
                    services.report_rate(
                        actor=alice, report=report, satisfied=False, comment="Vẫn chưa xong."
                    )
                elif action in ("transfer", "reroute") and report.agency_id in other:
                    target = other[report.agency_id]
                    if action == "transfer":
                        services.report_transfer(
                            actor=coordinator, report=report, agency=target, reason="Sai đơn vị."
                        )
                    else:
                        services.report_reroute(actor=coordinator, report=report, agency=target)
                elif action == "merge":
                    into = reports[(pick + 1) % len(reports)]
                    services.report_merge(actor=coordinator, report=report, into=into)
                elif action == "reject":
                    services.report_reject(actor=coordinator, report=report, reason="Không rõ.")
                elif action == "sweep":
                    sla_sweep()
                elif action == "wait":
                    clock.shift(timedelta(hours=hours * 3))
            except (TransitionNotAllowed, PermissionDenied, ValidationError):
                pass  # not allowed in the report's state: nothing changed
            clock.shift(timedelta(minutes=hours * 7))
        now = datetime.now(tz=HCM)
        assert_incremental_equals_rebuilt()
        for period in (ALL, MARCH):
            assert_equal_groupby(Report.objects.all(), period, now)
            assert_equal_groupby(Report.objects.filter(agency_id=ward_b.pk), period, now)
        assert stats.headline(Report.objects.all(), ALL, now=now).received == sum(
            1 for r in Report.objects.all() if r.status != "merged"
        )
        transaction.set_rollback(True)  # the next example starts from no reports
