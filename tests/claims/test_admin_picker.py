"""The chain editor's one agent picker: search across the three kinds, create inline, and the
role suggested from a link's place; on the appearance page and on a new claim from a quote."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from claims.models import Attribution, Claim, ClaimStatus
from claims.recording import suggested_role
from sources.models import AnonymousSource, Organization, OrganizationAlias, Person
from tests.claims.factories import ARTICLE_A_SANCTIONS, AppearanceFactory, article_a
from tests.factories import AnonymousSourceFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

SEARCH = "admin:claims_appearance_agents"


def search(client, q):
    response = client.get(reverse(SEARCH), {"q": q})
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def ft():
    ft = OrganizationFactory(name="Financial Times")
    OrganizationAlias.objects.create(organization=ft, name="FT")
    return ft


# --- Search ------------------------------------------------------------------------------------


def test_the_alias_finds_the_organization_and_says_so(client, editor, ft):
    client.force_login(editor)

    found = search(client, "FT")

    assert found["results"][0] == {
        "value": f"organization:{ft.pk}",
        "label": "Financial Times",
        "kind": "organization",
        "detail": "also known as FT",
    }


def test_people_organizations_and_anonymous_sources_come_in_one_list_with_their_kinds(
    client, editor
):
    person = PersonFactory(name="Zack Cooper")
    organization = OrganizationFactory(name="Cooper Institute")
    source = AnonymousSourceFactory(description="officials close to Cooper")
    client.force_login(editor)

    found = search(client, "cooper")

    assert {(row["value"], row["kind"]) for row in found["results"]} == {
        (f"person:{person.pk}", "person"),
        (f"organization:{organization.pk}", "organization"),
        (f"anonymous:{source.pk}", "anonymous source"),
    }


def test_a_confidential_identity_is_never_searched_or_shown(client, editor):
    AnonymousSourceFactory(description="a senior official", confidential_identity="Jane Canary")
    client.force_login(editor)

    assert search(client, "Canary")["results"] == []
    assert "Canary" not in client.get(reverse(SEARCH), {"q": "official"}).content.decode()


def test_creating_is_offered_most_likely_kind_first(client, editor):
    client.force_login(editor)

    described = [row["label"] for row in search(client, "two senior officials")["create"]]
    named = [row["label"] for row in search(client, "Jane Roe")["create"]]

    assert described[0] == "Create anonymous source “two senior officials”"
    assert named[0] == "Create person “Jane Roe”"
    assert len(described) == 3


def test_creating_is_offered_only_for_the_kinds_the_user_may_add(client, factchecker):
    client.force_login(factchecker)

    found = search(client, "two senior officials")

    assert found["create"] == []


def test_the_search_is_closed_to_staff_without_any_source_permission(client):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory(username="t-nobody"))

    assert client.get(reverse(SEARCH), {"q": "a"}).status_code == 403


# --- Roles from the place ----------------------------------------------------------------------


def test_the_role_is_suggested_from_the_place_and_the_publisher_from_the_document():
    publisher = Organization(name="Outlet")
    other = Organization(name="FT")

    assert suggested_role(0, agent=other, publishers=[publisher]) == "origin"
    assert suggested_role(1, agent=other, publishers=[publisher]) == "reporter"
    assert suggested_role(2, agent=other, publishers=[publisher]) == "relay"
    assert suggested_role(1, agent=publisher, publishers=[publisher]) == "publisher"
    assert suggested_role(3, agent=publisher, publishers=[publisher]) == "publisher"


# --- The appearance page -----------------------------------------------------------------------


def chain_post(appearance, rows):
    data = {
        "chain-TOTAL_FORMS": str(len(rows)),
        "chain-INITIAL_FORMS": "0",
        "chain-MIN_NUM_FORMS": "0",
        "chain-MAX_NUM_FORMS": "1000",
        # The page sends back the revision it showed (issue 9): a stale save is refused.
        "expected_revision": str(appearance.claim.revision),
    }
    for index, (agent, role) in enumerate(rows):
        data.update(
            {
                f"chain-{index}-position": str(index),
                f"chain-{index}-role": role,
                f"chain-{index}-verb": "",
                f"chain-{index}-agent": agent,
            }
        )
    return reverse("admin:claims_appearance_change", args=[appearance.pk]), data


def test_a_chain_with_a_new_anonymous_source_and_roles_left_blank_is_saved(client, editor, ft):
    appearance = AppearanceFactory(claim__created_by=editor)
    publisher = appearance.document.publisher
    client.force_login(editor)
    url, data = chain_post(
        appearance,
        [
            ("new:anonymous:two senior officials", ""),
            (f"organization:{ft.pk}", ""),
            (f"organization:{publisher.pk}", ""),
        ],
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    source = AnonymousSource.objects.get(description="two senior officials")
    assert (source.count_text, source.count) == ("two", 2)
    links = list(appearance.chain.order_by("position"))
    assert [(link.role, link.agent, link.verb) for link in links] == [
        (Attribution.Role.ORIGIN, source, "said"),
        (Attribution.Role.REPORTER, ft, "reported"),
        (Attribution.Role.PUBLISHER, publisher, "published"),
    ]


def test_a_refused_chain_records_no_new_agent(client, editor):
    appearance = AppearanceFactory(claim__created_by=editor)
    client.force_login(editor)
    # The origin placed second: the chain is refused, and the person typed is not recorded.
    url, data = chain_post(
        appearance, [("new:person:Jane Roe", "reporter"), ("new:person:John Doe", "origin")]
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert "the origin comes first" in response.content.decode()
    assert not Person.objects.filter(name__in=["Jane Roe", "John Doe"]).exists()
    assert not appearance.chain.exists()


def test_an_agent_the_user_may_not_add_is_refused_before_anything_is_saved(client, editor):
    editor.user_permissions.remove(*Permission.objects.filter(codename="add_person"))
    editor.groups.first().permissions.remove(*Permission.objects.filter(codename="add_person"))
    appearance = AppearanceFactory(claim__created_by=editor)
    client.force_login(editor)
    url, data = chain_post(appearance, [("new:person:Jane Roe", "")])

    response = client.post(url, data)

    assert response.status_code == 200
    assert "You may not record a new person" in response.content.decode()
    assert not Person.objects.filter(name="Jane Roe").exists()


# --- A new claim from a quote, with its chain, sent to review -----------------------------------


def from_quote(document, exact, rows, **extra):
    start = document.body.index(exact)
    data = {
        "document": document.pk,
        "exact": exact,
        "prefix": document.body[max(0, start - 32) : start],
        "suffix": document.body[start + len(exact) : start + len(exact) + 32],
        "start": start,
        "end": start + len(exact),
        "text": "The US put sanctions on China's spy agency on hold.",
        "summary": "",
        "chain-TOTAL_FORMS": str(len(rows)),
        "chain-INITIAL_FORMS": str(len(rows)),
        "chain-MIN_NUM_FORMS": "0",
        "chain-MAX_NUM_FORMS": "50",
        **extra,
    }
    for index, (agent, role, verb) in enumerate(rows):
        data.update(
            {
                f"chain-{index}-agent": agent,
                f"chain-{index}-role": role,
                f"chain-{index}-verb": verb,
            }
        )
    return data


def test_the_page_a_quote_opens_offers_the_documents_publisher_as_the_last_link(client, editor):
    document = article_a()
    client.force_login(editor)
    start = document.body.index(ARTICLE_A_SANCTIONS)

    page = client.get(
        reverse("admin:claims_claim_add"),
        {"document": document.pk, "exact": ARTICLE_A_SANCTIONS, "start": start},
    ).content.decode()

    publisher = document.publication or document.publisher
    assert f'value="organization:{publisher.pk}"' in page
    assert 'name="_send_to_review"' in page


def test_saving_and_sending_records_the_claim_its_quote_and_chain_then_moves_it(client, editor, ft):
    document = article_a()
    publisher = document.publication or document.publisher
    client.force_login(editor)
    data = from_quote(
        document,
        ARTICLE_A_SANCTIONS,
        [
            ("new:anonymous:current and former US officials", "", "told"),
            (f"organization:{ft.pk}", "", ""),
            ("", "", ""),
            (f"organization:{publisher.pk}", "publisher", "published"),
        ],
        _send_to_review="Save and send to review",
    )

    response = client.post(reverse("admin:claims_claim_add"), data)

    claim = Claim.objects.get()
    assert response.url == reverse("admin:claims_claim_change", args=[claim.pk])
    assert claim.status == ClaimStatus.IN_REVIEW
    assert claim.events.get().actor == editor
    links = claim.appearances.get().chain.order_by("position")
    assert [(link.role, str(link.agent), link.verb) for link in links] == [
        ("origin", "current and former US officials", "told"),
        ("reporter", "Financial Times", "reported"),
        ("publisher", str(publisher), "published"),
    ]


def test_a_chain_in_the_wrong_order_saves_nothing_at_all(client, editor, ft):
    document = article_a()
    publisher = document.publication or document.publisher
    client.force_login(editor)
    data = from_quote(
        document,
        ARTICLE_A_SANCTIONS,
        [
            (f"organization:{publisher.pk}", "publisher", ""),
            ("new:anonymous:officials", "origin", ""),
        ],
    )

    response = client.post(reverse("admin:claims_claim_add"), data)

    assert response.status_code == 200
    assert not Claim.objects.exists()
    assert not AnonymousSource.objects.filter(description="officials").exists()


def test_the_offered_publisher_alone_is_no_chain(client, editor):
    # Saved as it was offered (only the publisher row filled): the claim and quote are
    # recorded and the chain is edited next, on the appearance's page, as before.
    document = article_a()
    publisher = document.publication or document.publisher
    client.force_login(editor)
    rows = [("", "", "")] * 3 + [(f"organization:{publisher.pk}", "publisher", "published")]

    response = client.post(
        reverse("admin:claims_claim_add"), from_quote(document, ARTICLE_A_SANCTIONS, rows)
    )

    appearance = Claim.objects.get().appearances.get()
    assert response.url == reverse("admin:claims_appearance_change", args=[appearance.pk])
    assert not appearance.chain.exists()
