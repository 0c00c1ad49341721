"""`manage.py seed_demo`: staff for every agency, residents, and ~2,000 Vietnamese reports
across Hanoi in every status, so every screen has something true to show.

Every report goes through the real services (`reports/services.py`) inside
`reports.clock.travel(moment)`: routing, deadlines, events, the proof gate and auto-close are
the code's own, only the clock is moved to plausible past moments. The run is planned first
(pure Python, one seeded RNG per report), then executed in submission order so tracking codes
follow time and a duplicate is always merged into a report that already exists.
"""

from __future__ import annotations

import argparse
import random
import time as timer
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import transaction
from django.db.models import Count, ProtectedError
from tqdm import tqdm

from accounts.models import Membership, Role, User
from cameras.services import cameras_load
from demo.city_services import seed_city_services
from demo.seed import people, photos, texts
from demo.seed.plan import COORDINATION_CODE, DEMO_KEY_PREFIX, Plan, Planner
from reports import clock
from reports.deadlines import add_working_hours
from reports.models import Media, Report, TrackingCounter
from reports.services import (
    report_accept,
    report_assign,
    report_decide_extension,
    report_follow,
    report_merge,
    report_rate,
    report_reject,
    report_request_extension,
    report_reroute,
    report_resolve,
    report_return,
    report_start,
    report_submit,
    report_transfer,
    reports_auto_close,
)
from reports.workflow import OPEN_STATUSES, Status
from routing.models import Category
from units import groups as residential_groups
from units.lookup import current_era
from units.models import WARD_LEVEL_TYPES, AdministrativeUnit, Agency, AgencyKind

# The ward whose community digital team gets a demo account (Phường Hoàn Kiếm).
HELPER_WARD_AGENCY = "ubnd-00070"
# SAMPLE residential groups of two demo wards (demo/data/make_sample_groups.py), and the
# group whose leader gets a demo account.
SAMPLE_GROUPS = Path(__file__).resolve().parents[2] / "data" / "residential_groups.sample.csv"
SAMPLE_CAMERAS = Path(__file__).resolve().parents[2] / "data" / "cameras.sample.csv"
# The sample cameras' invented host (the .invalid domain never resolves): accepted by the
# loader for the demo only, so the prober shows those cameras offline.
SAMPLE_CAMERA_HOSTS = frozenset({"camera-mau.invalid"})
DEMO_GROUP = "00070-TDP01"
# Public on purpose: a demo database is for showing, never for real data.
DEFAULT_PASSWORD = "demo-congdanso"  # noqa: S105

BATCH = 50  # reports per transaction: one commit per batch instead of one per service call

HELP = """\
Seed a demo: staff for every agency, residents, and N reports (default 2,000) across Hanoi
in every status, written through the real services at plausible past times.

Needs the reference data: load_units, load_agencies, load_categories.

Sign-in names (one password for all, --password, default "demo-congdanso"):
  admin                          superuser (Django admin)
  dieuphoi.1, dieuphoi.2         coordinators of the city coordination office
  lanhdaothanhpho                city leader
  tongdai.1                      hotline operator (files reports for callers)
  tocongnghe.ubnd-00070          community digital team of Phường Hoàn Kiếm
  totruong.00070-TDP01           leader of Tổ dân phố số 1, Phường Hoàn Kiếm (sample group)
  lanhdao.<agency code>          unit leader, e.g. lanhdao.ubnd-00070 (Phường Hoàn Kiếm),
                                 lanhdao.so-giao-thong
  canbo.<agency code>.1, .2      officers, e.g. canbo.ubnd-00070.1, canbo.urenco.2
  nguoidan.001 … nguoidan.200    residents (the reporters)

Runs once: when demo reports exist it says so and changes nothing. --reset deletes the
demo reports (and their files) and seeds again; accounts that already exist are kept as
they are, password included.
"""


