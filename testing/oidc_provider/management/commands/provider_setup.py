"""Prepare the test provider: its tables, its people (people.PEOPLE) and our client app."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from oauth2_provider.models import get_application_model

from ...people import PASSWORD, PEOPLE


class Command(BaseCommand):
    help = "Create the test provider's database, users and the client application."

    def add_arguments(self, parser):
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--redirect-uri", action="append", required=True)

    def handle(self, *args, client_id, client_secret, redirect_uri, **options):
        # One process for migrate and set-up: each Python start costs about a second.
        call_command("migrate", verbosity=0, interactive=False)
        User = get_user_model()
        for username in PEOPLE:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(PASSWORD)
            user.save()
        Application = get_application_model()
        Application.objects.filter(client_id=client_id).delete()
        Application.objects.create(
            name="Công dân số",
            client_id=client_id,
            client_secret=client_secret,  # DOT stores only its hash
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(redirect_uri),
            algorithm=Application.RS256_ALGORITHM,
            # The consent page is shown, so tests can also refuse it (access_denied).
            skip_authorization=False,
        )
