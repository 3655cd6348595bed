"""Corroboration counts independent origins, never repetitions (DESIGN.md §3, promise 2)."""

import pytest

from claims.models import Attribution, Claim, ClaimRelation
from claims.origins import (
    count_independent_origins,
    refresh_independent_origins,
    same_as_components,
)
from claims.recording import (
    ChainLink,
    appearance_create,
    appearance_delete,
    chain_set,
    claim_create,
    relation_delete,
    relation_record,
)
from sources.models import Organization
from tests.claims.factories import (
    ARTICLE_A_SANCTIONS,
    ARTICLE_B_SANCTIONS,
    AppearanceFactory,
    ClaimFactory,
    article_a,
    article_b,
)
from tests.factories import AnonymousSourceFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

Role = Attribution.Role


def org(name, kind=Organization.Kind.PUBLICATION):
    return OrganizationFactory(name=name, kind=kind)


def anonymous(description="current and former US officials"):
    return AnonymousSourceFactory(description=description)


def quoted(claim, links, **kwargs):
    """Give `claim` a new appearance (in a new document) with the chain `links`."""
    appearance = AppearanceFactory(claim=claim, **kwargs)
    chain_set(appearance=appearance, links=links)
    return appearance


def stored(claim) -> int:
    claim.refresh_from_db(fields=["independent_origins"])
    return claim.independent_origins


def test_reference_story_two_articles_relaying_the_ft_are_one_origin(editor):
    # Given the sanctions-on-hold claim as articles A and B carry it, both relaying the FT.
    ft = org("Financial Times")
    claim = claim_create(
        text="The US has put sanctions on China's Ministry of State Security on hold.",
        user=editor,
    )
    doc_a, doc_b = article_a(), article_b()
    in_a = appearance_create(claim=claim, document=doc_a, exact=ARTICLE_A_SANCTIONS, user=editor)
    in_b = appearance_create(claim=claim, document=doc_b, exact=ARTICLE_B_SANCTIONS, user=editor)

    # When each appearance gets its chain (each article describes the officials on its own).
    chain_set(
        appearance=in_a,
        links=[
            ChainLink(Role.ORIGIN, anonymous(), "told"),
            ChainLink(Role.REPORTER, ft, "reported"),
            ChainLink(Role.RELAY, org("Reuters", Organization.Kind.NEWS_AGENCY)),
            ChainLink(Role.RELAY, org("Ritzau", Organization.Kind.NEWS_AGENCY)),
            ChainLink(Role.PUBLISHER, doc_a.publication, "published"),
        ],
    )
    chain_set(
        appearance=in_b,
        links=[
            ChainLink(Role.ORIGIN, anonymous("Current and former US officials"), "told"),
            ChainLink(Role.REPORTER, ft),
            ChainLink(Role.PUBLISHER, doc_b.publisher, "published"),
        ],
    )

    # Then it has two appearances but one independent origin, stored as the selector counts.
    counted = Claim.objects.with_counts().get(pk=claim.pk)
    assert counted.appearance_count == 2
    assert counted.independent_origins == 1
    assert count_independent_origins([claim.pk]) == {claim.pk: 1}


def test_two_genuinely_independent_reporters_count_twice():
    claim = ClaimFactory()
    quoted(claim, [ChainLink(Role.ORIGIN, anonymous()), ChainLink(Role.REPORTER, org("FT"))])
    quoted(
        claim,
        [
            ChainLink(Role.ORIGIN, anonymous("people familiar")),
            ChainLink(Role.REPORTER, org("WSJ")),
        ],
    )

    assert stored(claim) == 2 == count_independent_origins([claim.pk])[claim.pk]


def test_the_same_named_source_through_two_outlets_is_one_origin():
    claim = ClaimFactory()
    cooper = PersonFactory(name="Zack Cooper")
    quoted(claim, [ChainLink(Role.ORIGIN, cooper, "told"), ChainLink(Role.REPORTER, org("FT"))])
    quoted(claim, [ChainLink(Role.ORIGIN, cooper, "told"), ChainLink(Role.REPORTER, org("WSJ"))])

    assert stored(claim) == 1


def test_relays_and_publishers_do_not_merge_origins():
    claim = ClaimFactory()
    reuters = org("Reuters", Organization.Kind.NEWS_AGENCY)
    for reporter in ("FT", "WSJ"):
        quoted(
            claim,
            [
                ChainLink(Role.ORIGIN, anonymous()),
                ChainLink(Role.REPORTER, org(reporter)),
                ChainLink(Role.RELAY, reuters),
            ],
        )

    assert stored(claim) == 2


def test_appearances_of_unknown_provenance_do_not_count():
    claim = ClaimFactory()
    AppearanceFactory(claim=claim)
    quoted(claim, [ChainLink(Role.PUBLISHER, org("Outlet"))])

    assert count_independent_origins([claim.pk]) == {claim.pk: 0}

    quoted(claim, [ChainLink(Role.REPORTER, org("FT"), "reported")])
    assert stored(claim) == 1


