"""Create the three role groups with their permissions on the sources app.

Permissions on claims and the workflow are added by later migrations. The permission to read
confidential source identities is deliberately held by no group.
"""

from django.db import migrations

from newsroom.roles import grant_permissions

SOURCES_MODELS = ("organization", "person", "affiliation", "anonymoussource", "document",
                  "licenseterms", "agreement")

ROLE_PERMISSIONS = {
    "Editors": [f"{action}_{model}" for model in SOURCES_MODELS
                for action in ("view", "add", "change")],
    "Fact-checkers": [f"view_{model}" for model in SOURCES_MODELS],
    "API consumers": [],
}


def create_roles(apps, schema_editor):
    grant_permissions(apps, app_label="sources", table=ROLE_PERMISSIONS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sources", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
