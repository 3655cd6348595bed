"""Corrections: published stories flagged when a cited claim moves, and corrections published.

`flag_stories_on_claim_move` is connected to claims.signals.claim_transitioned in
StoriesConfig.ready(); it runs inside the claim's move, so the flag and the move commit or
roll back together. `publish_correction()` is the one way to answer the flags.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from newsroom.stories.events import lock_story, story_event_append
from newsroom.stories.guard import supports
from newsroom.stories.models import (
    Citation,
    Correction,
    NeedsCorrection,
    Story,
    StoryEventKind,
    StoryStatus,
)

CORRECTION_PERMISSION = "stories.publish_correction"


def flag_stories_on_claim_move(sender, claim, event, from_status, to_status, **kwargs) -> None:
    """Flag each published story citing `claim` in a way its new state does not support.

    Reopening counts: a claim back in review supports no use. A citation the new state
    supports is not flagged (an overridden citation whose claim now holds is fine).
    """
    citations = Citation.objects.filter(claim=claim, story__status=StoryStatus.PUBLISHED)
    NeedsCorrection.objects.bulk_create(
        NeedsCorrection(
            story_id=citation.story_id,
            citation=citation,
            claim=claim,
            use=citation.use,
            old_status=from_status,
            new_status=to_status,
            verification_event=event,
            created_at=event.created_at,
        )
        for citation in citations
        if not supports(citation.use, to_status)
    )


def publish_correction(
    *, story: Story | int, text: str, actor, expected_version: int | None = None
) -> Correction:
    """Publish a dated correction on a published story; it resolves the story's open flags."""
    text = (text or "").strip()
    if not actor.has_perm(CORRECTION_PERMISSION):
        raise PermissionDenied("You do not have permission to publish corrections.")
    if not text:
        raise ValidationError("Write the correction's text.", code="text_required")
    with transaction.atomic():
        locked = lock_story(story, expected_version=expected_version)
        if not locked.is_published:
            raise ValidationError(
                "Only a published story takes a correction; edit the draft instead.",
                code="not_published",
            )
        now = timezone.now()
        correction = Correction.objects.create(
            story=locked, text=text, published_at=now, published_by=actor
        )
        NeedsCorrection.objects.filter(story=locked).open().update(correction=correction)
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        story_event_append(
            story=locked,
            actor=actor,
            kind=StoryEventKind.CORRECTED,
            from_status=locked.status,
            reason=text,
            correction=correction,
            created_at=now,
        )
    return correction
