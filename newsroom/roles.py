"""The newsroom's roles: group names shared by migrations, demo data and tests."""

EDITORS = "Editors"
FACT_CHECKERS = "Fact-checkers"
API_CONSUMERS = "API consumers"

ALL_GROUPS = (EDITORS, FACT_CHECKERS, API_CONSUMERS)


def grant_permissions(apps, *, app_label: str, table: dict[str, list[str]]) -> None:
    """Give each named group the listed permissions of one app (for data migrations).

    Permissions are normally created after all migrations, so they are created here first.
    A codename missing from the app is an error, not a silent gap in a role.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in table.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for {name}: {sorted(missing)}")
        group.permissions.add(*perms)


# Whether a user is an API consumer, noted where it was read with the user (the token query):
# the user object lives for one request, so the note does too.
_CONSUMER_NOTE = "_newsroom_is_api_consumer"


def note_api_consumer(user, is_consumer: bool) -> None:
    setattr(user, _CONSUMER_NOTE, bool(is_consumer))


def is_api_consumer(user) -> bool:
    """Tell whether `user` is in the API consumers group (no query when already noted)."""
    noted = getattr(user, _CONSUMER_NOTE, None)
    if noted is not None:
        return noted
    return user.groups.filter(name=API_CONSUMERS).exists()
