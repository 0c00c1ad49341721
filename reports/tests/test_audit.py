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
    # Named at the event that was chained to the missing one.
    assert (
        f"{closed_report.tracking_code} event {events[3].pk}: deleted: "
        "the event it was chained to is missing"
    ) in message
    assert "1 problem(s) in the audit chain (4 events checked)." in message


def test_last_event_deleted_in_the_database_is_found(closed_report):
    events = events_of(closed_report)
    sql("DELETE FROM {table} WHERE id = %s", [events[-1].pk])

    message = verify_fails()
    assert (
        f"{closed_report.tracking_code} event {events[3].pk}: missing_last: "
        "the last event leaves the report “resolved” but it is “closed”"
    ) in message


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
    ReportEvent.objects.filter(report=closed_report).update(hash="", prev_hash="")
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
