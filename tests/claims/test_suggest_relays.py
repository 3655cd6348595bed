"""The suggester offers each agency a document credits as a relay link (issue 10)."""

import pytest
from django.urls import reverse

from claims.models import Appearance, Attribution
from claims.suggest import suggest, suggestion_accept
from sources.models import DocumentCredit, Organization
from tests.claims.factories import ClaimFactory
from tests.factories import DocumentFactory, LicenseTermsFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
Role = Attribution.Role

BODY = (
    "Harbour officials told the Financial Times that the Læsø quay was safe.\n\n"
    "The ferry resumed on Wednesday, according to Reuters."
)


def agency(name):
    return OrganizationFactory(name=name, kind=Organization.Kind.NEWS_AGENCY)


def wire_document():
    OrganizationFactory(name="Financial Times", kind=Organization.Kind.PUBLICATION)
    title = OrganizationFactory(name="Harbour Weekly", kind=Organization.Kind.PUBLICATION)
    document = DocumentFactory(
        body=BODY,
        raw_text=BODY + "\n\n/ritzau/\n",
        publication=title,
        license=LicenseTermsFactory(),
    )
    reuters, ritzau = agency("Reuters"), agency("Ritzau")
    at = document.raw_text.index("/ritzau/")
    DocumentCredit.objects.create(
        document=document,
        organization=ritzau,
        shape=DocumentCredit.Shape.AGENCY_LINE,
        text="/ritzau/",
        start=at,
        end=at + 8,
    )
    at = document.raw_text.index("according to Reuters")
    DocumentCredit.objects.create(
        document=document,
        organization=reuters,
        shape=DocumentCredit.Shape.ACCORDING_TO,
        text="according to Reuters",
        start=at,
        end=at + 20,
    )
    return document, reuters, ritzau


def told_the_ft(suggestions):
    return next(p for p in suggestions.appearances if p.chain.verb == "told")


def test_each_credited_agency_is_offered_once_the_titles_own_wire_last():
    document, reuters, ritzau = wire_document()

    found = suggest(document=document)

    assert [r.organization for r in found.relays] == [reuters, ritzau]
    assert [r.organization for r in told_the_ft(found).chain.relays] == [reuters, ritzau]
    # "according to Reuters" names Reuters as the origin: it is not offered as its own relay.
    by_reuters = next(p for p in found.appearances if p.chain.verb == "according to")
    assert [r.organization for r in by_reuters.chain.relays] == [ritzau]


def test_accepting_links_the_relays_between_reporter_and_publisher():
    document, reuters, ritzau = wire_document()
    proposal = told_the_ft(suggest(document=document))

    appearance = suggestion_accept(
        document=document, proposal=proposal, claim=ClaimFactory(), user=None
    )

    chain = [(a.role, a.organization or a.anonymous_source) for a in appearance.chain.all()]
    assert [role for role, _ in chain] == [
        Role.ORIGIN,
        Role.REPORTER,
        Role.RELAY,
        Role.RELAY,
        Role.PUBLISHER,
    ]
    assert [agent for _, agent in chain[2:]] == [reuters, ritzau, document.publication]


def test_the_editor_may_keep_only_some_relays():
    document, _reuters, ritzau = wire_document()
    proposal = told_the_ft(suggest(document=document))

    appearance = suggestion_accept(
        document=document, proposal=proposal, claim=ClaimFactory(), user=None, relays=[ritzau]
    )

    relays = appearance.chain.filter(role=Role.RELAY)
    assert [a.organization for a in relays] == [ritzau]


def test_a_document_without_credits_offers_no_relays():
    document = DocumentFactory(body=BODY, license=LicenseTermsFactory())

    assert suggest(document=document).relays == ()


def test_the_suggestions_page_shows_the_relays_and_records_the_ticked_ones(admin_client):
    document, reuters, ritzau = wire_document()
    url = reverse("admin:claims_claim_suggest", args=[document.pk])

    page = admin_client.get(url).content.decode()
    assert "credited: /ritzau/" in page and "Ritzau (credited)" in page

    admin_client.post(
        url,
        {
            "proposal": "appearance-0",
            "body_sha256": document.body_sha256,
            "appearance-0-new_claim": "The Læsø quay is safe.",
            "appearance-0-relays": [ritzau.pk],
        },
    )

    appearance = Appearance.objects.get()
    relays = appearance.chain.filter(role=Role.RELAY)
    assert [a.organization for a in relays] == [ritzau]
