"""Overdue shows at the deadline itself, not at the next event or the next SLA sweep.

A report submitted on Monday 1 March 2027 at 15:00 must be accepted by Tuesday 14:00. At
13:59:59 it is not overdue anywhere; at 14:00:00 it is overdue on the inbox page, in the
inbox API and in the leaders' dashboard figures, although nothing happened to the report and
the sweep has not run. Once the sweep has flagged it, it is still counted once."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from api.tests.helpers import token_client
from dashboard.stats import Period, headline, ranking, scope_for
from reports.models import Report
from sla.services import sla_sweep

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SUBMITTED = datetime(2027, 3, 1, 15, 0, tzinfo=HANOI)
DUE = datetime(2027, 3, 2, 14, 0, tzinfo=HANOI)
JUST_BEFORE = DUE - timedelta(seconds=1)
ALL = Period("all", None, None)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


@pytest.fixture
def due_at_two(submit):
    with time_machine.travel(SUBMITTED, tick=False):
        report = submit()
    assert report.due_at == DUE  # the accept deadline: 8 working hours later
    return report


def inbox_overdue(client: Client) -> tuple[int, str]:
    """(the Overdue tab's count, the Overdue tab's list) as the officer's page shows them."""
    body = client.get(reverse("workspace:inbox"), {"bucket": "overdue"}).content.decode()
    tab = re.search(r'class="tab tab-overdue".*?<span class="count">(\d+)</span>', body, re.S)
    assert tab is not None
    return int(tab.group(1)), body.split("<tbody>")[1].split("</tbody>")[0]


def dashboard_overdue(client: Client) -> int:
    body = client.get(reverse("dashboard:index"), {"period": "all"}).content.decode()
    figure = re.search(r'data-figure="overdue_now">.*?class="figure-value">\s*([\d.]+)', body, re.S)
    assert figure is not None
    return int(figure.group(1))


def test_not_overdue_one_second_before_the_deadline(client, due_at_two, officer_a, leader_a):
    with time_machine.travel(JUST_BEFORE, tick=False):
        client.force_login(officer_a)
        count, rows = inbox_overdue(client)
        assert count == 0 and due_at_two.tracking_code not in rows
        api = token_client(officer_a).get("/api/workspace/inbox", {"bucket": "open"}).json()
        assert api["counts"]["overdue"] == 0
        assert api["items"][0]["sla"] == "due_soon"
        client.force_login(leader_a)
        assert dashboard_overdue(client) == 0


def test_overdue_at_the_deadline_without_any_event_or_sweep(
    client, due_at_two, officer_a, leader_a
):
    events_before = due_at_two.events.count()
    with time_machine.travel(DUE, tick=False):
        client.force_login(officer_a)
        count, rows = inbox_overdue(client)
        assert count == 1
        assert due_at_two.tracking_code in rows and "row-overdue" in rows
        api = token_client(officer_a).get("/api/workspace/inbox", {"bucket": "overdue"}).json()
        assert api["counts"]["overdue"] == 1
        assert [r["sla"] for r in api["items"]] == ["overdue"]
        client.force_login(leader_a)
        assert dashboard_overdue(client) == 1
    due_at_two.refresh_from_db()
    assert due_at_two.overdue_since is None  # nobody flagged it: the reads saw the clock
    assert due_at_two.events.count() == events_before


def test_counted_once_after_the_sweep_flags_it(due_at_two, leader_a, run_on_commit):
    reports, _units = scope_for(leader_a)
    with time_machine.travel(DUE + timedelta(seconds=30), tick=False):
        assert headline(reports, ALL, now=DUE).overdue_now == 1
        assert run_on_commit(sla_sweep).flagged == 1
        assert Report.objects.get(pk=due_at_two.pk).overdue_since == DUE
        now = DUE + timedelta(seconds=30)
        assert headline(reports, ALL, now=now).overdue_now == 1
        [row] = ranking(reports, ALL, now=now)
        assert row.figures.overdue_now == 1


def test_the_ranking_counts_the_gap_per_unit(due_at_two, leader_a):
    reports, _units = scope_for(leader_a)
    [before] = ranking(reports, ALL, now=JUST_BEFORE)
    [at_deadline] = ranking(reports, ALL, now=DUE)
    assert (before.figures.overdue_now, at_deadline.figures.overdue_now) == (0, 1)


def test_dashboard_live_poll_refreshes_at_the_deadline(client, due_at_two, leader_a):
    live = reverse("dashboard:live")
    with time_machine.travel(JUST_BEFORE, tick=False):
        client.force_login(leader_a)
        page = client.get(reverse("dashboard:index"), {"period": "all"}).content.decode()
        query = re.search(r'hx-get="[^"?]+\?([^"]*after=\d+&amp;gap=\d+)"', page)
        assert query is not None
        params = dict(p.split("=") for p in query.group(1).replace("&amp;", "&").split("&"))
        assert client.get(live, params).status_code == 204  # nothing changed yet
    with time_machine.travel(DUE, tick=False):
        response = client.get(live, params)  # no event on the report: the deadline alone
        assert response.status_code == 200
        assert re.search(
            r'data-figure="overdue_now">.*?class="figure-value">\s*1\b',
            response.content.decode(),
            re.S,
        )


def test_the_sweep_flags_at_the_deadline_itself(due_at_two, run_on_commit):
    with time_machine.travel(JUST_BEFORE, tick=False):
        assert run_on_commit(sla_sweep).flagged == 0
    with time_machine.travel(DUE, tick=False):
        assert run_on_commit(sla_sweep).flagged == 1
