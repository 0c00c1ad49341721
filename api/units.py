"""Ward boundaries for maps: simplified once per process, served as GeoJSON."""

from __future__ import annotations

import json
from functools import lru_cache

import shapely
from django.http import HttpResponse
from ninja import Router
from shapely.geometry import mapping, shape

from units.lookup import current_era
from units.models import WARD_LEVEL_TYPES, AdministrativeUnit

router = Router(tags=["units"])

# ~10 m: invisible at street zoom, and the city's 126 wards weigh ~250 KB instead of 3 MB.
SIMPLIFY_DEGREES = 0.0001


@lru_cache(maxsize=2)
def wards_geojson(era: str) -> bytes:
    rows = AdministrativeUnit.objects.filter(era=era, type__in=WARD_LEVEL_TYPES).exclude(
        geometry=""
    )
    geoms = [shape(json.loads(u.geometry)) for u in rows]
    # coverage_simplify keeps shared edges shared, so neighbouring wards still meet.
    simplified = shapely.coverage_simplify(geoms, SIMPLIFY_DEGREES) if geoms else []
    features = [
        {
            "type": "Feature",
            "id": unit.code,
            "properties": {"code": unit.code, "name": unit.full_name, "name_en": unit.name_en},
            "geometry": mapping(shapely.set_precision(geom, 1e-5)),
        }
        for unit, geom in zip(rows, simplified, strict=True)
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, separators=(",", ":")
    ).encode()


@router.get("/wards.geojson", summary="Boundaries of the wards and communes in force (GeoJSON)")
def wards(request):
    response = HttpResponse(wards_geojson(current_era()), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response
