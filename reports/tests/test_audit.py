"""The tamper-evident event chain: formed by the services, checked by `manage.py verify_audit`,
broken by edits made directly in the database."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from conftest import GOOD_ANSWER, photo_file
from reports import audit
from reports.models import Report, ReportEvent
from reports.services import report_accept, report_rate, report_resolve

pytestmark = pytest.mark.django_db


def verify(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_fails(*args: str) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit", *args, stdout=io.StringIO(), stderr=err)
    return f"{err.getvalue()}\n{exc.value}"


def sql(statement: str, params: list) -> None:
    """Change rows behind the application's back, as someone with database access could."""
    table = connection.ops.quote_name(ReportEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=table), params)


@pytest.fixture
def closed_report(submit, officer_a, alice) -> Report:
    """Alice's report: submitted, routed, accepted, resolved with proof, rated satisfied."""
    report = submit()
    report_accept(actor=officer_a, report=report, note="Đã tiếp nhận")
    report_resolve(actor=officer_a, report=report, answer=GOOD_ANSWER, files=[photo_file()])
    report_rate(actor=alice, report=report, satisfied=True, comment="Cảm ơn")
    return Report.objects.get(pk=report.pk)


def events_of(report: Report) -> list[ReportEvent]:
    return list(report.events.order_by("id"))


def test_services_chain_every_event_to_the_one_before(closed_report):
    events = events_of(closed_report)
    assert [e.action for e in events] == ["submit", "route", "accept", "resolve", "rate_satisfied"]
    assert events[0].prev_hash == ""
    for before, event in itertools.pairwise(events):
        assert event.prev_hash == before.hash
    assert all(re.fullmatch(r"[0-9a-f]{64}", e.hash) for e in events)
    assert len({e.hash for e in events}) == 5
    # The stored hash is the one recomputed from the row as read back from the database.
    assert [audit.event_hash(e, e.prev_hash) for e in events] == [e.hash for e in events]

    out, err = verify()
    assert re.fullmatch(r"Audit chain intact: 5 events checked in \d+\.\d s\.\n", out)
    assert err == ""


def test_note_edited_in_the_database_is_named(closed_report, submit):
    other = submit()
    accept = events_of(closed_report)[2]
    sql("UPDATE {table} SET note = %s WHERE id = %s", ["Không có gì", accept.pk])

    message = verify_fails()
    assert f"{closed_report.tracking_code} event {accept.pk}: edited" in message
    assert "1 problem(s) in the audit chain (7 events checked)." in message
    assert other.tracking_code not in message
    # The other report alone is intact.
    assert verify("--report", other.tracking_code)[0].startswith("Audit chain intact: 2 events")


def test_hash_rewritten_with_the_edit_is_still_found(closed_report):
    """Recomputing the edited event's own hash breaks the link from the next one."""
    events = events_of(closed_report)
    accept = events[2]
    accept.note = "Không có gì"
    forged = audit.event_hash(accept, accept.prev_hash)
    sql("UPDATE {table} SET note = %s, hash = %s WHERE id = %s", [accept.note, forged, accept.pk])

    message = verify_fails("--report", closed_report.tracking_code)
    assert f"{closed_report.tracking_code} event {events[3].pk}: deleted" in message
    assert f"event {accept.pk}:" not in message


def test_middle_event_deleted_in_the_database_is_found(closed_report):
    events = events_of(closed_report)
    sql("DELETE FROM {table} WHERE id = %s", [events[2].pk])

    message = verify_fails()
    # Named by its position, between the events that are left.
    assert (
        f"{closed_report.tracking_code} event {events[3].pk}: deleted: "
        f"event #3 of this report is missing (after event {events[1].pk}, before event "
        f"{events[3].pk})"
    ) in message
    assert "1 problem(s) in the audit chain (4 events checked)." in message


def test_last_event_deleted_in_the_database_is_found(closed_report):
    events = events_of(closed_report)
    sql("DELETE FROM {table} WHERE id = %s", [events[-1].pk])

    message = verify_fails()
    # The row counts five events: the fifth is named, and the row's seal no longer matches.
    assert (
        f"{closed_report.tracking_code} event {events[3].pk}: deleted: "
        f"event #5 of this report is missing (after event {events[3].pk})"
    ) in message
    assert f"{closed_report.tracking_code} report: state:" in message


