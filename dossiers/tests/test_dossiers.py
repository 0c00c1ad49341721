"""Dossier tracking: the sync adapter (idempotent, all or nothing, unknown agency refused),
the signed push, the look-up (same 404, rate-limited), a resident's own dossiers, the
leaders' on time / late page."""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dossiers.models import Dossier, DossierStep
from dossiers.services import push_signature

pytestmark = pytest.mark.django_db
PHONE = "0912345678"  # alice's, as +84912345678 on her account


def record(code="HS-2026-0001", **overrides):
    value = {
        "code": code,
        "procedure_code": "MAU-HT-001",
        "agency_code": "ubnd-00070",
        "applicant_phone": PHONE,
        "received_at": "2026-03-02T08:00:00+07:00",
        "due_at": "2026-03-05T17:00:00+07:00",
        "status": "in_progress",
        "steps": [
            {
                "at": "2026-03-02T08:00:00+07:00",
                "status": "received",
                "unit": "Bộ phận một cửa",
                "note": "",
            },
            {
                "at": "2026-03-03T09:00:00+07:00",
                "status": "in_progress",
                "unit": "Công chức tư pháp – hộ tịch",
                "note": "Đang thẩm định",
            },
        ],
    }
    value.update(overrides)
    return value


def sync(tmp_path, *records, raw: str | None = None) -> str:
    path = tmp_path / "dossiers.json"
    path.write_text(
        raw if raw is not None else json.dumps({"dossiers": list(records)}), encoding="utf-8"
    )
    out = StringIO()
    call_command("sync_dossiers", "--from", str(path), stdout=out)
    return out.getvalue()


def test_sync_is_idempotent_and_a_newer_step_updates(tmp_path):
    assert sync(tmp_path, record()) == "1 mới, 0 cập nhật, 0 không đổi.\n"
    assert sync(tmp_path, record()) == "0 mới, 0 cập nhật, 1 không đổi.\n"
    assert DossierStep.objects.count() == 2
    newer = record(status="completed")
    newer["steps"].append(
        {
            "at": "2026-03-04T10:00:00+07:00",
            "status": "completed",
            "unit": "Lãnh đạo UBND phường",
            "note": "",
        }
    )
    assert sync(tmp_path, newer) == "0 mới, 1 cập nhật, 0 không đổi.\n"
    dossier = Dossier.objects.get()
    assert (dossier.status, dossier.current_unit) == ("completed", "Lãnh đạo UBND phường")
    assert dossier.finished_at is not None and not dossier.is_late(dossier.finished_at)
    # An older export (its newest step is older) adds nothing and rolls nothing back.
    assert sync(tmp_path, record()) == "0 mới, 0 cập nhật, 1 không đổi.\n"
    assert Dossier.objects.get().status == "completed"


def test_the_phone_is_stored_only_as_a_keyed_hash_and_four_digits(tmp_path):
    sync(tmp_path, record())
    row = Dossier.objects.values().get()
    stored = " ".join(str(v) for v in row.values())
    assert "912345678" not in stored and "0912" not in stored
    assert row["phone_last4"] == "5678" and len(row["phone_hash"]) == 64


def test_a_malformed_record_is_named_and_nothing_is_applied(tmp_path):
    bad = record("HS-BAD", due_at="next tuesday", status="lost")
    with pytest.raises(CommandError) as caught:
        sync(tmp_path, record(), bad)
    message = str(caught.value)
    assert "bản ghi 2 (HS-BAD)" in message and "due_at" in message and "status" in message
    assert Dossier.objects.count() == 0
    with pytest.raises(CommandError, match="dòng 1"):
        sync(tmp_path, raw='{"dossiers": [')
    assert Dossier.objects.count() == 0


