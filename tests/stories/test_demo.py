"""The demo's story: cited, published through the service, with its log."""

import pytest

from claims.models import ClaimStatus
from newsroom.demo import STORY_SLUG, load_demo
from newsroom.stories.guard import guard_problems
from newsroom.stories.models import CitationUse, Story, StoryEvent, StoryStatus

pytestmark = pytest.mark.django_db


def test_the_demo_story_is_published_through_the_service_with_its_citations():
    load_demo(with_users=False)

    story = Story.objects.with_citations().get(slug=STORY_SLUG)
    assert story.headline == "US shelves sanctions on China's spy agency, officials say"
    assert story.status == StoryStatus.PUBLISHED and story.published_at is not None
    uses = {(c.claim.summary, c.use, c.claim.status) for c in story.citations.all()}
    assert uses == {
        (
            "US put sanctions on China's Ministry of State Security on hold",
            CitationUse.ATTRIBUTES,
            ClaimStatus.IN_REVIEW,
        ),
        (
            "Oct 30 deal: no 100% tariff; China's rare earth curbs postponed a year",
            CitationUse.ASSERTS,
            ClaimStatus.VERIFIED,
        ),
        (
            "US planning major new export controls on China (Article B)",
            CitationUse.REFUTES,
            ClaimStatus.DISPUTED,
        ),
    }
    for citation in story.citations.all():
        assert story.body[citation.start : citation.end] == citation.exact
    events = StoryEvent.objects.filter(story=story).order_by("pk")
    assert [(e.from_status, e.to_status) for e in events] == [
        (StoryStatus.DRAFT, StoryStatus.IN_REVIEW),
        (StoryStatus.IN_REVIEW, StoryStatus.PUBLISHED),
    ]
    # The guard refused the attribution of the claim still in review; the editor published
    # past it with a reason, recorded with exactly that refusal.
    published = events.last()
    [problem] = guard_problems(story.citations.all())
    assert published.override_reason.startswith("Reported as attributed")
    assert [item["citation"] for item in published.overridden] == [problem.citation_id]
    assert published.actor.username == "demo-editor"
    authors = {story.created_by_id, *story.bylines.values_list("pk", flat=True)}
    assert published.actor.pk not in authors  # four-eyes


def test_a_fact_checkers_conclusion_of_the_attributed_claim_shows_the_correction_flow():
    from claims.models import Claim
    from claims.workflow import claim_transition
    from newsroom.demo import story_actors
    from newsroom.stories.models import NeedsCorrection

    load_demo(with_users=False)
    sanctions = Claim.objects.get(summary__startswith="US put sanctions")
    _, _, checker2 = story_actors(with_users=False)

    claim_transition(
        claim=sanctions,
        to=ClaimStatus.DISPUTED,
        actor=checker2,
        expected_version=sanctions.version,
        rationale="Other officials deny it.",
    )

    flag = NeedsCorrection.objects.get()
    assert (flag.story.slug, flag.use, flag.new_status) == (
        STORY_SLUG,
        CitationUse.ATTRIBUTES,
        ClaimStatus.DISPUTED,
    )


def test_loading_the_demo_twice_keeps_one_story():
    load_demo(with_users=False)
    load_demo(with_users=False)

    assert Story.objects.count() == 1
    assert StoryEvent.objects.count() == 2
