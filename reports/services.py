"""Every change to a report: plain functions that take the actor, check permission, change
state through the workflow, and record the event, all in one transaction."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from congdanso import counters
from routing.models import Category, Priority
from routing.rules import RoutingDecision
from routing.services import route_report
from units import groups as residential_groups
from units.lookup import OutsideCity, locate
from units.models import Agency, AgencyKind

from . import clock, derived, tasks, text, workflow
from .deadlines import add_working_hours
from .media import InspectedFile, inspect_upload
from .models import (
    GROUND_AFTER,
    GROUND_BEFORE,
    ExtensionRequest,
    ExtensionStatus,
    Media,
    MediaKind,
    Rating,
    Report,
    ReportChannel,
    ReportEvent,
    ReportFollower,
    ResponseTemplate,
    TrackingCounter,
)
from .proof import check_answer
from .search import search_text_for
from .workflow import Action, Status

MAX_REPORT_FILES = 8
EVIDENCE_KINDS = frozenset({MediaKind.PHOTO, MediaKind.VIDEO, MediaKind.DOCUMENT})
# A resident's evidence: up to 6 photos and one video (the residents' app rule, applied to
# every way a report comes in).
MAX_EVIDENCE_PHOTOS = 6
MAX_EVIDENCE_VIDEOS = 1
# Only the administrative-procedure category takes PDF documents from residents (a form,
# a receipt); elsewhere a document is not evidence of a street problem.
DOCUMENT_CATEGORIES = frozenset({"dich-vu-cong-thu-tuc"})
PROOF_KINDS = frozenset({MediaKind.PHOTO, MediaKind.DOCUMENT})
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,80}$")

# Urgent reports are handled within 4 working hours whatever the category says (Hanoi practice).
URGENT_RESOLVE_HOURS = 4
# A complex report (several units, works to order) gets at least 10 working days.
COMPLEX_RESOLVE_HOURS = 80


# --- helpers ---------------------------------------------------------------------------------


def _locked(report: Report) -> Report:
    """The report re-read under a row lock: the status we check is the one we change."""
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to agency.
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("category", "agency")
        .get(pk=report.pk)
    )


def _acting_agency(actor: User | None, report: Report) -> Agency | None:
    if actor is None:
        return None
    memberships = actor.active_memberships()
    for m in memberships:
        if m.agency_id == report.agency_id:
            return m.agency
    for m in memberships:
        if m.role == "coordinator":
            return m.agency
    return None


def coordination_office() -> Agency:
    office = (
        Agency.objects.filter(kind=AgencyKind.COORDINATION, is_active=True).order_by("id").first()
    )
    if office is None:
        raise ValidationError(
            _("No coordination office is configured."), code="no_coordination_office"
        )
    return office


def _resolve_hours(category: Category, priority: str) -> int:
    if priority == Priority.URGENT:
        return min(category.resolve_hours, URGENT_RESOLVE_HOURS)
    if priority == Priority.COMPLEX:
        return max(category.resolve_hours, COMPLEX_RESOLVE_HOURS)
    return category.resolve_hours


def _deadlines_from(now: datetime, category: Category, priority: str) -> dict:
    accept = add_working_hours(now, category.accept_hours)
    return {
        "accept_due_at": accept,
        "resolve_due_at": add_working_hours(now, _resolve_hours(category, priority)),
        "due_at": accept,
    }


def _next_tracking_code(now: datetime) -> str:
    year = clock_local(now).year
    # One statement (congdanso.counters): the row stays locked until the submission commits,
    # so two reports never share a number; the first report of a year creates its row.
    last = counters.increment(TrackingCounter._meta.db_table, {"year": year}, "last")
    return f"PA-{year}-{last:06d}"


def clock_local(moment: datetime) -> datetime:
    from django.utils import timezone

    return timezone.localtime(moment)


@contextmanager
def _files_removed_on_failure() -> Iterator[list[Media]]:
    """Files are written to disk inside the transaction; if it rolls back (a later check
    fails, a race loses), the rows are gone and the files would be orphans: delete them.
    (A rollback of an outer transaction around the service is not seen here.)"""
    written: list[Media] = []
    try:
        yield written
    except BaseException:
        for media in written:
            if media.file.name:
                media.file.storage.delete(media.file.name)
        raise


def _store_files(
    report: Report,
    inspected: Sequence[tuple[File, InspectedFile]],
    *,
    actor: User | None,
    event: ReportEvent | None,
    is_proof: bool,
    written: list[Media] | None = None,
) -> list[Media]:
    now = clock.now()
    stored = []
    for upload, info in inspected:
        media = Media(
            report=report,
            event=event,
            is_proof=is_proof,
            kind=info.kind,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
            width=info.width,
            height=info.height,
            duration_s=info.duration_s,
            uploaded_by=actor,
            created_at=now,
        )
        upload.seek(0)
        # The stored name comes from the content's real type, never the uploaded name.
        media.file.save(f"{info.sha256[:16]}.{info.extension}", upload, save=False)
        if written is not None:
            written.append(media)
        media.save()
        stored.append(media)
        # The public copies are made by the worker. Queued in this transaction (the task row
        # commits with the media row), not after it: a process killed right after the commit
        # would otherwise leave the photo unprocessed (bench/crash.py).
        tasks.process_media.enqueue(media.pk)
    return stored


def _check_evidence(kinds: list[str], category: Category, *, photo_needed: bool = True) -> None:
    """The limits on a resident's files, counted by their real content type, never by name."""
    # The missing photo first: it is the refusal that tells the resident what to add.
    if (
        photo_needed
        and category.photo_required
        and not {MediaKind.PHOTO, MediaKind.VIDEO} & set(kinds)
    ):
        raise ValidationError(
            _("A photo or video of the problem is required for this category."),
            code="photo_required",
        )
    if kinds.count(MediaKind.PHOTO) > MAX_EVIDENCE_PHOTOS:
        raise ValidationError(
            _("At most %(n)d photos may be attached.") % {"n": MAX_EVIDENCE_PHOTOS},
            code="too_many_photos",
        )
    if kinds.count(MediaKind.VIDEO) > MAX_EVIDENCE_VIDEOS:
        raise ValidationError(_("At most one video may be attached."), code="too_many_videos")
    if MediaKind.DOCUMENT in kinds and category.code not in DOCUMENT_CATEGORIES:
        raise ValidationError(
            _("PDF documents are accepted only for public services and procedures."),
            code="document_not_allowed",
        )


