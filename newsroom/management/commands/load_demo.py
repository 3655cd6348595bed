"""Load the reference story; with DEBUG on, also create the demo users and print their logins."""

from django.conf import settings
from django.core.management.base import BaseCommand

from newsroom.demo import load_demo


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
