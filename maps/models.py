"""Counts of the public map's reports per H3 cell, so city zoom never reads the reports."""

from __future__ import annotations

from django.db import models


class Level(models.IntegerChoices):
    """Which filters a row answers. Rows that pre-sum the common filters keep the city view to
    one row per cell instead of one per cell × category × status × ward."""

    ALL = 0, "all"  # no filter: category 0, status "", ward 0
    CATEGORY = 1, "category"  # per category: status "", ward 0
    STATUS = 2, "status"  # per status: category 0, ward 0
    FULL = 3, "category × status × ward"  # everything else is summed from these


class MapCell(models.Model):
    """How many reports on the public map lie in one H3 cell, for one filter combination."""

    # The H3 index as a 64-bit integer (h3.str_to_int); it also encodes the resolution.
    cell = models.BigIntegerField()
    resolution = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    # Plain ids, not foreign keys: 0 means "any" (a pre-summed row), and a count row must never
    # block deleting a category or be deleted with one.
    category = models.IntegerField(default=0)
    status = models.CharField(max_length=20, blank=True, default="")
    ward = models.IntegerField(default=0)
    # The cell's centre: where the cluster is drawn, and what the viewport (bbox) filters on.
    lat = models.FloatField()
    lon = models.FloatField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # The upsert's conflict target (maps.services): one row per cell and filter key.
            models.UniqueConstraint(
                fields=["cell", "level", "category", "status", "ward"], name="mapcell_key_uniq"
            )
        ]
        indexes = [
            # The viewport query without a ward filter (maps.selectors.cell_counts): equality
            # on the first four columns, a range on lat, lon checked in the index.
            models.Index(
                fields=["resolution", "level", "category", "status", "lat", "lon"],
                name="mapcell_viewport_idx",
            ),
            # With a ward filter: that ward's FULL rows only.
            models.Index(fields=["ward", "resolution", "level"], name="mapcell_ward_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cell:x} L{self.level} {self.category}/{self.status}/{self.ward}: {self.n}"