def _refuse_reused(
    inspected: Sequence[tuple[File, InspectedFile]], message: str, *, code: str
) -> None:
    """A photo already stored on any report proves nothing new (the same bytes: a copy)."""
    for upload, info in inspected:
        if Media.objects.filter(sha256=info.sha256).exists():
            raise ValidationError(message % {"name": upload.name}, code=code)


def _inspect_all(
    files: Sequence[File], allowed: frozenset[str]
) -> list[tuple[File, InspectedFile]]:
    if len(files) > MAX_REPORT_FILES:
        raise ValidationError(
            _("At most %(n)d files may be attached.") % {"n": MAX_REPORT_FILES},
            code="too_many_files",
        )
    return [(f, inspect_upload(f, allowed)) for f in files]


# --- submission and routing ------------------------------------------------------------------


@dataclass(frozen=True)
class Owned:
    """The public thing a report is about when it has a known owner (a traffic camera): the
    report goes to that owner, not through the category's routing, and the thing's own state
    (kept in `data` on the submission event) is the evidence, so no photo is asked for."""

    agency: Agency
    label: str
    data: dict = field(default_factory=dict)


def parse_point(lat: object, lon: object) -> tuple[float, float]:
    """(lat, lon) as finite floats within Earth's range, or a ValidationError."""
    try:
        lat_f, lon_f = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(_("The location is not a valid point."), code="bad_point") from None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)) or not (
        -90 <= lat_f <= 90 and -180 <= lon_f <= 180
    ):
        raise ValidationError(_("The location is not a valid point."), code="bad_point")
    return lat_f, lon_f


