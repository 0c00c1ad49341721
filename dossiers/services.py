"""Dossiers from the city's administrative-procedure system: the adapter (`dossiers_sync`, used
by `manage.py sync_dossiers` and the signed push endpoint), the push signature check, and the
resident's look-up.

Record format (the procedure system's export):
    {"dossiers": [{"code", "procedure_code", "agency_code", "applicant_phone", "received_at",
                   "due_at", "status", "steps": [{"at", "status", "unit", "note"}]}]}
Times are ISO 8601; one without an offset is Vietnam time (settings.TIME_ZONE). Statuses:
received, in_progress, supplement, completed, returned, rejected. agency_code is one of our
agencies (units.Agency.code).

Rules: every record is checked before anything is written; one bad record (named by its
position and code) or an unknown agency refuses the whole batch. A dossier is matched by its
code; steps are added when new (time + status + unit); the status, due date and unit follow the
record only when its newest step is not older than what we hold, so a stale export never
rolls a dossier back. Running the same batch twice changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import User
from procedures.models import Procedure
from reports import clock
from units.models import Agency

from .models import FINISHED, Dossier, DossierPush, DossierStatus, DossierStep

MAX_ERRORS_SHOWN = 20
MAX_STEPS = 200
CODE_MAX = 40


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class SyncError(Exception):
    """The batch cannot be applied; `errors` name each bad record, in the user's language."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        text = "\n".join(shown)
        if len(errors) > len(shown):
            text += "\n" + _("… and %(n)d more errors.") % {"n": len(errors) - len(shown)}
        super().__init__(text)


# --- the phone: a keyed hash and the last four digits, never the number --------------------


