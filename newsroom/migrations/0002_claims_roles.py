"""Complete the roles' permissions on claims and the verification workflow.

Editors record and edit claims, appearances and attributions and may send a claim to review,
but cannot conclude it. Fact-checkers make every transition and record evidence, external
checks and relations. API consumers hold no admin permission: the API checks their group.
"""

from django.db import migrations

from newsroom.roles import grant_permissions

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
    grant_permissions(apps, app_label="claims", table=ROLE_PERMISSIONS)


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
