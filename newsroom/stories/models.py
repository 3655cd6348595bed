"""The newsroom's own stories, the claims they cite, their append-only log and corrections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from claims.models import QUOTE_CONTEXT_MAX, ClaimStatus
from newsroom.stories.markdown import render_markdown


class StoryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class CitationUse(models.TextChoices):
    ASSERTS = "asserts", "Asserts (states it as fact)"
    ATTRIBUTES = "attributes", "Attributes (reports that someone said it)"
    REFUTES = "refutes", "Refutes (says it is false)"


class StoryQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=StoryStatus.PUBLISHED)

    def needing_correction(self):
        """Stories with at least one open needs-correction flag."""
        open_flags = NeedsCorrection.objects.filter(story=OuterRef("pk"), correction__isnull=True)
        return self.filter(Exists(open_flags))

    def with_citations(self):
        """Prefetch the citations with their claims, bylines, topics and corrections."""
        return self.prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("claim")),
            "bylines",
            "topics",
            Prefetch("corrections", queryset=Correction.objects.select_related("published_by")),
        )


class Story(models.Model):
    """One piece of the newsroom's own journalism, citing claims at places in its body.

    Changed only through newsroom.stories.services (content) and .workflow (status).
    """

    headline = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    standfirst = models.TextField(blank=True, help_text="The summary under the headline.")
    body = models.TextField(
        help_text="Markdown. Citations point at passages of this text; editing it re-anchors them."
    )
    bylines = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="stories_bylined"
    )
    topics = models.ManyToManyField("claims.Topic", blank=True, related_name="stories")
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(
        max_length=20, choices=StoryStatus.choices, default=StoryStatus.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="One more per change: edits, citations and moves."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stories_created",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(
        null=True, blank=True, editable=False, db_index=True, help_text="First published."
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = StoryQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[bylines])

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        verbose_name_plural = "stories"
        permissions = [
            ("publish_story", "Can publish and unpublish a story"),
            ("override_publish_guard", "Can publish past the guard, with a recorded reason"),
            ("publish_correction", "Can publish a correction on a story"),
        ]

    def __str__(self) -> str:
        return self.headline

    def rendered_body(self) -> str:
        """The body as sanitised HTML (newsroom.stories.markdown)."""
        return render_markdown(self.body)

    @property
    def is_published(self) -> bool:
        return self.status == StoryStatus.PUBLISHED


class Citation(models.Model):
    """A story citing a claim at a passage of its body (W3C TextQuote + TextPosition selectors).

    `start`/`end` are code-point offsets into `story.body`, end exclusive, as in
    claims.anchoring. `anchor_lost` is set when an edit removed the passage.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="citations")
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="citations")
    use = models.CharField(max_length=20, choices=CitationUse.choices)
    exact = models.TextField(
        "passage", help_text="The cited passage exactly as it stands in the body."
    )
    prefix = models.CharField(max_length=QUOTE_CONTEXT_MAX, blank=True)
    suffix = models.CharField(max_length=QUOTE_CONTEXT_MAX, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    anchor_lost = models.BooleanField(
        default=False, help_text="The passage is no longer in the body: select it again."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="citation_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Citation {self.pk}"


class StoryEventKind(models.TextChoices):
    MOVED = "moved", "Status change"
    REVISED = "revised", "Revision of a published story"
    CORRECTED = "corrected", "Correction published"


class AppendOnlyError(Exception):
    """Story events are never changed or deleted."""


class StoryEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Story events are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Story events are append-only: they cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Story events are append-only: they cannot be updated.")

    def overridden(self):
        return self.exclude(override_reason="")

    def head_hash(self) -> str:
        """Return the hash of the newest event in the log (zeros when the log is empty)."""
        from newsroom.stories.audit import GENESIS_HASH

        return self.order_by("-pk").values_list("hash", flat=True).first() or GENESIS_HASH


class StoryEvent(models.Model):
    """One move, revision or correction of a story: append-only, written by the services only.

    The model layer refuses updates and deletes; on PostgreSQL triggers refuse UPDATE, DELETE
    and TRUNCATE too (migration 0002). Each event carries its predecessor's hash, so a change
    made past both shows (newsroom/stories/audit.py, `manage.py verify_story_events`).
    """

    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=StoryEventKind.choices)
    from_status = models.CharField(max_length=20, choices=StoryStatus.choices)
    to_status = models.CharField(max_length=20, choices=StoryStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="story_events"
    )
    reason = models.TextField(blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why the story was published past the guard's refusals."
    )
    overridden = models.JSONField(
        default=list, blank=True, help_text="The guard's refusals the override published past."
    )
    correction = models.ForeignKey(
        "Correction", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    version = models.PositiveIntegerField(help_text="The story's version after this event.")
    created_at = models.DateTimeField(default=timezone.now)
    previous_hash = models.CharField(
        max_length=64,
        editable=False,
        help_text="The hash of the event before this one in the log (zeros for the first).",
    )
    hash = models.CharField(
        max_length=64,
        editable=False,
        help_text="sha256 over previous_hash and this event's fields (stories/audit.py).",
    )

    objects = StoryEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["story", "version"], name="storyevent_unique_version"),
            # The log is one chain: two events can never follow the same predecessor.
            models.UniqueConstraint(fields=["previous_hash"], name="storyevent_unique_predecessor"),
        ]

    def __str__(self) -> str:
        moved = f"{self.from_status} → {self.to_status}"
        return f"Story {self.story_id}: {self.get_kind_display()} ({moved})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Story events are append-only: they cannot be changed.")
        kwargs["force_insert"] = True  # an existing pk must not turn this into an UPDATE
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Story events are append-only: they cannot be deleted.")


def refuse_raw_overwrite_of_story_event(sender, instance, raw, using, **kwargs):
    """Refuse a raw save (loaddata) that would overwrite an existing story event."""
    if not raw or instance.pk is None:
        return
    if sender._base_manager.using(using).filter(pk=instance.pk).exists():
        raise AppendOnlyError(
            f"Story events are append-only: event {instance.pk} already exists and cannot be "
            "overwritten by loaded data."
        )


class Correction(models.Model):
    """A published correction: shown, dated, above the story. Written by publish_correction."""

    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="corrections")
    text = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return f"Correction to story {self.story_id} ({self.published_at:%Y-%m-%d})"


class NeedsCorrectionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(correction__isnull=True)


class NeedsCorrection(models.Model):
    """A published story's citation that a claim's move no longer supports: correct it.

    Written by newsroom.stories.corrections when claims.workflow moves a claim; resolved (never
    deleted) by the Correction that answers it.
    """

    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="correction_flags")
    citation = models.ForeignKey(
        Citation, on_delete=models.SET_NULL, null=True, blank=True, related_name="flags"
    )
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="+")
    use = models.CharField(max_length=20, choices=CitationUse.choices)
    old_status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    new_status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    verification_event = models.ForeignKey(
        "claims.VerificationEvent", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    correction = models.ForeignKey(
        Correction, on_delete=models.PROTECT, null=True, blank=True, related_name="resolved_flags"
    )

    objects = NeedsCorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "needs-correction flag"

    def __str__(self) -> str:
        return f"Story {self.story_id}: claim {self.claim_id} {self.old_status} → {self.new_status}"

    @property
    def is_open(self) -> bool:
        return self.correction_id is None
