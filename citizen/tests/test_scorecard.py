"""The public scorecard against a hand-made set of reports whose numbers we know."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import BA_DINH_SQUARE, GOOD_ANSWER, photo_file
from reports.models import Report
from reports.services import (
    report_accept,
    report_merge,
    report_rate,
    report_reject,
    report_resolve,
)

URL = reverse("citizen:scorecard")


def resolve(report, officer):
    report_accept(actor=officer, report=report)
    report_resolve(actor=officer, report=report, answer=GOOD_ANSWER, files=[photo_file()])
    report.refresh_from_db()
    return report


def make_late(report):
    """The deadline passed an hour before it was resolved."""
    report.refresh_from_db()
    Report.objects.filter(pk=report.pk).update(
        resolve_due_at=report.resolved_at - timedelta(hours=1)
    )


@pytest.fixture
def hand_made(submit, alice, officer_a, officer_b, ward_a, ward_b):
    # Ward A: 5 received (the merged duplicate is not counted), 2 handled, 1 on time, 1 of 2
    # ratings satisfied.
    a1 = resolve(submit(title="A1"), officer_a)
    report_rate(actor=alice, report=a1, satisfied=True)  # closed, on time
    a2 = resolve(submit(title="A2"), officer_a)
    make_late(a2)
    report_rate(actor=alice, report=a2, satisfied=False, comment="Chưa xong")  # reopened
    a3 = resolve(submit(title="A3"), officer_a)
    make_late(a3)  # resolved, late
    report_reject(actor=officer_a, report=submit(title="A4"), reason="Không thuộc phạm vi")
    a5 = submit(title="A5")  # still routed
    report_merge(actor=officer_a, report=submit(title="A6"), into=a5)
    # Ward B: 3 received all-time, one of them 100 days ago; 2 handled on time; no ratings.
    at_b = {"lat": BA_DINH_SQUARE[0], "lon": BA_DINH_SQUARE[1]}
    resolve(submit(title="B1", **at_b), officer_b)
    submit(title="B2", **at_b)
    b3 = resolve(submit(title="B3", **at_b), officer_b)
    Report.objects.filter(pk=b3.pk).update(created_at=b3.created_at - timedelta(days=100))
    return ward_a, ward_b


def rows(client, **params) -> dict[str, list[str]]:
    body = client.get(URL, params).content.decode()
    found = {}
    for agency_id, cells in re.findall(r'<tr data-agency="(\d+)">(.*?)</tr>', body, re.S):
        found[int(agency_id)] = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", cells, re.S)
        ]
    return found


def test_numbers_match_the_hand_made_reports(client, hand_made):
    # Vietnamese number format: a decimal comma.
    ward_a, ward_b = hand_made
    table = rows(client)
    assert table[ward_a.pk] == ["UBND Phường Hoàn Kiếm", "5", "2", "1 (50,0%)", "50,0%"]
    assert table[ward_b.pk][1:] == ["3", "2", "2 (100,0%)", "–"]
    assert set(table) == {ward_a.pk, ward_b.pk}


def test_period_filter_leaves_out_older_reports(client, hand_made):
    ward_a, ward_b = hand_made
    table = rows(client, period="30")
    assert table[ward_b.pk][1:4] == ["2", "1", "1 (100,0%)"]
    assert table[ward_a.pk][1] == "5"


def test_sorting_by_column(client, hand_made):
    ward_a, ward_b = hand_made
    assert list(rows(client, sort="-received")) == [ward_a.pk, ward_b.pk]
    assert list(rows(client, sort="received")) == [ward_b.pk, ward_a.pk]
    assert list(rows(client, sort="-on_time")) == [ward_b.pk, ward_a.pk]
    # No ratings yet: last whichever way satisfaction is sorted.
    assert list(rows(client, sort="satisfied_pct")) == [ward_a.pk, ward_b.pk]
    assert list(rows(client, sort="-satisfied_pct")) == [ward_a.pk, ward_b.pk]
    body = client.get(URL, {"sort": "-handled"}).content.decode()
    assert 'aria-sort="descending"' in body


def test_unknown_sort_or_period_falls_back_quietly(client, hand_made):
    response = client.get(URL, {"sort": "drop table", "period": "abc"})
    assert response.status_code == 200


def test_page_shows_no_personal_data(client, hand_made, alice):
    body = client.get(URL).content.decode()
    assert "Alice" not in body and "Lê Văn An" not in body
