"""Background work of the cameras. Tasks only call services."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def probe() -> dict[str, int]:
    """One probe cycle over every camera (the scheduler queues it every two minutes)."""
    return services.cameras_probe()