def report_submit(
    *,
    reporter: User | None,
    category: Category,
    lat: object,
    lon: object,
    title: str,
    description: str,
    address: str = "",
    is_public: bool | None = None,
    idempotency_key: str | None = None,
    files: Sequence[File] = (),
    channel: str = ReportChannel.WEB,
    via: str = "",
    media_urls: Sequence[str] = (),
    residential_group: str = "",
    point_is_exact: bool = True,
    about: Owned | None = None,
) -> Report:
    """Store a new report, place it in its ward, and route it to the unit that must act.

    The residential group comes from the point where a group of the ward has a boundary
    there; else `residential_group` (the resident's choice, a group's code or name) names one
    of the ward's groups; else the officer sets it later. `point_is_exact=False` (a ward
    chosen from a list, placed at its inner point) places it in no group by that point.

    Sending the same `idempotency_key` again returns the report already stored.
    `lat`/`lon` may both be None for a report an outside system (Open311) sends with an
    address only: it is not placed in a ward and goes to the coordination office, which
    places it. `via` names that system and `media_urls` are its links to media, kept as
    references on the submission event (never fetched: the server has no internet access and
    an unverified link proves nothing). `about` names the owned thing the report is about: it
    is routed to its owner.
    """
    if idempotency_key:
        if not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise ValidationError(_("The submission key is malformed."), code="bad_idempotency_key")
        existing = Report.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_submitter(existing, reporter)
    # Cleaned and capped here, so every channel (web, API, Open311, imports) stores the same.
    # The description first: a title is often made from it, and its absence is the real error.
    description = text.checked_text(
        description,
        label=_("The description"),
        max_length=text.DESCRIPTION_MAX,
        code="bad_description",
        required_message=_("Describe the problem."),
    )
    title = text.checked_text(
        title,
        label=_("The title"),
        max_length=text.TITLE_MAX,
        code="bad_title",
        required_message=_("Give the report a title."),
        multiline=False,
    )
    if not category.is_active:
        raise ValidationError(_("This category is no longer in use."), code="inactive_category")
    if reporter is None and not category.may_be_anonymous:
        raise ValidationError(
            _("Sign in to send a report of this category."), code="anonymous_not_allowed"
        )
    address = text.checked_text(
        address,
        label=_("The address"),
        max_length=text.ADDRESS_MAX,
        code="bad_address",
        multiline=False,
    )
    lat_f: float | None
    lon_f: float | None
    ward_id: int | None
    edge_distance_m: float | None
    if lat is None and lon is None:
        if not address:
            raise ValidationError(
                _("Give the location: a point on the map or an address."), code="no_location"
            )
        lat_f = lon_f = ward_id = edge_distance_m = None
    else:
        lat_f, lon_f = parse_point(lat, lon)
        try:
            hit = locate(lat_f, lon_f)
        except OutsideCity as exc:
            raise ValidationError(str(exc), code="outside_city") from None
        ward_id, edge_distance_m = hit.unit_id, hit.distance_m
    by_point = residential_groups.group_at(ward_id, lat_f, lon_f) if point_is_exact else None
    group = by_point or residential_groups.group_named(ward_id, residential_group)
    inspected = _inspect_all(files, EVIDENCE_KINDS)
    # A resident on the phone to the hotline has no way to send a photo: the category's photo
    # rule holds for every channel where the resident (or a helper beside them) can take one.
    _check_evidence(
        [info.kind for _f, info in inspected],
        category,
        photo_needed=channel != ReportChannel.HOTLINE and about is None,
    )
    try:
        with _files_removed_on_failure() as written, transaction.atomic():
            report = _create_and_route(
                reporter=reporter,
                category=category,
                lat=lat_f,
                lon=lon_f,
                ward_id=ward_id,
                group=group,
                title=title,
                description=description,
                address=address,
                is_public=category.public_by_default if is_public is None else is_public,
                idempotency_key=idempotency_key or None,
                inspected=inspected,
                channel=channel,
                edge_distance_m=edge_distance_m,
                written=written,
                via=via,
                media_urls=list(media_urls),
                about=about,
            )
    except IntegrityError:
        # Two copies of one submission raced; the other one won and is the report.
        if idempotency_key:
            existing = Report.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return _same_submitter(existing, reporter)
        raise
    return report