def test_sync_from_a_url_reads_the_export_and_a_failed_fetch_applies_nothing():
    """A real local HTTP server stands for the procedure system's export address."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = json.dumps({"dossiers": [record()]}).encode()

    class Export(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/export.json":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_error(503)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Export)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        out = StringIO()
        call_command("sync_dossiers", "--from", f"{base}/export.json", stdout=out)
        assert out.getvalue() == "1 mới, 0 cập nhật, 0 không đổi.\n"
        with pytest.raises(CommandError, match=r"HTTP 503.*không áp dụng gì"):
            call_command("sync_dossiers", "--from", f"{base}/down.json")
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(CommandError, match="Không tải được"):
        call_command("sync_dossiers", "--from", f"{base}/export.json")  # nobody listening now
    with pytest.raises(CommandError, match="Không đọc được"):
        call_command("sync_dossiers", "--from", "/khong/co/tep.json")
    with pytest.raises(CommandError, match="chỉ nhận đường dẫn tệp"):
        call_command("sync_dossiers", "--from", "ftp://example.org/x.json")
    assert Dossier.objects.count() == 1


def test_an_unknown_agency_is_refused_clearly(tmp_path):
    with pytest.raises(CommandError) as caught:
        sync(tmp_path, record(), record("HS-2", agency_code="so-khong-ton-tai"))
    assert "cơ quan “so-khong-ton-tai” không tồn tại" in str(caught.value)
    assert "bản ghi 2 (HS-2)" in str(caught.value)
    assert Dossier.objects.count() == 0


def test_lookup_page_shows_the_dossier_and_refuses_wrong_code_and_digits_alike(tmp_path, client):
    sync(tmp_path, record())
    found = client.post("/tra-cuu-ho-so/", {"code": "hs-2026-0001", "phone_last4": "5678"})
    assert found.status_code == 200
    text = found.content.decode()
    assert "Công chức tư pháp – hộ tịch" in text and "Đang thẩm định" in text
    wrong_digits = client.post("/tra-cuu-ho-so/", {"code": "HS-2026-0001", "phone_last4": "1234"})
    wrong_code = client.post("/tra-cuu-ho-so/", {"code": "HS-2026-9999", "phone_last4": "5678"})
    assert wrong_digits.status_code == wrong_code.status_code == 404
    assert "Đang thẩm định" not in wrong_digits.content.decode()


def test_api_lookup_gives_the_same_404_for_wrong_code_and_wrong_digits(tmp_path, client):
    sync(tmp_path, record())
    ok = client.get("/api/dossiers/HS-2026-0001", {"phone_last4": "5678"})
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "in_progress" and [s["status"] for s in body["steps"]] == [
        "received",
        "in_progress",
    ]
    assert "phone" not in json.dumps(body).replace("phone_last4", "")
    wrong_digits = client.get("/api/dossiers/HS-2026-0001", {"phone_last4": "0000"})
    wrong_code = client.get("/api/dossiers/HS-2026-0002", {"phone_last4": "5678"})
    assert wrong_digits.status_code == wrong_code.status_code == 404
    assert wrong_digits.content == wrong_code.content


def test_many_lookups_from_one_address_are_refused(tmp_path, client):
    sync(tmp_path, record())
    statuses = [
        client.get(f"/api/dossiers/HS-{n:05d}", {"phone_last4": "5678"}).status_code
        for n in range(70)
    ]
    assert statuses[:60] == [404] * 60
    assert set(statuses[60:]) == {429}
    # Even the right code and digits are refused now, with the wait in the user's language.
    refused = client.get("/api/dossiers/HS-2026-0001", {"phone_last4": "5678"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    page = client.post("/tra-cuu-ho-so/", {"code": "HS-2026-0001", "phone_last4": "5678"})
    assert page.status_code == 429 and "Đang thẩm định" not in page.content.decode()
    # Another address is not affected.
    other = client.get(
        "/api/dossiers/HS-2026-0001", {"phone_last4": "5678"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 200


def test_guessing_one_codes_digits_from_many_addresses_is_refused(tmp_path, client):
    sync(tmp_path, record())
    statuses = [
        client.get(
            "/api/dossiers/HS-2026-0001", {"phone_last4": f"{n:04d}"}, REMOTE_ADDR=f"10.1.0.{n}"
        ).status_code
        for n in range(25)
    ]
    assert 429 in statuses and statuses.index(429) == 20


def _push(client, body: bytes, *, secret="s3cret", timestamp=None, signature=None):  # noqa: S107 - a test secret
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = signature or "sha256=" + push_signature(secret=secret, timestamp=ts, body=body)
    return client.post(
        "/api/dossiers/push", body, content_type="application/json",
        HTTP_X_DOSSIER_TIMESTAMP=ts, HTTP_X_DOSSIER_SIGNATURE=sig,
    )  # fmt: skip


def test_signed_push_applies_once_and_refuses_bad_stale_and_replayed_requests(client, settings):
    body = json.dumps({"dossiers": [record()]}).encode()
    assert _push(client, body).status_code == 403  # no secret configured: push disabled
    settings.DOSSIER_PUSH_SECRET = "s3cret"
    assert _push(client, body, secret="wrong").status_code == 401
    assert _push(client, body, timestamp=int(time.time()) - 3600).status_code == 401
    assert Dossier.objects.count() == 0
    ts = int(time.time())
    first = _push(client, body, timestamp=ts)
    assert first.status_code == 200 and first.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert _push(client, body, timestamp=ts).status_code == 409
    bad = json.dumps({"dossiers": [record("HS-X", agency_code="nowhere")]}).encode()
    refused = _push(client, bad)
    assert refused.status_code == 400 and "nowhere" in refused.json()["detail"]
    assert Dossier.objects.count() == 1


def test_a_signed_in_resident_sees_the_dossiers_filed_with_their_phone(
    tmp_path, client, alice, bob
):
    sync(tmp_path, record(), record("HS-OTHER", applicant_phone="0987654321"))
    client.force_login(alice)
    text = client.get("/ho-so-cua-toi/").content.decode()
    assert "HS-2026-0001" in text and "HS-OTHER" not in text
    client.force_login(bob)  # no phone on his account
    text = client.get("/ho-so-cua-toi/").content.decode()
    assert "HS-2026-0001" not in text and "HS-OTHER" not in text


def test_leaders_see_dossiers_on_time_and_late_per_agency(tmp_path, client, coordinator, officer_a):
    late = record("HS-LATE", status="completed", due_at="2026-03-02T17:00:00+07:00")
    late["steps"].append(
        {"at": "2026-03-04T10:00:00+07:00", "status": "completed", "unit": "UBND", "note": ""}
    )
    on_time = record("HS-OK", status="returned")
    on_time["steps"].append(
        {"at": "2026-03-04T10:00:00+07:00", "status": "returned", "unit": "UBND", "note": ""}
    )
    sync(tmp_path, late, on_time)
    client.force_login(coordinator)
    response = client.get("/bang-dieu-khien/ho-so/")
    assert response.status_code == 200
    row = response.context["rows"][0]
    assert (row.agency.code, row.on_time, row.late, row.total) == ("ubnd-00070", 1, 1, 2)
    client.force_login(officer_a)
    assert client.get("/bang-dieu-khien/ho-so/").status_code == 404
