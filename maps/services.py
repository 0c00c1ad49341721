"""The public map's counts per H3 cell, kept exact by the services that change reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def apply_report_change(*, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> None:
    """Called by reports.derived inside the transaction that changed a report."""