def test_every_event_deleted_is_found(closed_report):
    # The proof photo points at the resolve event: detached first, as the database demands.
    closed_report.media.update(event=None)
    sql("DELETE FROM {table} WHERE report_id = %s", [closed_report.pk])

    message = verify_fails()
    assert f"{closed_report.tracking_code} report: no_events: it has no events" in message


def test_event_chained_past_its_predecessor_is_found(closed_report):
    events = events_of(closed_report)
    sql("UPDATE {table} SET prev_hash = %s WHERE id = %s", [events[1].hash, events[3].pk])

    message = verify_fails()
    assert (
        f"{closed_report.tracking_code} event {events[3].pk}: inserted: "
        f"it is chained to event {events[1].pk}, not to event {events[2].pk} before it"
    ) in message
    # Its hash covers prev_hash: the edit shows there too.
    assert f"event {events[3].pk}: edited" in message


def test_unknown_report_code_is_refused(closed_report):
    assert "No report PA-1999-000001." in verify_fails("--report", "PA-1999-000001")


def test_events_from_before_the_chain_are_sealed_only_on_request(closed_report, submit):
    tampered = submit()
    ReportEvent.objects.filter(report=closed_report).update(hash="", prev_hash="", seq=0)
    events = events_of(tampered)
    sql("UPDATE {table} SET note = %s WHERE id = %s", ["sửa tay", events[1].pk])

    message = verify_fails()
    assert message.count("unsealed: no hash (older than the audit chain)") == 5

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", "--seal-unsealed", stdout=out, stderr=err)
    # The old report is sealed; the edited chain is reported, not whitewashed.
    assert "Sealed 5 events of 1 reports." in out.getvalue()
    assert f"{tampered.tracking_code} event {events[1].pk}: edited" in err.getvalue()
    assert "unsealed" not in err.getvalue()
    assert verify("--report", closed_report.tracking_code)[0].startswith(
        "Audit chain intact: 5 events"
    )


def report_sql(statement: str, params: list) -> None:
    table = connection.ops.quote_name(Report._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=table), params)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("answer", "Đã xử lý xong."),  # a generic answer put in place of the proven one
        ("status", "resolved"),
        ("resolved_at", None),
    ],
)
def test_report_row_edited_in_the_database_is_found(closed_report, column, value):
    """The events are intact, the row is not: its seal names it."""
    statement = f"UPDATE {{table}} SET {column} = %s WHERE id = %s"  # noqa: S608 (test's own)
    report_sql(statement, [value, closed_report.pk])

    message = verify_fails()
    assert (f"{closed_report.tracking_code} report: state: the report's stored fields") in message
    assert "edited outside the lifecycle" in message


def test_a_unit_moved_in_the_database_is_found(closed_report, ward_b):
    report_sql("UPDATE {table} SET agency_id = %s WHERE id = %s", [ward_b.pk, closed_report.pk])
    assert f"{closed_report.tracking_code} report: state:" in verify_fails()


def test_the_chain_is_keyed_a_recomputed_plain_chain_is_refused(closed_report, settings):
    """Someone with the database and this code but not AUDIT_KEY edits a note and recomputes
    every hash after it: without the key the hashes do not verify."""
    events = events_of(closed_report)
    settings.AUDIT_KEY = "a key the forger guessed"
    previous = events[1].hash
    forged = []
    for event in events[2:]:
        if event.action == "accept":
            event.note = "Không có gì"
        event.prev_hash = previous
        event.hash = audit.event_hash(event, previous)
        previous = event.hash
        forged.append(event)
    ReportEvent.objects.bulk_update(forged, ["note", "prev_hash", "hash"])
    settings.AUDIT_KEY = f"audit-chain:{settings.SECRET_KEY}"

    message = verify_fails()
    for event in forged:
        assert f"event {event.pk}: edited" in message


