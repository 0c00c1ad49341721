"""Dashboard rollups: counters of the CURRENT state of the reports received on one local day,
per unit × category (UnitCategoryDay) and per unit (UnitDay, the same sums without the
category, which the ranking reads: ~100× fewer rows). Kept exact by rollups.services, rebuilt
by `manage.py rebuild_rollups`.

`agency_id` / `category_id` are plain integers, 0 meaning "none yet" (an unroutable report):
a NULL in a unique key would let two transactions create the same row twice.
"""

from __future__ import annotations

from django.db import models

from .histogram import ACCEPT_FIELDS, RESOLVE_FIELDS

COUNTER_FIELDS = (
    "received",
    "handled",
    "on_time",
    "unresolved",
    "overdue",
    "reopened",
    "ratings",
    "satisfied",
)
SUM_FIELDS = COUNTER_FIELDS + ACCEPT_FIELDS + RESOLVE_FIELDS


class Counts(models.Model):
    """The summable counters shared by every rollup table."""

    received = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    unresolved = models.IntegerField(default=0)
    # Open and flagged overdue by the SLA sweep (overdue_since set): lags `due_at < now` by at
    # most the sweep's interval (a minute), and needs no query on reports to count.
    overdue = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    ratings = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    for _name in ACCEPT_FIELDS + RESOLVE_FIELDS:
        locals()[_name] = models.IntegerField(default=0)
    del _name

    class Meta:
        abstract = True


class UnitCategoryDay(Counts):
    """The reports received on `day` (local) by one unit in one category, as they are now."""

    agency_id = models.IntegerField()
    category_id = models.IntegerField()
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency_id", "category_id", "day"], name="rollup_unit_category_day"
            )
        ]

    def __str__(self) -> str:
        return f"unit {self.agency_id} category {self.category_id} {self.day}"


class UnitDay(Counts):
    """The reports received on `day` (local) by one unit, all categories, as they are now."""

    agency_id = models.IntegerField()
    day = models.DateField()

    class Meta:
        constraints = [
            # Also the index of the dashboard's reads: (agency_id, day) ranges.
            models.UniqueConstraint(fields=["agency_id", "day"], name="rollup_unit_day")
        ]
        # The city-wide period reads scan by day across all units.
        indexes = [models.Index(fields=["day"], name="rollup_unit_day_day_idx")]

    def __str__(self) -> str:
        return f"unit {self.agency_id} {self.day}"


class UnitMonth(Counts):
    """The reports received in a local calendar month (`month`: its first day) by one unit:
    the UnitDay rows of the month summed, so long periods read ~30× fewer rows."""

    agency_id = models.IntegerField()
    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency_id", "month"], name="rollup_unit_month")
        ]

    def __str__(self) -> str:
        return f"unit {self.agency_id} {self.month:%Y-%m}"
