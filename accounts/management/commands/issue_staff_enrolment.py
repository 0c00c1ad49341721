"""`manage.py issue_staff_enrolment USERNAME`: a one-time code (and link) with which this staff
member sets up their authenticator app; hand it over in person or by their own channel."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.enrolment import staff_enrolment_issue
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Issue a one-time two-step enrolment code for a staff account and print its link. "
        "Earlier unused codes of that account stop working."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--hours", type=int, default=None, help="Valid for (default STAFF_ENROLMENT_HOURS)."
        )

    def handle(self, *args, username: str, hours: int | None, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        if hours is not None and hours < 1:
            raise CommandError("--hours must be at least 1.")
        try:
            issued = staff_enrolment_issue(actor=None, user=user, channel="command", hours=hours)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        expires = issued.enrolment.expires_at.strftime("%Y-%m-%d %H:%M UTC")
        self.stdout.write(f"Enrolment code for {user.username}: {issued.code}")
        self.stdout.write(f"Link: {issued.url}")
        self.stdout.write(f"Valid until {expires}, once.")
