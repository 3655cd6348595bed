import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from claims.models import Appearance, Attribution, ExternalCheck
from claims.suggest import (
    AgentKind,
    AppearanceProposal,
    ExternalCheckProposal,
    MiningRefused,
    suggest,
    suggestion_accept,
)
from sources.models import AnonymousSource, Organization, Person
from tests.claims.factories import ClaimFactory
from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    ReservedLicenseTermsFactory,
)

pytestmark = pytest.mark.django_db

# A synthetic article in the style of DESIGN.md §1 Article B, with one of each phrase type.
SYNTHETIC = (
    "Current and former US officials told The Financial Times that a plan to fine a shipping "
    "ministry was 'put on hold' to protect the trade truce, speaking on condition of "
    "anonymity.\n\n"
    "According to several of the sources, the administration will not add new port fees this "
    "year.\n\n"
    "'The administration appears to be giving ground on port fees ...,' Jane Roe, a maritime "
    "trade analyst at the Harbour Policy Institute, told FT.\n\n"
    "The review was handed to a deputy chief of staff, two sources told FT.\n\n"
    "A transport ministry spokesperson said the talks would continue.\n\n"
    "The Reuters news agency was not immediately able to verify the reports. The White House "
    "did not immediately respond to Reuters' request for comment."
)


def open_document(**kwargs):
    return DocumentFactory(body=SYNTHETIC, license=LicenseTermsFactory(), **kwargs)


def by_verb(suggestions, verb):
    return [p for p in suggestions.appearances if p.chain.verb == verb]


def assert_spans_match(body, proposal):
    assert body[proposal.start : proposal.end] == proposal.exact
    for agent in (proposal.chain.origin, proposal.chain.reporter):
        if agent is not None:
            assert body[agent.start : agent.end] == agent.text


def test_suggest_finds_every_phrase_type_with_exact_offsets():
    document = open_document()

    found = suggest(document=document)

    assert found.decision.allowed
    assert len(found.appearances) == 5
    for proposal in found.appearances:
        assert_spans_match(SYNTHETIC, proposal)
    for check in found.external_checks:
        assert SYNTHETIC[check.start : check.end] == check.exact
        org = check.organization
        assert SYNTHETIC[org.start : org.end] == org.text

    # "X told the Financial Times", anonymous, with the reason for anonymity.
    told_ft = by_verb(found, "told")[0].chain
    assert told_ft.origin.text == "Current and former US officials"
    assert told_ft.origin.kind == AgentKind.ANONYMOUS
    assert told_ft.origin.anonymity_reason == "speaking on condition of anonymity"
    assert (told_ft.reporter.text, told_ft.reporter.name) == (
        "The Financial Times",
        "Financial Times",
    )

    # "according to several of the sources": counted, and told to the same reporter as before.
    according = by_verb(found, "according to")[0].chain
    assert (according.origin.text, according.origin.count_text) == (
        "several of the sources",
        "several",
    )
    assert according.reporter == told_ft.reporter and according.reporter_inferred

    # A named, on-record source with a role and affiliation; the quote is the appearance.
    quote = by_verb(found, "told")[1]
    assert quote.exact == "The administration appears to be giving ground on port fees ..."
    assert quote.chain.origin.kind == AgentKind.PERSON
    assert quote.chain.origin.name == "Jane Roe"
    assert quote.chain.origin.description == (
        "a maritime trade analyst at the Harbour Policy Institute"
    )
    assert quote.chain.reporter.text == "FT"

    # "N sources told".
    counted = by_verb(found, "told")[2].chain
    assert (counted.origin.text, counted.origin.count_text, counted.origin.name) == (
        "two sources",
        "two",
        "sources",
    )

    # "said".
    said = by_verb(found, "said")[0]
    assert said.exact == "A transport ministry spokesperson said the talks would continue."
    assert said.chain.origin.text == "A transport ministry spokesperson"
    assert said.chain.reporter is None

    # Verification attempts by third parties.
    assert [(c.organization.text, c.outcome, c.requested_by) for c in found.external_checks] == [
        ("Reuters", ExternalCheck.Outcome.COULD_NOT_VERIFY, ""),
        ("The White House", ExternalCheck.Outcome.NO_RESPONSE, "Reuters"),
    ]


def test_suggest_reads_inverted_attributions_and_skips_pronouns():
    body = (
        "'The talks will continue,' said a senior trade official.\n\n"
        "He said the port fees would stay."
    )
    document = DocumentFactory(body=body, license=LicenseTermsFactory())

    inverted, pronoun = suggest(document=document).appearances

    assert inverted.exact == "The talks will continue"
    assert inverted.chain.origin.text == "a senior trade official"
    assert inverted.chain.origin.kind == AgentKind.ANONYMOUS
    assert pronoun.exact == "He said the port fees would stay."
    assert pronoun.chain.origin is None


def test_suggest_saves_nothing():
    document = open_document()
    models = (Appearance, Attribution, ExternalCheck, AnonymousSource, Person, Organization)
    before = [model.objects.count() for model in models]

    suggest(document=document)

    assert [model.objects.count() for model in models] == before