def _same_submitter(report: Report, reporter: User | None) -> Report:
    if report.reporter_id != (reporter.pk if reporter else None):
        raise ValidationError(
            _("The submission key is already in use."), code="idempotency_key_taken"
        )
    return report


def _create_and_route(
    *,
    reporter,
    category,
    lat,
    lon,
    ward_id,
    title,
    description,
    address,
    is_public,
    idempotency_key,
    inspected,
    channel,
    edge_distance_m,
    group=None,
    written=None,
    via: str = "",
    media_urls: list[str] | None = None,
    about: Owned | None = None,
) -> Report:
    now = clock.now()
    tracking_code = _next_tracking_code(now)
    report = Report(
        tracking_code=tracking_code,
        title=title,
        description=description,
        category=category,
        lat=lat,
        lon=lon,
        address=address,
        ward_id=ward_id,
        residential_group=group,
        reporter=reporter,
        priority=category.priority,
        is_public=is_public,
        channel=channel,
        idempotency_key=idempotency_key,
        search_text=search_text_for(
            tracking_code=tracking_code, title=title, description=description, address=address
        ),
    )
    data: dict = {"ward_edge_distance_m": round(edge_distance_m, 1)} if edge_distance_m else {}
    if via:
        # Which outside system sent it (an Open311 client's name): part of the audit trail.
        data["via"] = via
    if media_urls:
        data["media_urls"] = media_urls
    if about is not None:
        data["about"] = about.data
    # Received and routed in one transaction: the derived tables count it once, as routed.
    with derived.deferred():
        workflow.transition(report, Action.SUBMIT, actor=None, data=data)
        _store_files(report, inspected, actor=reporter, event=None, is_proof=False, written=written)
        if reporter is not None:
            # A report created just now has no followers yet: no need for get_or_create.
            ReportFollower.objects.create(report=report, user=reporter, created_at=now)
        _route_new(report, category=category, lat=lat, now=now, about=about)
    return report


def _route_new(
    report: Report,
    *,
    category: Category,
    lat: float | None,
    now: datetime,
    about: Owned | None = None,
) -> None:
    if about is not None and about.agency.is_active:
        with translation.override(settings.LANGUAGE_CODE):
            decision = RoutingDecision(
                about.agency,
                "owner",
                _("%(thing)s belongs to %(agency)s: sent to its owner")
                % {"thing": about.label, "agency": about.agency},
            )
    elif lat is None:
        # No point, no ward: only the coordination office can place it. The reason is kept in
        # the official language whatever language the sender asked for (as route_report does).
        with translation.override(settings.LANGUAGE_CODE):
            decision = RoutingDecision(
                coordination_office(),
                "fallback",
                _("No point was given, only an address: sent to the coordination office"),
            )
    else:
        decision = route_report(category=category, ward=report.ward)
    workflow.transition(
        report,
        Action.ROUTE,
        actor=None,
        note=decision.reason,
        data={"routing": decision.as_data()},
        changes={
            "agency": decision.agency,
            "routed_at": now,
            **_deadlines_from(now, category, report.priority),
        },
    )


# --- the unit's work -------------------------------------------------------------------------


def _note(value: object, *, label: str | None = None, max_length: int = text.NOTE_MAX) -> str:
    """An officer's note, answer or reason (or a resident's comment), cleaned and capped."""
    return text.checked_text(
        value, label=label or _("The note"), max_length=max_length, code="note_too_long"
    )


