"""Residential groups (tổ dân phố, thôn, cụm dân cư): units below a ward or commune.

A group is an AdministrativeUnit whose parent is a ward-level unit, so reports, alerts and
follows name it the way they name a ward. Its boundary is optional; where it has one, a
report's point places the report in it. Every rule about a group (the ward it belongs to, a
boundary inside that ward, no two groups of a ward overlapping, the leader's contact) is here,
shared by `manage.py load_residential_groups` and the ward staff's page.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import phonenumbers
import shapely
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import shape

from congdanso.records import csv_rows, update_changed

from .lookup import _project, current_era
from .models import GROUP_TYPES, WARD_LEVEL_TYPES, AdministrativeUnit, UnitType

if TYPE_CHECKING:
    from accounts.models import User

CSV_COLUMNS = (
    "ward_code",
    "code",
    "name",
    "kind",
    "streets",
    "leader_name",
    "leader_phone",
    "boundary",
)
REQUIRED_COLUMNS = ("ward_code", "code", "name", "kind")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
# A boundary drawn on a map with rounded coordinates strays a little past the ward's edge or
# into a neighbour: this much is a drawing error, not a claim on another unit's ground.
EDGE_TOLERANCE_M = 5.0
OVERLAP_TOLERANCE_M2 = 20.0
NAME_MAX = 100
STREETS_MAX = 4000
BOUNDARY_MAX_CHARS = 500_000

# Kind as written in a file: our codes, or the Vietnamese words a ward would type.
_KIND_WORDS = {
    "to_dan_pho": UnitType.RESIDENTIAL_GROUP,
    "tổ dân phố": UnitType.RESIDENTIAL_GROUP,
    "to dan pho": UnitType.RESIDENTIAL_GROUP,
    "thon": UnitType.VILLAGE,
    "thôn": UnitType.VILLAGE,
    "xóm": UnitType.VILLAGE,
    "cum_dan_cu": UnitType.RESIDENTIAL_CLUSTER,
    "cụm dân cư": UnitType.RESIDENTIAL_CLUSTER,
    "cum dan cu": UnitType.RESIDENTIAL_CLUSTER,
}


class GroupFileError(Exception):
    """A file that cannot be loaded: every problem, each naming its line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class GroupValues:
    """One group as given (a file row or the ward's form), cleaned."""

    ward: AdministrativeUnit
    code: str
    name: str
    kind: str
    streets: str = ""
    leader_name: str = ""
    leader_phone: str = ""
    geometry: str = ""
    where: str = ""  # "line 7": how a problem names it
    geom: Any = field(default=None, repr=False)


def wards_by_code() -> dict[str, AdministrativeUnit]:
    return {
        u.code: u
        for u in AdministrativeUnit.objects.filter(era=current_era(), type__in=WARD_LEVEL_TYPES)
    }


def groups_of(ward: AdministrativeUnit | int) -> list[AdministrativeUnit]:
    ward_id = ward if isinstance(ward, int) else ward.pk
    return list(AdministrativeUnit.objects.filter(parent_id=ward_id, type__in=GROUP_TYPES))


def _kind(raw: str) -> str | None:
    return _KIND_WORDS.get(" ".join((raw or "").lower().split()))


