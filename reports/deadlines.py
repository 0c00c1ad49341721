"""Working-hours arithmetic for deadlines: 8:00–17:00 local time, Monday–Friday, without
Vietnam's public holidays (lunar Tết and Hùng Kings' day included, from `holidays`), with
the substituted working Saturdays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.Vietnam(years=year)


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    """Monday–Friday, minus public holidays, plus the Saturdays the government makes working
    days in exchange for a bridge day off (e.g. Saturday 22 Aug 2026 for Monday 31 Aug)."""
    return _calendar(day.year).is_working_day(day)


def _office_hours(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, time(settings.WORKDAY_START_HOUR), tz),
        datetime.combine(day, time(settings.WORKDAY_END_HOUR), tz),
    )


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment `hours` working hours after `start` (an aware datetime)."""
    if hours < 0:
        raise ValueError("hours must not be negative")
    tz = _tz()
    cursor = start.astimezone(tz)
    remaining = timedelta(hours=hours)
    day = cursor.date()
    # A year has ~250 working days; 3,000 days bounds any sane SLA and stops a bad one.
    for _ in range(3000):
        if is_working_day(day):
            opens, closes = _office_hours(day, tz)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
        cursor = datetime.combine(day, time(0), tz)
    raise ValueError("deadline more than 3,000 days away")


def working_hours_between(start: datetime, end: datetime) -> float:
    """Working hours elapsed from `start` to `end` (0 if end is before start)."""
    if end <= start:
        return 0.0
    tz = _tz()
    a, b = start.astimezone(tz), end.astimezone(tz)
    total = timedelta()
    day = a.date()
    while day <= b.date():
        if is_working_day(day):
            opens, closes = _office_hours(day, tz)
            lo, hi = max(a, opens), min(b, closes)
            if lo < hi:
                total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600
