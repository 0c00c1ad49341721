"""Dashboard rollups per unit × category × day, kept exact by the services that change reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reports.models import Rating


def apply_report_change(*, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> None:
    """Called by reports.derived inside the transaction that changed a report."""


def apply_rating(*, rating: Rating) -> None:
    """Called by reports.derived inside the transaction that stored a rating."""
