"""Who published or said what, and under which terms."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from sources.fields import EncryptedTextField
from sources.text import propose_headline


def sha256_hex(text: str) -> str:
    """Return the hex sha256 of text encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class OrganizationQuerySet(models.QuerySet):
    def publishers(self):
        return self.filter(kind__in=[Organization.Kind.PUBLISHER, Organization.Kind.PUBLICATION])

    def by_name(self, name: str):
        """Organizations named `name` (any case) or known by it as an alias ("FT")."""
        name = " ".join(name.split())
        return self.filter(Q(name__iexact=name) | Q(aliases__name__iexact=name)).distinct()


class Organization(models.Model):
    """A publisher, publication, agency, government body, think tank or company."""

    class Kind(models.TextChoices):
        PUBLISHER = "publisher", "Publisher"
        PUBLICATION = "publication", "Publication"
        NEWS_AGENCY = "news_agency", "News agency"
        GOVERNMENT_BODY = "government_body", "Government body"
        THINK_TANK = "think_tank", "Think tank"
        COMPANY = "company", "Company"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="The group this organization belongs to, e.g. a publication's publisher.",
    )
    url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # The API's cursor order: a consumer page walks it, testing visibility row by row.
        indexes = [models.Index(fields=["updated_at", "id"], name="organization_updated_id_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="organization_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def group(self) -> "Organization":
        """Return the topmost organization this one belongs to (itself when it has no parent)."""
        seen = {self.pk}
        org = self
        while org.parent_id and org.parent_id not in seen:
            seen.add(org.parent_id)
            org = org.parent
        return org


class OrganizationAlias(models.Model):
    """Another name an organization goes by: "FT" for the Financial Times, "AP", "dpa".

    Matched in any case, like names, by `Organization.objects.by_name()`: the admin's agent
    picker, the importer and the suggester all find the organization by it. An alias names
    one organization only, and never another organization's own name.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organization_alias_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = " ".join(self.name.split())
        others = Organization.objects.filter(name__iexact=self.name)
        if self.organization_id is not None:
            others = others.exclude(pk=self.organization_id)
        other = others.first()
        if other is not None:
            raise ValidationError({"name": f"“{self.name}” is the name of {other.name}."})
        taken = OrganizationAlias.objects.filter(name__iexact=self.name).exclude(pk=self.pk)
        taken = taken.select_related("organization").first()
        if taken is not None:
            raise ValidationError(
                {"name": f"“{self.name}” is already an alias of {taken.organization.name}."}
            )


class Person(models.Model):
    """A named individual who can be quoted on the record."""

    name = models.CharField(max_length=200)
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="How outlets describe them, e.g. 'Asia security expert'.",
    )
    affiliations = models.ManyToManyField(
        Organization, through="Affiliation", related_name="people", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        # The API's cursor order: a consumer page walks it, testing visibility row by row.
        indexes = [models.Index(fields=["updated_at", "id"], name="person_updated_id_idx")]

    def __str__(self) -> str:
        return self.name


class Affiliation(models.Model):
    """A person's role at an organization over a period of time."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliation_set")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="affiliation_set"
    )
    role = models.CharField(max_length=200, blank=True, help_text="Role or title as written.")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person", "-start_date", "pk"]  # pk: one order for undated ties
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="affiliation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        role = f"{self.role}, " if self.role else ""
        return f"{self.person}: {role}{self.organization}"


class AnonymousSource(models.Model):
    """A described, unnamed source: "current and former US officials", count "several".

    The confidential identity is encrypted at rest and is shown only to users holding the
    `sources.view_confidential_identity` permission. It never appears in `__str__`.
    """

    description = models.CharField(max_length=300)
    count_text = models.CharField(
        "count as written", max_length=50, blank=True, help_text="e.g. 'several', 'two'."
    )
    count = models.PositiveIntegerField(null=True, blank=True, help_text="When known.")
    anonymity_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="e.g. 'speaking on condition of anonymity' or the reason given.",
    )
    motive = models.CharField(max_length=300, blank=True)
    confidential_identity = EncryptedTextField(
        blank=True,
        help_text="Who the source is, if the newsroom knows. Stored encrypted; "
        "readable only with the 'view confidential identity' permission.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["description"]
        permissions = [
            ("view_confidential_identity", "Can view the confidential identity of a source"),
        ]

    def __str__(self) -> str:
        count = f" ({self.count_text})" if self.count_text else ""
        return f"{self.description}{count}"

    def __repr__(self) -> str:
        return f"<AnonymousSource {self.pk}: {self}>"


class LicenseTerms(models.Model):
    """A holder's terms for its content, with the notice verbatim and in structured form."""

    class SharingScope(models.TextChoices):
        PUBLIC = "public", "Public"
        SUBSCRIBERS = "subscribers", "Subscribers only"
        INTERNAL = "internal", "Internal use only"

    class TdmExpression(models.TextChoices):
        MACHINE_READABLE = "machine_readable", "Machine-readable signal observed"
        NATURAL_LANGUAGE = "natural_language", "Natural language only"
        NONE = "none", "Not expressed"

    class TdmStatus(models.TextChoices):
        """What the notice says about text and data mining, as read or as an editor confirmed."""

        RESERVED = "reserved", "Reserved"
        CONDITIONAL = "conditional", "Allowed only with a licence or permission"
        PARTIAL = "partial", "Reserved for part of the content"
        UNKNOWN = "unknown", "Unknown: awaits an editor's confirmation"
        NOT_RESERVED = "not_reserved", "Not reserved"
        NOT_EXPRESSED = "not_expressed", "Not expressed"

    class Purpose(models.TextChoices):
        """Uses a TDM reservation leaves open (see sources.notice_table)."""

        SEARCH_INDEXING = "search_indexing", "Search indexing"
        ANSWER_RETRIEVAL = "answer_retrieval", "Retrieval to answer questions"
        SCIENTIFIC_RESEARCH = "scientific_research", "Scientific research (DSM Art. 3)"

    # Every status but these withholds the text from mining (the TDM reserved flag).
    RESERVING_STATUSES = frozenset(
        {TdmStatus.RESERVED, TdmStatus.CONDITIONAL, TdmStatus.PARTIAL, TdmStatus.UNKNOWN}
    )

    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="license_terms")
    notice = models.TextField(help_text="The rights notice verbatim, as published.")
    notice_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    tdm_status = models.CharField(
        "TDM status",
        max_length=20,
        choices=TdmStatus.choices,
        default=TdmStatus.NOT_EXPRESSED,
        help_text="What the notice says about text and data mining. Unknown is treated as "
        "reserved until an editor confirms the terms.",
    )
    tdm_reserved = models.BooleanField(
        "TDM reserved",
        default=False,
        editable=False,
        help_text="Derived from the TDM status: whether the text is withheld from mining.",
    )
    tdm_legal_basis = models.CharField(
        "TDM legal basis",
        max_length=200,
        blank=True,
        help_text="e.g. 'DSM Directive Art. 4; Danish Copyright Act §11b'.",
    )
    tdm_expression = models.CharField(
        "TDM reservation expressed as",
        max_length=20,
        choices=TdmExpression.choices,
        default=TdmExpression.NONE,
    )
    tdm_clause = models.TextField(
        "TDM clause",
        blank=True,
        help_text="The sentences of the notice about text and data mining, verbatim.",
    )
    tdm_scope = models.CharField(
        "TDM reservation covers",
        max_length=300,
        blank=True,
        help_text="For a partial reservation: the part of the content it covers, as the "
        "notice words it (e.g. 'Agency material (Ritzau) on this page').",
    )
    permitted_purposes = models.JSONField(
        default=list,
        blank=True,
        help_text="Uses the terms keep open despite a reservation: "
        + ", ".join(Purpose.values)
        + ".",
    )
    notice_language = models.CharField(
        max_length=16, blank=True, help_text="The language the notice is written in, e.g. 'da'."
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When an editor confirmed these terms against the notice.",
    )
    tdm_policy_url = models.URLField(
        "TDM policy URL", max_length=500, blank=True, help_text="Published TDMRep policy, if any."
    )
    tdm_signal_source = models.CharField(
        "machine-readable signal read from",
        max_length=2000,
        blank=True,
        help_text="Where the machine-readable TDM signal was observed: its location and URL.",
    )
    sharing_scope = models.CharField(
        max_length=20, choices=SharingScope.choices, default=SharingScope.PUBLIC
    )
    sharing_clause = models.TextField(
        blank=True, help_text="The sentences of the notice that restrict sharing."
    )
    permitted_uses = models.TextField(
        blank=True, help_text="What the terms allow, in the holder's words or a short summary."
    )
    max_external_quote_chars = models.PositiveIntegerField(
        "longest external quote (characters)",
        default=0,
        help_text="The longest excerpt that may be quoted to outside API consumers; 0 = none.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["holder__name", "pk"]
        verbose_name = "licence terms"
        verbose_name_plural = "licence terms"

    def __str__(self) -> str:
        tdm = "TDM reserved" if self.tdm_reserved else "TDM not reserved"
        return f"{self.holder} — {self.get_sharing_scope_display()}, {tdm}"

    def save(self, *args, **kwargs):
        # Derived columns, like a slug: the notice stays unique however the row is written,
        # and the reserved flag every reader filters on always agrees with the status.
        self.notice_sha256 = sha256_hex(normalise_notice(self.notice))
        self.tdm_reserved = self.tdm_status in self.RESERVING_STATUSES
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = {"notice": "notice_sha256", "tdm_status": "tdm_reserved"}
            kwargs["update_fields"] = {
                *update_fields,
                *(column for source, column in derived.items() if source in update_fields),
            }
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        unknown = set(self.permitted_purposes or []) - set(self.Purpose.values)
        if not isinstance(self.permitted_purposes, list) or unknown:
            raise ValidationError(
                {"permitted_purposes": "Give a list of: " + ", ".join(self.Purpose.values) + "."}
            )

    @property
    def awaits_confirmation(self) -> bool:
        """Whether the importer could not classify the notice and no editor has confirmed it."""
        return self.tdm_status == self.TdmStatus.UNKNOWN and self.confirmed_at is None


def normalise_notice(notice: str) -> str:
    """Collapse whitespace so the same notice hashes the same however it was wrapped."""
    return " ".join(notice.split())


class AgreementQuerySet(models.QuerySet):
    def in_force(self, on=None):
        day = (on or timezone.now()).date()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )


