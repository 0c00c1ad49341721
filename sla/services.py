"""The SLA clock: flag reports whose deadline passed, remind, warn before a deadline, send the
unit leaders' daily digest; and the periodic scheduler that enqueues all of it.

Every function here is safe to run twice at once: the overdue flag is written under the
report's row lock through the workflow, notices are idempotent per dedupe key, and a
scheduled run is claimed with a compare-and-set update.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from reports import clock, workflow
from reports.deadlines import add_working_hours, is_working_day
from reports.models import Report
from reports.workflow import OPEN_STATUSES, Action

from .models import ScheduledJob
from .selectors import is_overdue, overdue_q, unflagged_overdue

if TYPE_CHECKING:
    from reports.models import ReportEvent

logger = logging.getLogger(__name__)

# Officers are warned this many working hours before a deadline.
DUE_SOON_HOURS = 2
# Reports flagged or reminded per sweep: a backlog is worked off over a few minutes instead of
# one long transaction-heavy run.
SWEEP_BATCH = 500


def reminder_hours() -> float:
    """Working hours between two overdue notices for one report (one working day by default)."""
    return float(getattr(settings, "SLA_REMINDER_HOURS", 8))


# --- who hears of it -----------------------------------------------------------------------


def _workspace_url(report: Report) -> str:
    path = reverse("workspace:report", args=[report.tracking_code])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _members_by_agency(agency_ids: set[int], roles: list[str]) -> dict[int, list[User]]:
    """Active members of these agencies with these roles, in one query."""
    found: dict[int, list[User]] = defaultdict(list)
    memberships = (
        Membership.objects.filter(agency_id__in=agency_ids, role__in=roles, is_active=True)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    for m in memberships:
        if m.user not in found[m.agency_id]:
            found[m.agency_id].append(m.user)
    return found


def _coordinators() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.COORDINATOR,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("id")
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


# --- the sweep -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    flagged: int
    reminded: int
    warned: int


def sla_sweep(*, now: datetime | None = None) -> SweepResult:
    """Flag open reports whose `due_at` passed, remind about those still overdue after
    SLA_REMINDER_HOURS working hours, and warn officers 2 working hours before a deadline.

    Run every minute by the scheduler. The work is bounded by the reports that need it:
    a few queries to find them and a fixed number per report flagged or reminded.

    Nothing a person reads waits for this run: the inbox, the queue and the API test
    `due_at <= now` themselves, and the dashboard adds the not-yet-flagged reports to the
    rollups' count (sla/selectors.py). So the sweep keeps a fixed one-minute tick instead of
    waking at the next `due_at`: a tick costs one indexed query when nothing is due, a
    wake-up schedule would need re-planning on every deadline change, and what the minute
    delays is only the notices and the rollups' flag, never a figure or a flag on screen."""
    now = now or clock.now()
    flagged = reminded = 0
    due_ids = list(
        # report_due_unflagged_idx: the open reports whose deadline passed (a deadline is
        # missed at its very instant, sla.selectors.overdue_q) and are not yet flagged.
        unflagged_overdue(Report.objects.all(), now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    every = reminder_hours()
    # `every` working hours always take at least `every` wall-clock hours: the index narrows
    # the candidates, the working-hours calendar decides.
    reminder_candidates = [
        (pk, last)
        for pk, last in Report.objects.filter(
            status__in=OPEN_STATUSES,
            overdue_since__isnull=False,
            overdue_reminded_at__lte=now - timedelta(hours=every),
        )
        .order_by("overdue_reminded_at")
        .values_list("pk", "overdue_reminded_at")[:SWEEP_BATCH]
        if last is not None and add_working_hours(last, every) <= now
    ]
    agency_ids = set(
        Report.objects.filter(
            pk__in=due_ids + [pk for pk, _last in reminder_candidates]
        ).values_list("agency_id", flat=True)
    ) - {None}
    leaders = _members_by_agency(agency_ids, [Role.UNIT_LEADER]) if agency_ids else {}
    coordinators = _coordinators() if due_ids or reminder_candidates else []
    for pk in due_ids:
        if _flag_one(pk, now=now, leaders=leaders, coordinators=coordinators, remind=False):
            flagged += 1
    for pk, _last in reminder_candidates:
        if _flag_one(pk, now=now, leaders=leaders, coordinators=coordinators, remind=True):
            reminded += 1
    warned = _warn_due_soon(now=now)
    return SweepResult(flagged=flagged, reminded=reminded, warned=warned)


def _flag_one(
    pk: int,
    *,
    now: datetime,
    leaders: dict[int, list[User]],
    coordinators: list[User],
    remind: bool,
) -> bool:
    """Flag (or remind about) one report under its row lock; False if it no longer needs it
    (handled, re-deadlined or already done by another sweep meanwhile)."""
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("agency").get(pk=pk)
        if report.status not in OPEN_STATUSES or not is_overdue(report.due_at, now):
            return False
        assert report.due_at is not None  # is_overdue said so
        if remind:
            last = report.overdue_reminded_at
            if (
                report.overdue_since is None
                or last is None
                or add_working_hours(last, reminder_hours()) > now
            ):
                return False
            action = Action.REMIND_OVERDUE
            changes: dict[str, Any] = {}
        else:
            if report.overdue_since is not None:
                return False
            action = Action.MARK_OVERDUE
            changes = {"overdue_since": report.due_at}
        n = report.overdue_reminders + 1
        changes.update(overdue_reminders=n, overdue_reminded_at=now)
        event = workflow.transition(
            report,
            action,
            actor=None,
            data={"due_at": report.due_at.isoformat(), "notice": n},
            changes=changes,
            # The unit's internal business: the resident's timeline shows the steps, not this.
            is_public=False,
        )
        users = list(leaders.get(report.agency_id or 0, []))
        users += [u for u in coordinators if u not in users]
        transaction.on_commit(
            lambda: _notify_overdue(report=report, event=event, users=users, n=n), robust=True
        )
    return True


def _notify_overdue(*, report: Report, event: ReportEvent, users: list[User], n: int) -> None:
    from notify.services import notify_staff

    assert report.due_at is not None
    with translation.override(settings.LANGUAGE_CODE):
        if n == 1:
            title = _("%(code)s is overdue: the deadline was %(due)s") % {
                "code": report.tracking_code,
                "due": _local(report.due_at),
            }
        else:
            title = _("%(code)s is still overdue (reminder %(n)d): the deadline was %(due)s") % {
                "code": report.tracking_code,
                "n": n - 1,
                "due": _local(report.due_at),
            }
        unit = report.agency.name if report.agency else _("the handling unit")
        body = _("%(title)s\nHandling unit: %(unit)s") % {"title": report.title, "unit": unit}
    notify_staff(
        users=users,
        kind="overdue",
        title=title,
        body=body,
        url=_workspace_url(report),
        # The deadline is part of the key: a later deadline's first notice is a new occasion.
        dedupe_key=f"overdue:{report.pk}:{int(report.due_at.timestamp())}:{n}",
        report=report,
        event=event,
    )


def _warn_due_soon(*, now: datetime) -> int:
    """ "Deadline in 2 working hours" to the assignee, or to the unit's officers if nobody is
    assigned; once per deadline (the key carries the deadline)."""
    from notify.models import Notification
    from notify.services import notify_staff

    horizon = add_working_hours(now, DUE_SOON_HOURS)
    reports = list(
        Report.objects.filter(
            status__in=OPEN_STATUSES,
            due_at__gt=now,
            due_at__lte=horizon,
            agency__isnull=False,
        )
        .select_related("assignee")
        .order_by("due_at")[:SWEEP_BATCH]
    )
    if not reports:
        return 0
    keys = {r.pk: f"due_soon:{r.pk}:{int(r.due_at.timestamp())}" for r in reports if r.due_at}
    # One query for what was already sent; keys are stored per person as "<key>:u<id>".
    sent = {
        key.rsplit(":u", 1)[0]
        for key in Notification.objects.filter(
            kind="due_soon", report_id__in=list(keys)
        ).values_list("dedupe_key", flat=True)
        if key
    }
    pending = [r for r in reports if keys[r.pk] not in sent]
    officers = _members_by_agency(
        {r.agency_id for r in pending if r.assignee_id is None and r.agency_id}, [Role.OFFICER]
    )
    warned = 0
    for report in pending:
        users = [report.assignee] if report.assignee else officers.get(report.agency_id or 0, [])
        if not users:
            continue
        assert report.due_at is not None
        with translation.override(settings.LANGUAGE_CODE):
            title = _("%(code)s is due at %(due)s: less than 2 working hours left") % {
                "code": report.tracking_code,
                "due": _local(report.due_at),
            }
        notify_staff(
            users=users,
            kind="due_soon",
            title=title,
            body=report.title,
            url=_workspace_url(report),
            dedupe_key=keys[report.pk],
            report=report,
        )
        warned += 1
    return warned


def notify_assignment(*, report: Report, assignee: User, event: ReportEvent | None = None) -> None:
    """ "New assignment" to the officer a report was assigned to (after the commit)."""
    from notify.services import notify_staff

    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(code)s was assigned to you") % {"code": report.tracking_code}
        if report.due_at:
            body = _("%(title)s\nDeadline: %(due)s") % {
                "title": report.title,
                "due": _local(report.due_at),
            }
        else:
            body = report.title
    notify_staff(
        users=[assignee],
        kind="assigned",
        title=title,
        body=body,
        url=_workspace_url(report),
        dedupe_key=f"assign:{report.pk}:{event.pk if event else assignee.pk}",
        report=report,
        event=event,
    )


def on_event_recorded(event: ReportEvent) -> None:
    """Lifecycle subscriber (reports.derived): an assignment to someone else than the one who
    made it tells that officer, once the step is committed."""
    if event.action != Action.ASSIGN:
        return
    report = event.report
    assignee = report.assignee
    if assignee is None or assignee.pk == event.actor_id:
        return
    transaction.on_commit(
        partial(notify_assignment, report=report, assignee=assignee, event=event), robust=True
    )


# --- the unit leaders' digest --------------------------------------------------------------


def send_daily_digests(*, today: date, now: datetime | None = None) -> int:
    """Each unit leader's morning digest: the unit's overdue and unresolved reports, with a
    link to the workspace. Working days only; once per unit and day. Returns units notified."""
    from notify.services import notify_staff
    from units.models import Agency

    if not is_working_day(today):
        return 0
    now = now or clock.now()
    counts = {
        row["agency_id"]: row
        for row in Report.objects.filter(status__in=OPEN_STATUSES, agency__isnull=False)
        .values("agency_id")
        .annotate(
            unresolved=Count("id"),
            overdue=Count("id", filter=overdue_q(now)),
        )
        .order_by()
    }
    leaders = _members_by_agency(set(counts), [Role.UNIT_LEADER])
    agencies = Agency.objects.in_bulk(list(leaders))
    url = f"{settings.SITE_URL.rstrip('/')}{reverse('workspace:inbox')}"
    sent = 0
    for agency_id, users in sorted(leaders.items()):
        row, agency = counts[agency_id], agencies[agency_id]
        with translation.override(settings.LANGUAGE_CODE):
            title = _("%(unit)s on %(day)s: %(overdue)d overdue, %(open)d unresolved reports") % {
                "unit": agency.name,
                "day": today.strftime("%d/%m/%Y"),
                "overdue": row["overdue"],
                "open": row["unresolved"],
            }
        notify_staff(
            users=users,
            kind="digest",
            title=title,
            url=url,
            dedupe_key=f"digest:{agency.code}:{today.isoformat()}",
        )
        sent += 1
    return sent


# --- tasks a dead worker left behind ---------------------------------------------------------


def tasks_requeue_stale(*, now: datetime | None = None, lease: timedelta | None = None) -> int:
    """Put back in the queue the tasks a worker claimed and never finished (it was killed).

    django-tasks-db marks a claimed task RUNNING and nothing ever picks it up again if the
    worker dies; our tasks are idempotent, so running one again after its lease is safe.
    A task that killed its worker TASK_MAX_ATTEMPTS times is marked failed instead."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    if lease is None:
        lease = timedelta(minutes=getattr(settings, "TASK_LEASE_MINUTES", 30))
    attempts = getattr(settings, "TASK_MAX_ATTEMPTS", 3)
    requeued = 0
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - lease)
    for row in stale.order_by("started_at")[:SWEEP_BATCH]:
        if len(row.worker_ids) >= attempts:
            row.set_failed(RuntimeError(f"worker died {len(row.worker_ids)} times running it"))
            logger.error("task %s (%s) failed: its workers died", row.pk, row.task_path)
            continue
        # Compare-and-set on the claim time: a task claimed again meanwhile is left alone.
        requeued += DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        ).update(status=TaskResultStatus.READY)
        logger.warning("task %s (%s) re-queued: its worker died", row.pk, row.task_path)
    return requeued


# --- the scheduler -------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """A periodic job: the task to enqueue and when."""

    name: str
    task_path: str
    every: timedelta | None = None
    daily_at: time | None = None
    # Arguments for the run scheduled at this (local) moment.
    args: Callable[[datetime], dict[str, Any]] | None = None

    def next_after(self, moment: datetime) -> datetime:
        if self.every is not None:
            return moment + self.every
        assert self.daily_at is not None
        local = timezone.localtime(moment)
        candidate = datetime.combine(local.date(), self.daily_at, local.tzinfo)
        if candidate <= local:
            candidate = datetime.combine(
                local.date() + timedelta(days=1), self.daily_at, local.tzinfo
            )
        return candidate

    def task(self) -> Any:
        module, _dot, name = self.task_path.rpartition(".")
        return getattr(import_module(module), name)


JOBS: list[Job] = [
    Job("auto_close", "reports.tasks.close_unrated_reports", every=timedelta(minutes=5)),
    Job("sla_sweep", "sla.tasks.sweep", every=timedelta(minutes=1)),
    Job(
        "daily_digests",
        "sla.tasks.daily_digests",
        daily_at=time(7, 30),
        args=lambda at: {"day": timezone.localtime(at).date().isoformat()},
    ),
    # The category classifier learns the day's corrections (classify/), while the city sleeps.
    Job("retrain_category_model", "classify.tasks.retrain", daily_at=time(2, 30)),
    # The audit chain's signed checkpoint (reports/audit.py), once a night.
    Job("audit_checkpoint", "reports.tasks.audit_checkpoint", daily_at=time(0, 15)),
    Job("requeue_stale_tasks", "sla.tasks.requeue_stale_tasks", every=timedelta(minutes=1)),
    # Written by the delivery work (notify/tasks.py); skipped with a log line until it exists.
    Job("retry_deliveries", "notify.tasks.retry_deliveries", every=timedelta(minutes=1)),
    # Zalo events whose task was lost and conversation replies due for a retry (intake/).
    Job("zalo_sweep", "intake.tasks.zalo_sweep", every=timedelta(minutes=1)),
    # Every camera feed probed (cameras/): health, the cached picture, the owner's notice.
    Job("probe_cameras", "cameras.tasks.probe", every=timedelta(minutes=2)),
]


def scheduler_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _first_run(job: Job, now: datetime) -> datetime:
    return now if job.every is not None else job.next_after(now)


def scheduled_jobs_due(*, now: datetime, jobs: list[Job] | None = None) -> list[ScheduledJob]:
    """The jobs due now, as read (the claim compares against what was read here)."""
    jobs = JOBS if jobs is None else jobs
    ScheduledJob.objects.bulk_create(
        [ScheduledJob(name=j.name, next_run_at=_first_run(j, now)) for j in jobs],
        ignore_conflicts=True,
    )
    return list(ScheduledJob.objects.filter(name__in=[j.name for j in jobs], next_run_at__lte=now))


def scheduled_job_claim(*, row: ScheduledJob, job: Job, now: datetime, worker: str) -> str | None:
    """Claim one due run and enqueue its task; the task result id, or None if another
    scheduler claimed it first (or the task does not exist yet)."""
    try:
        task = job.task()
    except (ImportError, AttributeError):
        logger.info("scheduler: %s skipped, %s does not exist yet", job.name, job.task_path)
        return None
    # An interval job that fell behind (scheduler stopped) runs once now, not once per gap.
    next_run = job.next_after(row.next_run_at)
    if next_run <= now:
        next_run = job.next_after(now)
    with transaction.atomic():
        # Compare-and-set: the UPDATE matches only while next_run_at is what we read; of two
        # schedulers the second finds it moved (PostgreSQL re-checks after the first commits;
        # SQLite serialises the writes) and updates no row.
        won = ScheduledJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
            next_run_at=next_run, last_run_at=now, claimed_by=worker, runs=row.runs + 1
        )
        if won != 1:
            return None
        # Enqueued in the same transaction as the claim: a crash between the two loses neither.
        kwargs = job.args(row.next_run_at) if job.args else {}
        result = task.enqueue(**kwargs)
    return str(result.id)


def scheduler_run_due(
    *, now: datetime | None = None, worker: str | None = None, jobs: list[Job] | None = None
) -> list[str]:
    """One round of the scheduler: enqueue every due job this process wins; their names."""
    now = now or timezone.now()
    worker = worker or scheduler_identity()
    by_name = {j.name: j for j in (JOBS if jobs is None else jobs)}
    enqueued = []
    for row in scheduled_jobs_due(now=now, jobs=list(by_name.values())):
        if scheduled_job_claim(row=row, job=by_name[row.name], now=now, worker=worker):
            enqueued.append(row.name)
    return enqueued
