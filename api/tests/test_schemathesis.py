"""Every operation of /api/openapi.json, called with generated input as a resident and as an
officer: no server error, and every answer matches the schema (body and status code).

Bounded (EXAMPLES per operation and caller): about 15 s on SQLite and 25 s on PostgreSQL on
the 2-core CI machine. Half the generated cases are aimed at reports and extension requests
that exist, so the actions run their real checks with generated form data.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from api.services import token_issue
from conftest import GOOD_ANSWER, photo_file
from reports import clock
from reports.services import report_accept, report_request_extension, report_resolve

pytestmark = pytest.mark.django_db

EXAMPLES = 15
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture
def wsgi_app():
    """Django in-process, inside the test's transaction. As django.test.Client does, the
    connection must not be closed at the end of each request (that would end the test's
    transaction and the data it set up)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _bearer(user) -> dict[str, str]:
    _token, raw = token_issue(actor=user, name="schemathesis")
    # identity: the WSGI test client does not undo GZipMiddleware's compression.
    return {"Authorization": f"Bearer {raw}", "Accept-Encoding": "identity"}


def _with_real(operation, codes: list[str], extension_ids: list[int]):
    """Generated cases, half of them aimed at reports and extension requests that exist, so
    the actions run their real checks with generated form data instead of stopping at 404."""
    strategy = operation.as_strategy()
    for name, values in (("tracking_code", codes), ("extension_id", extension_ids)):
        if f"{{{name}}}" in operation.path:

            def aim(pair, name=name):
                case, value = pair
                if value is not None:
                    case.path_parameters = {**(case.path_parameters or {}), name: value}
                return case

            strategy = st.tuples(strategy, st.sampled_from([None, *values])).map(aim)
    return strategy


def _exercise(operation, headers: dict[str, str], codes, extension_ids) -> None:
    @given(case=_with_real(operation, codes, extension_ids))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_every_operation_conforms_to_the_schema(wsgi_app, submit, alice, officer_a, leader_a):
    # Something to find: an open report, and a resolved one the resident may rate.
    routed = submit()
    accepted = submit(title="Rác ở ngõ 5")
    report_accept(actor=officer_a, report=accepted)
    pending = submit(title="Cống tắc")
    report_accept(actor=officer_a, report=pending)
    extension = report_request_extension(
        actor=officer_a, report=pending, until=clock.now() + timedelta(days=30), reason="Chờ vật tư"
    )
    resolved = submit(title="Đèn đường hỏng")
    report_accept(actor=officer_a, report=resolved)
    report_resolve(actor=officer_a, report=resolved, answer=GOOD_ANSWER, files=[photo_file()])
    codes = [r.tracking_code for r in (routed, accepted, pending, resolved)]
    extension_ids = [extension.pk]

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    callers = {
        "resident": _bearer(alice),
        "officer": _bearer(officer_a),
        "unit leader": _bearer(leader_a),
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 29
    failures = []
    for operation in operations:
        for who, headers in callers.items():
            try:
                _exercise(operation, headers, codes, extension_ids)
            except BaseExceptionGroup as exc:  # every failing operation, not just the first
                failures.append(f"{operation.label} as {who}:\n{exc}")
    assert not failures, "\n\n".join(failures)
