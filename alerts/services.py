"""Every change to area alerts and followed wards: publish, withdraw, deliver, follow.

Who may publish (decided here, and only here):
- coordinators and city leaders: any wards, or the whole city;
- a unit leader of a ward's People's Committee: that ward only (never the whole city), and may
  withdraw only alerts that concern their ward(s) alone;
- nobody else (officers, residents, leaders of departments that govern no ward).
A ward's leader speaks for the ward the committee governs; a flood across several wards or the
city is the coordination office's call, so that residents do not get one alert per ward.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from notify.services import notify_staff
from reports import clock
from units.lookup import current_era
from units.models import GROUP_TYPES, WARD_LEVEL_TYPES, AdministrativeUnit

from .models import AlertKind, AreaAlert, WardFollow

TITLE_MAX = 150
BODY_MAX = 1000
# A forgotten alert must not hang on the residents' pages for months.
LONGEST_VALIDITY = timedelta(days=30)
# Recipients per notify_staff call: one INSERT of this many rows, and users read in pages.
DELIVERY_BATCH = 500
CITY_ROLES = (Role.COORDINATOR, Role.CITY_LEADER)


def wards() -> QuerySet[AdministrativeUnit]:
    """The wards and communes of the current era, the units alerts and follows name."""
    return AdministrativeUnit.objects.filter(era=current_era(), type__in=WARD_LEVEL_TYPES)


def areas() -> QuerySet[AdministrativeUnit]:
    """What an alert may name and a resident may follow: the wards and communes, and the
    residential groups below them (a ward announces to one group's followers)."""
    return AdministrativeUnit.objects.filter(
        era=current_era(), type__in=(*WARD_LEVEL_TYPES, *GROUP_TYPES)
    )


def _ward_ids_of(area_ids: Iterable[int]) -> set[int]:
    """The wards these areas are or lie in: a group speaks for its ward's committee."""
    rows = AdministrativeUnit.objects.filter(pk__in=set(area_ids)).values_list(
        "id", "type", "parent_id"
    )
    return {parent if kind in GROUP_TYPES else pk for pk, kind, parent in rows}


def publishable_ward_ids(actor: User) -> set[int] | None:
    """The wards `actor` may publish for: None means any ward and the whole city; an empty set
    means none (not a publisher)."""
    if not actor.is_authenticated:
        return set()
    if actor.has_staff_role(*CITY_ROLES):
        return None
    return {
        m.agency.unit_id
        for m in actor.active_memberships()
        if m.role == Role.UNIT_LEADER and m.agency.unit_id is not None
    }


def can_publish(actor: User) -> bool:
    allowed = publishable_ward_ids(actor)
    return allowed is None or bool(allowed)


def can_withdraw(actor: User, alert: AreaAlert, ward_ids: Iterable[int] | None = None) -> bool:
    """City roles withdraw any alert; a unit leader only one that names their ward(s) alone.
    `ward_ids` (the alert's wards) may be given when they are already loaded."""
    allowed = publishable_ward_ids(actor)
    if allowed is None:
        return True
    if not allowed or alert.whole_city:
        return False
    if ward_ids is None:
        ward_ids = alert.wards.values_list("id", flat=True)
    ids = _ward_ids_of(ward_ids)
    return bool(ids) and ids <= allowed


def _clean_validity(valid_from: datetime, valid_until: datetime, now: datetime) -> datetime:
    errors: dict[str, list[str]] = {}
    if valid_until <= now:
        errors.setdefault("valid_until", []).append(
            _("The end of the alert cannot be in the past.")
        )
    if valid_until <= valid_from:
        errors.setdefault("valid_until", []).append(
            _("The end of the alert must be after its start.")
        )
    # An alert cannot have been in force before it was published: an earlier start (the form's
    # minute-precise "now") means "from now".
    start = max(valid_from, now)
    if not errors and valid_until - start > LONGEST_VALIDITY:
        errors["valid_until"] = [
            _("An alert may be valid for at most %(days)d days.") % {"days": LONGEST_VALIDITY.days}
        ]
    if errors:
        raise ValidationError(errors)
    return start


def alert_publish(
    *,
    actor: User,
    kind: str,
    title: str,
    body: str,
    valid_from: datetime,
    valid_until: datetime,
    ward_ids: Iterable[int] = (),
    whole_city: bool = False,
) -> AreaAlert:
    """Publish an alert and schedule its delivery to the followers of its wards.

    PermissionDenied for someone who may publish no alert; ValidationError (per field, in the
    user's language) for bad input or a ward the actor may not speak for. Nothing is stored then."""
    allowed = publishable_ward_ids(actor)
    if allowed is not None and not allowed:
        raise PermissionDenied(_("You may not publish alerts."))
    now = clock.now()
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    body = (body or "").strip()
    if kind not in AlertKind.values:
        errors["kind"] = [_("Choose the kind of alert.")]
    if not title:
        errors["title"] = [_("Write a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("The title may have at most %(n)d characters.") % {"n": TITLE_MAX}]
    if not body:
        errors["body"] = [_("Write what residents should know and do.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("The text may have at most %(n)d characters.") % {"n": BODY_MAX}]
    chosen = set(ward_ids)
    if whole_city:
        if allowed is not None:
            errors["whole_city"] = [_("Only the city may publish an alert for the whole city.")]
        chosen = set()
    elif not chosen:
        errors["wards"] = [_("Choose at least one ward, or the whole city.")]
    else:
        known = set(areas().filter(id__in=chosen).values_list("id", flat=True))
        if known != chosen:
            errors["wards"] = [_("Choose wards from the list.")]
        elif allowed is not None and not _ward_ids_of(chosen) <= allowed:
            errors["wards"] = [_("You may publish alerts only for the ward of your own unit.")]
    try:
        start = _clean_validity(valid_from, valid_until, now)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        alert = AreaAlert.objects.create(
            kind=kind,
            title=title,
            body=body,
            whole_city=whole_city,
            valid_from=start,
            valid_until=valid_until,
            created_by=actor,
            created_at=now,
        )
        if chosen:
            alert.wards.set(sorted(chosen))
        # Deferred import: tasks imports this module.
        from . import tasks

        # After commit, so the worker finds the row; a failed enqueue must not undo the alert
        # (the publisher can see it listed; `alert_deliver` can be run again by hand).
        transaction.on_commit(partial(tasks.deliver_alert.enqueue, alert.pk), robust=True)
    return alert


def alert_withdraw(*, actor: User, alert: AreaAlert) -> AreaAlert:
    """Withdraw an alert: it leaves the residents' pages at once (messages sent stay sent)."""
    if not can_withdraw(actor, alert):
        raise PermissionDenied(_("You may not withdraw this alert."))
    with transaction.atomic():
        # Compare-and-set: two withdrawals at once record the first one only.
        done = AreaAlert.objects.filter(pk=alert.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=clock.now(), withdrawn_by=actor
        )
    if not done:
        raise ValidationError(_("This alert was already withdrawn."), code="already_withdrawn")
    alert.refresh_from_db(fields=["withdrawn_at", "withdrawn_by"])
    return alert


def recipient_pages(alert: AreaAlert) -> Iterator[list[int]]:
    """Ids of the active people who follow the alert's wards, or, for a whole-city alert, of
    everyone who gave a home ward or follows one; never the publisher (ward_follower_pages)."""
    ward_ids = None if alert.whole_city else list(alert.wards.values_list("id", flat=True))
    return ward_follower_pages(ward_ids=ward_ids, except_user_id=alert.created_by_id)


def ward_follower_pages(
    *, ward_ids: list[int] | None, except_user_id: int | None, batch: int | None = None
) -> Iterator[list[int]]:
    """Ids of the active people who follow these wards (their home ward counts as followed),
    or, with `ward_ids=None` (the whole city), of everyone who gave a home ward or follows one;
    never `except_user_id`. In ascending pages of `batch`, each read by its own keyset query:
    a whole-city notice reaches hundreds of thousands, never all held at once. Area alerts and
    news announcements both reach the wards' followers through this."""
    batch = batch or DELIVERY_BATCH
    people = User.objects.filter(is_active=True)
    if except_user_id is not None:
        people = people.exclude(pk=except_user_id)
    if ward_ids is None:
        people = people.filter(
            Q(home_ward__isnull=False) | Q(pk__in=WardFollow.objects.values("user_id"))
        )
    else:
        # A residential group's followers follow it like a ward; its leader hears it too.
        people = people.filter(
            Q(home_ward__in=ward_ids)
            | Q(pk__in=WardFollow.objects.filter(ward__in=ward_ids).values("user_id"))
            | Q(
                pk__in=Membership.objects.filter(unit__in=ward_ids, is_active=True).values(
                    "user_id"
                )
            )
        )
    last = 0
    while True:
        page = list(people.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if page:
            yield page
        if len(page) < batch:
            return
        last = page[-1]


def _message(alert: AreaAlert) -> tuple[str, str]:
    # Stored texts are in the site language, whoever runs the task.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(kind)s alert: %(title)s") % {
            "kind": alert.get_kind_display(),
            "title": alert.title,
        }
        until = formats.date_format(timezone.localtime(alert.valid_until), "DATETIME_FORMAT")
        body = "{}\n{}".format(alert.body, _("Valid until %(until)s.") % {"until": until})
    return title, body


def alert_deliver(*, alert_id: int) -> int:
    """Give every recipient of the alert one in-app notification (delivery by their channels
    follows from it); returns how many recipients it covered. Safe to run twice: notify_staff
    keeps one message per person and key. A withdrawn or ended alert is not delivered."""
    alert = AreaAlert.objects.filter(pk=alert_id).first()
    if alert is None or alert.withdrawn_at is not None or alert.valid_until <= clock.now():
        return 0
    title, body = _message(alert)
    count = 0
    for page in recipient_pages(alert):
        notify_staff(
            users=list(User.objects.filter(pk__in=page).only("pk")),
            kind="alert",
            title=title,
            body=body,
            url="/canh-bao/",
            dedupe_key=f"alert:{alert.pk}",
        )
        count += len(page)
    return count


def ward_follow(*, user: User, ward_id: int) -> WardFollow:
    """Follow a ward's (or a residential group's) alerts; following it again changes nothing."""
    if not user.is_authenticated:
        raise PermissionDenied
    ward = areas().filter(pk=ward_id).first()
    if ward is None:
        raise ValidationError(_("Choose a ward from the list."), code="unknown_ward")
    follow, _created = WardFollow.objects.get_or_create(
        user=user, ward=ward, defaults={"created_at": clock.now()}
    )
    return follow


def ward_unfollow(*, user: User, ward_id: int) -> bool:
    """Stop following a ward; True if it was followed. The home ward is changed on the
    account, not here."""
    deleted, _rows = WardFollow.objects.filter(user=user, ward_id=ward_id).delete()
    return bool(deleted)
