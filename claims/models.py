"""What was said, where it appeared, who said it through whom, and how claims relate."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models
from django.db.models import Count, Exists, F, Func, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from claims.anchoring import selects
from sources import agents, licensing


class ClaimStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    IN_REVIEW = "in_review", "In review"
    VERIFIED = "verified", "Verified"
    FALSE = "false", "False"
    DISPUTED = "disputed", "Disputed"
    UNVERIFIABLE = "unverifiable", "Unverifiable"


# The states in which a fact-check has reached a conclusion.
CONCLUDED = frozenset(
    {
        ClaimStatus.VERIFIED,
        ClaimStatus.FALSE,
        ClaimStatus.DISPUTED,
        ClaimStatus.UNVERIFIABLE,
    }
)

QUOTE_CONTEXT_MAX = 64


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _count_of(model: type[models.Model], **filters) -> Coalesce:
    """Count rows of `model` pointing at the outer claim, as a subquery that no join multiplies."""
    rows = (
        model.objects.filter(**filters)
        .order_by()
        .values("claim")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), Value(0))


def claim_search_vector():
    """The claim's words as PostgreSQL's full-text search reads them (stored: search_vector)."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector("text", "summary", config="english")


SEARCH_CONFIG = "english"

# How many of a term's newest matches ClaimQuerySet.ranked_search ranks (README, "Full-text
# search"). Finding them reads either every match (the GIN bitmap, then a top-N sort by date)
# or N / selectivity rows (the date index walked backwards); the planner takes the cheaper,
# so the worst case, where the two cross, grows as the square root of N times the table:
# at 1M claims 250 to 300 kept the top 50 within about 40 ms, 1,000 took up to 110 ms.
RANKED_CANDIDATES = 250


class OnPostgresql(Func):
    """The wrapped expression on PostgreSQL; NULL on other databases, which lack it."""

    template = "%(expressions)s"

    def as_sql(self, compiler, connection, **extra_context):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)


def search_query(text: str):
    """The user's words as a websearch tsquery: quoted phrases, `or`, `-word` (PostgreSQL)."""
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")


