"""Give the news agencies already recorded the other names they are credited under.

The table is a copy of sources.credits.AGENCIES as it stood (a migration does not follow later
code). An agency not recorded yet is not created; an alias that is another organization's name,
or already taken, is left out rather than guessed.
"""

from django.db import migrations

AGENCY_ALIASES = {
    "Associated Press": ["The Associated Press", "AP"],
    "Reuters": ["Thomson Reuters"],
    "Agence France-Presse": ["Agence France Presse", "AFP"],
    "Deutsche Presse-Agentur": ["Deutsche Presse Agentur", "dpa"],
    "Ritzau": ["Ritzaus Bureau"],
    "NTB": ["Norsk Telegrambyrå"],
    "TT Nyhetsbyrån": ["TT News Agency", "TT"],
    "STT": ["Suomen Tietotoimisto"],
    "ANP": ["Algemeen Nederlands Persbureau"],
    "EFE": ["Agencia EFE"],
    "Kyodo News": ["Kyodo"],
    "Xinhua": ["Xinhua News Agency"],
}


def seed(apps, schema_editor):
    Organization = apps.get_model("sources", "Organization")
    OrganizationAlias = apps.get_model("sources", "OrganizationAlias")
    for name, aliases in AGENCY_ALIASES.items():
        agency = Organization.objects.filter(name__iexact=name).first()
        if agency is None:
            continue
        for alias in aliases:
            if Organization.objects.filter(name__iexact=alias).exists():
                continue
            if OrganizationAlias.objects.filter(name__iexact=alias).exists():
                continue
            OrganizationAlias.objects.create(organization=agency, name=alias)


def unseed(apps, schema_editor):
    OrganizationAlias = apps.get_model("sources", "OrganizationAlias")
    for name, aliases in AGENCY_ALIASES.items():
        OrganizationAlias.objects.filter(
            organization__name__iexact=name, name__in=aliases
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("sources", "0007_organization_aliases")]

    operations = [migrations.RunPython(seed, unseed)]
