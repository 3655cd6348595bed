"""The editorial workflow: the one table of allowed moves and the one function that makes them.

`story_transition()` is the only code that changes a story's status. It locks the story,
checks the expected version, the move, the actor's permission, the four-eyes rule and — for
publication — the publish guard (newsroom.stories.guard), then saves and writes the
StoryEvent in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from claims.models import Claim
from newsroom.stories.events import StaleVersion, lock_story, story_event_append
from newsroom.stories.guard import GuardProblem, guard_problems
from newsroom.stories.models import Story, StoryEventKind, StoryStatus

__all__ = ["StaleVersion", "PublishRefused", "TransitionRefused", "TRANSITIONS", "story_transition"]

S = StoryStatus

PUBLISH_PERMISSION = "stories.publish_story"
OVERRIDE_PERMISSION = "stories.override_publish_guard"
FOUR_EYES_REASON = (
    "Four-eyes rule: you wrote this story (creator or byline), so another editor must publish it."
)


@dataclass(frozen=True)
class Move:
    name: str
    permission: str
    needs_reason: bool = False
    is_publication: bool = False


SEND_TO_REVIEW = Move("send to review", "stories.change_story")
SEND_BACK = Move("send back to draft", "stories.change_story")
PUBLISH = Move("publish", PUBLISH_PERMISSION, is_publication=True)
UNPUBLISH = Move("unpublish", PUBLISH_PERMISSION, needs_reason=True)

# The one table of allowed moves: (from, to) -> Move. Anything not here is refused.
TRANSITIONS: Mapping[tuple[str, str], Move] = {
    (S.DRAFT, S.IN_REVIEW): SEND_TO_REVIEW,
    (S.IN_REVIEW, S.DRAFT): SEND_BACK,
    (S.IN_REVIEW, S.PUBLISHED): PUBLISH,
    (S.PUBLISHED, S.DRAFT): UNPUBLISH,
}


class TransitionRefused(ValidationError):
    """The move is not allowed, or its reason is missing."""


class PublishRefused(ValidationError):
    """The guard refuses publication: `problems` names each citation and why."""

    def __init__(self, problems: Sequence[GuardProblem]):
        self.problems = list(problems)
        super().__init__([problem.reason for problem in self.problems], code="guard")


def allowed_targets(status: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == status]


def move_for(from_status: str, to_status: str) -> Move:
    """Return the Move from one status to another, or raise TransitionRefused."""
    try:
        return TRANSITIONS[(from_status, to_status)]
    except KeyError:
        allowed = ", ".join(allowed_targets(from_status)) or "nowhere"
        raise TransitionRefused(
            f"A story cannot move from {from_status} to {to_status}; from {from_status} it may "
            f"move to: {allowed}.",
            code="not_allowed",
        ) from None


def four_eyes_applies() -> bool:
    return getattr(settings, "NEWSROOM_STORY_FOUR_EYES", True)


def authors_of(story: Story) -> set[int]:
    """Who wrote the story: its creator and its bylines."""
    return ({story.created_by_id} | set(story.bylines.values_list("pk", flat=True))) - {None}


def can_transition(user, story: Story, to_status: str) -> bool:
    """Tell whether `user` may move `story` to `to_status` now (for showing buttons)."""
    move = TRANSITIONS.get((story.status, to_status))
    if move is None or not user.has_perm(move.permission):
        return False
    return not (move.is_publication and four_eyes_applies() and user.pk in authors_of(story))


def story_transition(
    *,
    story: Story | int,
    to_status: str,
    actor,
    expected_version: int,
    reason: str = "",
    override_reason: str = "",
) -> Story:
    """Move a story to another status and record the StoryEvent.

    Publication runs the guard: every citation's claim must support its use. With refusals,
    an actor holding stories.override_publish_guard may publish with `override_reason`, which
    is stored on the event with the refusals it overrode. Raises StaleVersion, TransitionRefused,
    PublishRefused or PermissionDenied; nothing is written then.
    """
    reason = (reason or "").strip()
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        locked = lock_story(story, expected_version=expected_version)
        move = move_for(locked.status, to_status)
        if not actor.has_perm(move.permission):
            raise PermissionDenied(f"You do not have permission to {move.name} a story.")
        if move.needs_reason and not reason:
            raise TransitionRefused(
                f"A reason is required to {move.name} a story.", code="reason_required"
            )
        overridden: list[dict] = []
        if move.is_publication:
            if four_eyes_applies() and actor.pk in authors_of(locked):
                raise PermissionDenied(FOUR_EYES_REASON)
            problems = _guard(locked)
            if problems and not override_reason:
                raise PublishRefused(problems)
            if problems:
                if not actor.has_perm(OVERRIDE_PERMISSION):
                    raise PermissionDenied(
                        "You do not have permission to publish past the guard; the citations "
                        "must hold first."
                    )
                overridden = [problem.as_dict() for problem in problems]
            else:
                override_reason = ""  # nothing was overridden: record nothing as if it were
        now = timezone.now()
        from_status = locked.status
        locked.status = to_status
        locked.version += 1
        fields = ["status", "version", "updated_at"]
        if move.is_publication and locked.published_at is None:
            locked.published_at = now
            fields.append("published_at")
        locked.save(update_fields=fields)
        story_event_append(
            story=locked,
            actor=actor,
            kind=StoryEventKind.MOVED,
            from_status=from_status,
            reason=reason,
            override_reason=override_reason,
            overridden=overridden,
            created_at=now,
        )
    return locked


def _guard(story: Story) -> list[GuardProblem]:
    """Read the citations against their claims, holding the claims' rows until commit.

    A claim_transition() of a cited claim waits for this publication to commit and then sees
    the story published (and flags it if needed), or it committed first and the guard reads
    its new state: a move can never slip between the check and the publication.
    """
    citations = list(story.citations.order_by("start", "pk"))
    claims = Claim.objects.select_for_update().in_bulk({c.claim_id for c in citations})
    for citation in citations:
        citation.claim = claims[citation.claim_id]
    return guard_problems(citations)