def report_accept(*, actor: User, report: Report, note: str = "") -> Report:
    note = _note(note)
    with transaction.atomic():
        report = _locked(report)
        workflow.transition(
            report,
            Action.ACCEPT,
            actor=actor,
            note=note,
            actor_agency=_acting_agency(actor, report),
            changes={"accepted_at": clock.now(), "due_at": report.resolve_due_at},
        )
    return report


def report_start(*, actor: User, report: Report, note: str = "") -> Report:
    note = _note(note)
    with transaction.atomic():
        report = _locked(report)
        changes = (
            {}
            if report.accepted_at
            else {"accepted_at": clock.now(), "due_at": report.resolve_due_at}
        )
        workflow.transition(
            report,
            Action.START,
            actor=actor,
            note=note,
            actor_agency=_acting_agency(actor, report),
            changes=changes,
        )
    return report


def report_assign(*, actor: User, report: Report, assignee: User) -> Report:
    """A unit leader assigns a report to an officer of the unit; an officer may take it himself."""
    with transaction.atomic():
        report = _locked(report)
        workflow.check(report, Action.ASSIGN, actor)
        roles = workflow.roles_for(actor, report)
        if workflow.Role.UNIT_LEADER not in roles and assignee.pk != actor.pk:
            raise PermissionDenied(_("Only the unit's leader can assign a report to someone else."))
        is_member = (
            report.agency_id is not None
            and Membership.objects.filter(
                user=assignee,
                agency_id=report.agency_id,
                is_active=True,
                role__in=list(workflow.UNIT),
            ).exists()
        )
        if not is_member:
            raise ValidationError(
                _("This person is not an officer of the handling unit."), code="not_member"
            )
        workflow.transition(
            report,
            Action.ASSIGN,
            actor=actor,
            actor_agency=_acting_agency(actor, report),
            note=assignee.display_name(),
            data={"assignee": assignee.pk},
            changes={"assignee": assignee},
            is_public=False,
        )
        # The officer hears of it once it is committed (the SLA clock subscribes to the step).
    return report


def report_return(*, actor: User, report: Report, reason: str) -> Report:
    """ "Not our competence": the unit hands the report back to the coordination office."""
    reason = _note(reason)
    with transaction.atomic():
        report = _locked(report)
        now = clock.now()
        office = coordination_office()
        workflow.transition(
            report,
            Action.RETURN,
            actor=actor,
            note=reason,
            actor_agency=_acting_agency(actor, report),
            data={"from_agency": report.agency.code if report.agency else None},
            changes={
                "agency": office,
                "assignee": None,
                "due_at": add_working_hours(now, settings.COORDINATOR_SLA_HOURS),
            },
        )
    return report


def report_reroute(
    *,
    actor: User,
    report: Report,
    agency: Agency,
    note: str = "",
    category: Category | None = None,
) -> Report:
    """The coordinator sends a report to the unit that must handle it; its clock restarts.
    Given `category`, the resident's pick is corrected too (the classifier learns from it)."""
    return _send_to(
        actor=actor,
        report=report,
        agency=agency,
        note=note,
        action=Action.REROUTE,
        category=category,
    )


def report_transfer(
    *,
    actor: User,
    report: Report,
    agency: Agency,
    reason: str,
    category: Category | None = None,
) -> Report:
    return _send_to(
        actor=actor,
        report=report,
        agency=agency,
        note=reason,
        action=Action.TRANSFER,
        category=category,
    )