def _phone(raw: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(_("the leader's phone “%(phone)s” is not a valid number") % {"phone": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _geometry(raw: str) -> tuple[str, Any]:
    """(GeoJSON text, shapely geometry) of a Polygon or MultiPolygon in lon/lat; "" for none."""
    raw = (raw or "").strip()
    if not raw:
        return "", None
    if len(raw) > BOUNDARY_MAX_CHARS:
        raise ValueError(_("the boundary is too large"))
    try:
        data = json.loads(raw)
        if data.get("type") == "Feature":
            data = data.get("geometry") or {}
        geom = shape(data)
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException):
        raise ValueError(_("the boundary is not a GeoJSON polygon")) from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise ValueError(_("the boundary is not a GeoJSON polygon"))
    if not geom.is_valid:
        raise ValueError(_("the boundary crosses itself: draw it again"))
    lon0, lat0, lon1, lat1 = geom.bounds
    if not (-180 <= lon0 <= lon1 <= 180 and -90 <= lat0 <= lat1 <= 90):
        raise ValueError(_("the boundary is not a GeoJSON polygon"))
    return json.dumps(shapely.geometry.mapping(geom), separators=(",", ":")), geom


def clean(
    *,
    ward: AdministrativeUnit,
    code: str,
    name: str,
    kind: str,
    streets: Iterable[str] | str = "",
    leader_name: str = "",
    leader_phone: str = "",
    boundary: str = "",
    where: str = "",
) -> GroupValues:
    """One group's values checked on their own (ValueError naming the field); the checks
    against the ward and the other groups are `check_place`'s."""
    code = (code or "").strip()
    if not _CODE.match(code):
        raise ValueError(
            _("the code “%(code)s” must be 1–20 letters, digits, dots, dashes or underscores")
            % {"code": code}
        )
    name = " ".join((name or "").split())
    if not name:
        raise ValueError(_("the name is empty"))
    if len(name) > NAME_MAX:
        raise ValueError(_("the name is longer than %(n)d characters") % {"n": NAME_MAX})
    resolved_kind = _kind(kind)
    if resolved_kind is None:
        raise ValueError(
            _("the kind “%(kind)s” is not one of to_dan_pho, thon, cum_dan_cu") % {"kind": kind}
        )
    if isinstance(streets, str):
        streets = re.split(r"[;\n]", streets)
    street_text = "\n".join(s for s in (" ".join(x.split()) for x in streets) if s)
    if len(street_text) > STREETS_MAX:
        raise ValueError(_("the list of streets is too long"))
    geometry, geom = _geometry(boundary)
    return GroupValues(
        ward=ward,
        code=code,
        name=name,
        kind=resolved_kind,
        streets=street_text,
        leader_name=" ".join((leader_name or "").split())[:150],
        leader_phone=_phone(leader_phone),
        geometry=geometry,
        where=where,
        geom=geom,
    )


def _outside_m2(geom: Any, ward: AdministrativeUnit) -> float:
    if not ward.geometry:
        return 0.0
    ward_m = _project(shape(json.loads(ward.geometry))).buffer(EDGE_TOLERANCE_M)
    return float(_project(geom).difference(ward_m).area)


def check_place(groups: list[GroupValues], *, existing: Iterable[AdministrativeUnit]) -> list[str]:
    """Problems of `groups` against their wards and each other, and against the groups already
    stored that they do not replace: a boundary outside its ward, two groups overlapping, a
    code used twice or taken by another unit."""
    problems: list[str] = []
    seen: dict[str, GroupValues] = {}
    for g in groups:
        if g.code in seen:
            problems.append(
                _("%(where)s: the code %(code)s is used twice (also %(other)s)")
                % {"where": g.where, "code": g.code, "other": seen[g.code].where}
            )
        seen[g.code] = g
    codes = set(seen)
    taken = (
        AdministrativeUnit.objects.filter(era=current_era(), code__in=codes)
        .exclude(type__in=GROUP_TYPES)
        .values_list("code", flat=True)
    )
    for code in taken:
        problems.append(
            _("%(where)s: the code %(code)s is an official unit's code")
            % {"where": seen[code].where, "code": code}
        )
    moved = AdministrativeUnit.objects.filter(
        era=current_era(), code__in=codes, type__in=GROUP_TYPES
    ).values_list("code", "parent_id")
    for code, parent_id in moved:
        if seen[code].ward.pk != parent_id:
            problems.append(
                _("%(where)s: the group %(code)s belongs to another ward")
                % {"where": seen[code].where, "code": code}
            )
    for g in groups:
        if g.geom is not None:
            outside = _outside_m2(g.geom, g.ward)
            if outside > 1.0:
                problems.append(
                    _("%(where)s: the boundary of %(code)s reaches %(m2)d m² outside %(ward)s")
                    % {"where": g.where, "code": g.code, "m2": round(outside), "ward": g.ward.name}
                )
    # Overlaps within each ward, the new shapes against each other and the kept ones.
    shapes: list[tuple[str, str, int, Any]] = [
        (g.code, g.where, g.ward.pk, _project(g.geom)) for g in groups if g.geom is not None
    ]
    for unit in existing:
        if unit.code not in codes and unit.geometry:
            shapes.append(
                (
                    unit.code,
                    unit.code,
                    unit.parent_id or 0,
                    _project(shape(json.loads(unit.geometry))),
                )
            )
    if len(shapes) > 1:
        tree = shapely.STRtree([s[3] for s in shapes])
        left, right = tree.query([s[3] for s in shapes], predicate="intersects")
        for a, b in zip(left.tolist(), right.tolist(), strict=True):
            if a >= b or shapes[a][2] != shapes[b][2]:
                continue
            area = float(shapes[a][3].intersection(shapes[b][3]).area)
            if area > OVERLAP_TOLERANCE_M2:
                problems.append(
                    _("%(where)s: the boundary of %(code)s overlaps %(other)s by %(m2)d m²")
                    % {
                        "where": shapes[b][1] if shapes[b][1] != shapes[b][0] else shapes[a][1],
                        "code": shapes[a][0],
                        "other": shapes[b][0],
                        "m2": round(area),
                    }
                )
    return problems


def _write(g: GroupValues) -> tuple[AdministrativeUnit, str, list[str]]:
    """Create or update one checked group: (unit, "created" | "updated" | "unchanged", the
    fields changed)."""
    values = {
        "name": g.name,
        "full_name": f"{g.name}, {g.ward.name}"[:150],
        "type": g.kind,
        "streets": g.streets,
        "leader_name": g.leader_name,
        "leader_phone": g.leader_phone,
        "geometry": g.geometry,
    }
    unit = AdministrativeUnit.objects.filter(era=g.ward.era, code=g.code).first()
    if unit is None:
        unit = AdministrativeUnit.objects.create(
            era=g.ward.era, code=g.code, parent=g.ward, **values
        )
        return unit, "created", []
    changed = update_changed(unit, values)
    return unit, ("updated" if changed else "unchanged"), changed


def groups_load(text: str) -> dict[str, int]:
    """Load a groups file all or nothing: GroupFileError lists every problem, each naming its
    line, and then nothing is written. Loading the same file again changes nothing."""
    wards = wards_by_code()
    problems: list[str] = []
    groups: list[GroupValues] = []
    try:
        rows = list(csv_rows(text, REQUIRED_COLUMNS))
    except ValueError as exc:
        raise GroupFileError([str(exc)]) from None
    except csv.Error as exc:
        raise GroupFileError([_("the file is not valid CSV: %(error)s") % {"error": exc}]) from None
    if not rows:
        raise GroupFileError([_("the file has no groups")])
    for line, row in rows:
        where = _("line %(line)d") % {"line": line}
        ward = wards.get(row.get("ward_code", "").strip())
        if ward is None:
            problems.append(
                _("%(where)s: no ward or commune has the code “%(code)s”")
                % {"where": where, "code": row.get("ward_code", "")}
            )
            continue
        try:
            groups.append(
                clean(
                    ward=ward,
                    code=row.get("code", ""),
                    name=row.get("name", ""),
                    kind=row.get("kind", ""),
                    streets=row.get("streets", ""),
                    leader_name=row.get("leader_name", ""),
                    leader_phone=row.get("leader_phone", ""),
                    boundary=row.get("boundary", ""),
                    where=where,
                )
            )
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    ward_ids = {g.ward.pk for g in groups}
    existing = AdministrativeUnit.objects.filter(parent_id__in=ward_ids, type__in=GROUP_TYPES)
    problems += check_place(groups, existing=existing)
    if problems:
        raise GroupFileError(problems)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for g in groups:
            _unit, outcome, _changed = _write(g)
            counts[outcome] += 1
    return counts


# --- the ward staff's page ----------------------------------------------------------------


def editable_ward_ids(actor: User) -> set[int]:
    """The wards whose groups `actor` keeps: their own ward committee's, as officer or leader."""
    from accounts.models import Role

    return {
        m.agency.unit_id
        for m in actor.active_memberships()
        if m.role in (Role.OFFICER, Role.UNIT_LEADER) and m.agency.unit_id is not None
    }


def group_save(
    *,
    actor: User,
    ward: AdministrativeUnit,
    code: str,
    name: str,
    kind: str,
    streets: str = "",
    leader_name: str = "",
    leader_phone: str = "",
    boundary: str = "",
    group: AdministrativeUnit | None = None,
) -> AdministrativeUnit:
    """Create a group of `ward`, or change `group`, for the ward's own staff. The change is
    kept in the admin history (who, when, which fields). ValidationError in the user's
    language, and nothing stored, for any problem."""
    if ward.pk not in editable_ward_ids(actor):
        raise PermissionDenied
    if group is not None and (group.parent_id != ward.pk or not group.is_group):
        raise PermissionDenied
    if group is not None:
        code = group.code  # a group's code never changes: files and reports name it
    try:
        values = clean(
            ward=ward,
            code=code,
            name=name,
            kind=kind,
            streets=streets,
            leader_name=leader_name,
            leader_phone=leader_phone,
            boundary=boundary,
            where=code,
        )
    except ValueError as exc:
        raise ValidationError(_sentence(str(exc))) from None
    if group is None and AdministrativeUnit.objects.filter(era=ward.era, code=values.code).exists():
        raise ValidationError(_("The code %(code)s is already in use.") % {"code": values.code})
    problems = check_place([values], existing=groups_of(ward))
    if problems:
        # On the group's own page the "where" prefix (its code) says nothing new.
        raise ValidationError([_sentence(p.removeprefix(f"{code}: ")) for p in problems])
    with transaction.atomic():
        unit, outcome, changed = _write(values)
        if outcome != "unchanged":
            LogEntry.objects.log_actions(
                user_id=actor.pk,
                queryset=[unit],
                action_flag=ADDITION if outcome == "created" else CHANGE,
                change_message=[{"added": {}}]
                if outcome == "created"
                else [{"changed": {"fields": changed}}],
                single_object=True,
            )
    return unit


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def group_history(group: AdministrativeUnit) -> list[LogEntry]:
    content_type = ContentType.objects.get_for_model(AdministrativeUnit)
    return list(
        LogEntry.objects.filter(content_type=content_type, object_id=str(group.pk))
        .select_related("user")
        .order_by("-action_time")[:20]
    )


# --- placing a report ---------------------------------------------------------------------


# Parsed boundaries per ward, reused while the ward's boundaries are the same text (a digest of
# them is checked on every call, so an edit in another process is seen at once): parsing the
# GeoJSON is most of the cost of placing a point (bench/residential_groups.py).
_parsed: dict[int, tuple[str, list[Any]]] = {}


def group_at(
    ward_id: int | None, lat: float | None, lon: float | None
) -> AdministrativeUnit | None:
    """The group of `ward_id` whose boundary holds the point; the lowest code where two touch
    it (a shared edge); None where no group has a boundary there."""
    if ward_id is None or lat is None or lon is None:
        return None
    units = list(
        AdministrativeUnit.objects.filter(parent_id=ward_id, type__in=GROUP_TYPES)
        .exclude(geometry="")
        .order_by("code")
    )
    if not units:
        return None
    digest = hashlib.blake2b(
        "\n".join(f"{u.pk}:{u.geometry}" for u in units).encode(), digest_size=16
    ).hexdigest()
    cached = _parsed.get(ward_id)
    if cached is None or cached[0] != digest:
        shapes = [shape(json.loads(u.geometry)) for u in units]
        shapely.prepare(shapes)
        cached = (digest, shapes)
        _parsed[ward_id] = cached
    for unit, geom in zip(units, cached[1], strict=True):
        if shapely.intersects_xy(geom, lon, lat):
            return unit
    return None


def _fold(value: str) -> str:
    from reports.text import unaccent

    return " ".join(unaccent(value).lower().split())


def group_named(ward_id: int | None, value: str) -> AdministrativeUnit | None:
    """The group of `ward_id` a resident chose: by its code or its name, accents and case
    aside; None for an empty choice. ValidationError when the ward has no such group."""
    value = (value or "").strip()
    if not value or ward_id is None:
        return None
    wanted = _fold(value)
    for unit in groups_of(ward_id):
        if unit.code == value or _fold(unit.name) == wanted or _fold(unit.full_name) == wanted:
            return unit
    raise ValidationError(
        _(
            "The ward of this place has no residential group “%(name)s”: choose one from the list or leave it empty."
        )
        % {"name": value[:100]},
        code="unknown_group",
    )