def test_suggest_refuses_a_tdm_reserved_document_naming_the_legal_basis_and_clause():
    terms = ReservedLicenseTermsFactory()
    document = DocumentFactory(body=SYNTHETIC, license=terms)

    with pytest.raises(MiningRefused) as raised:
        suggest(document=document)

    decision = raised.value.decision
    assert not decision.allowed
    assert "DK Medier reserves text and data mining" in decision.reason
    assert "DSM Directive Art. 4; Danish Copyright Act §11b" in decision.reason
    assert decision.clause == terms.tdm_clause
    assert "Section 11b of the Copyright Act" in decision.clause
    assert str(raised.value) == decision.reason


def test_suggest_refuses_when_the_agreement_does_not_grant_tdm_or_has_expired():
    terms = ReservedLicenseTermsFactory()
    document = DocumentFactory(body=SYNTHETIC, license=terms)
    AgreementFactory(holder=terms.holder, grants_tdm=False, grants_external_sharing=True)
    AgreementFactory(
        holder=terms.holder,
        grants_tdm=True,
        valid_until=timezone.now().date() - datetime.timedelta(1),
    )

    with pytest.raises(MiningRefused):
        suggest(document=document)


def test_suggest_reads_a_reserved_document_when_an_agreement_grants_tdm():
    terms = ReservedLicenseTermsFactory()
    document = DocumentFactory(body=SYNTHETIC, license=terms)
    AgreementFactory(
        holder=terms.holder,
        reference="DKM-2025-17",
        grants_tdm=True,
        valid_from=timezone.now().date() - datetime.timedelta(30),
        clause="The customer may mine licensed articles for internal fact-checking.",
    )

    found = suggest(document=document)

    assert "DKM-2025-17" in found.decision.reason
    assert found.decision.clause.startswith("The customer may mine")
    assert len(found.appearances) == 5


def test_accepting_an_appearance_records_the_quote_and_its_chain(editor):
    document = open_document()
    ft = OrganizationFactory(name="Financial Times", kind=Organization.Kind.PUBLICATION)
    claim = ClaimFactory()
    proposal = by_verb(suggest(document=document), "told")[0]

    appearance = suggestion_accept(document=document, proposal=proposal, claim=claim, user=editor)

    assert isinstance(appearance, Appearance)
    assert (appearance.start, appearance.end) == (proposal.start, proposal.end)
    chain = list(appearance.chain.all())
    assert [link.role for link in chain] == ["origin", "reporter", "publisher"]
    officials = chain[0].agent
    assert isinstance(officials, AnonymousSource)
    assert officials.description == "Current and former US officials"
    assert officials.anonymity_reason == "speaking on condition of anonymity"
    assert chain[0].verb == "told"
    assert chain[1].agent == ft
    assert chain[2].agent == document.publisher
    claim.refresh_from_db()
    assert claim.independent_origins == 1


def test_accepting_a_named_source_creates_the_person_and_takes_an_override(editor):
    document = open_document()
    ft = OrganizationFactory(name="Financial Times")
    proposal = by_verb(suggest(document=document), "told")[1]

    appearance = suggestion_accept(
        document=document, proposal=proposal, claim=ClaimFactory(), user=editor, reporter=ft
    )

    person = appearance.chain.get(role="origin").agent
    assert (person.name, person.description) == (
        "Jane Roe",
        "maritime trade analyst at the Harbour Policy Institute",
    )
    assert appearance.chain.get(role="reporter").agent == ft


def test_accepting_counted_anonymous_sources_records_the_count(editor):
    document = open_document()
    proposal = by_verb(suggest(document=document), "told")[2]

    appearance = suggestion_accept(
        document=document,
        proposal=proposal,
        claim=ClaimFactory(),
        user=editor,
        reporter=OrganizationFactory(name="Financial Times"),
    )

    sources = appearance.chain.get(role="origin").agent
    assert (sources.description, sources.count_text, sources.count) == ("sources", "two", 2)


def test_accepting_an_external_check_records_it_with_its_excerpt(editor):
    document = open_document()
    white_house = OrganizationFactory(name="White House", kind=Organization.Kind.GOVERNMENT_BODY)
    claim = ClaimFactory()
    proposal = suggest(document=document).external_checks[1]
    assert isinstance(proposal, ExternalCheckProposal)

    check = suggestion_accept(document=document, proposal=proposal, claim=claim, user=editor)

    assert (check.claim, check.organization, check.outcome) == (claim, white_house, "no_response")
    assert (check.document, check.start, check.end) == (document, proposal.start, proposal.end)
    assert check.exact.startswith("The White House did not immediately respond")


def test_accepting_with_an_unknown_organization_changes_nothing(editor):
    document = open_document()
    proposal = by_verb(suggest(document=document), "told")[0]
    assert isinstance(proposal, AppearanceProposal)

    with pytest.raises(ValidationError) as raised:
        suggestion_accept(document=document, proposal=proposal, claim=ClaimFactory(), user=editor)

    assert "Financial Times" in raised.value.message_dict["reporter"][0]
    assert not Appearance.objects.exists()
    assert not AnonymousSource.objects.exists()
