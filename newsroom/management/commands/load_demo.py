"""Load the reference story; with DEBUG on, also create the demo users and print their logins."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from newsroom.demo import load_demo
from newsroom.tokens import token_issue

DEMO_TOKEN_HOURS = 24


class Command(BaseCommand):
    help = "Load the reference story (safe to run twice). With DEBUG on, create demo users."

    def handle(self, *args, **options):
        result = load_demo(with_users=settings.DEBUG)
        self.stdout.write(f"Demo story loaded: {len(result.documents)} documents.")
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: no demo users were created.")
            return
        self.stdout.write("Demo logins (passwords are new on every run):")
        for username, role, password in result.users:
            self.stdout.write(f"  {username:<13} {role:<14} {password}")
        # A consumer's API token, so the first API call works as printed (DEBUG only, a day).
        _, key = token_issue(
            user=get_user_model().objects.get(username="consumer"),
            name="make run demo token",
            expires_at=timezone.now() + timedelta(hours=DEMO_TOKEN_HOURS),
        )
        self.stdout.write(f"API token for consumer (DEBUG only, valid {DEMO_TOKEN_HOURS} h): {key}")
        self.stdout.write(
            f"  curl -H 'Authorization: Bearer {key}' "
            "'http://127.0.0.1:8000/api/v1/claims/?status=verified'"
        )
