"""In-app notifications: which steps of a report a resident hears about, and the texts.

Delivery by SMS, e-mail or push is a later issue; it will read the same rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from reports import clock
from reports.workflow import Action

from .models import Notification

if TYPE_CHECKING:
    from accounts.models import User
    from reports.models import Report, ReportEvent


def _title(action: str, *, code: str, unit: str) -> str:
    # Called under translation.override: the texts are stored in the site language.
    titles = {
        Action.ROUTE: _("%(code)s was sent to %(unit)s"),
        Action.ACCEPT: _("%(unit)s accepted %(code)s"),
        Action.GRANT_EXTENSION: _("The deadline of %(code)s was extended"),
        Action.RESOLVE: _("%(code)s was resolved: please check and rate the result"),
        Action.REJECT: _("%(code)s was rejected"),
        Action.REOPEN: _("%(code)s was reopened"),
        Action.RATE_SATISFIED: _("%(code)s was closed: the resident is satisfied"),
        Action.AUTO_CLOSE: _("%(code)s was closed"),
        Action.MERGE: _("%(code)s was merged with an earlier report"),
        Action.REROUTE: _("%(code)s was sent to another unit: %(unit)s"),
        Action.TRANSFER: _("%(code)s was transferred to %(unit)s"),
    }
    return titles[Action(action)] % {"code": code, "unit": unit or _("the handling unit")}


# The steps a resident should know about; internal ones (assign, extension requests) are not.
NOTIFIED_ACTIONS = frozenset(
    {
        Action.ROUTE,
        Action.ACCEPT,
        Action.GRANT_EXTENSION,
        Action.RESOLVE,
        Action.REJECT,
        Action.REOPEN,
        Action.RATE_SATISFIED,
        Action.AUTO_CLOSE,
        Action.MERGE,
        Action.REROUTE,
        Action.TRANSFER,
    }
)


def notify_event(event: ReportEvent) -> list[Notification]:
    """Notify the reporter and the followers of `event`'s report, never the actor.

    Runs after the transition commits (workflow.transition schedules it with on_commit);
    running it twice for one event creates nothing new (unique user+event)."""
    if event.action not in NOTIFIED_ACTIONS or not event.is_public:
        return []
    report = event.report
    recipients = set(report.followers.values_list("user_id", flat=True))
    if report.reporter_id is not None:
        recipients.add(report.reporter_id)
    recipients.discard(event.actor_id)
    if not recipients:
        return []
    unit = report.agency.name if report.agency is not None else ""
    with translation.override(settings.LANGUAGE_CODE):
        title = _title(event.action, code=report.tracking_code, unit=unit)
    body = report.title
    if event.note:
        body = f"{body}\n{Truncator(event.note).chars(300)}"
    rows = [
        Notification(
            user_id=user_id,
            report=report,
            event=event,
            kind=event.action,
            title=Truncator(title).chars(200),
            body=body,
            created_at=event.created_at,
        )
        for user_id in sorted(recipients)
    ]
    return Notification.objects.bulk_create(rows, ignore_conflicts=True)


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("report")


def unread_count(user: User) -> int:
    # Uses notification_unread_idx.
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_mark_read(*, user: User, ids: list[int]) -> int:
    """Mark these notifications of `user` read; another person's ids are ignored."""
    return Notification.objects.filter(user=user, id__in=ids, read_at__isnull=True).update(
        read_at=clock.now()
    )


def notify_staff(
    *,
    users: list[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str,
    report: Report | None = None,
    event: ReportEvent | None = None,
) -> list[Notification]:
    """A message to staff (or to anyone, about no single step of a report): a new assignment,
    a deadline near or passed, a digest, an area alert.

    `dedupe_key` names the occasion ("overdue:<report>:<n>"); each person gets one message per
    key however often the caller runs (the key is stored per person: "<key>:u<id>")."""
    now = clock.now()
    rows = [
        Notification(
            user=user,
            report=report,
            event=event,
            kind=kind,
            title=Truncator(title).chars(200),
            body=body,
            url=url,
            dedupe_key=f"{dedupe_key}:u{user.pk}"[:120],
            created_at=now,
        )
        for user in users
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.dedupe_key for row in rows]
    return list(Notification.objects.filter(dedupe_key__in=keys).order_by("id"))
