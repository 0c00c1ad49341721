"""Deleting attachments: the row and every stored file of it (issue 16).

One function, `media_delete`, removes Media rows and, once the transaction has committed, the
private original and every public copy (display, thumbnail, poster, video copy), on disk or in
the buckets. Files go after the commit, not before: a rolled-back deletion must not leave a row
whose files are gone. A crash between the commit and the file deletion leaves files no row
names; `media_sweep` (manage.py sweep_media) finds and deletes those.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User

from . import clock
from .models import Media
from .storage import file_stat, is_missing, private_storage

logger = logging.getLogger(__name__)

# A file younger than this may belong to a submission whose transaction has not committed yet
# (files are written inside it): the sweep leaves it for its next run.
SWEEP_GRACE = timedelta(hours=1)
_COPY_FIELDS = ("thumbnail", "display", "poster", "public_video")


def stored_files(media: Media) -> list[tuple[Storage, str]]:
    """Every stored file of one attachment: the private original and its public copies."""
    files: list[tuple[Storage, str]] = []
    if media.file.name:
        files.append((media.file.storage, media.file.name))
    for field in _COPY_FIELDS:
        copy = getattr(media, field)
        if copy.name:
            files.append((copy.storage, copy.name))
    return files


def delete_stored(files: Iterable[tuple[Storage, str]]) -> None:
    """Delete files, going on past a failure (logged; the sweep retries what is left)."""
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception as exc:
            if not is_missing(exc):
                logger.exception("could not delete stored file %s", name)


def _may_delete(actor: User | None, media: Media) -> bool:
    if actor is None:  # the system: a service that checked its own permission (data deletion)
        return True
    if actor.is_superuser:
        return True
    if media.is_proof:
        return False  # proof belongs to the unit's record
    if media.uploaded_by_id == actor.pk:
        return True  # a resident removes their own evidence
    # The report's unit leader or a coordinator removes a resident's photo that must not be
    # kept (a face, a child, a number plate).
    from .workflow import Role, roles_for

    return bool(roles_for(actor, media.report) & {Role.UNIT_LEADER, Role.COORDINATOR})


def media_delete(*, actor: User | None, media_ids: Iterable[int]) -> int:
    """Delete these attachments and all their files; returns how many rows went.

    `actor=None` is for services that decided it themselves (a resident's data deletion)."""
    ids = list(media_ids)
    with transaction.atomic():
        rows = list(
            Media.objects.select_for_update(of=("self",))
            .select_related("report")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        for media in rows:
            if not _may_delete(actor, media):
                raise PermissionDenied
        files = [f for media in rows for f in stored_files(media)]
        Media.objects.filter(pk__in=[m.pk for m in rows]).delete()
        transaction.on_commit(lambda: delete_stored(files))
    logger.info("media %s deleted by %s", [m.pk for m in rows], actor.pk if actor else "system")
    return len(rows)


def resident_media_delete(*, user: User) -> int:
    """A resident's 'delete my data': every photo, video and document they attached as
    evidence goes, with its files (their GPS-bearing originals above all)."""
    ids = Media.objects.filter(uploaded_by=user, is_proof=False).values_list("pk", flat=True)
    return media_delete(actor=None, media_ids=list(ids))


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in files:
        if not name.startswith(".partial-"):  # a copy being written (storage.write_public_copy)
            yield prefix + name
    for sub in folders:
        yield from _walk(storage, prefix + sub)


def media_sweep(*, dry_run: bool = False) -> list[str]:
    """Delete stored files that no attachment names any more (left by a crash between a
    deletion's commit and its file deletion, or a copy written while its row was deleted).
    Returns the names found."""
    known: set[str] = set()
    for row in Media.objects.values_list("file", *_COPY_FIELDS).iterator():
        known.update(name for name in row if name)
    cutoff = clock.now() - SWEEP_GRACE
    found: list[str] = []
    for storage, folder in ((private_storage(), "reports"), (default_storage, "public")):
        for name in _walk(storage, folder):
            if name in known:
                continue
            try:
                _size, modified = file_stat(storage, name)
            except FileNotFoundError:
                continue
            if modified > cutoff:
                continue
            found.append(name)
            if not dry_run:
                delete_stored([(storage, name)])
    return found


def media_original_view(*, actor: User, media: Media, reason: str) -> Media:
    """Open an attachment's private original (GPS, camera, the unblurred picture): only for
    the report's unit leader or a coordinator, with a reason, recorded on the report's chain
    (workflow's VIEW_ORIGINAL: who, when, which file, why) before a byte is served."""
    from . import text, workflow
    from .models import Report

    reason = text.checked_text(
        reason,
        label=_("The reason"),
        max_length=text.NOTE_MAX,
        code="bad_reason",
        required_message=_("Say why you need the original."),
    )
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).get(pk=media.report_id)
        workflow.transition(
            report,
            workflow.Action.VIEW_ORIGINAL,
            actor=actor,
            note=reason,
            data={"media_id": media.pk, "kind": media.kind, "sha256": media.sha256},
            is_public=False,
        )
    logger.info("original of media %s opened by %s", media.pk, actor.pk)
    return media
