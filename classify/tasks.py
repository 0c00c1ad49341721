"""Background tasks of the category suggestions. Tasks only call services."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def retrain() -> dict[str, object]:
    """The nightly retraining on the day's history; a worse model is kept aside, not served."""
    result = services.category_model_train()
    return {
        "version": result.model.pk,
        "serving": result.serving,
        "top1": result.metrics.top1,
        "top3": result.metrics.top3,
    }