def _send_to(
    *,
    actor: User,
    report: Report,
    agency: Agency,
    note: str,
    action: str,
    category: Category | None,
) -> Report:
    note = _note(note)
    with transaction.atomic():
        report = _locked(report)
        workflow.check(report, action, actor)
        if not agency.is_active:
            raise ValidationError(_("That unit is not active."), code="inactive_agency")
        recategorised = category is not None and category.pk != report.category_id
        if category is not None and recategorised and not category.is_active:
            raise ValidationError(_("This category is no longer in use."), code="inactive_category")
        # Correcting only the category, with the unit that already has it, is a re-route too.
        if agency.pk == report.agency_id and not recategorised:
            raise ValidationError(_("The report is already with that unit."), code="same_agency")
        now = clock.now()
        from_agency = report.agency.code if report.agency else None
        data: dict[str, Any] = {"from_agency": from_agency, "to_agency": agency.code}
        changes: dict[str, Any] = {
            "agency": agency,
            "assignee": None,
            "routed_at": now,
            "accepted_at": None,
        }
        new_category = report.category
        if recategorised:
            assert category is not None
            # Recorded on the step: the dashboard counts re-routes for a wrong category.
            data |= {"from_category": report.category.code, "to_category": category.code}
            changes["category"] = category
            new_category = category
        workflow.transition(
            report,
            action,
            actor=actor,
            note=note,
            actor_agency=_acting_agency(actor, report),
            data=data,
            changes={**changes, **_deadlines_from(now, new_category, report.priority)},
        )
    return report


def report_request_extension(
    *, actor: User, report: Report, until: datetime, reason: str
) -> ExtensionRequest:
    reason = _note(reason)
    with transaction.atomic():
        report = _locked(report)
        workflow.check(report, Action.REQUEST_EXTENSION, actor)
        now = clock.now()
        current = report.resolve_due_at or now
        if until <= max(current, now):
            raise ValidationError(
                _("The new deadline must be later than the current one."), code="bad_extension"
            )
        if ExtensionRequest.objects.filter(report=report, status=ExtensionStatus.PENDING).exists():
            raise ValidationError(
                _("An extension request is already waiting for a decision."),
                code="extension_pending",
            )
        workflow.transition(
            report,
            Action.REQUEST_EXTENSION,
            actor=actor,
            note=reason,
            actor_agency=_acting_agency(actor, report),
            data={"until": until.isoformat()},
        )
        return ExtensionRequest.objects.create(
            report=report,
            requested_by=actor,
            requested_due_at=until,
            reason=reason.strip(),
            created_at=now,
        )


def report_decide_extension(
    *, actor: User, request: ExtensionRequest, grant: bool, note: str = ""
) -> ExtensionRequest:
    note = _note(note)
    with transaction.atomic():
        request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        report = _locked(request.report)
        action = Action.GRANT_EXTENSION if grant else Action.REFUSE_EXTENSION
        workflow.check(report, action, actor)
        if request.status != ExtensionStatus.PENDING:
            raise ValidationError(
                _("This extension request was already decided."), code="extension_decided"
            )
        now = clock.now()
        changes: dict = {}
        if grant:
            changes = {"resolve_due_at": request.requested_due_at}
            # A reopened report not yet re-accepted still owes its accept step first.
            if report.accepted_at is not None:
                changes["due_at"] = request.requested_due_at
        workflow.transition(
            report,
            action,
            actor=actor,
            note=note,
            actor_agency=_acting_agency(actor, report),
            data={"request": request.pk, "until": request.requested_due_at.isoformat()},
            changes=changes,
        )
        request.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
        request.decided_by = actor
        request.decided_at = now
        request.save(update_fields=["status", "decided_by", "decided_at"])
    return request


def report_resolve(
    *, actor: User, report: Report, answer: str, files: Sequence[File] = ()
) -> Report:
    """Close the unit's work with an answer the resident can check, and proof of the result."""
    answer = _note(answer)
    with _files_removed_on_failure() as written, transaction.atomic():
        report = _locked(report)
        workflow.check(report, Action.RESOLVE, actor)
        templates = (
            ResponseTemplate.objects.filter(is_active=True)
            .filter(Q(category__isnull=True) | Q(category=report.category_id))
            .values_list("body", flat=True)
        )
        answer = check_answer(answer, templates)
        inspected = _inspect_all(files, PROOF_KINDS)
        if report.category.proof_required and not inspected:
            raise ValidationError(
                _("Attach at least one photo or document showing the result."), code="proof_missing"
            )
        _refuse_reused(
            inspected,
            _(
                "“%(name)s” has already been used on a report. Proof must be a new photo of this result."
            ),
            code="proof_reused",
        )
        now = clock.now()
        event = workflow.transition(
            report,
            Action.RESOLVE,
            actor=actor,
            note=answer,
            actor_agency=_acting_agency(actor, report),
            changes={
                "answer": answer,
                "resolved_at": now,
                "resolution_count": report.resolution_count + 1,
            },
        )
        _store_files(report, inspected, actor=actor, event=event, is_proof=True, written=written)
    return report


