"""The system account: who the records say did work no person did (feeds, tasks, commands)."""

from django.contrib.auth import get_user_model

SYSTEM_USERNAME = "newsroom-system"


def system_user():
    """Return the system account (created by a data migration; it cannot log in)."""
    return get_user_model().objects.get(username=SYSTEM_USERNAME)
