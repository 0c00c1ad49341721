from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "maps"
    verbose_name = "Public map"

    def ready(self) -> None:
        # The public map's cell counts follow every step of the lifecycle in its transaction.
        from reports import derived

        from . import services

        derived.subscribe(
            derived.Subscriber(
                name="maps",
                report_changed=lambda before, after: services.apply_report_change(
                    before=before, after=after
                ),
                rebuild=lambda: {"map cells": services.rebuild()},
            )
        )