def report_merge(*, actor: User, report: Report, into: Report, note: str = "") -> Report:
    """Close `report` as a duplicate of `into`; its reporter and followers follow `into`."""
    note = _note(note)
    with transaction.atomic():
        report = _locked(report)
        workflow.check(report, Action.MERGE, actor)
        target = Report.objects.select_for_update().get(pk=into.pk)
        if target.pk == report.pk:
            raise ValidationError(_("A report cannot be a duplicate of itself."), code="merge_self")
        if target.status in workflow.FINAL_STATUSES - {Status.CLOSED}:
            raise ValidationError(
                _("The original report is itself rejected or merged."), code="merge_target_final"
            )
        now = clock.now()
        workflow.transition(
            report,
            Action.MERGE,
            actor=actor,
            note=note or target.tracking_code,
            actor_agency=_acting_agency(actor, report),
            data={"into": target.tracking_code},
            changes={"duplicate_of": target},
        )
        # The reporter follows the original even if they stopped following their own report
        # (or were never recorded as a follower, e.g. a report sent in by another channel).
        user_ids = set(report.followers.values_list("user_id", flat=True))
        if report.reporter_id is not None:
            user_ids.add(report.reporter_id)
        for user_id in sorted(user_ids):
            ReportFollower.objects.get_or_create(
                report=target, user_id=user_id, defaults={"created_at": now}
            )
    return report


def report_reject(*, actor: User, report: Report, reason: str) -> Report:
    reason = _note(reason)
    with transaction.atomic():
        report = _locked(report)
        workflow.transition(
            report,
            Action.REJECT,
            actor=actor,
            note=reason,
            actor_agency=_acting_agency(actor, report),
            changes={"closed_at": clock.now()},
        )
    return report


# --- the resident's verdict ------------------------------------------------------------------


def report_rate(*, actor: User, report: Report, satisfied: bool, comment: str = "") -> Report:
    """Satisfied closes the report; not satisfied (with a comment) reopens it with the same
    unit, and the second reopening escalates it to the coordinator and the unit's leader."""
    comment = _note(comment, label=_("The comment"), max_length=text.COMMENT_MAX)
    with transaction.atomic():
        report = _locked(report)
        action = Action.RATE_SATISFIED if satisfied else Action.REOPEN
        workflow.check(report, action, actor)
        comment = (comment or "").strip()
        if not satisfied and not comment:
            raise ValidationError(_("Tell the unit what is still wrong."), code="comment_required")
        now = clock.now()
        if Rating.objects.filter(report=report, round=report.resolution_count).exists():
            raise ValidationError(_("You have already rated this answer."), code="already_rated")
        rating = Rating.objects.create(
            report=report,
            round=report.resolution_count,
            satisfied=satisfied,
            comment=comment,
            created_at=now,
        )
        derived.rating_added(rating=rating)
        if satisfied:
            workflow.transition(
                report, action, actor=actor, note=comment, changes={"closed_at": now}
            )
        else:
            reopen_count = report.reopen_count + 1
            changes = {
                "reopen_count": reopen_count,
                "resolved_at": None,
                "accepted_at": None,
                "resolve_due_at": add_working_hours(
                    now, _resolve_hours(report.category, report.priority)
                ),
                "due_at": add_working_hours(now, report.category.accept_hours),
            }
            data = {"reopen_count": reopen_count}
            if reopen_count >= 2:
                changes["escalated_at"] = now
                data["escalated"] = True
            workflow.transition(
                report, action, actor=actor, note=comment, data=data, changes=changes
            )
    return report