class EqualsAny(Func):
    """`value = ANY(array)` (PostgreSQL): true when the array holds the value."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = models.BooleanField()


class ClaimQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=ClaimStatus.VERIFIED)

    def concluded(self):
        return self.filter(status__in=CONCLUDED)

    def with_counts(self):
        """Annotate appearance_count and external_check_count."""
        return self.annotate(
            appearance_count=_count_of(Appearance, claim=OuterRef("pk")),
            external_check_count=_count_of(ExternalCheck, claim=OuterRef("pk")),
        )

    def with_provenance(self, user=None):
        """Prefetch everything a claim's provenance shows to `user`, in a fixed number of queries.

        Outside the newsroom (and for `user` None: the public) appearances and external checks
        on embargoed documents are left out (claims.visibility); pass a staff user for all.
        """
        from claims import visibility  # it builds on these models

        # The confidential identity is never shown on a read path: not even read (and so
        # never decrypted) there (security.md D23).
        chain = (
            Attribution.objects.select_related("person", "organization", "anonymous_source")
            .defer("anonymous_source__confidential_identity")
            .prefetch_related("person__affiliation_set__organization")
        )
        appearances = (
            visibility.appearances_visible_to(user)
            .select_related(
                "document__publisher",
                "document__publication",
                "document__license__holder",
            )
            .prefetch_related(Prefetch("chain", queryset=chain))
        )
        checks = visibility.external_checks_visible_to(user).select_related(
            "organization",
            "document__license__holder",
            "document__publisher",
            "document__publication",
        )
        events = VerificationEvent.objects.select_related("actor")
        return self.prefetch_related(
            Prefetch("appearances", queryset=appearances),
            Prefetch("external_checks", queryset=checks),
            Prefetch("events", queryset=events),
            Prefetch("relations_from", queryset=ClaimRelation.objects.select_related("to_claim")),
            Prefetch("relations_to", queryset=ClaimRelation.objects.select_related("from_claim")),
            "topics",
        )

    def search(self, text: str):
        """Full-text search on PostgreSQL (the stored, GIN-indexed search_vector); a plain
        substring match elsewhere."""
        text = text.strip()
        if not text:
            return self
        if connections[self.db].vendor == "postgresql":
            return self.filter(search_vector=search_query(text))
        return self.filter(Q(text__icontains=text) | Q(summary__icontains=text))

    def ranked_search(self, text: str, *, candidates: int | None = None):
        """search(), annotated with `search_rank`: ts_rank within the newest `candidates`
        matches on PostgreSQL (RANKED_CANDIDATES by default), 0 elsewhere.

        Order by `-search_rank` for the best matches first; on SQLite every match ranks alike.
        ts_rank reads every row it ranks, so ranking a common term's every match costs as much
        as reading them all: only the newest matches by (created_at, id) are ranked, a read
        bounded by their number. With fewer matches than that, the order is exact.
        """
        text = text.strip()
        if text and connections[self.db].vendor == "postgresql":
            from django.contrib.postgres.search import SearchRank

            newest = (
                self.search(text)
                .order_by("-created_at", "-pk")
                .values("pk")[: candidates or RANKED_CANDIDATES]
            )
            return self.filter(pk__in=newest).annotate(
                search_rank=SearchRank(F("search_vector"), search_query(text))
            )
        return self.search(text).annotate(search_rank=Value(0.0, output_field=models.FloatField()))

    def with_topic(self, name_or_slug: str):
        """Claims tagged with the topic (by slug or case-insensitive name), without duplicates."""
        tagged = Claim.topics.through.objects.filter(claim=OuterRef("pk")).filter(
            Q(topic__slug=name_or_slug) | Q(topic__name__iexact=name_or_slug)
        )
        return self.filter(Exists(tagged))

    def with_origin_kind(self, kind: str):
        """Claims with at least one origin of the kind: person, organization or anonymous."""
        field = agents.FIELD_OF[agents.AgentKind(kind)]
        origins = Attribution.objects.filter(
            appearance__claim=OuterRef("pk"),
            role=Attribution.Role.ORIGIN,
            **{f"{field}__isnull": False},
        )
        return self.filter(Exists(origins))

    def in_review(self):
        return self.filter(status=ClaimStatus.IN_REVIEW)

    def assigned_to(self, user):
        """Claims in review that `user` is assigned to check."""
        return self.in_review().filter(assignee=user)

    def unassigned_in_review(self):
        return self.in_review().filter(assignee__isnull=True)

    def overdue(self, today):
        """Claims still in review after their due date."""
        return self.in_review().filter(due_date__lt=today)

    def ever_concluded(self):
        """Claims concluded now or at some point (a reopened claim was once public)."""
        concluded_before = VerificationEvent.objects.filter(
            claim=OuterRef("pk"), to_status__in=CONCLUDED
        )
        return self.filter(Q(status__in=CONCLUDED) | Exists(concluded_before))

    def visible_to(self, user):
        """Claims a user may see: staff see all, everyone else concluded claims that do not
        rest only on embargoed documents (claims.visibility.claims_visible_to)."""
        from claims import visibility  # it builds on these models

        return visibility.claims_visible_to(user, self)

    def published(self):
        """Claims the public may see: what visible_to() gives anyone outside the newsroom."""
        return self.visible_to(None)

    def conflicted(self):
        """Claims on either side of a `contradicts` relation."""
        # The ids at either end as one union: the few thousand contradictions are read once,
        # not probed once per claim of the table (2.6 s at a million claims, against 70 ms).
        contradicts = ClaimRelation.objects.filter(kind=ClaimRelation.Kind.CONTRADICTS).order_by()
        ends = contradicts.values("from_claim_id").union(contradicts.values("to_claim_id"))
        if connections[self.db].vendor != "postgresql":
            return self.filter(pk__in=ends)
        # `id = ANY(ARRAY(...))`: the ends as one array, then claims by primary key. As an
        # IN (...) semi-join, a page ordered by date hashed it against a scan of the whole table
        # (75 ms at 100k claims for the review queue's ten rows).
        from django.contrib.postgres.expressions import ArraySubquery

        return self.filter(EqualsAny(F("pk"), ArraySubquery(ends)))

    def anonymous_only(self):
        """Claims with at least one origin, every one of them an anonymous source.

        Read from the stored flag (kept with independent_origins by claims.origins): working
        it out from the chains means joining every chain link of the table.
        """
        return self.filter(only_anonymous_origins=True)

    def flagged(self, reason: str | None = None):
        """Claims with an open review flag (of `reason`, when given)."""
        flags = ReviewFlag.objects.open().filter(claim=OuterRef("pk"))
        if reason is not None:
            flags = flags.filter(reason=reason)
        return self.filter(Exists(flags))

    def for_publisher(self, organization):
        """Claims appearing in documents that `organization` published (as publisher or title)."""
        appearances = Appearance.objects.filter(claim=OuterRef("pk")).filter(
            Q(document__publisher=organization) | Q(document__publication=organization)
        )
        return self.filter(Exists(appearances))


class Claim(models.Model):
    """One checkable statement, in the newsroom's own words, with its verification state."""

    text = models.TextField(help_text="The claim in the newsroom's own words.")
    summary = models.CharField(max_length=75, blank=True, help_text="A short form for exports.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="claims")
    status = models.CharField(
        max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.UNVERIFIED, db_index=True
    )
    # Two counters, two meanings. `version` is the workflow step: 1 when recorded, +1 per
    # verification event (an event's `version` is the claim's after it, so PROV's version
    # chain has no gaps). `revision` counts changes to what is being verified: the wording,
    # topics, appearances, their anchoring and chains. Recording an external check or a
    # relation bumps neither, so a fact-checker's transition never goes stale because of it.
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="The workflow step: one more per verification event."
    )
    revision = models.PositiveIntegerField(
        default=1, editable=False, help_text="One more per change to the claim's content."
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_claims",
    )
    due_date = models.DateField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_created",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # indexed with id (Meta.indexes)
    # Kept by the database from text and summary, so no write path can leave it stale; NULL on
    # SQLite, which searches by substring (ClaimQuerySet.search).
    search_vector = models.GeneratedField(
        expression=OnPostgresql(claim_search_vector()),
        output_field=SearchVectorField(null=True),
        db_persist=True,
    )
    # Maintained only by claims.origins.refresh_independent_origins().
    independent_origins = models.PositiveIntegerField(
        default=0,
        editable=False,
        db_index=True,
        help_text="Distinct origins across this claim's appearances and its same-as claims.",
    )
    # Maintained with it, by the same function: the review queue's "only anonymous origins".
    only_anonymous_origins = models.BooleanField(
        default=False,
        editable=False,
        help_text="Whether the claim has origins and every one of them is an anonymous source.",
    )

    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["independent_origins", "only_anonymous_origins", "search_vector"]
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The admin's order (Meta.ordering) and the API's orderings and cursor, each with
            # the id that breaks ties, so a page is one index range read, never a sort.
            models.Index(fields=["created_at", "id"], name="claim_created_id_idx"),
            models.Index(fields=["updated_at", "id"], name="claim_updated_id_idx"),
            # The review queue's anonymous-only list, newest first, and its count.
            models.Index(
                fields=["created_at", "id"],
                name="claim_anonymous_only_idx",
                condition=Q(only_anonymous_origins=True),
            ),
            # The review queue's other lists, each a range of its own index of the claims in
            # review (a tenth of the table), never a filter over the whole of it:
            # "unassigned" newest first, "mine" by assignee newest first, "overdue" by due date.
            models.Index(
                fields=["created_at", "id"],
                name="claim_unassigned_review_idx",
                condition=Q(status=ClaimStatus.IN_REVIEW, assignee__isnull=True),
            ),
            models.Index(
                fields=["assignee", "created_at", "id"],
                name="claim_assignee_review_idx",
                condition=Q(status=ClaimStatus.IN_REVIEW),
            ),
            models.Index(
                fields=["due_date", "id"],
                name="claim_due_review_idx",
                condition=Q(status=ClaimStatus.IN_REVIEW),
            ),
        ]
        permissions = [
            ("send_claim_to_review", "Can send a claim to review"),
            ("conclude_claim", "Can conclude a claim or drop it from review"),
            ("reopen_claim", "Can reopen a concluded claim"),
        ]

    def __str__(self) -> str:
        if self.summary:
            return self.summary
        return self.text if len(self.text) <= 75 else f"{self.text[:74]}…"

    @property
    def is_concluded(self) -> bool:
        return self.status in CONCLUDED


