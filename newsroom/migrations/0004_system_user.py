"""The system account that feeds, tasks and commands act as, and who may manage feeds.

The account cannot log in: it has no usable password and is not active. Work recorded as done
by it (documents imported from feeds, runs) is never attributed to a person or a demo login.
"""

from django.contrib.auth.hashers import make_password
from django.db import migrations

from newsroom.roles import grant_permissions
from sources.system import SYSTEM_USERNAME

ROLE_PERMISSIONS = {
    "Editors": ["view_feed", "add_feed", "change_feed", "view_ingestrun", "view_feedentry"],
    "Fact-checkers": ["view_feed", "view_ingestrun", "view_feedentry"],
}


def create_system_user(apps, schema_editor):
    User = apps.get_model("auth", "User")
    User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "first_name": "newsroom",
            "last_name": "(system)",
            "is_active": False,
            "is_staff": False,
            "password": make_password(None),  # unusable: no password logs in
        },
    )
    grant_permissions(apps, app_label="sources", table=ROLE_PERMISSIONS)


def remove_system_user(apps, schema_editor):
    apps.get_model("auth", "User").objects.filter(username=SYSTEM_USERNAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0003_api_tokens"),
        ("sources", "0006_feeds_and_withdrawal"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_system_user, remove_system_user)]
