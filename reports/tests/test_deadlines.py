"""Deadlines in working hours: 8:00–17:00 Hanoi time, Monday–Friday, public holidays off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from reports.deadlines import add_working_hours, is_working_day, working_hours_between

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def hanoi(*args) -> datetime:
    return datetime(*args, tzinfo=HANOI)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (hanoi(2026, 3, 10, 9, 0), 2, hanoi(2026, 3, 10, 11, 0)),  # same day
        (hanoi(2026, 3, 10, 16, 0), 2, hanoi(2026, 3, 11, 9, 0)),  # overnight
        (hanoi(2026, 3, 6, 16, 0), 2, hanoi(2026, 3, 9, 9, 0)),  # Friday → Monday
        (hanoi(2026, 3, 6, 20, 0), 1, hanoi(2026, 3, 9, 9, 0)),  # Friday evening
        (hanoi(2026, 3, 7, 10, 0), 8, hanoi(2026, 3, 9, 16, 0)),  # Saturday: the clock waits
        (hanoi(2026, 3, 10, 6, 30), 1, hanoi(2026, 3, 10, 9, 0)),  # before opening
        (hanoi(2026, 3, 10, 8, 0), 9, hanoi(2026, 3, 10, 17, 0)),  # a full working day
        (hanoi(2026, 3, 10, 9, 0), 45, hanoi(2026, 3, 17, 9, 0)),  # five days = one week
        (hanoi(2026, 3, 10, 9, 0), 0.5, hanoi(2026, 3, 10, 9, 30)),
    ],
    ids=[
        "same-day",
        "overnight",
        "friday-to-monday",
        "friday-evening",
        "saturday",
        "early-morning",
        "full-day",
        "one-week",
        "half-hour",
    ],
)
def test_add_working_hours(start, hours, expected):
    assert add_working_hours(start, hours) == expected
    assert working_hours_between(start, expected) == pytest.approx(hours)


def test_tet_2026_holidays_are_skipped():
    # Tết Bính Ngọ: Monday 16 to Friday 20 February 2026 are public holidays.
    assert [is_working_day(date(2026, 2, d)) for d in range(13, 24)] == [
        True,
        False,
        False,  # Fri 13, weekend
        False,
        False,
        False,
        False,
        False,  # Mon 16 – Fri 20: Tết
        False,
        False,  # weekend
        True,  # Mon 23
    ]
    # One hour on Friday afternoon, then nothing until Monday 23 February.
    assert add_working_hours(hanoi(2026, 2, 13, 16, 0), 8) == hanoi(2026, 2, 23, 15, 0)
    assert working_hours_between(hanoi(2026, 2, 13, 8, 0), hanoi(2026, 2, 23, 17, 0)) == 18


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # 2025: Hùng Kings' day is Monday 7 April.
        (hanoi(2025, 4, 4, 16, 0), hanoi(2025, 4, 8, 9, 0)),
        # 2026: it falls on Sunday 26 April and is observed on Monday 27 April.
        (hanoi(2026, 4, 24, 16, 0), hanoi(2026, 4, 28, 9, 0)),
    ],
    ids=["2025", "2026-observed"],
)
def test_hung_kings_day_is_skipped(start, expected):
    assert add_working_hours(start, 2) == expected


def test_substituted_saturday_is_a_working_day_and_its_bridge_monday_is_not():
    # 2026: Monday 31 Aug is a day off bridging to National Day; Saturday 22 Aug is worked instead.
    assert is_working_day(date(2026, 8, 22))
    assert not is_working_day(date(2026, 8, 31))
    assert add_working_hours(hanoi(2026, 8, 21, 16, 0), 2) == hanoi(2026, 8, 22, 9, 0)
    # Friday 28 Aug 16:00 + 2 h: Monday 31 Aug and 1–2 Sep are off → Thursday 3 Sep.
    assert add_working_hours(hanoi(2026, 8, 28, 16, 0), 2) == hanoi(2026, 9, 3, 9, 0)


def test_reunification_and_labour_day_are_skipped():
    # Wednesday 29 April 2026 16:00; 30 April and 1 May are holidays, then the weekend.
    assert add_working_hours(hanoi(2026, 4, 29, 16, 0), 2) == hanoi(2026, 5, 4, 9, 0)


def test_times_are_read_in_hanoi_time_whatever_zone_they_come_in():
    # Sunday 23:30 UTC is already Monday 6:30 in Hanoi: the office opens at 8:00 local.
    sunday_night_utc = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    result = add_working_hours(sunday_night_utc, 1)
    assert result == hanoi(2026, 3, 9, 9, 0)
    assert result == datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
    assert result.utcoffset() == timedelta(hours=7)
    # Friday 10:00 UTC is 17:00 in Hanoi: the day is over.
    assert add_working_hours(datetime(2026, 3, 6, 10, 0, tzinfo=UTC), 1) == hanoi(2026, 3, 9, 9, 0)


def test_negative_hours_are_refused():
    with pytest.raises(ValueError):
        add_working_hours(hanoi(2026, 3, 10, 9, 0), -1)


def test_no_working_time_between_an_end_before_its_start():
    assert working_hours_between(hanoi(2026, 3, 10, 12, 0), hanoi(2026, 3, 10, 9, 0)) == 0.0
    assert (
        working_hours_between(hanoi(2026, 3, 7, 9, 0), hanoi(2026, 3, 8, 17, 0)) == 0.0
    )  # a weekend


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_password_hasher")
def test_report_sent_on_saturday_must_be_accepted_on_monday(submit, waste):
    assert waste.accept_hours == 8
    with time_machine.travel(hanoi(2026, 3, 7, 10, 0), tick=False):
        report = submit()
    accept_by = report.accept_due_at.astimezone(HANOI)
    assert accept_by == hanoi(2026, 3, 9, 16, 0)
    assert accept_by.weekday() == 0
    assert report.due_at == report.accept_due_at


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_password_hasher")
def test_report_sent_before_tet_is_due_after_tet(submit):
    with time_machine.travel(hanoi(2026, 2, 13, 16, 0), tick=False):
        report = submit()
    assert report.accept_due_at == hanoi(2026, 2, 23, 15, 0)


# --- properties -----------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 11, 30), timezones=st.just(HANOI)
)
# Whole minutes up to about six working weeks: SLAs are set in hours.
durations = st.integers(min_value=1, max_value=60 * 9 * 30).map(lambda minutes: minutes / 60)


@hypothesis_settings(max_examples=300, deadline=None)
@given(start=moments, hours=durations)
def test_deadline_always_falls_inside_working_hours_of_a_working_day(start, hours):
    due = add_working_hours(start, hours).astimezone(HANOI)
    assert is_working_day(due.date())
    assert time(8, 0) < due.time() <= time(17, 0)
    assert due > start


@hypothesis_settings(max_examples=300, deadline=None)
@given(start=moments, hours=durations)
def test_working_hours_between_undoes_add_working_hours(start, hours):
    due = add_working_hours(start, hours)
    assert working_hours_between(start, due) == pytest.approx(hours, abs=1e-6)


@hypothesis_settings(max_examples=200, deadline=None)
@given(start=moments, a=durations, b=durations)
def test_adding_hours_in_two_steps_lands_on_the_same_deadline(start, a, b):
    two_steps = add_working_hours(add_working_hours(start, a), b)
    assert abs(two_steps - add_working_hours(start, a + b)) < timedelta(milliseconds=1)