def reports_auto_close(*, now: datetime | None = None) -> int:
    """Close resolved reports whose reporter did not rate them within AUTO_CLOSE_DAYS."""
    now = now or clock.now()
    cutoff = now - timedelta(days=settings.AUTO_CLOSE_DAYS)
    closed = 0
    for pk in Report.objects.filter(status=Status.RESOLVED, resolved_at__lte=cutoff).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=pk)
            # Re-checked under the lock: the reporter may have rated it meanwhile.
            if (
                report.status != Status.RESOLVED
                or report.resolved_at is None
                or report.resolved_at > cutoff
            ):
                continue
            workflow.transition(report, Action.AUTO_CLOSE, actor=None, changes={"closed_at": now})
            closed += 1
    return closed


def report_follow(*, actor: User, report: Report) -> ReportFollower:
    follower, _created = ReportFollower.objects.get_or_create(
        report=report, user=actor, defaults={"created_at": clock.now()}
    )
    return follower


# --- residential groups -----------------------------------------------------------------------


def ground_outcomes_for(report: Report) -> tuple[str, ...]:
    """The answers a ground check may give now: after the resolution, is it fixed?"""
    if report.status in (Status.RESOLVED, Status.CLOSED):
        return GROUND_AFTER
    return GROUND_BEFORE


def report_set_group(*, actor: User, report: Report, group_code: str) -> Report:
    """Set (or clear, with "") the report's residential group: one of its ward's groups."""
    with transaction.atomic():
        report = _locked(report)
        workflow.check(report, Action.SET_GROUP, actor)
        group = residential_groups.group_named(report.ward_id, group_code) if group_code else None
        if group_code and report.ward_id is None:
            raise ValidationError(
                _("Place the report in a ward before choosing its residential group."),
                code="no_ward",
            )
        if (group.pk if group else None) == report.residential_group_id:
            return report
        workflow.transition(
            report,
            Action.SET_GROUP,
            actor=actor,
            actor_agency=_acting_agency(actor, report),
            data={"group": group.code if group else ""},
            changes={"residential_group": group},
            is_public=False,
        )
    return report


def report_ground_check(
    *, actor: User, report: Report, outcome: str, note: str = "", files: Sequence[File] = ()
) -> Report:
    """A group leader's (or the ward's community team's) check on the ground, with a photo.

    Before the unit resolves it says whether the problem is there; after, whether it is
    fixed. "Not fixed" after a resolution is told to the unit's staff at once: the resident's
    rating still decides whether it reopens."""
    note = _note(note)
    with _files_removed_on_failure() as written, transaction.atomic():
        report = _locked(report)
        workflow.check(report, Action.GROUND_CHECK, actor)
        if outcome not in ground_outcomes_for(report):
            raise ValidationError(_("Choose what you found on the ground."), code="bad_outcome")
        inspected = _inspect_all(files, frozenset({MediaKind.PHOTO}))
        if not inspected:
            raise ValidationError(
                _("Attach a photo taken on the ground."), code="ground_photo_missing"
            )
        if len(inspected) > MAX_EVIDENCE_PHOTOS:
            raise ValidationError(
                _("At most %(n)d photos may be attached.") % {"n": MAX_EVIDENCE_PHOTOS},
                code="too_many_photos",
            )
        _refuse_reused(
            inspected,
            _("“%(name)s” has already been used on a report. Take a new photo on the ground."),
            code="ground_photo_reused",
        )
        group = report.residential_group
        event = workflow.transition(
            report,
            Action.GROUND_CHECK,
            actor=actor,
            note=note,
            data={"outcome": outcome, "group": group.code if group else ""},
        )
        # Kept as proof (not as the resident's evidence): shown with the check on the timeline,
        # and never accepted again as the unit's proof of its own work.
        _store_files(report, inspected, actor=actor, event=event, is_proof=True, written=written)
    return report
