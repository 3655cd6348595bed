"""Give the roles their permissions on stories.

Editors write stories and cite claims, publish and unpublish them (four-eyes: not their own),
publish corrections and may override the publish guard with a recorded reason. Fact-checkers
read stories, their citations, log and correction flags.
"""

from django.db import migrations

from newsroom.roles import grant_permissions

ROLE_PERMISSIONS = {
    "Editors": [
        "view_story", "add_story", "change_story",
        "view_citation", "add_citation", "delete_citation",
        "view_storyevent", "view_correction", "view_needscorrection",
        "publish_story", "publish_correction", "override_publish_guard",
    ],
    "Fact-checkers": [
        "view_story", "view_citation", "view_storyevent", "view_correction",
        "view_needscorrection",
    ],
}


def grant(apps, schema_editor):
    grant_permissions(apps, app_label="stories", table=ROLE_PERMISSIONS)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(*group.permissions.filter(content_type__app_label="stories"))


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0002_storyevent_append_only"),
        ("newsroom", "0002_claims_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
