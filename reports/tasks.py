"""Background tasks for reports. Tasks only call services; they are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from . import processing, services


class MediaProcessingError(Exception):
    """Raised after the failure is recorded on the row, so the task result shows it too."""


@task()
def close_unrated_reports() -> int:
    """Close resolved reports nobody rated within AUTO_CLOSE_DAYS; returns how many."""
    return services.reports_auto_close()


@task()
def process_media(media_id: int) -> None:
    """Make the public copies of one attachment (EXIF-free photos, video poster and copy)."""
    media = processing.media_process(media_id=media_id)
    if media is not None and media.processing_error:
        raise MediaProcessingError(f"media {media_id}: {media.processing_error}")


@task()
def audit_checkpoint() -> int:
    """Sign and publish the day's checkpoint of the audit chain (reports/audit.py); returns the
    number of events it covers."""
    from . import audit, clock

    return audit.checkpoint_create(now=clock.now()).events
