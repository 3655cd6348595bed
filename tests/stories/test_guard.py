"""The publish guard: each use against each claim state (DESIGN.md §3 promise 6)."""

import pytest

from claims.models import ClaimStatus
from newsroom.stories.guard import supports
from newsroom.stories.models import CitationUse, StoryEvent, StoryStatus
from newsroom.stories.workflow import PublishRefused
from tests.claims.factories import ClaimFactory
from tests.stories.conftest import publish
from tests.stories.factories import CitationFactory

pytestmark = pytest.mark.django_db

S = ClaimStatus
U = CitationUse

SUPPORTED = {
    (U.ASSERTS, S.VERIFIED),
    (U.ATTRIBUTES, S.VERIFIED),
    (U.ATTRIBUTES, S.UNVERIFIABLE),
    (U.REFUTES, S.FALSE),
    (U.REFUTES, S.DISPUTED),
}
CASES = [(use, status) for use in U.values for status in S.values]


@pytest.mark.parametrize(("use", "status"), CASES)
def test_publication_follows_the_guard_for_each_use_and_claim_state(use, status, editor):
    citation = CitationFactory(use=use, claim=ClaimFactory(status=status))
    story = citation.story

    if (use, status) in SUPPORTED:
        publish(story, editor)
        story.refresh_from_db()
        assert story.status == StoryStatus.PUBLISHED
    else:
        with pytest.raises(PublishRefused) as refused:
            publish(story, editor)
        story.refresh_from_db()
        assert story.status == StoryStatus.IN_REVIEW
        [problem] = refused.value.problems
        assert (problem.citation_id, problem.claim_status) == (citation.pk, status)
        assert f"Citation {citation.pk}" in refused.value.messages[0]
        assert not StoryEvent.objects.filter(story=story, to_status=StoryStatus.PUBLISHED)


@pytest.mark.parametrize(("use", "status"), CASES)
def test_the_guard_table_is_the_promise(use, status):
    assert supports(use, status) == ((use, status) in SUPPORTED)


def test_the_refusal_lists_every_offending_citation_and_why(editor):
    asserted = CitationFactory(claim=ClaimFactory(status=S.IN_REVIEW, summary="Sanctions on hold"))
    story = asserted.story
    refuted = CitationFactory(
        story=story, use=U.REFUTES, claim=ClaimFactory(status=S.VERIFIED), exact="officials say"
    )
    CitationFactory(
        story=story,
        use=U.ATTRIBUTES,
        claim=ClaimFactory(status=S.UNVERIFIABLE),
        exact="framework deal",
    )

    with pytest.raises(PublishRefused) as refused:
        publish(story, editor)

    reasons = refused.value.messages
    assert [p.citation_id for p in refused.value.problems] == [asserted.pk, refuted.pk]
    assert "Sanctions on hold" in reasons[0]
    assert "in review" in reasons[0] and "needs the claim verified" in reasons[0]
    assert "verified" in reasons[1] and "false or disputed" in reasons[1]


def test_a_citation_whose_passage_was_lost_is_refused(editor):
    citation = CitationFactory(claim=ClaimFactory(status=S.VERIFIED), anchor_lost=True)

    with pytest.raises(PublishRefused, match="no longer in the body"):
        publish(citation.story, editor)
