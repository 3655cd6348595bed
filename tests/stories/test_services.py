"""Writing stories and citations: anchoring, re-anchoring on edit, published revisions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims.anchoring import AmbiguousQuote, QuoteNotFound
from claims.models import ClaimStatus
from newsroom.stories.events import StaleVersion
from newsroom.stories.models import Citation, CitationUse, StoryEvent, StoryEventKind
from newsroom.stories.services import (
    citation_create,
    citation_delete,
    story_create,
    story_update,
)
from tests.claims.factories import ClaimFactory
from tests.stories.conftest import publish
from tests.stories.factories import BODY, DEAL, SANCTIONS, CitationFactory, StoryFactory

pytestmark = pytest.mark.django_db


def edit(story, actor, **changes):
    story.refresh_from_db()
    return story_update(story=story, actor=actor, expected_version=story.version, **changes)


def test_a_story_is_created_as_a_draft_by_its_writer(editor):
    story = story_create(headline="Sanctions shelved", slug="sanctions", body=BODY, actor=editor)

    assert (story.status, story.created_by, story.version) == ("draft", editor, 1)


def test_a_taken_slug_is_a_clear_error(editor):
    StoryFactory(slug="sanctions")

    with pytest.raises(ValidationError, match="already has the slug"):
        story_create(headline="Again", slug="sanctions", body=BODY, actor=editor)


def test_writing_stories_needs_the_permission(factchecker):
    with pytest.raises(PermissionDenied):
        story_create(headline="Mine", slug="mine", body=BODY, actor=factchecker)


def test_line_ends_are_kept_as_the_browser_counts_them(editor):
    story = story_create(headline="H", slug="h", body="One\r\nTwo\rThree", actor=editor)

    assert story.body == "One\nTwo\nThree"


# --- citing a passage ----------------------------------------------------------------------------


def test_a_citation_is_anchored_at_the_selected_passage(editor):
    story = StoryFactory()
    start = BODY.index(DEAL)

    citation = citation_create(
        story=story,
        claim=ClaimFactory(),
        use=CitationUse.ASSERTS,
        exact=DEAL,
        start=start,
        actor=editor,
    )

    assert (citation.start, citation.end) == (start, start + len(DEAL))
    assert citation.prefix == BODY[start - 32 : start]
    assert citation.suffix == BODY[citation.end : citation.end + 32]
    story.refresh_from_db()
    assert story.version == 2  # a new citation is a change of the story


def test_a_passage_not_in_the_body_is_refused(editor):
    with pytest.raises(QuoteNotFound):
        citation_create(
            story=StoryFactory(),
            claim=ClaimFactory(),
            use=CitationUse.ASSERTS,
            exact="not there at all",
            actor=editor,
        )

    assert not Citation.objects.exists()


def test_a_repeated_passage_without_offsets_or_context_is_refused(editor):
    story = StoryFactory(body="They said so. Later they said so.")

    with pytest.raises(AmbiguousQuote):
        citation_create(
            story=story,
            claim=ClaimFactory(),
            use=CitationUse.ASSERTS,
            exact="said so",
            actor=editor,
        )


def test_a_stale_story_version_refuses_the_citation(editor):
    story = StoryFactory()

    with pytest.raises(StaleVersion):
        citation_create(
            story=story,
            claim=ClaimFactory(),
            use=CitationUse.ASSERTS,
            exact=DEAL,
            actor=editor,
            expected_version=7,
        )


def test_a_published_story_takes_only_citations_its_claims_support(editor):
    story = StoryFactory()
    publish(story, editor)

    with pytest.raises(ValidationError, match="only takes citations its claims support"):
        citation_create(
            story=story,
            claim=ClaimFactory(status=ClaimStatus.IN_REVIEW),
            use=CitationUse.ASSERTS,
            exact=DEAL,
            actor=editor,
        )
    citation_create(
        story=story,
        claim=ClaimFactory(status=ClaimStatus.VERIFIED),
        use=CitationUse.ASSERTS,
        exact=DEAL,
        actor=editor,
    )

    assert Citation.objects.count() == 1
    assert StoryEvent.objects.filter(story=story, kind=StoryEventKind.REVISED).count() == 1


def test_removing_a_citation_from_a_published_story_is_a_revision(editor):
    citation = CitationFactory(claim=ClaimFactory(status=ClaimStatus.VERIFIED))
    publish(citation.story, editor)

    citation_delete(citation=citation, actor=editor)

    event = StoryEvent.objects.get(kind=StoryEventKind.REVISED)
    assert "Removed the citation" in event.reason


# --- re-anchoring when the body is edited --------------------------------------------------------


def test_an_edit_moves_the_citation_with_its_passage(editor):
    citation = CitationFactory()
    story = citation.story

    edit(story, editor, body="BREAKING. " + BODY)

    citation.refresh_from_db()
    assert citation.start == BODY.index(SANCTIONS) + len("BREAKING. ")
    assert story.__class__.objects.get(pk=story.pk).body[citation.start : citation.end] == SANCTIONS
    assert not citation.anchor_lost


def test_an_edit_that_removes_the_passage_flags_the_citation(editor):
    citation = CitationFactory()

    edit(citation.story, editor, body=BODY.replace(SANCTIONS, "paused sanctions"))

    citation.refresh_from_db()
    assert citation.anchor_lost
    assert citation.start == BODY.index(SANCTIONS)  # offsets are left as they were, not guessed


def test_restoring_the_passage_anchors_the_citation_again(editor):
    citation = CitationFactory()
    edit(citation.story, editor, body=BODY.replace(SANCTIONS, "paused sanctions"))

    edit(citation.story, editor, body="Update: " + BODY)

    citation.refresh_from_db()
    assert not citation.anchor_lost


def test_a_published_story_cannot_lose_a_cited_passage(editor):
    citation = CitationFactory(claim=ClaimFactory(status=ClaimStatus.VERIFIED))
    publish(citation.story, editor)

    with pytest.raises(ValidationError, match="removes the passage of a citation"):
        edit(citation.story, editor, body="Rewritten entirely.")

    citation.refresh_from_db()
    assert not citation.anchor_lost
    assert citation.story.__class__.objects.get(pk=citation.story_id).body == BODY


def test_editing_a_published_story_is_a_new_revision_event(editor):
    story = StoryFactory()
    publish(story, editor)

    edit(story, editor, headline="US shelves sanctions, officials say", reason="Sharper headline.")

    event = StoryEvent.objects.get(story=story, kind=StoryEventKind.REVISED)
    story.refresh_from_db()
    assert (event.reason, event.version, event.actor) == (
        "Sharper headline.",
        story.version,
        editor,
    )


def test_editing_a_draft_writes_no_event_and_an_unchanged_edit_nothing(editor):
    story = StoryFactory()
    edit(story, editor, standfirst="Officials say.")
    edit(story, editor, standfirst="Officials say.")

    story.refresh_from_db()
    assert story.version == 2
    assert not StoryEvent.objects.exists()


def test_an_edit_on_a_stale_version_is_refused(editor):
    story = StoryFactory()

    with pytest.raises(StaleVersion):
        story_update(story=story, actor=editor, expected_version=9, headline="Lost update")