def test_sealing_with_the_real_key_passes_and_another_key_fails(closed_report, settings):
    assert verify()[0].startswith("Audit chain intact: 5 events")
    settings.AUDIT_KEY = "another key"
    message = verify_fails()
    assert message.count(": edited:") == 5


def test_a_v1_chain_is_resealed_only_when_intact(closed_report, submit):
    """Chains written before the key (plain SHA-256, no positions) are re-sealed by the
    operator's explicit --seal-unsealed, and only when they verify as v1."""
    previous = ""
    legacy = []
    for event in events_of(closed_report):
        event.seq = 0
        event.prev_hash = previous
        event.hash = audit.legacy_event_hash(event, previous)
        previous = event.hash
        legacy.append(event)
    ReportEvent.objects.bulk_update(legacy, ["seq", "prev_hash", "hash"])
    assert verify_fails().count(": unkeyed:") == 5

    out, _err = verify("--seal-unsealed")
    assert "Sealed 5 events of 1 reports." in out
    assert [e.seq for e in events_of(closed_report)] == [1, 2, 3, 4, 5]
    assert verify()[0].startswith("Audit chain intact: 5 events")


# --- signed checkpoints -----------------------------------------------------------------------


def checkpoint(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path)
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    [path] = sorted(tmp_path.glob("checkpoint-*.json"))
    return path, out.getvalue()


def test_checkpoint_is_signed_published_and_verified(closed_report, tmp_path, settings, client):
    import base64
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    path, out = checkpoint(tmp_path, settings)
    assert "Checkpoint signed: 5 events of 1 reports" in out
    kept = json.loads(path.read_text())
    body = json.loads(kept["body"])
    assert body["events"] == 5 and body["reports"] == 1

    # Published: the same signed text, and a key anyone can check it with.
    published = client.get("/api/audit/checkpoints").json()
    assert published["checkpoints"][0]["body"] == kept["body"]
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(published["public_key"]))
    key.verify(base64.b64decode(kept["signature"]), kept["body"].encode())  # raises if forged

    out, _err = verify("--checkpoint", str(path))
    assert "1 signed checkpoint(s) match the events they cover." in out


def test_a_past_rewritten_by_a_key_holder_is_caught_by_the_checkpoint(
    closed_report, submit, tmp_path, settings
):
    """With AUDIT_KEY an insider can re-chain a report after deleting an event, and re-seal
    the row: the chain verifies, the checkpoint kept elsewhere does not."""
    path, _out = checkpoint(tmp_path, settings)
    submit()  # later events do not disturb the checkpoint of the earlier ones
    events = events_of(closed_report)
    closed_report.media.update(event=None)
    ReportEvent.objects.filter(pk=events[2].pk).delete()
    previous = ""
    rest = events_of(closed_report)
    for seq, event in enumerate(rest, start=1):
        event.seq = seq
        event.prev_hash = previous
        event.hash = audit.event_hash(event, previous)
        previous = event.hash
    ReportEvent.objects.bulk_update(rest, ["seq", "prev_hash", "hash"])
    audit.seal_reports([closed_report.pk])
    from reports.models import AuditCheckpoint

    AuditCheckpoint.objects.all().delete()  # and the stored copy is gone too
    assert verify()[0].startswith("Audit chain intact: 6 events")

    message = verify_fails("--checkpoint", str(path))
    assert "5 events up to event" in message and "4 are there now" in message
    assert "the past was rewritten" in message


def test_a_forged_checkpoint_is_refused(closed_report, tmp_path, settings):
    import json

    path, _out = checkpoint(tmp_path, settings)
    kept = json.loads(path.read_text())
    kept["body"] = kept["body"].replace('"events":5', '"events":4')
    path.write_text(json.dumps(kept))
    assert "signature does not verify" in verify_fails("--checkpoint", str(path))


def test_the_scheduler_signs_a_checkpoint_nightly(closed_report):
    from django.utils.module_loading import import_string

    from reports.models import AuditCheckpoint
    from sla.services import JOBS

    job = next(j for j in JOBS if j.name == "audit_checkpoint")
    assert job.daily_at is not None
    assert import_string(job.task_path).call() == 5
    assert AuditCheckpoint.objects.get().events == 5
