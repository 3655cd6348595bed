"""Copies of one text (one agency story in several titles) are one origin (issue 10)."""

import pytest

from claims.models import Attribution
from claims.origins import count_independent_origins
from claims.recording import ChainLink, appearance_create, chain_set, claim_create
from sources.documents import document_body_update
from sources.models import Organization
from tests.claims.factories import AppearanceFactory
from tests.factories import AnonymousSourceFactory, DocumentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

Role = Attribution.Role
WIRE_STORY = (
    "The ferry service to Læsø resumed on Wednesday, harbour officials said.\n\n"
    "The operator plans two extra departures on Friday, according to several staff members."
)
FERRY = "The ferry service to Læsø resumed on Wednesday"
EXTRA = "The operator plans two extra departures on Friday"


def title(name):
    return OrganizationFactory(name=name, kind=Organization.Kind.PUBLICATION)


def copies(n=2, body=WIRE_STORY):
    return [DocumentFactory(publisher=title(f"Title {i}"), body=body) for i in range(n)]


def officials(description="harbour officials"):
    # Each title's editor records the anonymous group on their own: two rows, as in real use.
    return AnonymousSourceFactory(description=description)


def appears(claim, document, exact, links):
    appearance = AppearanceFactory(
        claim=claim,
        document=document,
        exact=exact,
    )
    if links:
        chain_set(appearance=appearance, links=links)
    return appearance


def stored(claim) -> int:
    claim.refresh_from_db(fields=["independent_origins"])
    return claim.independent_origins


def test_two_titles_carrying_one_agency_story_count_once_however_each_chain_was_recorded(editor):
    claim = claim_create(text="The Læsø ferry runs again.", user=editor)
    first, second = copies()

    appears(claim, first, FERRY, [ChainLink(Role.ORIGIN, officials(), "said")])
    appears(
        claim,
        second,
        FERRY,
        [
            ChainLink(Role.ORIGIN, officials("Harbour officials"), "said"),
            ChainLink(Role.RELAY, OrganizationFactory(name="Ritzau")),
        ],
    )

    assert count_independent_origins([claim.pk]) == {claim.pk: 1} and stored(claim) == 1


def test_the_same_two_chains_in_two_different_texts_are_two_origins(editor):
    claim = claim_create(text="The Læsø ferry runs again.", user=editor)
    first = DocumentFactory(body=WIRE_STORY)
    rewritten = DocumentFactory(body=WIRE_STORY.replace("Wednesday", "Wednesday morning"))

    appears(claim, first, FERRY, [ChainLink(Role.ORIGIN, officials(), "said")])
    appears(claim, rewritten, FERRY, [ChainLink(Role.ORIGIN, officials(), "said")])

    assert stored(claim) == 2


def test_an_appearance_without_a_chain_counts_for_nothing_in_one_copy_or_in_two(editor):
    claim = claim_create(text="The Læsø ferry runs again.", user=editor)
    first, second, third = copies(3)

    appears(claim, first, FERRY, [])
    appears(claim, second, FERRY, [])
    assert stored(claim) == 0  # copies do not turn unknown provenance into an origin

    appears(claim, third, FERRY, [ChainLink(Role.ORIGIN, officials(), "said")])
    assert stored(claim) == 1


def test_an_appearance_without_a_chain_does_not_bridge_two_origins(editor):
    # A long quote without a chain in one copy overlaps both passages of the other copy.
    claim = claim_create(text="The Læsø ferry runs again, with extra departures.", user=editor)
    first, second = copies()
    appears(claim, first, FERRY, [ChainLink(Role.ORIGIN, officials(), "said")])
    appears(claim, first, EXTRA, [ChainLink(Role.ORIGIN, officials("staff members"), "told")])
    appearance_create(claim=claim, document=second, exact=WIRE_STORY, user=editor)

    assert stored(claim) == 2


def test_adding_a_copy_never_changes_the_count(editor):
    # One text with two independent origins on two passages...
    claim = claim_create(text="The Læsø ferry runs again, with extra departures.", user=editor)
    first, second = copies()
    appears(claim, first, FERRY, [ChainLink(Role.ORIGIN, officials(), "said")])
    appears(claim, first, EXTRA, [ChainLink(Role.ORIGIN, officials("staff members"), "told")])
    assert stored(claim) == 2

    # ...carried by a second title, each passage recorded again with its own rows.
    appears(claim, second, FERRY, [ChainLink(Role.ORIGIN, officials(), "said")])
    appears(claim, second, EXTRA, [ChainLink(Role.ORIGIN, officials("staff"), "told")])

    assert stored(claim) == 2


def test_counting_copies_stays_at_two_queries(editor, django_assert_num_queries):
    claims = []
    for n in range(3):
        claim = claim_create(text=f"The Læsø ferry runs again ({n}).", user=editor)
        for document in copies(3, body=WIRE_STORY + f"\n\nEdition {n}."):
            appears(claim, document, FERRY, [ChainLink(Role.ORIGIN, officials(), "said")])
        claims.append(claim.pk)

    with django_assert_num_queries(2):
        counts = count_independent_origins(claims)

    assert counts == dict.fromkeys(claims, 1)


def test_a_copy_edited_into_its_own_text_is_recounted(editor):
    claim = claim_create(text="The Læsø ferry runs again.", user=editor)
    first, second = copies()
    appears(claim, first, FERRY, [ChainLink(Role.ORIGIN, officials(), "said")])
    appears(claim, second, FERRY, [ChainLink(Role.ORIGIN, officials(), "said")])
    assert stored(claim) == 1

    document_body_update(document=second, body=WIRE_STORY + "\n\nThe title's own addition.")

    assert stored(claim) == 2  # no longer a copy: two separately recorded origins
    document_body_update(document=second, body=WIRE_STORY)
    assert stored(claim) == 1
