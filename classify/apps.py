from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassifyConfig(AppConfig):
    name = "classify"
    verbose_name = _("Category suggestions")

    def ready(self) -> None:
        from reports import derived

        from . import services

        # Every filed report keeps what was suggested for it (the acceptance figures).
        derived.subscribe(
            derived.Subscriber(name="classify", event_recorded=services.on_event_recorded)
        )
