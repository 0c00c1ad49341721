"""Reads of the public map's counts per H3 cell (maps.models.MapCell)."""

from __future__ import annotations

from typing import Any

import h3
from django.db.models import Subquery, Sum

from routing.models import Category
from units.models import AdministrativeUnit

from .models import Level, MapCell


def cell_counts(
    *,
    bbox: tuple[float, float, float, float],
    resolution: int,
    category: str = "",
    status: str = "",
    ward: str = "",
) -> list[dict[str, Any]]:
    """Clusters for the viewport: reports per cell at `resolution`, most first, in one query.

    A cell is in the viewport when its centre is (the reports in it may lie up to a cell's
    radius outside; at the zooms that show clusters that is a few pixels). The caller validated
    `status`; an unknown category or ward code matches nothing, as in the report list."""
    west, south, east, north = bbox
    rows = MapCell.objects.filter(
        resolution=resolution, lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east
    )
    category_id = Subquery(Category.objects.filter(code=category).values("id")[:1])
    if ward:
        # mapcell_ward_idx: one ward's FULL rows are a few hundred at most.
        rows = rows.filter(
            level=Level.FULL,
            ward__in=Subquery(AdministrativeUnit.objects.filter(code=ward).values("id")),
        )
        if category:
            rows = rows.filter(category=category_id)
        if status:
            rows = rows.filter(status=status)
    # The other branches use mapcell_viewport_idx: equality on (resolution, level, category,
    # status), then the lat range; pre-summed rows keep it to one row per cell.
    elif category and status:
        rows = rows.filter(level=Level.FULL, category=category_id, status=status)
    elif category:
        rows = rows.filter(level=Level.CATEGORY, category=category_id, status="")
    elif status:
        rows = rows.filter(level=Level.STATUS, category=0, status=status)
    else:
        rows = rows.filter(level=Level.ALL, category=0, status="")
    counted = (
        rows.values("cell", "lat", "lon")
        .annotate(count=Sum("n"))
        .filter(count__gt=0)
        .order_by("-count", "cell")
        .values_list("cell", "lat", "lon", "count")
    )
    # Tuples, and centres stored already rounded (maps.services._row): ~4,000 clusters for
    # the whole city at zoom 11, so per-row work shows in the response time.
    int_to_str = h3.int_to_str
    return [
        {"cell": int_to_str(cell), "lat": lat, "lon": lon, "count": count}
        for cell, lat, lon, count in counted
    ]
