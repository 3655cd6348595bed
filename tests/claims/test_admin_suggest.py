"""The suggestions page: refusal under the licence, proposals, and accepting one."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from claims.models import Appearance, Attribution, Claim, ExternalCheck
from sources.models import AnonymousSource, Organization, Person
from tests.claims.factories import ClaimFactory, article_a
from tests.factories import (
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    ReservedLicenseTermsFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

# A synthetic article in the style of DESIGN.md §1 Article B (not a real article's text).
SYNTHETIC = (
    "Current and former US officials told The Financial Times that a plan to fine a shipping "
    "ministry was 'put on hold' to protect the trade truce, speaking on condition of "
    "anonymity.\n\n"
    "'The administration appears to be giving ground on port fees ...,' Jane Roe, a maritime "
    "trade analyst at the Harbour Policy Institute, told FT.\n\n"
    "The White House did not immediately respond to Reuters' request for comment."
)
FIRST_QUOTE = SYNTHETIC.split("\n\n")[0]
WHITE_HOUSE = "The White House did not immediately respond to Reuters' request for comment."
RECORDED = (Claim, Appearance, Attribution, ExternalCheck, AnonymousSource, Person)


def suggest_url(document):
    return reverse("admin:claims_claim_suggest", args=[document.pk])


def open_document():
    return DocumentFactory(body=SYNTHETIC, license=LicenseTermsFactory())


def counts():
    return [model.objects.count() for model in RECORDED]


def accept(client, document, key, **fields):
    data = {"proposal": key, "body_sha256": document.body_sha256}
    data.update({f"{key}-{name}": value for name, value in fields.items()})
    return client.post(suggest_url(document), data)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_tdm_reserved_document_shows_the_refusal_reason_and_clause(admin_client):
    terms = ReservedLicenseTermsFactory()
    document = DocumentFactory(body=SYNTHETIC, license=terms)

    response = admin_client.get(suggest_url(document))

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "DK Medier reserves text and data mining under DSM Directive Art. 4; Danish Copyright "
        "Act §11b, and no agreement in force grants it."
    ) in html
    assert "Section 11b of the Copyright Act and Article 4 of the DSM Directive" in html
    assert terms.tdm_clause in html
    assert response.context["proposals"] == []
    assert 'name="proposal"' not in html


def test_accepting_on_a_reserved_document_records_nothing(admin_client):
    document = article_a()
    claim = ClaimFactory()
    before = counts()

    response = accept(admin_client, document, "appearance-0", claim=claim.pk)

    assert response.status_code == 200
    assert "reserves text and data mining" in response.content.decode()
    assert counts() == before


def test_an_open_document_lists_proposals_highlighted_and_records_nothing(admin_client):
    document = open_document()
    before = counts()

    response = admin_client.get(suggest_url(document))

    assert response.status_code == 200
    html = response.content.decode()
    keys = [row["key"] for row in response.context["proposals"]]
    assert keys == ["appearance-0", "appearance-1", "check-0"]
    assert "<mark>Current and former US officials told The Financial Times" in html
    assert "<mark>The administration appears to be giving ground on port fees ...</mark>" in html
    assert '<div class="chain-agent">Jane Roe</div>' in html
    assert "maritime trade analyst at the Harbour Policy Institute" in html
    assert "Did not respond to a request for comment" in html
    assert html.count('type="submit" class="default" value="Accept"') == 3
    assert counts() == before


def test_accepting_an_appearance_for_an_existing_claim_records_it_with_its_chain(
    admin_client, admin_user
):
    document = open_document()
    ft = OrganizationFactory(name="Financial Times", kind=Organization.Kind.PUBLICATION)
    claim = ClaimFactory()

    response = accept(admin_client, document, "appearance-0", claim=claim.pk)

    assert response.status_code == 302
    appearance = Appearance.objects.get()
    assert (appearance.claim, appearance.document, appearance.created_by) == (
        claim,
        document,
        admin_user,
    )
    assert appearance.exact == FIRST_QUOTE
    chain = list(appearance.chain.all())
    assert [link.role for link in chain] == ["origin", "reporter", "publisher"]
    assert chain[0].agent.description == "Current and former US officials"
    assert chain[1].agent == ft
    claim.refresh_from_db()
    assert claim.independent_origins == 1
    assert any("Recorded the appearance" in message for message in messages_of(response))
    # Shown as recorded when the page is read again.
    again = admin_client.get(suggest_url(document)).content.decode()
    assert "Already recorded for:" in again


def test_accepting_for_a_new_claim_creates_the_claim_too(admin_client, admin_user):
    document = open_document()
    reporter = OrganizationFactory(name="Financial Times")

    response = accept(
        admin_client,
        document,
        "appearance-1",
        new_claim="The administration is giving ground on port fees.",
        reporter=reporter.pk,
    )

    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.text == "The administration is giving ground on port fees."
    assert claim.created_by == admin_user
    appearance = claim.appearances.get()
    origin = appearance.chain.get(role="origin").agent
    assert (origin.name, origin.description) == (
        "Jane Roe",
        "maritime trade analyst at the Harbour Policy Institute",
    )
    assert appearance.chain.get(role="reporter").agent == reporter


def test_accepting_an_external_check(admin_client):
    document = open_document()
    white_house = OrganizationFactory(name="White House", kind="government_body")
    claim = ClaimFactory()

    response = accept(admin_client, document, "check-0", claim=claim.pk)

    assert response.status_code == 302
    check = ExternalCheck.objects.get()
    assert (check.claim, check.organization, check.outcome) == (claim, white_house, "no_response")
    assert check.exact == WHITE_HOUSE


def test_a_refused_accept_shows_the_error_as_a_message_and_creates_nothing(admin_client):
    document = open_document()  # no organization named "Financial Times" on record
    before = counts()

    response = accept(admin_client, document, "appearance-0", new_claim="A new claim.")

    assert response.status_code == 200
    assert (
        "Reporter: No organization is named “Financial Times”; choose one or record it first."
    ) in messages_of(response)
    assert "choose one or record it first" in response.content.decode()
    assert counts() == before  # not even the new claim


def test_accept_needs_a_claim_or_a_new_one(admin_client):
    document = open_document()
    before = counts()

    response = accept(admin_client, document, "appearance-0")

    assert response.status_code == 200
    assert "Choose an existing claim or write a new one." in response.content.decode()
    assert counts() == before


def test_accepting_after_the_text_changed_records_nothing(admin_client):
    document = open_document()
    claim = ClaimFactory()
    OrganizationFactory(name="Financial Times")
    data = {"proposal": "appearance-0", "body_sha256": "0" * 64, "appearance-0-claim": claim.pk}

    response = admin_client.post(suggest_url(document), data)

    assert response.status_code == 302
    assert "text changed" in messages_of(response)[0]
    assert not Appearance.objects.exists()


def test_the_page_needs_the_add_claim_permission(client):
    document = open_document()
    claim = ClaimFactory()
    OrganizationFactory(name="Financial Times")
    user = StaffFactory()
    client.force_login(user)

    assert client.get(suggest_url(document)).status_code == 403
    assert accept(client, document, "appearance-0", claim=claim.pk).status_code == 403
    assert client.get(reverse("admin:claims_claim_suggest_pick")).status_code == 403
    assert not Appearance.objects.exists()

    user.user_permissions.add(Permission.objects.get(codename="add_claim"))

    assert client.get(suggest_url(document)).status_code == 200


def test_the_document_picker_leads_to_the_suggestions(admin_client):
    document = open_document()

    response = admin_client.get(
        reverse("admin:claims_claim_suggest_pick"), {"document": document.pk}
    )

    assert response.status_code == 302
    assert response.url == suggest_url(document)


def test_the_claim_list_links_to_suggestions_for_those_who_may_add(admin_client, client):
    link = reverse("admin:claims_claim_suggest_pick")
    assert link in admin_client.get(reverse("admin:claims_claim_changelist")).content.decode()

    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_claim"))
    client.force_login(viewer)
    assert link not in client.get(reverse("admin:claims_claim_changelist")).content.decode()


def test_accepting_needs_the_right_to_record_what_is_accepted(client, editor):
    # Editors record appearances and chains; external checks are the fact-checkers'.
    document = open_document()
    OrganizationFactory(name="White House")
    claim = ClaimFactory()
    client.force_login(editor)

    page = client.get(suggest_url(document)).content.decode()
    response = accept(client, document, "check-0", claim=claim.pk)

    assert page.count('value="Accept"') == 2  # the two appearances, not the check
    assert "You may not record external checks." in page
    assert response.status_code == 403
    assert not ExternalCheck.objects.exists()


def test_the_accept_forms_claim_and_organization_pickers_search(admin_client):
    claim = ClaimFactory(summary="Sanctions on hold")
    reuters = OrganizationFactory(name="Reuters")
    url = reverse("admin:autocomplete")

    claims = admin_client.get(
        url,
        {"app_label": "claims", "model_name": "appearance", "field_name": "claim", "term": "hold"},
    ).json()
    organizations = admin_client.get(
        url,
        {
            "app_label": "claims",
            "model_name": "externalcheck",
            "field_name": "organization",
            "term": "Reu",
        },
    ).json()

    assert [item["id"] for item in claims["results"]] == [str(claim.pk)]
    assert [item["id"] for item in organizations["results"]] == [str(reuters.pk)]
