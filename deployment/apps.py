from django.apps import AppConfig


class DeploymentConfig(AppConfig):
    name = "deployment"
    verbose_name = "Deployment checks"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the production settings checks