class _Formatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's option order, with the help text's line breaks kept."""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs["formatter_class"] = _Formatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "--reports", type=int, default=2000, help="How many reports (default 2000)."
        )
        parser.add_argument("--seed", type=int, default=2025, help="Random seed (default 2025).")
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="Password of every demo account."
        )
        parser.add_argument(
            "--residents", type=int, default=200, help="How many residents (default 200)."
        )
        parser.add_argument(
            "--days", type=int, default=90, help="Reports are spread over this many days."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo reports first and seed again."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    # --- the run -------------------------------------------------------------------------

    def handle(self, *args, **options):
        started = timer.monotonic()
        n_reports: int = options["reports"]
        if n_reports < 0 or options["residents"] < 1 or options["days"] < 14:
            raise CommandError("--reports must be ≥ 0, --residents ≥ 1 and --days ≥ 14")
        self.seed: int = options["seed"]
        self.password: str = options["password"]
        self.verbose = options["verbosity"] > 0
        self._check_reference_data()
        # Before the reports, so that their points place them in the sample groups; loaded on
        # every run (it is idempotent), so an older demo database gets them too.
        counts = residential_groups.groups_load(SAMPLE_GROUPS.read_text(encoding="utf-8"))
        self._say(
            "Sample residential groups: {created} created, {updated} updated, "
            "{unchanged} unchanged.".format(**counts)
        )
        counts = cameras_load(
            SAMPLE_CAMERAS.read_text(encoding="utf-8"), sample_hosts=SAMPLE_CAMERA_HOSTS
        )
        self._say(
            "Sample cameras: {created} created, {updated} updated, {unchanged} unchanged.".format(
                **counts
            )
        )

        demo_reports = Report.objects.filter(idempotency_key__startswith=DEMO_KEY_PREFIX)
        if demo_reports.exists():
            if not options["reset"]:
                self._say(
                    f"Already seeded: {demo_reports.count()} demo reports exist. "
                    "Nothing changed (use --reset to delete them and seed again)."
                )
                self._print_sign_in(already=True)
                return
            self._reset(demo_reports)

        self.now = clock.now()

        self.kept_users = self._ensure_users(options["residents"])
        self._load_cast()
        self.planner = Planner(
            seed=self.seed, now=self.now, days=options["days"], residents=self.residents
        )
        self.tz = self.planner.tz
        plans = self.planner.plan(n_reports)
        self._run(plans, progress=not options["no_progress"] and self.verbose)
        city = seed_city_services(
            now=self.now, resident=User.objects.filter(username="nguoidan.001").first()
        )
        self._say(
            f"Sample procedures: {city.procedures}. Sample dossiers: {city.dossiers}. "
            f"Demo news published: {city.articles}."
        )
        self._summary(timer.monotonic() - started)
        if city.dossier_code:
            self._say(
                f"Look a dossier up at /tra-cuu-ho-so/: code {city.dossier_code}, last four "
                f"digits {city.phone_last4} (nguoidan.001's phone; signed in as nguoidan.001, "
                "/ho-so-cua-toi/ lists them)."
            )

    def _say(self, text: str = "") -> None:
        if self.verbose:
            self.stdout.write(text)

    def _check_reference_data(self) -> None:
        missing = []
        wards = AdministrativeUnit.objects.filter(era=current_era(), type__in=WARD_LEVEL_TYPES)
        if not wards.exclude(geometry="").exists():
            missing.append("load_units")
        if (
            not Agency.objects.filter(code=COORDINATION_CODE, kind=AgencyKind.COORDINATION).exists()
            or not Agency.objects.filter(kind=AgencyKind.WARD_COMMITTEE).exists()
        ):
            missing.append("load_agencies")
        if not Category.objects.filter(is_active=True).exists():
            missing.append("load_categories")
        if missing:
            raise CommandError(
                "Reference data missing: run "
                + ", ".join(f"`manage.py {c}`" for c in missing)
                + " first."
            )

    def _reset(self, demo_reports) -> None:
        files = list(Media.objects.filter(report__in=demo_reports).values_list("file", flat=True))
        count = demo_reports.count()
        try:
            with transaction.atomic():
                # Merged duplicates point at other demo reports (a protected link).
                demo_reports.update(duplicate_of=None)
                demo_reports.delete()
                if not Report.objects.exists():
                    TrackingCounter.objects.all().delete()  # numbering starts again at 000001
        except ProtectedError as exc:
            raise CommandError(
                f"Cannot delete the demo reports: other data refers to them ({exc})."
            ) from exc
        for name in files:
            default_storage.delete(name)
        self._say(f"Deleted {count} demo reports and {len(files)} files.")

    # --- people ------------------------------------------------------------------------------

    def _staff_specs(self) -> list[tuple[str, str, Agency]]:
        specs: list[tuple[str, str, Agency]] = []
        for agency in Agency.objects.order_by("kind", "code"):
            if agency.kind == AgencyKind.COORDINATION:
                if agency.code == COORDINATION_CODE:
                    specs += [
                        ("dieuphoi.1", Role.COORDINATOR, agency),
                        ("dieuphoi.2", Role.COORDINATOR, agency),
                        ("lanhdaothanhpho", Role.CITY_LEADER, agency),
                        ("tongdai.1", Role.HOTLINE_OPERATOR, agency),
                    ]
                continue
            if agency.code == HELPER_WARD_AGENCY:
                specs.append((f"tocongnghe.{agency.code}", Role.COMMUNITY_HELPER, agency))
                specs.append((f"totruong.{DEMO_GROUP}", Role.GROUP_LEADER, agency))
            specs.append((f"lanhdao.{agency.code}", Role.UNIT_LEADER, agency))
            specs += [(f"canbo.{agency.code}.{k}", Role.OFFICER, agency) for k in (1, 2)]
        return specs

    def _ensure_users(self, n_residents: int) -> list[str]:
        """Create the accounts that are missing (bulk); return the names that already existed."""
        # Argon2 is slow on purpose: hash once, share the hash (every account has one password).
        hashed = make_password(self.password)
        staff = self._staff_specs()
        self.resident_names = [f"nguoidan.{k:03d}" for k in range(1, n_residents + 1)]
        names = ["admin", *(s[0] for s in staff), *self.resident_names]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        home_wards = list(
            AdministrativeUnit.objects.filter(
                era=current_era(), type__in=WARD_LEVEL_TYPES
            ).values_list("id", flat=True)
        )
        new = []
        for username in names:
            if username in existing:
                continue
            rng = random.Random(f"{self.seed}:user:{username}")
            family, middle, given = people.vietnamese_name(rng)
            resident = username.startswith("nguoidan.")
            joined = self.now - timedelta(
                days=rng.uniform(100, 700) if resident else rng.uniform(200, 1500)
            )
            new.append(
                User(
                    username=username,
                    password=hashed,
                    full_name="Quản trị hệ thống"
                    if username == "admin"
                    else f"{family} {middle} {given}",
                    first_name="" if username == "admin" else given,
                    last_name="" if username == "admin" else f"{family} {middle}",
                    phone=people.phone_number(rng) if resident else "",
                    home_ward_id=rng.choice(home_wards) if resident and home_wards else None,
                    is_staff=username == "admin",
                    is_superuser=username == "admin",
                    date_joined=joined,
                )
            )
        User.objects.bulk_create(new, batch_size=500)
        users = {u.username: u for u in User.objects.filter(username__in=[s[0] for s in staff])}
        group = AdministrativeUnit.objects.filter(era=current_era(), code=DEMO_GROUP).first()
        Membership.objects.bulk_create(
            [
                Membership(
                    user=users[name],
                    agency=agency,
                    role=role,
                    unit=group if role == Role.GROUP_LEADER else None,
                )
                for name, role, agency in staff
            ],
            batch_size=500,
            ignore_conflicts=True,  # a re-run keeps what exists
        )
        self.staff_specs = staff
        return sorted(existing)

    def _load_cast(self) -> None:
        """Staff and residents as objects whose memberships are read once, not per action."""
        memberships: dict[int, list[Membership]] = {}
        for m in Membership.objects.filter(is_active=True, agency__is_active=True).select_related(
            "agency"
        ):
            memberships.setdefault(m.user_id, []).append(m)
        users = {
            u.username: u
            for u in User.objects.filter(username__in=[s[0] for s in self.staff_specs])
        }
        for user in users.values():
            user._active_memberships = memberships.get(user.pk, [])
        self.leader: dict[int, User] = {}
        self.officers: dict[int, list[User]] = {}
        self.coordinators: list[User] = []
        for name, role, agency in self.staff_specs:
            user = users[name]
            if role == Role.UNIT_LEADER:
                self.leader[agency.pk] = user
            elif role == Role.OFFICER:
                self.officers.setdefault(agency.pk, []).append(user)
            elif role == Role.COORDINATOR:
                self.coordinators.append(user)
        self.residents = list(
            User.objects.filter(username__in=self.resident_names).order_by("username")
        )
        for user in self.residents:
            user._active_memberships = []
        self.office = Agency.objects.get(code=COORDINATION_CODE)
        self.departments = list(
            Agency.objects.filter(kind=AgencyKind.DEPARTMENT, is_active=True).order_by("code")
        )
        self.agencies_by_code = {a.code: a for a in Agency.objects.all()}

    # --- running -----------------------------------------------------------------------------

    def _run(self, plans: list[Plan], progress: bool) -> None:
        bar = tqdm(total=len(plans), desc="reports", unit="report", disable=not progress)
        try:
            for first in range(0, len(plans), BATCH):
                with transaction.atomic():
                    for plan in plans[first : first + BATCH]:
                        self._run_one(plan)
                        bar.update()
        finally:
            bar.close()

    def _run_one(self, plan: Plan) -> None:
        files = [
            self._photo(
                plan, f"{plan.key[len(DEMO_KEY_PREFIX) :]} #{k}", plan.submitted_at, after=False
            )
            for k in range(1, plan.photos + 1)
        ]
        step_kind = "submit"
        try:
            with clock.travel(plan.submitted_at):
                report = report_submit(
                    reporter=plan.reporter,
                    category=plan.category,
                    lat=plan.lat,
                    lon=plan.lon,
                    title=plan.title,
                    description=plan.description,
                    address=f"{plan.place[0].upper()}{plan.place[1:]}, {plan.ward.full_name}",
                    is_public=plan.is_public,
                    idempotency_key=plan.key,
                    files=files,
                    channel=plan.channel,
                )
            plan.report_id = report.pk
            for step in plan.steps:
                step_kind = step.kind
                with clock.travel(step.at):
                    report = getattr(self, f"_do_{step.kind}")(plan, report, step)
        except Exception as exc:
            raise CommandError(
                f"{plan.key} ({plan.fate}), step {step_kind!r}: {exc!r}. The batches before it "
                "are saved: run again with --reset."
            ) from exc

    def _photo(
        self, plan: Plan, label: str, moment: datetime, *, after: bool
    ) -> SimpleUploadedFile:
        local = moment.astimezone(self.tz)
        caption = f"{label}  {local:%Y-%m-%d %H:%M}"
        seed = int.from_bytes(f"{plan.key}{label}".encode(), "big") % (2**63)
        data = photos.demo_photo(seed, caption=caption, after=after)
        return SimpleUploadedFile(f"{label.replace(' ', '_')}.jpg", data, content_type="image/jpeg")

    def _unit_actor(self, plan: Plan, report: Report, officer: int | None = None) -> User:
        """Who in the report's unit acts: the assignee, else one of its two officers."""
        officers = self.officers.get(report.agency_id or 0)
        if not officers:
            raise CommandError(f"no officers for agency {report.agency_id}")
        if officer is None and report.assignee_id:
            for user in officers:
                if user.pk == report.assignee_id:
                    return user
        return officers[(officer if officer is not None else plan.officer) % len(officers)]

    def _coordinator(self, plan: Plan) -> User:
        return plan.rng.choice(self.coordinators)

    def _xa(self, plan: Plan) -> str:
        return "phường" if plan.ward.urban else "xã"

    def _target(self, plan: Plan, report: Report, from_agency: Agency | None) -> Agency:
        """Where a report goes when it is re-routed or transferred away from `from_agency`."""
        committee = plan.ward.committee
        dept = plan.category.default_agency
        candidates: list[Agency | None]
        if from_agency is not None and from_agency.kind == AgencyKind.WARD_COMMITTEE:
            candidates = [dept] if dept is not None and dept.is_active else []
            candidates += [self.agencies_by_code.get("so-xay-dung"), *self.departments]
        elif from_agency is not None and from_agency.kind == AgencyKind.DEPARTMENT:
            candidates = [committee, *self.departments]
        else:  # from the coordination office: the ward for most things
            candidates = (
                [committee, dept, *self.departments]
                if plan.rng.random() < 0.75
                else [dept, *self.departments, committee]
            )
        for agency in candidates:
            if (
                agency is not None
                and agency.pk != report.agency_id
                and agency.kind != AgencyKind.COORDINATION
            ):
                return agency
        raise CommandError(f"no agency to send {plan.key} to")

    def _do_assign(self, plan, report, step):
        officer = self._unit_actor(plan, report, step.args["officer"])
        actor = self.leader[report.agency_id] if step.args["by_leader"] else officer
        return report_assign(actor=actor, report=report, assignee=officer)

    def _do_accept(self, plan, report, step):
        note = texts.fill(step.args.get("note", ""), n=plan.rng.randrange(1, 30))
        return report_accept(actor=self._unit_actor(plan, report), report=report, note=note)

    def _do_start(self, plan, report, step):
        return report_start(
            actor=self._unit_actor(plan, report), report=report, note=step.args.get("note", "")
        )

    def _do_extend(self, plan, report, step):
        now = clock.now()
        until = add_working_hours(max(report.resolve_due_at or now, now), step.args["extra_hours"])
        plan.extension = report_request_extension(
            actor=self._unit_actor(plan, report),
            report=report,
            until=until.replace(second=0, microsecond=0),
            reason=plan.rng.choice(texts.EXTENSION_REASONS),
        )
        return report

    def _do_decide(self, plan, report, step):
        grant = step.args["grant"]
        note = plan.rng.choice(texts.GRANT_NOTES if grant else texts.REFUSE_NOTES)
        report_decide_extension(
            actor=self.leader[report.agency_id], request=plan.extension, grant=grant, note=note
        )
        return Report.objects.get(pk=report.pk)

    def _do_resolve(self, plan, report, step):
        rng = plan.rng
        now = clock.now().astimezone(self.tz)
        done = now - timedelta(minutes=rng.randrange(20, 180))
        if done.hour < 7:
            done = now
        # A later round answers with another of the case's answers where it has one.
        template = plan.answers[(step.args["round"] - 1) % len(plan.answers)]
        answer = texts.fill(
            template,
            place=plan.place,
            date=texts.vn_date(done),
            time=texts.vn_time(done),
            n=rng.randrange(2, 10),
            m=rng.randrange(5, 61),
            xa=self._xa(plan),
        )
        if step.args["round"] > 1:
            opening = rng.choice(texts.FOLLOW_UP_OPENINGS)
            answer = opening + answer[0].lower() + answer[1:] + rng.choice(texts.FOLLOW_UP_EXTRAS)
        proofs = [
            self._photo(
                plan,
                f"{plan.key[len(DEMO_KEY_PREFIX) :]} r{step.args['round']} proof {k}",
                now,
                after=True,
            )
            for k in range(1, step.args["proofs"] + 1)
        ]
        return report_resolve(
            actor=self._unit_actor(plan, report), report=report, answer=answer, files=proofs
        )

    def _do_rate(self, plan, report, step):
        satisfied = step.args["satisfied"]
        if satisfied:
            comment = plan.rng.choice(texts.SATISFIED_COMMENTS) if plan.rng.random() < 0.4 else ""
        else:
            comment = plan.rng.choice(texts.REOPEN_COMMENTS)
        return report_rate(actor=plan.reporter, report=report, satisfied=satisfied, comment=comment)

    def _do_auto_close(self, plan, report, step):
        reports_auto_close(now=clock.now())
        return Report.objects.get(pk=report.pk)

    def _do_return(self, plan, report, step):
        plan.returned_from = report.agency
        kind = "ward" if report.agency.kind == AgencyKind.WARD_COMMITTEE else "department"
        reason = texts.fill(plan.rng.choice(texts.RETURN_REASONS[kind]), xa=self._xa(plan))
        return report_return(actor=self._unit_actor(plan, report), report=report, reason=reason)

    def _do_reroute(self, plan, report, step):
        target = self._target(plan, report, plan.returned_from)
        note = texts.fill(plan.rng.choice(texts.REROUTE_NOTES), target=target.name)
        return report_reroute(
            actor=self._coordinator(plan), report=report, agency=target, note=note
        )

    def _do_transfer(self, plan, report, step):
        target = self._target(plan, report, report.agency)
        reason = texts.fill(plan.rng.choice(texts.TRANSFER_REASONS), target=target.name)
        return report_transfer(
            actor=self._unit_actor(plan, report), report=report, agency=target, reason=reason
        )

    def _do_reject(self, plan, report, step):
        by_coordinator = step.args["by_coordinator"] or report.agency_id == self.office.pk
        actor = self._coordinator(plan) if by_coordinator else self._unit_actor(plan, report)
        reason = plan.reject_reason
        if reason == "not_found":
            reason = texts.fill(
                plan.rng.choice(texts.NOT_FOUND_REASONS),
                place=plan.place,
                date=texts.vn_date(clock.now().astimezone(self.tz)),
            )
        return report_reject(actor=actor, report=report, reason=reason)

    def _do_merge(self, plan, report, step):
        into = Report.objects.get(pk=plan.merge_into.report_id)
        by_coordinator = step.args["by_coordinator"] or report.agency_id == self.office.pk
        actor = self._coordinator(plan) if by_coordinator else self._unit_actor(plan, report)
        return report_merge(actor=actor, report=report, into=into)

    def _do_follow(self, plan, report, step):
        report_follow(actor=step.args["user"], report=report)
        return report

    # --- the end -----------------------------------------------------------------------------

    def _summary(self, seconds: float) -> None:
        demo_reports = Report.objects.filter(idempotency_key__startswith=DEMO_KEY_PREFIX)
        counts = dict(
            demo_reports.values_list("status").annotate(n=Count("id")).values_list("status", "n")
        )
        overdue = demo_reports.filter(status__in=OPEN_STATUSES, due_at__lt=clock.now()).count()
        total = sum(counts.values())
        self._say(f"Seeded {total} demo reports in {seconds:.1f} s (seed {self.seed}).")
        for status in Status:
            if counts.get(status):
                self._say(
                    f"  {status.value:<12} {counts[status]:>6}  {counts[status] / total:6.1%}  {status.label}"
                )
        handled = counts.get(Status.RESOLVED, 0) + counts.get(Status.CLOSED, 0)
        if total:
            self._say(
                f"  handled (resolved or closed): {handled / total:.1%}; open and overdue: {overdue}"
            )
        agencies = {agency.pk for _n, _r, agency in self.staff_specs}
        staff = len(self.staff_specs)
        self._say(
            f"Users: {staff} staff in {len(agencies)} agencies, {len(self.residents)} residents, admin "
            f"({staff + len(self.residents) + 1} demo accounts)."
        )
        self._print_sign_in()

    def _print_sign_in(self, already: bool = False) -> None:
        if already:
            self._say(
                f'Sign in with the password given when it was seeded (default "{DEFAULT_PASSWORD}"):'
            )
        else:
            self._say(f'Sign in with password "{self.password}":')
        self._say("  admin                         superuser")
        self._say("  dieuphoi.1, dieuphoi.2        coordinators")
        self._say("  lanhdaothanhpho               city leader")
        self._say("  tongdai.1                     hotline operator: /can-bo/tiep-nhan/")
        self._say("  tocongnghe.ubnd-00070         community digital team of Phường Hoàn Kiếm")
        self._say(
            f"  totruong.{DEMO_GROUP}          leader of a sample residential group: /can-bo/to-dan-pho/"
        )
        self._say(
            "  lanhdao.ubnd-00070            unit leader of Phường Hoàn Kiếm (lanhdao.<agency code>)"
        )
        self._say("  canbo.ubnd-00070.1, .2        its officers (canbo.<agency code>.1/.2)")
        self._say("  canbo.so-giao-thong.1         an officer of the Department of Transport")
        self._say(
            "  nguoidan.001 … nguoidan.NNN   residents".replace(
                "NNN", f"{len(getattr(self, 'residents', [])) or 200:03d}"
            )
        )
        kept = getattr(self, "kept_users", [])
        if kept:
            self._say(
                f"  ({len(kept)} accounts already existed and kept their own password, e.g. {', '.join(kept[:3])})"
            )
        self._print_enrolment_codes()

    # The accounts the README names: each gets a one-time code for setting up its
    # authenticator (accounts/enrolment.py), printed here as an administrator would hand it over.
    DEMO_STAFF = (
        "admin",
        "dieuphoi.1",
        "lanhdaothanhpho",
        "tongdai.1",
        "tocongnghe.ubnd-00070",
        f"totruong.{DEMO_GROUP}",
        "lanhdao.ubnd-00070",
        "canbo.ubnd-00070.1",
        "canbo.so-giao-thong.1",
    )

    def _print_enrolment_codes(self) -> None:
        from django_otp import user_has_device

        from accounts.enrolment import staff_enrolment_issue

        lines = []
        for user in User.objects.filter(username__in=self.DEMO_STAFF).order_by("username"):
            if user_has_device(user, confirmed=True):
                continue  # already enrolled: their authenticator stays
            issued = staff_enrolment_issue(actor=None, user=user, channel="command")
            lines.append(f"  {user.username:<29} {issued.code}")
        if lines:
            self._say(
                "Two-step set-up codes (one use each, valid "
                f"{settings.STAFF_ENROLMENT_HOURS} h; others: manage.py issue_staff_enrolment NAME):"
            )
            for line in lines:
                self._say(line)
