from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("SLA clock and scheduler")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Officers hear of assignments (reports.derived).
        from reports import derived

        from . import services

        derived.subscribe(derived.Subscriber(name="sla", event_recorded=services.on_event_recorded))
