"""The editorial workflow: the table of moves, reasons, four-eyes, overrides and versions."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from claims.models import ClaimStatus
from newsroom.stories.models import StoryEvent, StoryEventKind, StoryStatus
from newsroom.stories.workflow import (
    TRANSITIONS,
    PublishRefused,
    StaleVersion,
    TransitionRefused,
    can_transition,
    story_transition,
)
from tests.claims.factories import ClaimFactory
from tests.factories import StaffFactory
from tests.stories.conftest import move, publish
from tests.stories.factories import CitationFactory, StoryFactory

pytestmark = pytest.mark.django_db

T = StoryStatus


def test_the_table_allows_exactly_the_editorial_moves():
    assert set(TRANSITIONS) == {
        (T.DRAFT, T.IN_REVIEW),
        (T.IN_REVIEW, T.DRAFT),
        (T.IN_REVIEW, T.PUBLISHED),
        (T.PUBLISHED, T.DRAFT),
    }


def test_a_draft_cannot_be_published_without_review(editor):
    story = StoryFactory()

    with pytest.raises(TransitionRefused, match="cannot move from draft to published"):
        move(story, T.PUBLISHED, editor)


def test_every_move_writes_an_event_with_the_version_after_it(editor):
    story = StoryFactory()
    reporter = story.created_by

    move(story, T.IN_REVIEW, reporter)
    move(story, T.PUBLISHED, editor)
    move(story, T.DRAFT, editor, reason="Legal asked to hold it.")

    events = list(StoryEvent.objects.filter(story=story).order_by("pk"))
    assert [(e.kind, e.from_status, e.to_status, e.actor, e.version) for e in events] == [
        (StoryEventKind.MOVED, T.DRAFT, T.IN_REVIEW, reporter, 2),
        (StoryEventKind.MOVED, T.IN_REVIEW, T.PUBLISHED, editor, 3),
        (StoryEventKind.MOVED, T.PUBLISHED, T.DRAFT, editor, 4),
    ]
    assert events[2].reason == "Legal asked to hold it."


def test_publication_sets_the_first_publication_time_once(editor):
    story = StoryFactory()
    publish(story, editor)
    first = story.__class__.objects.get(pk=story.pk).published_at
    move(story, T.DRAFT, editor, reason="Hold.")
    publish(story, editor)

    story.refresh_from_db()
    assert first is not None and story.published_at == first


def test_unpublishing_needs_a_reason(editor):
    story = StoryFactory()
    publish(story, editor)

    with pytest.raises(TransitionRefused, match="reason is required to unpublish"):
        move(story, T.DRAFT, editor, reason="  ")

    story.refresh_from_db()
    assert story.status == T.PUBLISHED


def test_publishing_needs_the_permission(factchecker):
    story = StoryFactory()
    move(story, T.IN_REVIEW, story.created_by)

    with pytest.raises(PermissionDenied, match="permission to publish"):
        move(story, T.PUBLISHED, factchecker)


def test_a_stale_version_is_refused_and_nothing_moves(editor):
    story = StoryFactory()
    move(story, T.IN_REVIEW, story.created_by)

    with pytest.raises(StaleVersion, match="you had version 1, it is now version 2"):
        story_transition(story=story, to_status=T.PUBLISHED, actor=editor, expected_version=1)

    story.refresh_from_db()
    assert story.status == T.IN_REVIEW
    assert StoryEvent.objects.filter(story=story).count() == 1


# --- four-eyes -----------------------------------------------------------------------------------


def test_the_creator_cannot_publish_their_own_story(editor):
    story = StoryFactory(created_by=editor)
    move(story, T.IN_REVIEW, editor)

    assert not can_transition(editor, story, T.PUBLISHED)
    with pytest.raises(PermissionDenied, match="Four-eyes"):
        move(story, T.PUBLISHED, editor)


def test_a_byline_author_cannot_publish_the_story(editor):
    story = StoryFactory()
    story.bylines.add(editor)
    move(story, T.IN_REVIEW, story.created_by)

    with pytest.raises(PermissionDenied, match="Four-eyes"):
        move(story, T.PUBLISHED, editor)


def test_the_four_eyes_rule_can_be_switched_off(settings, editor):
    settings.NEWSROOM_STORY_FOUR_EYES = False
    story = StoryFactory(created_by=editor)
    story.bylines.add(editor)
    move(story, T.IN_REVIEW, editor)

    move(story, T.PUBLISHED, editor)

    story.refresh_from_db()
    assert story.status == T.PUBLISHED


# --- override ------------------------------------------------------------------------------------


@pytest.fixture
def unsupported():
    """A story in review asserting a claim still in review."""
    citation = CitationFactory(claim=ClaimFactory(status=ClaimStatus.IN_REVIEW))
    move(citation.story, T.IN_REVIEW, citation.story.created_by)
    return citation


def test_an_editor_with_the_permission_overrides_the_guard_with_a_recorded_reason(
    unsupported, editor
):
    move(unsupported.story, T.PUBLISHED, editor, override_reason="Officials confirmed on record.")

    event = StoryEvent.objects.get(story=unsupported.story, to_status=T.PUBLISHED)
    assert event.override_reason == "Officials confirmed on record."
    assert event.overridden == [
        {
            "citation": unsupported.pk,
            "claim": unsupported.claim_id,
            "use": "asserts",
            "claim_status": "in_review",
            "reason": event.overridden[0]["reason"],
        }
    ]
    assert "in review" in event.overridden[0]["reason"]
    assert list(StoryEvent.objects.overridden()) == [event]


def test_an_override_needs_the_permission(unsupported):
    desk = StaffFactory(username="desk")
    desk.user_permissions.add(
        *Permission.objects.filter(codename__in=["publish_story", "change_story"])
    )

    with pytest.raises(PermissionDenied, match="publish past the guard"):
        move(unsupported.story, T.PUBLISHED, desk, override_reason="Trust me.")

    unsupported.story.refresh_from_db()
    assert unsupported.story.status == T.IN_REVIEW
    assert not StoryEvent.objects.filter(story=unsupported.story, to_status=T.PUBLISHED)


def test_an_override_without_a_reason_is_a_refusal(unsupported, editor):
    with pytest.raises(PublishRefused):
        move(unsupported.story, T.PUBLISHED, editor, override_reason="   ")


def test_an_override_reason_is_not_recorded_when_nothing_was_overridden(editor):
    story = StoryFactory()
    publish(story, editor, override_reason="Just in case.")

    event = StoryEvent.objects.get(story=story, to_status=T.PUBLISHED)
    assert (event.override_reason, event.overridden) == ("", [])


def test_the_editors_role_holds_the_override_permission_and_fact_checkers_do_not(
    editor, factchecker
):
    assert editor.has_perm("stories.override_publish_guard")
    assert not factchecker.has_perm("stories.override_publish_guard")
    assert not factchecker.has_perm("stories.publish_story")
