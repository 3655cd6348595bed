"""Write a story's content and its citations: the one path for the admin, the API and the demo.

Status changes live in newsroom.stories.workflow, corrections in newsroom.stories.corrections.
A published story is never re-worded silently: each edit of it writes a StoryEvent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from claims.anchoring import AnchorError, anchor, relocate
from claims.models import Claim
from newsroom.stories.events import lock_story, story_event_append
from newsroom.stories.guard import problem_of
from newsroom.stories.models import (
    Citation,
    CitationUse,
    Story,
    StoryEventKind,
    StoryStatus,
)

CONTENT_FIELDS = ("headline", "slug", "standfirst", "body", "language")


def normalise_text(text: str) -> str:
    """Line ends as a browser's textarea counts them (LF), so selected offsets match."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _check_slug(slug: str, *, story_id: int | None) -> None:
    if not slug:
        raise ValidationError("Give the story a slug (its address).", code="slug_required")
    if Story.objects.filter(slug=slug).exclude(pk=story_id).exists():
        raise ValidationError(f"Another story already has the slug “{slug}”.", code="slug_taken")


def story_create(
    *,
    headline: str,
    slug: str,
    body: str,
    actor,
    standfirst: str = "",
    language: str = "en",
    bylines: Iterable = (),
    topics: Iterable = (),
) -> Story:
    """Create a draft story; its creator is `actor`."""
    if not actor.has_perm("stories.add_story"):
        raise PermissionDenied("You do not have permission to write stories.")
    if not (headline or "").strip():
        raise ValidationError("Give the story a headline.", code="headline_required")
    with transaction.atomic():
        _check_slug(slug, story_id=None)
        story = Story.objects.create(
            headline=headline.strip(),
            slug=slug,
            standfirst=normalise_text(standfirst),
            body=normalise_text(body),
            language=language,
            created_by=actor,
        )
        story.bylines.set(list(bylines))
        story.topics.set(list(topics))
    return story


def _reanchor(citation: Citation, body: str) -> bool:
    """Move a citation to where its passage now stands; flag it when it cannot be found.

    Offsets move only to a place where the exact passage stands and its context picks one
    occurrence (claims.anchoring.relocate); otherwise the citation is flagged, never guessed.
    Return whether it is anchored after the edit.
    """
    still = (
        body[citation.start : citation.end] == citation.exact
        and body[max(0, citation.start - len(citation.prefix)) : citation.start] == citation.prefix
        and body[citation.end : citation.end + len(citation.suffix)] == citation.suffix
    )
    if still:
        found = anchor(body, exact=citation.exact, start=citation.start)
    else:
        try:
            found = relocate(
                body, exact=citation.exact, prefix=citation.prefix, suffix=citation.suffix
            )
        except AnchorError:
            citation.anchor_lost = True
            citation.save(update_fields=["anchor_lost"])
            return False
    citation.start, citation.end = found.start, found.end
    citation.prefix, citation.suffix = found.prefix, found.suffix
    citation.anchor_lost = False
    citation.save(update_fields=["start", "end", "prefix", "suffix", "anchor_lost"])
    return True