class AnchorState(models.TextChoices):
    """Whether a recorded excerpt (an appearance's quote, a check's report) is still in its text."""

    ANCHORED = "anchored", "Anchored"
    REANCHORED = "reanchored", "Re-anchored after the text changed"
    UNANCHORED = "unanchored", "Not found in the current text"


class Appearance(models.Model):
    """Where a claim appears: a document plus an anchored quote (W3C Web Annotation selectors).

    `start`/`end` are code-point offsets into `document.body`, end exclusive.
    """

    AnchorState = AnchorState

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="appearances")
    document = models.ForeignKey(
        "sources.Document", on_delete=models.PROTECT, related_name="appearances"
    )
    exact = models.TextField(help_text="The quote exactly as it stands in the document.")
    prefix = models.CharField(max_length=QUOTE_CONTEXT_MAX, blank=True)
    suffix = models.CharField(max_length=QUOTE_CONTEXT_MAX, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    anchor_state = models.CharField(
        max_length=20, choices=AnchorState.choices, default=AnchorState.ANCHORED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="appearance_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Claim {self.claim_id} in document {self.document_id}"

    def matches_body(self) -> bool:
        """Return whether the offsets and context still select the quote in the document."""
        return selects(
            self.document.body,
            exact=self.exact,
            prefix=self.prefix,
            suffix=self.suffix,
            start=self.start,
            end=self.end,
        )


class Attribution(models.Model):
    """One link of an appearance's chain, origin first: who said it, who reported or relayed it."""

    class Role(models.TextChoices):
        ORIGIN = "origin", "Origin"
        REPORTER = "reporter", "Reporter"
        RELAY = "relay", "Relay"
        PUBLISHER = "publisher", "Publisher"

    appearance = models.ForeignKey(Appearance, on_delete=models.CASCADE, related_name="chain")
    position = models.PositiveSmallIntegerField(help_text="0 is the origin end of the chain.")
    role = models.CharField(max_length=20, choices=Role.choices)
    verb = models.CharField(
        max_length=50, blank=True, help_text="As written: 'told', 'according to', 'reported'."
    )
    person = models.ForeignKey(
        "sources.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributions",
    )
    organization = models.ForeignKey(
        "sources.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributions",
    )
    anonymous_source = models.ForeignKey(
        "sources.AnonymousSource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributions",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["appearance", "position"], name="attribution_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(
                    person__isnull=False, organization__isnull=True, anonymous_source__isnull=True
                )
                | Q(person__isnull=True, organization__isnull=False, anonymous_source__isnull=True)
                | Q(person__isnull=True, organization__isnull=True, anonymous_source__isnull=False),
                name="attribution_exactly_one_agent",
            ),
        ]

    def __str__(self) -> str:
        verb = f" ({self.verb})" if self.verb else ""
        return f"{self.position}. {self.get_role_display()}: {self.agent}{verb}"

    @property
    def agent(self):
        return self.person or self.organization or self.anonymous_source

    @property
    def agent_kind(self) -> agents.AgentKind:
        return agents.kind_from_ids(
            person_id=self.person_id,
            organization_id=self.organization_id,
            anonymous_source_id=self.anonymous_source_id,
        )

    @property
    def agent_key(self) -> agents.AgentKey:
        return (self.agent_kind.value, self.agent.pk)