def normalise_phone(raw: str) -> str | None:
    """E.164 (+84912345678) for a valid number, written any usual way; None otherwise."""
    try:
        number = phonenumbers.parse(str(raw or "").strip(), "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_hash(e164: str) -> str:
    key = settings.DOSSIER_PHONE_KEY.encode()
    return hmac.new(key, f"dossier-phone:{e164}".encode(), hashlib.sha256).hexdigest()


# --- checking a batch ------------------------------------------------------------------------


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text if text and len(text) <= limit else None


@dataclass
class _Record:
    code: str
    procedure_code: str
    agency: Agency
    phone_hash: str
    phone_last4: str
    received_at: datetime
    due_at: datetime
    status: str
    steps: list[tuple[datetime, str, str, str]]


def _check(raw: Any, agencies: dict[str, Agency]) -> tuple[_Record | None, list[str]]:
    if not isinstance(raw, dict):
        return None, [_("a dossier must be an object")]
    problems: list[str] = []
    code = _text(raw.get("code"), CODE_MAX)
    if code is None:
        problems.append(_("“code” is missing or longer than %(n)d characters") % {"n": CODE_MAX})
    procedure_code = _text(raw.get("procedure_code"), CODE_MAX)
    if procedure_code is None:
        problems.append(_("“procedure_code” is missing"))
    agency_code = _text(raw.get("agency_code"), 40)
    agency = agencies.get(agency_code or "")
    if agency_code is None:
        problems.append(_("“agency_code” is missing"))
    elif agency is None:
        problems.append(_("unknown agency “%(code)s”: no such agency here") % {"code": agency_code})
    phone = normalise_phone(raw.get("applicant_phone", ""))
    if phone is None:
        problems.append(_("“applicant_phone” is not a valid phone number"))
    received_at, due_at = _when(raw.get("received_at")), _when(raw.get("due_at"))
    if received_at is None:
        problems.append(_("“received_at” is not an ISO 8601 time"))
    if due_at is None:
        problems.append(_("“due_at” is not an ISO 8601 time"))
    if received_at and due_at and due_at < received_at:
        problems.append(_("“due_at” is before “received_at”"))
    status = raw.get("status")
    if status not in DossierStatus.values:
        problems.append(
            _("“status” must be one of %(choices)s") % {"choices": ", ".join(DossierStatus.values)}
        )
    steps_raw = raw.get("steps", [])
    steps: list[tuple[datetime, str, str, str]] = []
    if not isinstance(steps_raw, list) or len(steps_raw) > MAX_STEPS:
        problems.append(_("“steps” must be a list of at most %(n)d steps") % {"n": MAX_STEPS})
        steps_raw = []
    for number, step in enumerate(steps_raw, start=1):
        at = _when(step.get("at")) if isinstance(step, dict) else None
        unit = _text(step.get("unit"), 200) if isinstance(step, dict) else None
        step_status = step.get("status") if isinstance(step, dict) else None
        note = step.get("note") or "" if isinstance(step, dict) else ""
        if at is None or unit is None or step_status not in DossierStatus.values:
            problems.append(
                _("step %(n)d needs “at” (ISO 8601), a known “status” and a “unit”") % {"n": number}
            )
            continue
        if not isinstance(note, str) or len(note) > 500:
            problems.append(
                _("step %(n)d: “note” must be a text of at most 500 characters") % {"n": number}
            )
            continue
        steps.append((at, step_status, unit, note.strip()))
    if problems:
        return None, problems
    assert code and procedure_code and agency and phone and received_at and due_at
    steps.sort(key=lambda s: s[0])
    return (
        _Record(
            code=code,
            procedure_code=procedure_code,
            agency=agency,
            phone_hash=phone_hash(phone),
            phone_last4=phone[-4:],
            received_at=received_at,
            due_at=due_at,
            status=str(status),
            steps=steps,
        ),
        [],
    )


def parse_batch(data: Any) -> list[_Record]:
    """Every record of a decoded batch, checked; SyncError naming each bad one."""
    if isinstance(data, dict):
        data = data.get("dossiers")
    if not isinstance(data, list):
        raise SyncError([_('The file must hold {"dossiers": [...]}.')])
    wanted = {
        str(r.get("agency_code")) for r in data if isinstance(r, dict) and r.get("agency_code")
    }
    agencies = {a.code: a for a in Agency.objects.filter(code__in=wanted)}
    records: list[_Record] = []
    errors: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(data, start=1):
        label = _("record %(n)d") % {"n": index}
        if isinstance(raw, dict) and raw.get("code"):
            label += f" ({raw['code']})"
        record, problems = _check(raw, agencies)
        if problems:
            errors.append(f"{label}: {'; '.join(problems)}")
        elif record is not None:
            if record.code in seen:
                errors.append(
                    _("%(label)s: this code appears twice in the file") % {"label": label}
                )
            seen.add(record.code)
            records.append(record)
    if errors:
        raise SyncError(errors)
    return records


def parse_bytes(body: bytes) -> list[_Record]:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SyncError([_("The file is not UTF-8 text.")]) from None
    except json.JSONDecodeError as exc:
        raise SyncError(
            [
                _("line %(line)d: not valid JSON (%(error)s)")
                % {"line": exc.lineno, "error": exc.msg}
            ]
        ) from None
    return parse_batch(data)


# --- applying a batch ------------------------------------------------------------------------


def _finished_at(
    steps: list[tuple[datetime, str]], status: str, last_at: datetime
) -> datetime | None:
    """The start of the final run of finished steps (result ready, then handed over: ready
    counts); None while the dossier is open."""
    if status not in FINISHED:
        return None
    start = None
    for at, step_status in steps:
        if step_status in FINISHED:
            start = start or at
        else:
            start = None
    return start or last_at


def _apply(record: _Record, procedures: dict[str, int], now: datetime) -> str:
    dossier = Dossier.objects.filter(code=record.code).first()
    latest = record.steps[-1][0] if record.steps else record.received_at
    unit = record.steps[-1][2] if record.steps else record.agency.name
    if dossier is None:
        dossier = Dossier.objects.create(
            code=record.code,
            procedure_code=record.procedure_code,
            procedure_id=procedures.get(record.procedure_code),
            agency=record.agency,
            phone_hash=record.phone_hash,
            phone_last4=record.phone_last4,
            received_at=record.received_at,
            due_at=record.due_at,
            status=record.status,
            finished_at=_finished_at([(s[0], s[1]) for s in record.steps], record.status, latest),
            last_step_at=latest,
            current_unit=unit,
            synced_at=now,
        )
        DossierStep.objects.bulk_create(
            DossierStep(dossier=dossier, at=at, status=st, unit=u, note=note)
            for at, st, u, note in record.steps
        )
        return "created"
    known = {(s.at, s.status, s.unit) for s in dossier.steps.all()}
    new_steps = [s for s in record.steps if (s[0], s[1], s[2]) not in known]
    if new_steps:
        DossierStep.objects.bulk_create(
            DossierStep(dossier=dossier, at=at, status=st, unit=u, note=note)
            for at, st, u, note in new_steps
        )
    changes: dict[str, Any] = {}
    if latest >= dossier.last_step_at:
        all_steps = sorted({(k[0], k[1]) for k in known} | {(s[0], s[1]) for s in new_steps})
        target = {
            "procedure_code": record.procedure_code,
            "procedure_id": procedures.get(record.procedure_code),
            "agency_id": record.agency.pk,
            "phone_hash": record.phone_hash,
            "phone_last4": record.phone_last4,
            "received_at": record.received_at,
            "due_at": record.due_at,
            "status": record.status,
            "finished_at": _finished_at(all_steps, record.status, latest),
            "last_step_at": latest,
            "current_unit": unit,
        }
        changes = {k: v for k, v in target.items() if getattr(dossier, k) != v}
    if not changes and not new_steps:
        return "unchanged"
    changes["synced_at"] = now
    # update(), not save(): only what changed, on one row.
    Dossier.objects.filter(pk=dossier.pk).update(**changes)
    return "updated"


def dossiers_sync(*, records: list[_Record]) -> SyncResult:
    """Apply checked records in one transaction (all or nothing)."""
    result = SyncResult()
    now = clock.now()
    codes = {r.procedure_code for r in records}
    procedures = dict(Procedure.objects.filter(code__in=codes).values_list("code", "id"))
    with transaction.atomic():
        for record in records:
            outcome = _apply(record, procedures, now)
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


# --- the signed push -------------------------------------------------------------------------


class PushRefused(Exception):
    """A push that is not signed right, too old, or a replay; `status` is the HTTP answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code = status, code
        super().__init__(message)


def push_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<raw body>": the timestamp is signed too, or a captured
    request could be replayed later with a fresh timestamp header."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def push_verify(*, timestamp: str, signature: str, body: bytes) -> str:
    """The verified signature's hex digest, or PushRefused."""
    secret = settings.DOSSIER_PUSH_SECRET
    if not secret:
        raise PushRefused(403, "push_disabled", _("Dossier push is not enabled on this server."))
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        raise PushRefused(401, "bad_signature", _("The request is not signed.")) from None
    if abs(time.time() - sent_at) > settings.DOSSIER_PUSH_WINDOW_SECONDS:
        raise PushRefused(
            401, "stale_request", _("The request's time is outside the accepted window.")
        )
    expected = push_signature(secret=secret, timestamp=timestamp, body=body)
    given = (signature or "").removeprefix("sha256=").strip().lower()
    if not hmac.compare_digest(expected, given):
        raise PushRefused(401, "bad_signature", _("The request's signature is not valid."))
    return expected


def dossiers_push(*, timestamp: str, signature: str, body: bytes) -> SyncResult:
    """A signed batch from the procedure system: verified, checked, applied once. The same
    signed request twice is refused (409), so a replay inside the window does nothing."""
    digest = push_verify(timestamp=timestamp, signature=signature, body=body)
    records = parse_bytes(body)
    try:
        with transaction.atomic():
            # Row first: two copies of the request at once meet the unique constraint.
            push = DossierPush.objects.create(signature=digest, received_at=clock.now())
            result = dossiers_sync(records=records)
            push.created, push.updated, push.unchanged = (
                result.created,
                result.updated,
                result.unchanged,
            )
            push.save(update_fields=["created", "updated", "unchanged"])
    except IntegrityError:
        raise PushRefused(409, "replayed", _("This request was already received.")) from None
    return result


# --- the resident's look-up -----------------------------------------------------------------


def normalise_code(code: str) -> str:
    return (code or "").strip().upper()[:CODE_MAX]


def dossier_lookup(*, code: str, phone_last4: str) -> Dossier | None:
    """The dossier with this code whose phone ends in these digits; None for a wrong code and
    wrong digits alike (the caller answers both with the same 404)."""
    digits = (phone_last4 or "").strip()
    dossier = Dossier.objects.filter(code__iexact=normalise_code(code)).first()
    if dossier is None or not (len(digits) == 4 and digits.isdigit()):
        return None
    return dossier if hmac.compare_digest(dossier.phone_last4, digits) else None


def resident_phone_hash(user: User) -> str | None:
    """The hash of a signed-in resident's phone (verified by SMS at sign-in or by VNeID)."""
    if not user.is_authenticated or not user.phone:
        return None
    e164 = normalise_phone(user.phone)
    return phone_hash(e164) if e164 else None
