from django.apps import AppConfig


class NotifyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notify"

    def ready(self) -> None:
        # Residents hear of the lifecycle's steps (reports.derived).
        from reports import derived

        from . import services

        derived.subscribe(
            derived.Subscriber(name="notify", event_recorded=services.on_event_recorded)
        )
