"""The public map's data: H3 clusters at city zoom, individual reports at street zoom.

Only public reports (reports_visible_to(None)) and only public fields: never the reporter.
Clusters come from the counts maintained per cell (maps.selectors.cell_counts), except with a
`since` filter: the counts have no time axis, so that view counts the matching reports' points
(`clusters`, one query, slower on a large city).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import h3
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router

from maps.selectors import cell_counts
from reports.models import Report
from reports.selectors import filter_reports, reports_visible_to
from reports.workflow import Status

from .schemas import errors

router = Router(tags=["map"])

# Below this zoom the map shows counts per H3 cell; from it on, individual reports.
STREET_ZOOM = 14
MAX_POINTS = 500


def h3_resolution(zoom: int) -> int:
    """Cells about the size of a marker: ~5 km (res 7) at zoom ≤ 10, ~1.8 km, then ~650 m."""
    if zoom <= 10:
        return 7
    if zoom <= 12:
        return 8
    return 9


def parse_bbox(bbox: str) -> tuple[float, float, float, float]:
    """ "west,south,east,north" in degrees (Leaflet's toBBoxString)."""
    try:
        west, south, east, north = (float(part) for part in bbox.split(","))
    except ValueError:
        raise ValidationError(
            _("The map area (bbox) must be west,south,east,north."), code="invalid_bbox"
        ) from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise ValidationError(
            _("The map area (bbox) must be west,south,east,north."), code="invalid_bbox"
        )
    return west, south, east, north


def check_status(status: str) -> None:
    if status and status not in Status.values:
        raise ValidationError(_("Unknown status."), code="invalid_status")


def public_map_reports(
    *,
    bbox: tuple[float, float, float, float] | None = None,
    category: str = "",
    status: str = "",
    ward: str = "",
    since: date | None = None,
) -> QuerySet[Report]:
    """Public reports matching the map's filters. Duplicates (merged) are left out: the
    original is on the map already."""
    check_status(status)
    # A report sent by Open311 with an address only has no point: nothing to draw.
    reports = reports_visible_to(None).exclude(status=Status.MERGED).filter(lat__isnull=False)
    if bbox is not None:
        west, south, east, north = bbox
        reports = reports.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    reports = filter_reports(reports, category=category, status=status, ward=ward, since=since)
    return reports


def clusters(reports: QuerySet[Report], zoom: int) -> list[dict]:
    """Counts per cell from the reports themselves: the `since` view, and the reference the
    maintained counts are tested against."""
    resolution = h3_resolution(zoom)
    # Only two floats a report leave the database.
    counts = Counter(
        h3.latlng_to_cell(lat, lon, resolution) for lat, lon in reports.values_list("lat", "lon")
    )
    result = []
    for cell, count in counts.most_common():
        lat, lon = h3.cell_to_latlng(cell)
        result.append({"cell": cell, "lat": round(lat, 6), "lon": round(lon, 6), "count": count})
    return result


def points(reports: QuerySet[Report]) -> tuple[list[dict], bool]:
    # Two plans, PostgreSQL picks by its statistics (bench/map.py prints both): where the
    # viewport holds many reports, walk report_created_idx newest first and stop at
    # MAX_POINTS + 1 matches; where it holds few (the outskirts), report_map_point_idx
    # (reports/models.py) finds the box's public reports, then they are sorted.
    rows = list(
        reports.order_by("-created_at", "-id").values(
            "tracking_code", "title", "lat", "lon", "status", "category__name", "created_at"
        )[: MAX_POINTS + 1]
    )
    truncated = len(rows) > MAX_POINTS
    # Once per response, not per point (500 reverse() and gettext calls show in the timing).
    url = reverse("citizen:report_detail", args=["CODE"]).replace("CODE", "{}")
    labels = {status.value: str(status.label) for status in Status}
    return [
        {
            "code": r["tracking_code"],
            "title": r["title"],
            "lat": r["lat"],
            "lon": r["lon"],
            "status": r["status"],
            "status_label": labels[r["status"]],
            "category": r["category__name"],
            "created_at": r["created_at"].isoformat(),
            "url": url.format(r["tracking_code"]),
        }
        for r in rows[:MAX_POINTS]
    ], truncated


@router.get(
    "/map",
    response={200: dict, **errors(400)},
    summary="Public reports for the map: H3 clusters below zoom 14, else points",
)
def report_map(
    request,
    bbox: str,
    zoom: int,
    category: str = "",
    status: str = "",
    ward: str = "",
    since: date | None = None,
):
    if not 0 <= zoom <= 22:
        raise ValidationError(_("The zoom must be between 0 and 22."), code="invalid_zoom")
    area = parse_bbox(bbox)
    if zoom < STREET_ZOOM and since is None:
        check_status(status)
        cells = cell_counts(
            bbox=area, resolution=h3_resolution(zoom), category=category, status=status, ward=ward
        )
    else:
        reports = public_map_reports(
            bbox=area, category=category, status=status, ward=ward, since=since
        )
        if zoom >= STREET_ZOOM:
            items, truncated = points(reports)
            return {"mode": "points", "points": items, "truncated": truncated}
        cells = clusters(reports, zoom)
    return {
        "mode": "clusters",
        "resolution": h3_resolution(zoom),
        "total": sum(c["count"] for c in cells),
        "clusters": cells,
    }
