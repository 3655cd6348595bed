"""The story log's writer and the version check every story write starts with."""

from __future__ import annotations

from django.db import connections, router
from django.utils import timezone

from newsroom.stories import audit
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
    """Write the story's next event, at the version it has just reached, chained to the log.

    Call inside a transaction: the log stays locked against other appends until it commits,
    so no two events can follow the same predecessor.
    """
    using = router.db_for_write(StoryEvent)
    connection = connections[using]
    if connection.vendor == "postgresql":
        # Self-conflicting, so appends queue; plain reads of the log go on meanwhile.
        # (SQLite transactions here take the database write lock when they begin.)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {StoryEvent._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    event = StoryEvent(
        story=story,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=story.status,
        version=story.version,
        created_at=fields.pop("created_at", None) or timezone.now(),
        previous_hash=StoryEvent.objects.using(using).head_hash(),
        **fields,
    )
    event.hash = audit.digest_of(event, previous_hash=event.previous_hash)
    event.save(using=using)
    return event
