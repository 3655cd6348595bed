"""What outside consumers may see: only what concluded claims rest on, and nothing embargoed.

Staff see everything. Everyone else sees the concluded claims and the documents, people,
organizations and licence terms reachable from them, so work in progress (a document quoted
only by an unverified claim, a person named only there) never leaves the building. A document
whose embargo has not passed (`Document.embargo_until`, judged against
django.utils.timezone.now()) is not reachable at all: not its quotes, headline, metadata or
existence. A claim resting only on embargoed documents is out of every consumer list; a claim
with other appearances shows only those (`appearances_visible_to`, used by
`Claim.objects.with_provenance()`).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from claims.models import CONCLUDED, Appearance, Attribution, Claim, ExternalCheck
from sources.licensing import is_inside
from sources.models import (
    Affiliation,
    Document,
    LicenseTerms,
    Organization,
    Person,
    embargo_lifted,
)


def appearances_visible_to(user, queryset: QuerySet | None = None, *, at=None) -> QuerySet:
    """Appearances a user may see: outside the newsroom, none on a document under embargo
    at `at` (now)."""
    queryset = Appearance.objects.all() if queryset is None else queryset
    if is_inside(user):
        return queryset
    return queryset.filter(embargo_lifted(at, prefix="document__"))


def external_checks_visible_to(user, queryset: QuerySet | None = None, *, at=None) -> QuerySet:
    """External checks a user may see: outside, none reported by a document under embargo at
    `at` (now)."""
    queryset = ExternalCheck.objects.all() if queryset is None else queryset
    if is_inside(user):
        return queryset
    return queryset.filter(Q(document__isnull=True) | embargo_lifted(at, prefix="document__"))


def claims_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Claims a user may see: staff all; everyone else concluded claims not resting only on
    embargoed documents (a claim with no appearance rests on none)."""
    queryset = Claim.objects.all() if queryset is None else queryset
    if is_inside(user):
        return queryset
    appears = Appearance.objects.filter(claim=OuterRef("pk"))
    return queryset.filter(status__in=CONCLUDED).filter(
        Exists(appears.filter(embargo_lifted(prefix="document__"))) | ~Exists(appears)
    )


def _published_checks() -> QuerySet:
    return ExternalCheck.objects.filter(claim__status__in=CONCLUDED).filter(
        Q(document__isnull=True) | embargo_lifted(prefix="document__")
    )


def _published_documents() -> QuerySet:
    appears = Appearance.objects.filter(document=OuterRef("pk"), claim__status__in=CONCLUDED)
    reports = ExternalCheck.objects.filter(document=OuterRef("pk"), claim__status__in=CONCLUDED)
    return Document.objects.released().filter(Exists(appears) | Exists(reports))


def documents_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Document.objects.all() if queryset is None else queryset
    if is_inside(user):
        return queryset
    return queryset.filter(pk__in=_published_documents().values("pk"))


def people_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Person.objects.all() if queryset is None else queryset
    if is_inside(user):
        return queryset
    named = Attribution.objects.filter(
        embargo_lifted(prefix="appearance__document__"),
        person=OuterRef("pk"),
        appearance__claim__status__in=CONCLUDED,
    )
    return queryset.filter(Exists(named))


def organizations_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Organization.objects.all() if queryset is None else queryset
    if is_inside(user):
        return queryset
    documents = _published_documents()
    in_chain = Attribution.objects.filter(
        embargo_lifted(prefix="appearance__document__"),
        organization=OuterRef("pk"),
        appearance__claim__status__in=CONCLUDED,
    )
    checked = _published_checks().filter(organization=OuterRef("pk"))
    published = documents.filter(Q(publisher=OuterRef("pk")) | Q(publication=OuterRef("pk")))
    holds = documents.filter(license__holder=OuterRef("pk"))
    employs = Affiliation.objects.filter(
        organization=OuterRef("pk"), person__in=people_visible_to(user)
    )
    return queryset.filter(
        Exists(in_chain) | Exists(checked) | Exists(published) | Exists(holds) | Exists(employs)
    )


def licenses_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = LicenseTerms.objects.all() if queryset is None else queryset
    if is_inside(user):
        return queryset
    return queryset.filter(Exists(_published_documents().filter(license=OuterRef("pk"))))
