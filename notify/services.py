"""Notifications: which steps of a report a resident hears about, the texts, and their delivery
through the person's chosen channels (in-app always; e-mail, SMS, Web Push as they choose).

Delivery is an outbox: each Notification gets one Delivery row per channel the person can
receive, and a background task (notify/tasks.py) sends it. A worker claims a row with a
conditional UPDATE before sending, so a task that runs twice, or two workers, send once.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from reports import clock
from reports.selectors import group_member_ids
from reports.workflow import Action

from .models import Channel, ChannelPreference, Delivery, Notification, PushSubscription, ReportMute

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
        Action.GROUND_CHECK: _("%(code)s was checked on the ground by its residential group"),
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
        Action.GROUND_CHECK,
    }
)
# The steps a residential group's leader and the ward's community team hear of, for the
# reports of their place: a new one to look at, a resolution to check, a reopening.
GROUP_NOTIFIED_ACTIONS = frozenset({Action.ROUTE, Action.RESOLVE, Action.REOPEN})
# A check on the ground that contradicts the unit: its staff hear of it at once.
UNIT_NOTIFIED_OUTCOMES = frozenset({"not_fixed", "not_found"})


def notify_event(event: ReportEvent) -> list[Notification]:
    """Notify the reporter and the followers of `event`'s report, never the actor.

    Runs after the transition commits (workflow.transition schedules it with on_commit, and
    queues notify_event_later as the safety net); running it twice for one event creates
    nothing new (unique user+event)."""
    if event.action not in NOTIFIED_ACTIONS or not event.is_public:
        return []
    report = event.report
    recipients = set(report.followers.values_list("user_id", flat=True))
    if report.reporter_id is not None:
        recipients.add(report.reporter_id)
    if event.action in GROUP_NOTIFIED_ACTIONS:
        recipients |= group_member_ids(report)
    if (
        event.action == Action.GROUND_CHECK
        and event.data.get("outcome") in UNIT_NOTIFIED_OUTCOMES
        and report.agency_id is not None
    ):
        recipients |= set(
            Membership.objects.filter(
                agency_id=report.agency_id,
                role__in=(Role.OFFICER, Role.UNIT_LEADER),
                is_active=True,
            ).values_list("user_id", flat=True)
        )
    recipients.discard(event.actor_id)
    # A resident who muted the report hears nothing of it, not even in-app.
    recipients -= set(
        ReportMute.objects.filter(report=report, user_id__in=recipients).values_list(
            "user_id", flat=True
        )
    )
    if not recipients:
        return []
    unit = report.agency.name if report.agency is not None else ""
    with translation.override(settings.LANGUAGE_CODE):
        title = _title(event.action, code=report.tracking_code, unit=unit)
    body = report.title
    if event.ground_outcome:
        with translation.override(settings.LANGUAGE_CODE):
            body = f"{body}\n{event.ground_outcome}"
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
    # A notice and its deliveries commit together: a process killed in between must not leave
    # an in-app notice whose e-mail nobody will ever send.
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        # bulk_create(ignore_conflicts=True) gives no ids; a second run finds the first run's
        # rows (and their deliveries are then found, not made again).
        notifications = list(
            Notification.objects.filter(event=event, user_id__in=recipients).order_by("id")
        )
        deliveries_create(notifications=notifications)
    return notifications


def on_event_recorded(event: ReportEvent) -> None:
    """Lifecycle subscriber (reports.derived), inside the step's transaction: the notice is made
    once the step commits (a rolled-back step notifies nobody), and a web process killed between
    the commit and that callback cannot lose it: a second run is queued in this transaction
    (bench/crash.py found the gap)."""
    transaction.on_commit(partial(notify_event, event), robust=True)
    notify_event_later(event)


# How long after a step its safety-net check runs: well after the on_commit notice normally
# made it, well before anyone would miss it.
NOTIFY_CHECK_DELAY = timedelta(minutes=2)


def notify_event_later(event: ReportEvent) -> None:
    """Queue, in the caller's transaction, a second run of notify_event for `event`.

    The notice itself is made right after the commit (on_commit, in the web process); if that
    process is killed between the commit and the callback, nothing else would notice. The task
    row commits with the step, so a worker makes up for it. Backends that cannot defer
    (the immediate one used beside the live test server) run everything in-process anyway."""
    if event.action not in NOTIFIED_ACTIONS or not event.is_public:
        return
    from django_tasks import default_task_backend

    from .tasks import notify_event_again

    if not default_task_backend.supports_defer:
        return
    notify_event_again.using(run_after=clock.now() + NOTIFY_CHECK_DELAY).enqueue(event.pk)


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
    notifications = list(Notification.objects.filter(dedupe_key__in=keys).order_by("id"))
    # Staff duties (assignments, deadlines) cannot be muted: no ReportMute filter here.
    deliveries_create(notifications=notifications)
    return notifications


# --- Delivery through channels -------------------------------------------------------------

MAX_ATTEMPTS = 5


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the `attempts`-th failed attempt: 1, 5, 25, 125 minutes."""
    return timedelta(minutes=5 ** (attempts - 1))