class ExternalCheck(models.Model):
    """A third party's reported attempt to verify a claim, e.g. Reuters could not verify it."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        DENIED = "denied", "Denied"
        COULD_NOT_VERIFY = "could_not_verify", "Could not verify"
        NO_RESPONSE = "no_response", "Did not respond to a request for comment"
        DECLINED_TO_COMMENT = "declined_to_comment", "Declined to comment"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="external_checks")
    organization = models.ForeignKey(
        "sources.Organization", on_delete=models.PROTECT, related_name="external_checks"
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    document = models.ForeignKey(
        "sources.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="external_checks",
        help_text="The document that reports the check.",
    )
    exact = models.TextField(blank=True)
    prefix = models.CharField(max_length=QUOTE_CONTEXT_MAX, blank=True)
    suffix = models.CharField(max_length=QUOTE_CONTEXT_MAX, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    anchor_state = models.CharField(
        max_length=20,
        choices=AnchorState.choices,
        default=AnchorState.ANCHORED,
        editable=False,
        help_text="Whether the excerpt still stands in the document's current text.",
    )
    checked_at = models.DateTimeField("when", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["checked_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True, exact="")
                | Q(document__isnull=False, end__gt=F("start")),
                name="externalcheck_excerpt_anchored_in_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_outcome_display()}"

    def matches_body(self) -> bool:
        """Return whether the excerpt (if any) still stands where it was anchored."""
        if not self.exact:
            return True
        return selects(
            self.document.body,
            exact=self.exact,
            prefix=self.prefix,
            suffix=self.suffix,
            start=self.start,
            end=self.end,
        )


class ClaimRelationQuerySet(models.QuerySet):
    def involving(self, claim):
        """Relations with `claim` at either end, both ends loaded."""
        return self.filter(Q(from_claim=claim) | Q(to_claim=claim)).select_related(
            "from_claim", "to_claim"
        )


class ClaimRelation(models.Model):
    """same-as, corroborates, contradicts (symmetric) or refines (directional) between claims.

    Symmetric kinds are stored once, with from_claim_id < to_claim_id.
    """

    class Kind(models.TextChoices):
        SAME_AS = "same_as", "Same as"
        CORROBORATES = "corroborates", "Corroborates"
        CONTRADICTS = "contradicts", "Contradicts"
        REFINES = "refines", "Refines"

    SYMMETRIC_KINDS = frozenset({Kind.SAME_AS, Kind.CORROBORATES, Kind.CONTRADICTS})

    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_from")
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_to")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(help_text="Why the claims are related, for the record.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClaimRelationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_claim", "to_claim", "kind"], name="claimrelation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_claim=F("to_claim")), name="claimrelation_not_self"
            ),
            models.CheckConstraint(
                condition=Q(kind="refines") | Q(from_claim__lt=F("to_claim")),
                name="claimrelation_symmetric_canonical",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="claimrelation_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.from_claim_id} {self.get_kind_display().lower()} {self.to_claim_id}"

    @property
    def is_symmetric(self) -> bool:
        return self.kind in self.SYMMETRIC_KINDS

    def other(self, claim) -> Claim:
        """Return the claim at the other end from `claim`."""
        pk = getattr(claim, "pk", claim)
        if pk == self.from_claim_id:
            return self.to_claim
        if pk == self.to_claim_id:
            return self.from_claim
        raise ValueError(f"Claim {pk} is not part of relation {self.pk}.")

    def label_from(self, claim) -> str:
        """Return how the relation reads from `claim`: 'contradicts', 'refines', 'refined by'."""
        if self.is_symmetric or getattr(claim, "pk", claim) == self.from_claim_id:
            return self.get_kind_display().lower()
        self.other(claim)  # raises when `claim` is at neither end
        return "refined by"


class AppendOnlyError(Exception):
    """Verification events are never changed or deleted."""


class VerificationEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Verification events are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Verification events are append-only: they cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Verification events are append-only: they cannot be updated.")

    def head_hash(self) -> str:
        """Return the hash of the newest event in the log (zeros when the log is empty)."""
        from claims.audit import GENESIS_HASH

        return self.order_by("-pk").values_list("hash", flat=True).first() or GENESIS_HASH

    def in_chain_order(self):
        """The log in the order its hash chain runs (claims/audit.py)."""
        return self.order_by("pk")


class VerificationEvent(models.Model):
    """One change of a claim's verification state: append-only, written by the workflow only.

    The model layer refuses updates and deletes; on PostgreSQL a trigger refuses them too.
    Each event carries the hash of its predecessor, so a change made past both shows
    (claims/audit.py, `manage.py verify_events`).
    """

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    to_status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verification_events"
    )
    actor_role = models.CharField(
        max_length=30, help_text="The role the actor acted in, shown to consumers instead of names."
    )
    rationale = models.TextField(blank=True)
    evidence = models.JSONField(
        default=list, blank=True, help_text="URLs, documents and external checks, as recorded."
    )
    version = models.PositiveIntegerField(help_text="The claim's version after this event.")
    created_at = models.DateTimeField(default=timezone.now)
    previous_hash = models.CharField(
        max_length=64,
        editable=False,
        help_text="The hash of the event before this one in the log (zeros for the first).",
    )
    hash = models.CharField(
        max_length=64,
        editable=False,
        help_text="sha256 over previous_hash and this event's fields (claims/audit.py).",
    )

    objects = VerificationEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # Two moves from the same version can never both be recorded.
            models.UniqueConstraint(fields=["claim", "version"], name="event_unique_claim_version"),
            # The log is one chain: two events can never follow the same predecessor.
            models.UniqueConstraint(fields=["previous_hash"], name="event_unique_predecessor"),
        ]

    def __str__(self) -> str:
        return f"Claim {self.claim_id}: {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Verification events are append-only: they cannot be changed.")
        # A new instance given an existing pk must not turn into an UPDATE of that event.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Verification events are append-only: they cannot be deleted.")


def refuse_raw_overwrite_of_event(sender, instance, raw, using, **kwargs):
    """Refuse a raw save (loaddata, deserialisation) that would overwrite an existing event.

    Deserialised objects are saved through Model.save_base(raw=True), past the model's save(),
    and an existing pk makes that an UPDATE. New events (restoring a dump into an empty log)
    are still inserted.
    """
    if not raw or instance.pk is None:
        return
    if sender._base_manager.using(using).filter(pk=instance.pk).exists():
        raise AppendOnlyError(
            f"Verification events are append-only: event {instance.pk} already exists and "
            "cannot be overwritten by loaded data."
        )


class ServedExcerpt(models.Model):
    """A span of a document's text once given out to an audience outside the newsroom.

    The quote budget's ledger: written when a claim is concluded (the moment its excerpts become
    obtainable by outside consumers), never removed when the appearance, check or claim that
    carried the span is deleted or its document's text changes, so text already given out keeps
    counting against the document's budget (sources.licensing.Disclosure).
    """

    document = models.ForeignKey(
        "sources.Document", on_delete=models.CASCADE, related_name="served_excerpts"
    )
    audience = models.CharField(
        max_length=20, choices=[(a.value, a.value) for a in licensing.Audience]
    )
    # What carried it when it went out, e.g. "appearance:12:quote" (the span is what counts).
    key = models.CharField(max_length=100)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "audience", "key", "start", "end"], name="served_excerpt_once"
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="served_excerpt_span"),
        ]

    def __str__(self) -> str:
        return f"Document {self.document_id} [{self.start}:{self.end}] to {self.audience}"


class ReviewFlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class ReviewFlag(models.Model):
    """Why a claim needs a fresh look, raised by the system: a document it rests on was withdrawn.

    Written only by claims.review_flags, in the transaction of the change that raised it;
    a fact-checker or editor resolves it (who and when are kept).
    """

    class Reason(models.TextChoices):
        WITHDRAWN_DOCUMENT = "withdrawn_document", "Rests on a withdrawn document"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="review_flags")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    document = models.ForeignKey(
        "sources.Document",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_flags",
    )
    note = models.CharField(max_length=600, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReviewFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Flagged once per cause: a repeated kill notice raises nothing twice.
            models.UniqueConstraint(
                fields=["claim", "reason", "document"], name="reviewflag_once_per_cause"
            ),
        ]

    def __str__(self) -> str:
        return f"Claim {self.claim_id}: {self.get_reason_display().lower()}"


class ChangeStampQuerySet(models.QuerySet):
    def latest_for(self, audience: licensing.Audience):
        """When the newest change this audience can see was made (None before any): one
        indexed lookup, whatever the size of the tables behind it."""
        return self.filter(audience=audience).order_by("-at").values_list("at", flat=True).first()


class ChangeStamp(models.Model):
    """A change to what an audience can see, written when the transaction that made it commits.

    The list validators (`Last-Modified`) read the newest row per audience instead of
    aggregating over claims, documents, terms and agreements on every request. One row per
    change rather than one row per audience, so concurrent writers never queue on one row's
    lock (claims/watermark.py). Staff rows are written for every change, outside rows only
    for changes outside consumers can see.
    """

    audience = models.CharField(
        max_length=16, choices=[(a.value, a.value) for a in licensing.Audience]
    )
    at = models.DateTimeField()

    objects = ChangeStampQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["audience", "-at"], name="claims_changestamp_latest")]

    def __str__(self) -> str:
        return f"{self.audience} change at {self.at:%Y-%m-%d %H:%M:%S}"
