"""The dashboard's heat map: how many reports fall in each H3 hexagon (resolution 8, cells of
about 0.7 km², a few streets), with each cell's boundary so the browser draws it as is."""

from __future__ import annotations

from collections import Counter

import h3
from django.db.models import QuerySet

from reports.models import Report

RESOLUTION = 8


def cell_counts(reports: QuerySet[Report], *, category: str = "") -> Counter[str]:
    """Reports per H3 cell; `category` (a category code) narrows them, empty = all."""
    if category:
        reports = reports.filter(category__code=category)
    # Only two floats a report leave the database; the scale issue replaces this with rollups.
    return Counter(
        h3.latlng_to_cell(lat, lon, RESOLUTION)
        # A report sent by Open311 with an address only has no point to place on the map.
        for lat, lon in reports.order_by()
        .filter(lat__isnull=False, lon__isnull=False)
        .values_list("lat", "lon")
        .iterator(chunk_size=5000)
    )


def heat_data(reports: QuerySet[Report], *, category: str = "") -> dict:
    """The JSON the map draws: cells (most reports first) with their boundary as
    [[lat, lon], ...] and their count, the largest count (for the legend) and the total."""
    counts = cell_counts(reports, category=category)
    cells = [
        {
            "cell": cell,
            "count": count,
            "boundary": [[round(lat, 6), round(lon, 6)] for lat, lon in h3.cell_to_boundary(cell)],
        }
        for cell, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return {
        "resolution": RESOLUTION,
        "total": sum(counts.values()),
        "max": max(counts.values(), default=0),
        "cells": cells,
    }