class PermanentDeliveryError(Exception):
    """Nothing to retry: the person has no address for this channel any more."""


def channel_preference_for(user: User) -> ChannelPreference:
    """The person's channel choices; the defaults (unsaved) if they never chose."""
    try:
        return ChannelPreference.objects.get(user=user)
    except ChannelPreference.DoesNotExist:
        return ChannelPreference(user=user)


def sending_lease() -> timedelta:
    """How long a claimed delivery may stay "sending" before the retry sweep decides its worker
    died (settings.NOTIFY_SENDING_LEASE_SECONDS; far above EMAIL_TIMEOUT and the push and SMS
    timeouts, so a slow send is not sent twice)."""
    return timedelta(seconds=settings.NOTIFY_SENDING_LEASE_SECONDS)


def deliveries_create(*, notifications: Iterable[Notification]) -> list[Delivery]:
    """One pending Delivery per notification and channel its person chose and can receive
    (e-mail needs an address, SMS a phone, push a browser subscription); sending is queued
    once the caller's transaction commits. Safe to call twice (unique notification+channel)."""
    notifications = list(notifications)
    if not notifications:
        return []
    from accounts.models import User

    user_ids = {n.user_id for n in notifications}
    from intake.models import ZaloContact

    # Whether the person wrote to the city's Zalo OA, in the same query (the SLA sweep's query
    # count per report is bounded by a test).
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=user_ids)
        .only("id", "email", "phone")
        .annotate(on_zalo=Exists(ZaloContact.objects.filter(user_id=OuterRef("pk"))))
    }
    prefs = {p.user_id: p for p in ChannelPreference.objects.filter(user_id__in=user_ids)}
    pushable = set(
        PushSubscription.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )

    now = clock.now()
    rows = []
    for n in notifications:
        user = users[n.user_id]
        pref = prefs.get(n.user_id) or ChannelPreference(user_id=n.user_id)
        channels = []
        if pref.email and user.email:
            channels.append(Channel.EMAIL)
        if pref.sms and user.phone:
            channels.append(Channel.SMS)
        if pref.push and n.user_id in pushable:
            channels.append(Channel.PUSH)
        if pref.zalo and user.on_zalo:
            channels.append(Channel.ZALO)
        rows += [Delivery(notification=n, channel=c, created_at=now) for c in channels]
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    pending = list(
        Delivery.objects.filter(
            notification__in=[n.pk for n in notifications], status=Delivery.Status.PENDING
        ).order_by("id")
    )
    ids = [d.pk for d in pending]
    # Sent only once committed: a rolled-back change must not e-mail anybody. If the process
    # dies between the commit and the enqueue, the retry sweep finds the pending rows.
    transaction.on_commit(lambda: _enqueue(ids))
    return pending


def _enqueue(ids: list[int]) -> None:
    from .tasks import send_delivery

    for delivery_id in ids:
        send_delivery.enqueue(delivery_id)