class Agreement(models.Model):
    """What the newsroom's own contract with a holder grants on top of the public terms."""

    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="agreements")
    reference = models.CharField(max_length=200, help_text="Contract name or number.")
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    grants_tdm = models.BooleanField("grants TDM", default=False)
    grants_external_sharing = models.BooleanField(default=False)
    max_external_quote_chars = models.PositiveIntegerField(
        "longest external quote (characters)",
        null=True,
        blank=True,
        help_text="Overrides the terms' limit when set.",
    )
    clause = models.TextField(blank=True, help_text="The contract's wording of these grants.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["holder__name", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder}: {self.reference}"


def embargo_lifted(at=None, *, prefix: str = "", negate: bool = False) -> Q:
    """The condition "under no embargo at `at`" (now) on a document, or on `prefix`'s document.

    The one definition of an embargo's end, for every reader: it has passed when its time is
    at or before the moment asked about (django.utils.timezone.now() by default).
    """
    at = at or timezone.now()
    field = f"{prefix}embargo_until"
    if negate:
        return Q(**{f"{field}__gt": at})
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": at})


# The next language after the last one found, each from the index (Document.Meta.indexes);
# LIMIT stops the recursion, should free text ever fill the column with thousands of values.
LANGUAGES_SKIP_SCAN = """
WITH RECURSIVE found(language) AS (
    (SELECT language FROM sources_document ORDER BY language LIMIT 1)
    UNION ALL
    SELECT (
        SELECT d.language FROM sources_document d
        WHERE d.language > found.language ORDER BY d.language LIMIT 1
    )
    FROM found WHERE found.language IS NOT NULL
)
SELECT language FROM found WHERE language IS NOT NULL LIMIT 500
"""


class DocumentQuerySet(models.QuerySet):
    def with_license(self):
        return self.select_related("publisher", "publication", "license__holder")

    def copies_of(self, document: "Document"):
        """Other documents carrying exactly this document's text (syndicated copies)."""
        return self.filter(body_sha256=document.body_sha256).exclude(pk=document.pk)

    def languages(self) -> list[str]:
        """Return the distinct non-blank languages of these documents, in order.

        For the whole table on PostgreSQL, a skip scan of the language index: one index probe
        per language, however many documents (a DISTINCT reads every row: 27 ms at 20,000
        documents, growing with them). Filtered, or elsewhere, the plain DISTINCT.
        """
        if connections[self.db].vendor == "postgresql" and not self.query.where:
            with connections[self.db].cursor() as cursor:
                cursor.execute(LANGUAGES_SKIP_SCAN)
                return [language for (language,) in cursor.fetchall() if language]
        rows = self.exclude(language="").order_by("language").values_list("language", flat=True)
        return list(rows.distinct())

    def under_embargo(self, at=None):
        """Documents whose embargo has not passed at `at` (now): nothing of them goes outside."""
        return self.filter(embargo_lifted(at, negate=True))

    def released(self, at=None):
        """Documents under no embargo at `at` (now): none set, or it has passed."""
        return self.filter(embargo_lifted(at))

    def same_text_from(self, *, body: str, publisher, publication=None):
        """The documents of this publisher (and publication) whose body is exactly `body`."""
        return self.filter(body_sha256=sha256_hex(body), publisher=publisher).filter(
            Q(publication=publication) if publication is not None else Q(publication__isnull=True)
        )


class Document(models.Model):
    """One published piece as the newsroom received it, with its normalised body."""

    class ObtainedVia(models.TextChoices):
        IMPORT_COMMAND = "import_command", "Import command"
        ADMIN_PASTE = "admin_paste", "Pasted in the admin"
        API = "api", "API"
        DEMO = "demo", "Demo data"
        FEED = "feed", "Feed"
        OTHER = "other", "Other"

    publisher = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="published_documents"
    )
    publication = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="publication_documents",
        null=True,
        blank=True,
    )
    agency_credit = models.CharField(
        max_length=100, blank=True, help_text="Agency credit line such as 'ritzau'."
    )
    url = models.URLField("URL", max_length=2000, blank=True)
    headline = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True, help_text="BCP 47 code, e.g. 'en'.")
    body = models.TextField(help_text="Normalised text: paragraphs separated by blank lines.")
    raw_text = models.TextField(help_text="The text exactly as received.")
    body_sha256 = models.CharField(
        "body sha256",
        max_length=64,
        db_index=True,
        editable=False,
        help_text="The text's hash: documents sharing it are copies of one text (wire copy).",
    )
    is_excerpt = models.BooleanField(
        default=False, help_text="The body holds only excerpts of the published piece."
    )
    obtained_at = models.DateTimeField(default=timezone.now)
    obtained_via = models.CharField(
        max_length=20, choices=ObtainedVia.choices, default=ObtainedVia.OTHER
    )
    license = models.ForeignKey(
        LicenseTerms,
        verbose_name="licence terms",
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
    )
    license_override = models.TextField(
        "why another holder's terms apply",
        blank=True,
        help_text="Licence terms belong to the document's publisher, publication or their "
        "group. To attach another holder's terms (e.g. a syndication partner's), say why; the "
        "reason is kept with the document.",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When its sender withdrew it (a kill notice): nothing of it goes outside.",
    )
    withdrawn_reason = models.CharField(max_length=500, blank=True, editable=False)
    embargo_until = models.DateTimeField(
        "under embargo until",
        null=True,
        blank=True,
        db_index=True,
        help_text="Until this time nothing of the document reaches consumers or public pages: "
        "not its quotes, headline, metadata or existence. Empty: no embargo.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["published_at"]),
            # The API's cursor order: a consumer page walks it, testing visibility row by row.
            models.Index(fields=["updated_at", "id"], name="document_updated_id_idx"),
            # The admin's language filter lists the languages by skipping through this index
            # (DocumentQuerySet.languages).
            models.Index(fields=["language"], name="document_language_idx"),
        ]
        constraints = [
            # One document per text and title: the same agency story in two titles is two
            # documents (copies sharing body_sha256), in one title twice is one.
            models.UniqueConstraint(
                fields=["publisher", "publication", "body_sha256"],
                condition=Q(publication__isnull=False),
                name="document_one_text_per_publication",
            ),
            models.UniqueConstraint(
                fields=["publisher", "body_sha256"],
                condition=Q(publication__isnull=True),
                name="document_one_text_per_publisher",
            ),
        ]

    def __str__(self) -> str:
        # Without a headline, the opening words say which document it is better than a number.
        return self.headline or propose_headline(self.body, max_chars=60) or f"Document {self.pk}"

    def save(self, *args, **kwargs):
        # A derived column: the hash always describes the body actually stored.
        self.body_sha256 = sha256_hex(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_sha256"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if (
            self.license_id is not None
            and self.publisher_id is not None
            and self.license.holder_id not in self.rights_holders()
            and not self.license_override.strip()
        ):
            raise ValidationError(
                {
                    "license": f"These are {self.license.holder}'s terms, but the document is "
                    f"published by {self.publisher}"
                    + (f" ({self.publication})" if self.publication_id else "")
                    + ". Choose terms of its publisher, publication or their group, or say "
                    "below why another holder's terms apply."
                }
            )

    def rights_holders(self) -> set[int]:
        """The organizations whose terms can govern this document: its publisher, its
        publication, and the groups they belong to."""
        holders = {self.publisher_id, self.publication_id}
        for organization in (self.publisher, self.publication):
            if organization is not None:
                holders.add(organization.parent_id)
        return holders - {None}

    def is_under_embargo(self, at=None) -> bool:
        """Whether the document's embargo has not passed at `at` (now); see embargo_lifted()."""
        return self.embargo_until is not None and self.embargo_until > (at or timezone.now())

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p]


