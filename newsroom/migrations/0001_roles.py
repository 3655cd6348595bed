"""Create the three role groups with their permissions on the sources app.

Permissions on claims and the workflow are added by later migrations. The permission to read
confidential source identities is deliberately held by no group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SOURCES_MODELS = ("organization", "person", "affiliation", "anonymoussource", "document",
                  "licenseterms", "agreement")

ROLE_PERMISSIONS = {
    "Editors": [f"{action}_{model}" for model in SOURCES_MODELS
                for action in ("view", "add", "change")],
    "Fact-checkers": [f"view_{model}" for model in SOURCES_MODELS],
    "API consumers": [],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="sources", codename__in=codenames)
        group.permissions.add(*perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sources", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
