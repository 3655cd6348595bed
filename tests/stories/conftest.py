"""Fixtures for stories: a second editor who publishes, and helpers to move stories."""

import pytest

from newsroom.stories.models import StoryStatus
from newsroom.stories.workflow import story_transition
from tests.factories import StaffFactory


@pytest.fixture
def editor2(db):
    return StaffFactory(username="t-editor2", groups=["Editors"])


def move(story, to, actor, **kwargs):
    """Move `story` through the service at the version it has now."""
    story.refresh_from_db()
    return story_transition(
        story=story, to_status=to, actor=actor, expected_version=story.version, **kwargs
    )


def publish(story, actor, **kwargs):
    """Walk a draft to published: its creator sends it to review, `actor` publishes it."""
    story.refresh_from_db()
    if story.status == StoryStatus.DRAFT:
        move(story, StoryStatus.IN_REVIEW, story.created_by)
    return move(story, StoryStatus.PUBLISHED, actor, **kwargs)