class DocumentCredit(models.Model):
    """An agency credited in a document's text: "SEATTLE (AP) —", "/ritzau/", "according to
    Reuters", "Some information for this report was provided by AP, AFP and Reuters".

    `start`/`end` are offsets into `document.raw_text` (the text as received, which keeps
    credit lines the normalised body drops); both are 0 when the place is not known.
    """

    class Shape(models.TextChoices):
        DATELINE = "dateline", "Dateline"
        PARENTHETICAL = "parenthetical", "Credit in parentheses"
        ACCORDING_TO = "according_to", "In-text attribution"
        AGENCY_LINE = "agency_line", "Agency line"
        CLOSING_LINE = "closing_line", "Closing credit line"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="credits")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="document_credits"
    )
    shape = models.CharField(max_length=20, choices=Shape.choices)
    text = models.CharField(max_length=500, help_text="The credit as written.")
    start = models.PositiveIntegerField(default=0)
    end = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organization", "shape", "start"],
                name="documentcredit_once_per_place",
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="documentcredit_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_shape_display().lower()}: {self.text})"


class Feed(models.Model):
    """An agency or outlet feed the newsroom ingests: a URL polled on a schedule, or an upload."""

    class Format(models.TextChoices):
        DETECT = "", "Detect from the content"
        RSS = "rss", "RSS"
        ATOM = "atom", "Atom"
        NEWSML = "newsml", "NewsML-G2"
        NINJS = "ninjs", "ninjs (IPTC JSON)"

    name = models.CharField(max_length=200, unique=True)
    url = models.URLField("URL", max_length=2000, blank=True)
    upload = models.BinaryField(
        blank=True, editable=False, help_text="An uploaded feed file, used when there is no URL."
    )
    publisher = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="feeds")
    format = models.CharField(max_length=10, choices=Format.choices, blank=True)  # noqa: DJ001
    poll_minutes = models.PositiveIntegerField(
        default=0, help_text="Poll every this many minutes; 0 polls only when run by hand."
    )
    active = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | Q(poll_minutes=0), name="feed_polls_only_a_url"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IngestRun(models.Model):
    """One run over a feed: what it saw, created, updated, left unchanged and failed, and why."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    feed = models.ForeignKey(
        Feed, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    source = models.CharField(max_length=2000, help_text="The file or URL read.")
    publisher = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    task_id = models.CharField(max_length=100, blank=True, db_index=True)
    seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    embargoed = models.PositiveIntegerField(
        default=0,
        help_text="Items created under an embargo that had not passed (also counted as created).",
    )
    failed = models.PositiveIntegerField(default=0)
    failures = models.JSONField(
        default=list, blank=True, help_text="One line per failed item: its id and why."
    )
    notes = models.JSONField(
        default=list, blank=True, help_text="Items embargoed or skipped, and why."
    )
    error = models.TextField(blank=True, help_text="Why the whole run failed, if it did.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} at {self.started_at:%Y-%m-%d %H:%M}"


class FeedEntry(models.Model):
    """An item a publisher's feed delivered, by its id: what makes re-ingesting idempotent."""

    class Status(models.TextChoices):
        USABLE = "usable", "Usable"
        WITHDRAWN = "withdrawn", "Withdrawn by the sender"

    publisher = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    guid = models.CharField("item id", max_length=500)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.USABLE)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="feed_entries")
    last_run = models.ForeignKey(
        IngestRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "feed entries"
        constraints = [
            models.UniqueConstraint(fields=["publisher", "guid"], name="feed_entry_once_per_id"),
        ]

    def __str__(self) -> str:
        return f"{self.guid} (v{self.version})"


# Machine-readable rights signals (TDMRep) ------------------------------------------------------


class SignalLocation(models.TextChoices):
    """Where a machine-readable TDM signal was read, in TDMRep's processing order (robots last:
    it is not a TDM reservation, only shown to the editor)."""

    TDMREP_JSON = "tdmrep_json", "/.well-known/tdmrep.json"
    HEADER = "header", "HTTP header"
    HTML_META = "html_meta", "HTML meta"
    EPUB_PDF = "epub_pdf", "EPUB/PDF metadata"
    ROBOTS_TXT = "robots_txt", "robots.txt (informative)"


class TdmPolicy(models.Model):
    """A TDMRep policy (an ODRL Offer in JSON-LD) a signal's `tdm-policy` points to, read at
    record time and stored so that `decide()` never fetches."""

    url = models.URLField("policy URL", max_length=2000, unique=True)
    document = models.JSONField(
        null=True, blank=True, help_text="The policy as read; empty when it could not be read."
    )
    problem = models.CharField(
        max_length=500, blank=True, help_text="Why the policy could not be read, if it could not."
    )
    source = models.CharField(max_length=2000, help_text="The file or URL it was read from.")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["url"]
        verbose_name = "TDM policy"
        verbose_name_plural = "TDM policies"

    def __str__(self) -> str:
        return self.url


class SitePolicy(models.Model):
    """What a publisher's site says about text and data mining in machine-readable form: the
    signals observed on one host, each with where and when it was read."""

    publisher = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="site_policies"
    )
    host = models.CharField(
        max_length=255,
        unique=True,
        help_text="The site's host name, e.g. 'www.example.com'; documents at URLs on it are "
        "governed by its signals.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["publisher__name", "host"]
        verbose_name = "site policy"
        verbose_name_plural = "site policies"

    def __str__(self) -> str:
        return f"{self.publisher}: {self.host}"


class SiteSignalQuerySet(models.QuerySet):
    def current(self):
        """Signals no later observation of the same location and scope has replaced."""
        return self.filter(superseded_at__isnull=True)

    def for_hosts(self, hosts):
        """The current signals of the sites on these hosts, with their policies: one query."""
        return (
            self.current()
            .filter(site__host__in=set(hosts))
            .select_related("site", "tdm_policy")
            .order_by("site_id", "location", "position", "pk")
        )


class SiteSignal(models.Model):
    """One observed machine-readable signal: a tdmrep.json rule, an HTTP header pair, an HTML
    meta pair, EPUB/PDF metadata, or a robots.txt rule for an AI crawler (informative only)."""

    site = models.ForeignKey(SitePolicy, on_delete=models.CASCADE, related_name="signals")
    location = models.CharField(max_length=20, choices=SignalLocation.choices)
    pattern = models.CharField(
        max_length=2000,
        blank=True,
        help_text="tdmrep.json: the rule's location pattern; robots.txt: the disallowed path.",
    )
    position = models.PositiveIntegerField(
        default=0, help_text="The rule's place in its file (the first match wins)."
    )
    resource_url = models.URLField(
        "resource URL",
        max_length=2000,
        blank=True,
        help_text="The resource a header, meta or EPUB/PDF signal was read on.",
    )
    reservation = models.PositiveSmallIntegerField(
        "tdm-reservation",
        null=True,
        blank=True,
        choices=[(0, "0: not reserved"), (1, "1: reserved")],
        help_text="Empty when the signal states none (robots.txt, or only a policy).",
    )
    tdm_policy_url = models.URLField("tdm-policy", max_length=2000, blank=True)
    tdm_policy = models.ForeignKey(
        TdmPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="signals"
    )
    user_agent = models.CharField(max_length=200, blank=True, help_text="robots.txt only.")
    source = models.CharField(max_length=2000, help_text="The URL or file it was read from.")
    observed_at = models.DateTimeField(default=timezone.now)
    raw = models.TextField(blank=True, help_text="The value as found.")
    superseded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a later observation of the same location and scope replaced it.",
    )

    objects = SiteSignalQuerySet.as_manager()

    class Meta:
        ordering = ["site", "location", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reservation__isnull=True) | Q(reservation__in=[0, 1]),
                name="sitesignal_reservation_0_or_1",
            ),
        ]

    def __str__(self) -> str:
        scope = self.pattern or self.resource_url
        value = "" if self.reservation is None else f" tdm-reservation={self.reservation}"
        return f"{self.get_location_display()} {scope}{value}".strip()
