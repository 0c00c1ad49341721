"""Production settings checks (`manage.py check --deploy`)."""

from __future__ import annotations