def _claim(delivery_id: int, now: datetime) -> bool:
    """Compare-and-set: only one caller moves a due row to "sending"."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = Delivery.objects.filter(
        due,
        pk=delivery_id,
        status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED],
    ).update(
        status=Delivery.Status.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + sending_lease(),
    )
    return claimed == 1


def _record_failure(delivery: Delivery, error: str, *, permanent: bool = False) -> None:
    now = clock.now()
    gave_up = permanent or delivery.attempts >= MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.GAVE_UP if gave_up else Delivery.Status.FAILED,
        next_attempt_at=None if gave_up else now + retry_delay(delivery.attempts),
        last_error=error[:2000],
    )


def delivery_send(*, delivery_id: int) -> str | None:
    """Send one delivery if it is due and nobody else is sending it; returns its new status,
    or None when there was nothing to do (already sent, being sent, not yet due)."""
    from . import channels

    now = clock.now()
    if not _claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("notification__user", "notification__report").get(
        pk=delivery_id
    )
    try:
        channels.send(delivery)
    except PermanentDeliveryError as exc:
        _record_failure(delivery, str(exc), permanent=True)
    except Exception as exc:
        _record_failure(delivery, f"{type(exc).__name__}: {exc}")
    else:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SENT, sent_at=clock.now(), next_attempt_at=None, last_error=""
        )
    return Delivery.objects.values_list("status", flat=True).get(pk=delivery_id)


def deliveries_retry_due() -> list[int]:
    """The periodic sweep: take back deliveries whose worker died mid-send, and queue every
    failed delivery whose next attempt is due and every pending one whose task was lost.
    Returns the ids queued."""
    now = clock.now()
    for delivery in Delivery.objects.filter(
        status=Delivery.Status.SENDING, next_attempt_at__lte=now
    ):
        _record_failure(delivery, "the worker stopped while sending")
    due = Delivery.objects.filter(
        Q(status=Delivery.Status.FAILED, next_attempt_at__lte=now)
        | Q(status=Delivery.Status.PENDING, created_at__lte=now - sending_lease())
    )
    ids = list(due.order_by("id").values_list("id", flat=True))
    transaction.on_commit(lambda: _enqueue(ids))
    return ids


# --- A resident's choices --------------------------------------------------------------------


def channel_preference_update(
    *, actor: User, email: bool, sms: bool, push: bool
) -> ChannelPreference:
    """Save how `actor` wants to hear from us. A channel they cannot receive is refused."""
    if email and not actor.email:
        raise ValidationError(_("Add an e-mail address to your account to get e-mails."))
    if sms and not actor.phone:
        raise ValidationError(_("Add a phone number to your account to get SMS."))
    pref, _created = ChannelPreference.objects.update_or_create(
        user=actor, defaults={"email": email, "sms": sms, "push": push}
    )
    return pref


def report_muted(*, user: User, report: Report) -> bool:
    return ReportMute.objects.filter(user=user, report=report).exists()


def report_mute(*, actor: User, report: Report, muted: bool) -> bool:
    """Stop (or resume) every message to `actor` about `report`. The caller got `report`
    through get_report_for, so `actor` may see it. Returns the new state."""
    if muted:
        ReportMute.objects.get_or_create(user=actor, report=report)
    else:
        ReportMute.objects.filter(user=actor, report=report).delete()
    return muted


def _b64url(value: str, *, length: int, what: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != length:
        raise ValidationError(
            _("The browser sent an invalid push subscription (%(what)s).") % {"what": what}
        )
    return value


def push_subscription_save(
    *, actor: User, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """Keep a browser's push subscription for `actor` (from PushManager.subscribe). An endpoint
    seen before belongs to whoever subscribed last: that is who uses the browser now."""
    url = urlsplit(endpoint or "")
    # Push services are HTTPS; plain HTTP only to this machine (development, the tests' endpoint).
    local = url.hostname in ("localhost", "127.0.0.1")
    if not url.hostname or not (url.scheme == "https" or (url.scheme == "http" and local)):
        raise ValidationError(
            _("The browser sent an invalid push subscription (%(what)s).") % {"what": "endpoint"}
        )
    if len(endpoint) > 1000:
        raise ValidationError(
            _("The browser sent an invalid push subscription (%(what)s).") % {"what": "endpoint"}
        )
    _b64url(p256dh or "", length=65, what="p256dh")
    _b64url(auth or "", length=16, what="auth")
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": actor, "p256dh": p256dh, "auth": auth}
    )
    return subscription
