"""Complete the roles' permissions on claims and the verification workflow.

Editors record and edit claims, appearances and attributions and may send a claim to review,
but cannot conclude it. Fact-checkers make every transition and record evidence, external
checks and relations. API consumers hold no admin permission: the API checks their group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Editors": [
        "view_claim", "add_claim", "change_claim",
        "view_appearance", "add_appearance", "change_appearance", "delete_appearance",
        "view_attribution", "add_attribution", "change_attribution", "delete_attribution",
        "view_topic", "add_topic",
        "view_externalcheck", "view_claimrelation", "view_verificationevent",
        "send_claim_to_review",
    ],
    "Fact-checkers": [
        "view_claim", "change_claim",
        "view_appearance", "view_attribution", "view_topic",
        "view_externalcheck", "add_externalcheck", "change_externalcheck",
        "delete_externalcheck",
        "view_claimrelation", "add_claimrelation", "change_claimrelation",
        "delete_claimrelation",
        "view_verificationevent",
        "send_claim_to_review", "conclude_claim", "reopen_claim",
    ],
    "API consumers": [],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for {name}: {sorted(missing)}")
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(*group.permissions.filter(content_type__app_label="claims"))


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_roles"),
        ("claims", "0002_verification_history"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
