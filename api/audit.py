"""The audit chain's signed checkpoints, public: anyone may keep copies, and a copy kept today
shows any later rewrite of the past (reports/audit.py; `verify_audit --checkpoint FILE`)."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from reports import audit
from reports.models import AuditCheckpoint

router = Router(tags=["audit"])

# A month of nightly checkpoints; older ones stay in the database and in the files.
LATEST = 31


class CheckpointOut(Schema):
    created_at: datetime
    max_event_id: int
    events: int
    head: str
    # The exact signed text and its Ed25519 signature (base64): keep both.
    body: str
    signature: str


class CheckpointsOut(Schema):
    public_key: str
    checkpoints: list[CheckpointOut]


@router.get("/checkpoints", response=CheckpointsOut, auth=None, summary="Signed checkpoints")
def checkpoints(request):
    """The newest signed checkpoints of the audit chain, newest first, and the key that
    verifies them (raw Ed25519 public key, base64)."""
    rows = AuditCheckpoint.objects.all()[:LATEST]
    return {"public_key": audit.public_key(), "checkpoints": list(rows)}
