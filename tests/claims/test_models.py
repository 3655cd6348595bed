import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count

from claims.models import CONCLUDED, Attribution, Claim, ClaimRelation, ClaimStatus
from claims.origins import conflicts, refresh_independent_origins
from claims.recording import ChainLink, chain_set
from sources.models import Organization
from tests.claims.factories import (
    AppearanceFactory,
    AttributionFactory,
    ClaimFactory,
    ClaimRelationFactory,
    ExternalCheckFactory,
    TopicFactory,
)
from tests.factories import (
    AnonymousSourceFactory,
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

Role = Attribution.Role
Kind = ClaimRelation.Kind


def test_a_new_claim_is_unverified_and_concluded_states_are_the_four_verdicts():
    assert ClaimFactory().status == ClaimStatus.UNVERIFIED
    assert CONCLUDED == {"verified", "false", "disputed", "unverifiable"}


def test_with_counts_does_not_multiply_with_other_joins():
    # Given a claim with three appearances, two external checks and two topics.
    claim = ClaimFactory()
    claim.topics.set([TopicFactory(), TopicFactory()])
    for _ in range(3):
        AppearanceFactory(claim=claim)
    ExternalCheckFactory(claim=claim)
    ExternalCheckFactory(claim=claim)
    bare = ClaimFactory()

    # When the counts are combined with another aggregate over a to-many join.
    rows = Claim.objects.with_counts().annotate(topic_count=Count("topics")).in_bulk()

    # Then every count is its own.
    assert (
        rows[claim.pk].appearance_count,
        rows[claim.pk].external_check_count,
        rows[claim.pk].topic_count,
    ) == (3, 2, 2)
    assert (rows[bare.pk].appearance_count, rows[bare.pk].external_check_count) == (0, 0)


def test_with_counts_can_order_and_filter_in_sql():
    busy, quiet = ClaimFactory(), ClaimFactory()
    AppearanceFactory(claim=busy)
    AppearanceFactory(claim=busy)
    AppearanceFactory(claim=quiet)

    ordered = Claim.objects.with_counts().order_by("-appearance_count")

    assert list(ordered) == [busy, quiet]
    assert list(Claim.objects.with_counts().filter(appearance_count__gte=2)) == [busy]


def test_anonymous_only_keeps_claims_whose_every_origin_is_anonymous():
    # Given a claim sourced only to anonymous groups, in two articles.
    anonymous_only = ClaimFactory()
    AttributionFactory(appearance__claim=anonymous_only)
    AttributionFactory(appearance__claim=anonymous_only)
    # And one with an anonymous origin plus an on-record one.
    mixed = ClaimFactory()
    AttributionFactory(appearance__claim=mixed)
    AttributionFactory(
        appearance__claim=mixed, anonymous_source=None, person=PersonFactory(name="Zack Cooper")
    )
    # And one whose anonymous source is only a relay, and one without any chain.
    relayed = ClaimFactory()
    AttributionFactory(appearance__claim=relayed, role=Role.RELAY)
    AppearanceFactory(claim=ClaimFactory())
    # (the factories write chains past the recording services, which keep the stored flag)
    refresh_independent_origins(Claim.objects.values_list("pk", flat=True))

    assert list(Claim.objects.anonymous_only()) == [anonymous_only]


def test_conflicted_keeps_claims_on_either_side_of_a_contradiction():
    first, second, third, fourth = (ClaimFactory() for _ in range(4))
    ClaimRelationFactory(from_claim=first, to_claim=second, kind=Kind.CONTRADICTS)
    ClaimRelationFactory(from_claim=third, to_claim=fourth, kind=Kind.CORROBORATES)
    ClaimRelationFactory(from_claim=first, to_claim=fourth, kind=Kind.REFINES)

    assert set(Claim.objects.conflicted()) == {first, second}
    assert Claim.objects.conflicted().count() == 2  # not duplicated by the join


def test_for_publisher_matches_publisher_or_publication():
    dk_medier = OrganizationFactory(name="DK Medier")
    title = OrganizationFactory(name="Danish Offshore Industry", parent=dk_medier)
    in_title = AppearanceFactory(document__publisher=dk_medier, document__publication=title).claim
    elsewhere = AppearanceFactory().claim

    assert list(Claim.objects.for_publisher(dk_medier)) == [in_title]
    assert list(Claim.objects.for_publisher(title)) == [in_title]
    assert elsewhere not in Claim.objects.for_publisher(dk_medier)


@pytest.mark.parametrize("claims", [1, 5])
def test_with_provenance_takes_a_fixed_number_of_queries(django_assert_num_queries, claims):
    for _ in range(claims):
        claim = ClaimFactory()
        claim.topics.add(TopicFactory(name="Sanctions"))
        for _ in range(2):
            document = DocumentFactory(license=LicenseTermsFactory())
            appearance = AppearanceFactory(claim=claim, document=document)
            chain_set(
                appearance=appearance,
                links=[
                    ChainLink(Role.ORIGIN, AnonymousSourceFactory()),
                    ChainLink(Role.REPORTER, OrganizationFactory(name="Financial Times")),
                    ChainLink(Role.PUBLISHER, document.publisher),
                ],
            )
        ExternalCheckFactory(claim=claim)

    # claims, appearances (+documents, publishers, licences), chains (+agents), checks, events,
    # relations from and to, topics (no people in these chains: no affiliation query)
    with django_assert_num_queries(8):
        for claim in Claim.objects.with_provenance():
            assert [topic.name for topic in claim.topics.all()] == ["Sanctions"]
            assert [c.organization.name for c in claim.external_checks.all()] == ["Reuters"]
            for appearance in claim.appearances.all():
                assert appearance.document.license.holder.name
                assert appearance.document.publisher.name
                assert [str(link.agent) for link in appearance.chain.all()]


def test_conflicts_pairs_contradicting_claims_with_their_quotes(django_assert_num_queries):
    exports_a, exports_b, unrelated = ClaimFactory(), ClaimFactory(), ClaimFactory()
    AppearanceFactory(claim=exports_a)
    AttributionFactory(appearance__claim=exports_b)
    ClaimRelationFactory(from_claim=exports_a, to_claim=exports_b, kind=Kind.CONTRADICTS)
    ClaimRelationFactory(from_claim=exports_a, to_claim=unrelated, kind=Kind.CORROBORATES)

    with django_assert_num_queries(3):
        found = conflicts()
        quotes = [
            (appearance.exact, [str(link.agent) for link in appearance.chain.all()])
            for claim_a, claim_b, _ in found
            for appearance in [*claim_a.appearances.all(), *claim_b.appearances.all()]
        ]

    assert [(a, b, r.kind) for a, b, r in found] == [(exports_a, exports_b, "contradicts")]
    assert len(quotes) == 2
    assert conflicts(claims=[unrelated]) == []


def test_attribution_has_exactly_one_agent():
    appearance = AppearanceFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        AttributionFactory(appearance=appearance, person=PersonFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        AttributionFactory(appearance=appearance, anonymous_source=None)


def test_attribution_positions_are_unique_per_appearance():
    appearance = AppearanceFactory()
    AttributionFactory(appearance=appearance, position=0)

    with pytest.raises(IntegrityError), transaction.atomic():
        AttributionFactory(appearance=appearance, position=0)


def test_attribution_agent_and_kind():
    cooper = PersonFactory(name="Zack Cooper")
    ft = OrganizationFactory(name="Financial Times", kind=Organization.Kind.PUBLICATION)
    person = AttributionFactory(anonymous_source=None, person=cooper)
    organization = AttributionFactory(anonymous_source=None, organization=ft)
    anonymous = AttributionFactory()

    assert (person.agent, person.agent_kind) == (cooper, "person")
    assert (organization.agent, organization.agent_kind) == (ft, "organization")
    assert anonymous.agent_kind == "anonymous"
    assert anonymous.agent == anonymous.anonymous_source


def test_symmetric_relations_must_be_stored_in_canonical_order():
    first, second = ClaimFactory(), ClaimFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRelationFactory(from_claim=second, to_claim=first, kind=Kind.SAME_AS)
    ClaimRelationFactory(from_claim=second, to_claim=first, kind=Kind.REFINES)


def test_a_claim_cannot_relate_to_itself_or_without_a_reason():
    claim = ClaimFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRelationFactory(from_claim=claim, to_claim=claim)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimRelationFactory(reason="")


def test_an_appearance_ends_after_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        AppearanceFactory(start=5, end=5)


def test_other_raises_for_a_claim_outside_the_relation():
    relation = ClaimRelationFactory()

    with pytest.raises(ValueError, match="not part of relation"):
        relation.other(ClaimFactory())
