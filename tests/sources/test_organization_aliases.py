"""Organizations have aliases ("FT" → Financial Times), found by by_name(), the admin's agent
picker, the importer and the suggester; edited on the organization's admin page."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from claims.suggest import suggest, suggestion_accept
from sources.models import Organization, OrganizationAlias
from tests.claims.factories import ClaimFactory
from tests.claims.test_suggest import by_verb, open_document
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ft():
    ft = OrganizationFactory(name="Financial Times", kind=Organization.Kind.PUBLICATION)
    OrganizationAlias.objects.create(organization=ft, name="FT")
    return ft


def test_by_name_finds_an_organization_by_its_alias_in_any_case(ft):
    assert list(Organization.objects.by_name("FT")) == [ft]
    assert list(Organization.objects.by_name(" ft ")) == [ft]
    assert list(Organization.objects.by_name("financial times")) == [ft]
    assert not Organization.objects.by_name("F.T.").exists()


def test_by_name_lists_an_organization_once_however_many_aliases_match(ft):
    OrganizationAlias.objects.create(organization=ft, name="The FT")

    assert Organization.objects.filter(pk=ft.pk).count() == 1
    assert Organization.objects.by_name("FT").count() == 1


def test_the_agent_picker_finds_an_organization_by_its_alias(admin_client, ft):
    OrganizationFactory(name="Fortune")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "claims",
            "model_name": "attribution",
            "field_name": "organization",
            "term": "FT",
        },
    )

    assert [row["text"] for row in response.json()["results"]] == ["Financial Times"]


def test_the_suggester_takes_an_alias_for_the_organization(editor, ft):
    # "..., told FT.": the reporter is named by its alias only.
    document = open_document()
    proposal = by_verb(suggest(document=document), "told")[1]

    appearance = suggestion_accept(
        document=document, proposal=proposal, claim=ClaimFactory(), user=editor
    )

    assert appearance.chain.get(role="reporter").agent == ft


def test_the_importer_finds_a_publisher_by_its_alias(editor, ft):
    from sources.ingest import document_import

    result = document_import(
        raw="A short article about the trade deal.\n\nIt goes on.",
        publisher="FT",
        user=editor,
    )

    assert result.document.publisher == ft
    assert Organization.objects.count() == 1


# --- the organization's admin page ------------------------------------------------------------


def alias_form(organization, *aliases, **fields):
    data = {
        "name": organization.name,
        "kind": organization.kind,
        "url": "",
        "description": "",
        "aliases-TOTAL_FORMS": str(len(aliases)),
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, alias in enumerate(aliases):
        data[f"aliases-{index}-name"] = alias
    return data


def change_url(organization):
    return reverse("admin:sources_organization_change", args=[organization.pk])


def test_an_editor_adds_aliases_on_the_organizations_page(client, editor):
    ft = OrganizationFactory(name="Financial Times")
    client.force_login(editor)
    assert "aliases-TOTAL_FORMS" in client.get(change_url(ft)).content.decode()

    response = client.post(change_url(ft), alias_form(ft, "FT", "The FT"))

    assert response.status_code == 302
    assert sorted(ft.aliases.values_list("name", flat=True)) == ["FT", "The FT"]


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        (["Fortune"], "“Fortune” is the name of Fortune."),
        (["ft"], "“ft” is already an alias of Financial Times."),
        (["AB", "ab"], "This alias is given twice."),
    ],
)
def test_an_alias_names_one_organization_only(client, editor, ft, aliases, message):
    OrganizationFactory(name="Fortune")
    other = OrganizationFactory(name="Financial Tribune")
    client.force_login(editor)

    response = client.post(change_url(other), alias_form(other, *aliases))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not other.aliases.exists()


def test_fact_checkers_see_aliases_but_cannot_edit_them(client, factchecker, ft):
    client.force_login(factchecker)

    page = client.get(change_url(ft)).content.decode()

    assert "FT" in page
    assert "aliases-0-name" not in page  # read-only rows, no inputs


# --- the seeded agency aliases ----------------------------------------------------------------


def test_the_data_migration_gives_recorded_agencies_their_aliases_and_takes_no_name():
    seeding = importlib.import_module("sources.migrations.0008_seed_agency_aliases")
    ap = OrganizationFactory(name="Associated Press", kind=Organization.Kind.NEWS_AGENCY)
    OrganizationFactory(name="AFP")  # recorded under its code: "AFP" stays its name
    afp = OrganizationFactory(name="Agence France-Presse")

    seeding.seed(django_apps, None)

    assert sorted(ap.aliases.values_list("name", flat=True)) == ["AP", "The Associated Press"]
    assert list(afp.aliases.values_list("name", flat=True)) == ["Agence France Presse"]
    assert not OrganizationAlias.objects.filter(organization__name="Reuters").exists()
