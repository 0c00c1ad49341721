"""The time services see. Normally `timezone.now()`; `travel()` moves it for one context, so
that demo data can be written through the real services at plausible past times."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_fixed: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("clock", default=None)


def now() -> datetime:
    return _fixed.get() or timezone.now()


@contextlib.contextmanager
def travel(moment: datetime) -> Iterator[None]:
    token = _fixed.set(moment)
    try:
        yield
    finally:
        _fixed.reset(token)