def story_update(
    *,
    story: Story | int,
    actor,
    expected_version: int,
    reason: str = "",
    bylines: Iterable | None = None,
    topics: Iterable | None = None,
    **changes: str,
) -> Story:
    """Change a story's content (any of headline, slug, standfirst, body, language).

    A changed body re-anchors every citation; one whose passage is gone is flagged
    (`anchor_lost`) on a story not yet published, and refused on a published one (the
    guard would never have let it out). Editing a published story writes a REVISED event.
    Raises StaleVersion, PermissionDenied or ValidationError; nothing is written then.
    """
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"story_update() got unexpected fields: {sorted(unknown)}")
    if not actor.has_perm("stories.change_story"):
        raise PermissionDenied("You do not have permission to edit stories.")
    with transaction.atomic():
        locked = lock_story(story, expected_version=expected_version)
        changed = []
        for name, value in changes.items():
            if name in ("body", "standfirst"):
                value = normalise_text(value)
            if name == "slug":
                _check_slug(value, story_id=locked.pk)
            if name == "headline" and not (value or "").strip():
                raise ValidationError("Give the story a headline.", code="headline_required")
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                changed.append(name)
        if bylines is not None and set(locked.bylines.values_list("pk", flat=True)) != {
            user.pk for user in bylines
        }:
            locked.bylines.set(list(bylines))
            changed.append("bylines")
        if topics is not None and set(locked.topics.values_list("pk", flat=True)) != {
            topic.pk for topic in topics
        }:
            locked.topics.set(list(topics))
            changed.append("topics")
        if not changed:
            return locked
        if "body" in changed:
            lost = [
                citation
                for citation in locked.citations.order_by("pk")
                if not _reanchor(citation, locked.body)
            ]
            if lost and locked.is_published:
                raise ValidationError(
                    "This edit removes the passage of a citation on a published story: "
                    + "; ".join(f"citation {c.pk} (“{c.exact[:60]}”)" for c in lost)
                    + ". Remove the citation first, or unpublish the story.",
                    code="citation_lost",
                )
        locked.version += 1
        locked.save(
            update_fields=[*[f for f in changed if f in CONTENT_FIELDS], "version", "updated_at"]
        )
        if locked.is_published:
            story_event_append(
                story=locked,
                actor=actor,
                kind=StoryEventKind.REVISED,
                from_status=locked.status,
                reason=(reason or "").strip() or f"Changed: {', '.join(changed)}.",
            )
    return locked


def _bump(story: Story, *, actor, reason: str) -> None:
    """A citation changed: a new story version, and on a published story a REVISED event."""
    Story.objects.filter(pk=story.pk).update(version=F("version") + 1)
    story.refresh_from_db(fields=["version", "updated_at"])
    if story.is_published:
        story_event_append(
            story=story,
            actor=actor,
            kind=StoryEventKind.REVISED,
            from_status=story.status,
            reason=reason,
        )


def citation_create(
    *,
    story: Story | int,
    claim: Claim,
    use: str,
    exact: str,
    actor,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    expected_version: int | None = None,
) -> Citation:
    """Cite a claim at a passage of the story's body (selected in the admin, not typed).

    The passage is anchored with claims.anchoring: `start` is used if it still fits, else
    prefix and suffix tell repeats apart. On a published story the new citation must pass the
    publish guard. Raises ValidationError (AnchorError, the guard's reason), StaleVersion.
    """
    if not actor.has_perm("stories.add_citation"):
        raise PermissionDenied("You do not have permission to cite claims in stories.")
    if use not in CitationUse.values:
        raise ValidationError(f"“{use}” is not a way to cite a claim.", code="invalid_use")
    exact = normalise_text(exact)
    with transaction.atomic():
        locked = lock_story(story, expected_version=expected_version)
        found = anchor(
            locked.body,
            exact=exact,
            prefix=normalise_text(prefix),
            suffix=normalise_text(suffix),
            start=start,
        )
        citation = Citation(
            story=locked,
            claim=Claim.objects.select_for_update().get(pk=claim.pk),
            use=use,
            exact=found.exact,  # the story's own characters, not the typed variants
            start=found.start,
            end=found.end,
            prefix=found.prefix,
            suffix=found.suffix,
            created_by=actor,
        )
        if locked.status == StoryStatus.PUBLISHED and (problem := problem_of(citation)):
            raise ValidationError(
                f"{problem.reason} A published story only takes citations its claims support.",
                code="guard",
            )
        citation.save()
        _bump(locked, actor=actor, reason=f"Cited claim {claim.pk} ({use}).")
    return citation


def citation_delete(*, citation: Citation, actor) -> None:
    """Remove a citation from its story (its correction flags keep their claim)."""
    if not actor.has_perm("stories.delete_citation"):
        raise PermissionDenied("You do not have permission to remove citations.")
    with transaction.atomic():
        locked = lock_story(citation.story_id, expected_version=None)
        claim_id, use = citation.claim_id, citation.use
        Citation.objects.filter(pk=citation.pk).delete()
        _bump(locked, actor=actor, reason=f"Removed the citation of claim {claim_id} ({use}).")
