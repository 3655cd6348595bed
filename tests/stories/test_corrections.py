"""Corrections: a cited claim's move flags the published stories it no longer supports."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims.models import ClaimStatus, VerificationEvent
from claims.workflow import Evidence, claim_transition
from newsroom.stories.corrections import publish_correction
from newsroom.stories.guard import supports
from newsroom.stories.models import (
    CitationUse,
    Correction,
    NeedsCorrection,
    Story,
    StoryEvent,
    StoryEventKind,
)
from tests.claims.factories import ClaimFactory
from tests.stories.conftest import publish
from tests.stories.factories import CitationFactory, StoryFactory

pytestmark = pytest.mark.django_db

S = ClaimStatus
U = CitationUse


def claim_move(claim, to, actor):
    claim.refresh_from_db()
    return claim_transition(
        claim=claim,
        to=to,
        actor=actor,
        expected_version=claim.version,
        rationale="Checked again.",
        evidence=[Evidence(url="https://www.ft.com/content/example")],
    )


def published_citing(claim_status, use, editor):
    citation = CitationFactory(use=use, claim=ClaimFactory(status=claim_status))
    publish(citation.story, editor)
    return citation


# Each (use, state) the guard lets out; from a concluded state the only move is reopening.
SUPPORTED = [
    (U.ASSERTS, S.VERIFIED),
    (U.ATTRIBUTES, S.VERIFIED),
    (U.ATTRIBUTES, S.UNVERIFIABLE),
    (U.REFUTES, S.FALSE),
    (U.REFUTES, S.DISPUTED),
]


@pytest.mark.parametrize(("use", "before"), SUPPORTED)
def test_reopening_a_cited_claim_flags_the_story(use, before, editor, factchecker):
    after = S.IN_REVIEW
    citation = published_citing(before, use, editor)

    claim_move(citation.claim, after, factchecker)

    [flag] = NeedsCorrection.objects.open()
    event = VerificationEvent.objects.get(claim=citation.claim)
    assert (flag.story, flag.citation, flag.claim) == (citation.story, citation, citation.claim)
    assert (flag.old_status, flag.new_status, flag.verification_event) == (before, after, event)
    assert list(Story.objects.needing_correction()) == [citation.story]


CONCLUSIONS = [S.VERIFIED, S.FALSE, S.DISPUTED, S.UNVERIFIABLE]


@pytest.mark.parametrize("use", U.values)
@pytest.mark.parametrize("conclusion", CONCLUSIONS)
def test_a_conclusion_flags_exactly_the_citations_it_does_not_support(
    use, conclusion, editor, factchecker
):
    # Published past the guard on a claim in review; the fact-check then concludes it.
    citation = CitationFactory(use=use, claim=ClaimFactory(status=S.IN_REVIEW))
    publish(citation.story, editor, override_reason="Confirmed by our own reporting.")

    claim_move(citation.claim, conclusion, factchecker)

    assert NeedsCorrection.objects.exists() is (not supports(use, conclusion))


def test_dropping_an_overridden_claim_from_review_flags_the_story(editor, factchecker):
    citation = CitationFactory(use=U.ATTRIBUTES, claim=ClaimFactory(status=S.IN_REVIEW))
    publish(citation.story, editor, override_reason="Attributed clearly.")

    claim_move(citation.claim, S.UNVERIFIED, factchecker)

    assert NeedsCorrection.objects.get().new_status == S.UNVERIFIED


def test_stories_not_published_are_not_flagged(editor, factchecker):
    citation = CitationFactory(claim=ClaimFactory(status=S.VERIFIED))

    claim_move(citation.claim, S.IN_REVIEW, factchecker)

    assert not NeedsCorrection.objects.exists()


def test_every_published_story_citing_the_claim_is_flagged(editor, factchecker):
    claim = ClaimFactory(status=S.VERIFIED)
    first = CitationFactory(claim=claim)
    second = CitationFactory(claim=claim, use=U.ATTRIBUTES)
    publish(first.story, editor)
    publish(second.story, editor)

    claim_move(claim, S.IN_REVIEW, factchecker)

    assert {flag.story for flag in NeedsCorrection.objects.all()} == {first.story, second.story}


def test_a_flag_that_cannot_be_written_rolls_the_claims_move_back(editor, factchecker, monkeypatch):
    citation = published_citing(S.VERIFIED, U.ASSERTS, editor)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(NeedsCorrection.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        claim_move(citation.claim, S.IN_REVIEW, factchecker)

    citation.claim.refresh_from_db()
    assert citation.claim.status == S.VERIFIED
    assert not VerificationEvent.objects.exists()


# --- publishing a correction ---------------------------------------------------------------------


def test_a_correction_is_published_dated_and_clears_the_flags(editor, factchecker):
    citation = published_citing(S.VERIFIED, U.ASSERTS, editor)
    claim_move(citation.claim, S.IN_REVIEW, factchecker)
    claim_move(citation.claim, S.FALSE, factchecker)  # reopened, then concluded false: flag kept

    correction = publish_correction(
        story=citation.story, text="An earlier version stated the sanctions as fact.", actor=editor
    )

    assert (correction.published_by, correction.story) == (editor, citation.story)
    assert correction.published_at is not None
    assert not NeedsCorrection.objects.open().exists()
    flags = NeedsCorrection.objects.order_by("pk")  # one per breaking move, resolved, kept
    assert [(f.new_status, f.correction) for f in flags] == [
        (S.IN_REVIEW, correction),
        (S.FALSE, correction),
    ]
    event = StoryEvent.objects.get(story=citation.story, kind=StoryEventKind.CORRECTED)
    assert (event.correction, event.actor, event.reason) == (correction, editor, correction.text)
    assert not Story.objects.needing_correction().exists()


def test_a_correction_needs_text_a_published_story_and_the_permission(editor, factchecker):
    story = StoryFactory()
    with pytest.raises(ValidationError, match="Only a published story"):
        publish_correction(story=story, text="Fix.", actor=editor)
    publish(story, editor)
    with pytest.raises(ValidationError, match="Write the correction"):
        publish_correction(story=story, text="  ", actor=editor)
    with pytest.raises(PermissionDenied):
        publish_correction(story=story, text="Fix.", actor=factchecker)

    assert not Correction.objects.exists()
