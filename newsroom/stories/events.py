"""The story log's writer and the version check every story write starts with."""

from __future__ import annotations

from django.utils import timezone

from newsroom.stories.models import Story, StoryEvent


class StaleVersion(Exception):
    """The story changed since the caller read it: reload and try again (an HTTP 409)."""

    def __init__(self, *, expected: int, current: int):
        self.expected = expected
        self.current = current
        super().__init__(
            f"The story changed since you loaded it (you had version {expected}, it is now "
            f"version {current}). Reload it and try again."
        )


def lock_story(story: Story | int, *, expected_version: int | None) -> Story:
    """Lock the story's row (call inside a transaction) and refuse a stale expected version."""
    story_id = story.pk if isinstance(story, Story) else story
    locked = Story.objects.select_for_update().get(pk=story_id)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(expected=expected_version, current=locked.version)
    return locked


def story_event_append(*, story: Story, actor, kind: str, from_status: str, **fields) -> StoryEvent:
    """Write the story's next event, at the version the story has just reached."""
    return StoryEvent.objects.create(
        story=story,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=story.status,
        version=story.version,
        created_at=fields.pop("created_at", None) or timezone.now(),
        **fields,
    )
