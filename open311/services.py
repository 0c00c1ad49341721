"""Open311 writes: issuing client keys, reports sent in by outside systems, and progress a
department's own system reports back. Reports change only through reports.services, as the
workspace changes them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from reports import services as report_services
from reports.models import Report, ReportEvent
from reports.selectors import get_report_for_staff
from reports.workflow import Status
from routing.models import Category
from units.models import Agency

from .models import ApiClient

KEY_PREFIX_LENGTH = 8
SOURCE = "open311"


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_client_issue(*, actor: User, name: str, agency: Agency | None) -> tuple[ApiClient, str]:
    """Create a client and its key; the plain key is returned once and never stored."""
    if not (actor.is_superuser or actor.has_staff_role(Role.ADMIN)):
        raise PermissionDenied(_("Only an administrator can issue Open311 keys."))
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError(_("Give the client a name of at most 120 characters."), code="name")
    plain_key = secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            agency=agency,
            key_hash=_hash_key(plain_key),
            key_prefix=plain_key[:KEY_PREFIX_LENGTH],
        )
        if agency is not None:
            client.service_user = _service_user(client, agency)
            client.save(update_fields=["service_user"])
    return client, plain_key


def _service_user(client: ApiClient, agency: Agency) -> User:
    # The account the client's progress updates are made as: an officer of its agency, so the
    # workflow's permission checks apply to it as to any officer. Nobody can sign in as it.
    user = User(username=f"open311-{client.pk}", full_name=f"Open311: {client.name}")
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, agency=agency, role=Role.OFFICER)
    return user


def api_client_for_key(key: str | None) -> ApiClient | None:
    """The active client holding `key`, or None."""
    if not key:
        return None
    digest = _hash_key(key)
    client = (
        ApiClient.objects.select_related("agency", "service_user")
        .filter(key_hash=digest, is_active=True)
        .first()
    )
    # The lookup is by hash (a random key's hash reveals nothing by timing); compare again in
    # constant time so the check does not rest on how the database compares strings.
    if client is None or not hmac.compare_digest(client.key_hash, digest):
        return None
    return client


# --- POST requests -------------------------------------------------------------------------------


def request_submit(
    *,
    client: ApiClient,
    category: Category,
    lat: str | None,
    lon: str | None,
    address: str,
    title: str,
    description: str,
    media_urls: Sequence[str] = (),
    files: Sequence[File] = (),
) -> Report:
    """A report sent by an outside system: anonymous (no account is made for the person named
    in the request, and their contact details are not kept), marked with the client's name."""
    title = (title or "").strip() or _title_from(description) or category.name
    return report_services.report_submit(
        reporter=None,
        category=category,
        lat=lat,
        lon=lon,
        title=title,
        description=description,
        address=address,
        files=files,
        channel=SOURCE,
        via=client.name,
        media_urls=media_urls,
    )


def _title_from(description: str) -> str:
    first_line = (description or "").strip().splitlines()[0:1]
    if not first_line:
        return ""
    line = first_line[0].strip()
    return line if len(line) <= 80 else line[:79].rstrip() + "…"


# --- POST servicerequestupdates ------------------------------------------------------------------

# The extended statuses a department's system may send, and what each means here.
ACCEPT_STATUSES = frozenset({"ACTION_SCHEDULED", "INVESTIGATING"})
START_STATUSES = frozenset({"IN_PROGRESS"})
RESOLVE_STATUSES = frozenset({"FIXED", "CLOSED"})
RETURN_STATUSES = frozenset({"NOT_COUNCILS_RESPONSIBILITY"})
REJECT_STATUSES = frozenset({"NO_FURTHER_ACTION", "CANCELLED"})
UPDATE_STATUSES = (
    ACCEPT_STATUSES | START_STATUSES | RESOLVE_STATUSES | RETURN_STATUSES | REJECT_STATUSES
)


@dataclass(frozen=True)
class UpdateResult:
    report: Report
    event: ReportEvent


def request_update(
    *,
    client: ApiClient,
    tracking_code: str,
    status: str,
    description: str,
    files: Sequence[File] = (),
) -> UpdateResult:
    """Progress reported by an agency's own system, made as the client's officer account through
    the same services as the workspace (so the same transitions, reasons and proof rules hold).

    Raises PermissionDenied for a client tied to no agency, Http404 for a report that is not its
    agency's (as for a missing one), ValidationError for an unknown status or a step the
    report's status does not allow.
    """
    actor = client.service_user
    if client.agency_id is None or actor is None:
        raise PermissionDenied(_("This API key may send reports but not progress updates."))
    report = get_report_for_staff(actor, tracking_code)
    status = (status or "").strip().upper()
    if status == "OPEN":
        status = "IN_PROGRESS"
    if status not in UPDATE_STATUSES:
        raise ValidationError(
            _("Unknown or unsupported status “%(status)s”. Use one of: %(allowed)s.")
            % {"status": status, "allowed": ", ".join(sorted(UPDATE_STATUSES))},
            code="bad_status",
        )
    description = (description or "").strip()
    # One transaction: accepting on the way to "fixed" is undone if the resolution is refused.
    with transaction.atomic():
        if status in ACCEPT_STATUSES:
            # Raises TransitionNotAllowed unless the report waits to be accepted.
            report = report_services.report_accept(actor=actor, report=report, note=description)
        elif status in START_STATUSES | RESOLVE_STATUSES:
            if report.status == Status.ROUTED:
                # A system that skips "accepted" still accepts it on its way.
                report = report_services.report_accept(actor=actor, report=report)
            if status in START_STATUSES:
                report = report_services.report_start(actor=actor, report=report, note=description)
            else:
                report = report_services.report_resolve(
                    actor=actor, report=report, answer=description, files=files
                )
        elif status in RETURN_STATUSES:
            report = report_services.report_return(actor=actor, report=report, reason=description)
        else:
            report = report_services.report_reject(actor=actor, report=report, reason=description)
        event = ReportEvent.objects.filter(report=report).order_by("-created_at", "-id").first()
    assert event is not None  # every service above wrote one
    return UpdateResult(report=report, event=event)
