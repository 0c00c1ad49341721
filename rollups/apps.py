from django.apps import AppConfig


class RollupsConfig(AppConfig):
    name = "rollups"
    verbose_name = "Dashboard rollups"

    def ready(self) -> None:
        # The dashboard's counters follow every step of the lifecycle in its transaction.
        from reports import derived

        from . import services

        derived.subscribe(
            derived.Subscriber(
                name="rollups",
                report_changed=lambda before, after: services.apply_report_change(
                    before=before, after=after
                ),
                rating_added=lambda rating: services.apply_rating(rating=rating),
                rebuild=services.rebuild,
            )
        )