def test_changing_or_clearing_a_chain_updates_the_stored_count():
    claim = ClaimFactory()
    ft = org("FT")
    first = quoted(claim, [ChainLink(Role.ORIGIN, anonymous()), ChainLink(Role.REPORTER, ft)])
    second = quoted(claim, [ChainLink(Role.ORIGIN, anonymous()), ChainLink(Role.REPORTER, ft)])
    assert stored(claim) == 1

    # When the first appearance turns out to come through the WSJ instead.
    chain_set(
        appearance=first,
        links=[ChainLink(Role.ORIGIN, anonymous()), ChainLink(Role.REPORTER, org("WSJ"))],
    )
    assert stored(claim) == 2

    chain_set(appearance=first, links=[])
    assert stored(claim) == 1

    appearance_delete(appearance=second)
    assert stored(claim) == 0


def test_same_as_claims_share_their_origins_transitively(editor):
    ft_claim, wsj_claim, third = ClaimFactory(), ClaimFactory(), ClaimFactory()
    quoted(ft_claim, [ChainLink(Role.ORIGIN, anonymous()), ChainLink(Role.REPORTER, org("FT"))])
    quoted(wsj_claim, [ChainLink(Role.ORIGIN, anonymous()), ChainLink(Role.REPORTER, org("WSJ"))])
    quoted(third, [ChainLink(Role.ORIGIN, anonymous()), ChainLink(Role.REPORTER, org("FT"))])
    assert [stored(c) for c in (ft_claim, wsj_claim, third)] == [1, 1, 1]

    relation_record(
        from_claim=ft_claim, to_claim=wsj_claim, kind="same_as", reason="Same.", user=editor
    )
    assert [stored(c) for c in (ft_claim, wsj_claim, third)] == [2, 2, 1]

    link = relation_record(
        from_claim=third, to_claim=wsj_claim, kind="same_as", reason="Same.", user=editor
    )
    # The third claim's FT origin is the first claim's: still two origins across all three.
    assert [stored(c) for c in (ft_claim, wsj_claim, third)] == [2, 2, 2]
    assert same_as_components([ft_claim.pk])[ft_claim.pk] == {ft_claim.pk, wsj_claim.pk, third.pk}

    relation_delete(relation=link)
    assert [stored(c) for c in (ft_claim, wsj_claim, third)] == [2, 2, 1]


def test_other_kinds_of_relation_do_not_merge_origins(editor):
    first, second = ClaimFactory(), ClaimFactory()
    quoted(first, [ChainLink(Role.ORIGIN, anonymous()), ChainLink(Role.REPORTER, org("FT"))])
    quoted(second, [ChainLink(Role.ORIGIN, anonymous()), ChainLink(Role.REPORTER, org("WSJ"))])

    for kind in (ClaimRelation.Kind.CORROBORATES, ClaimRelation.Kind.REFINES):
        relation_record(from_claim=first, to_claim=second, kind=kind, reason="R.", user=editor)

    assert count_independent_origins([first.pk, second.pk]) == {first.pk: 1, second.pk: 1}


def test_unrelated_claims_counted_together_do_not_bridge_each_others_origins():
    # Given a claim with two origins, and an unrelated claim whose one appearance shares the
    # first one's origin and the second one's reporter.
    officials, lobbyists = anonymous(), anonymous("lobbyists")
    ft, wsj = org("FT"), org("WSJ")
    two = ClaimFactory()
    quoted(two, [ChainLink(Role.ORIGIN, officials), ChainLink(Role.REPORTER, ft)])
    quoted(two, [ChainLink(Role.ORIGIN, lobbyists), ChainLink(Role.REPORTER, wsj)])
    bridge = ClaimFactory()
    quoted(bridge, [ChainLink(Role.ORIGIN, officials), ChainLink(Role.REPORTER, wsj)])

    assert count_independent_origins([two.pk, bridge.pk]) == {two.pk: 2, bridge.pk: 1}


@pytest.mark.parametrize("claims", [1, 20])
def test_counting_takes_two_queries_however_many_claims(django_assert_num_queries, claims):
    ids = []
    for n in range(claims):
        claim = ClaimFactory()
        quoted(claim, [ChainLink(Role.ORIGIN, anonymous()), ChainLink(Role.REPORTER, org(f"O{n}"))])
        ids.append(claim.pk)
    ClaimRelation.objects.create(
        from_claim_id=ids[0], to_claim=ClaimFactory(), kind="same_as", reason="R."
    )

    with django_assert_num_queries(2):
        counts = count_independent_origins(ids)

    assert counts == dict.fromkeys(ids, 1)


def test_stored_counts_equal_the_selector_after_a_bulk_refresh():
    claims = [ClaimFactory() for _ in range(4)]
    ft = org("FT")
    for n, claim in enumerate(claims):
        for _ in range(n):
            quoted(claim, [ChainLink(Role.ORIGIN, anonymous()), ChainLink(Role.REPORTER, ft)])
        quoted(claim, [ChainLink(Role.ORIGIN, PersonFactory())])
    ids = [claim.pk for claim in claims]
    Claim.objects.update(independent_origins=0)  # as if loaded without the services

    refresh_independent_origins(ids)

    assert dict(Claim.objects.filter(pk__in=ids).values_list("pk", "independent_origins")) == (
        count_independent_origins(ids)
    )
    assert [stored(claim) for claim in claims] == [1, 2, 2, 2]
