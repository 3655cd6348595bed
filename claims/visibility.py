"""What outside consumers may see of the sources: only what concluded claims rest on.

Staff see everything. Everyone else sees the documents, people, organizations and licence
terms reachable from concluded claims, so work in progress (a document quoted only by an
unverified claim, a person named only there) never leaves the building.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from claims.models import CONCLUDED, Appearance, Attribution, ExternalCheck
from sources.licensing import is_inside
from sources.models import Affiliation, Document, LicenseTerms, Organization, Person


def _published_documents() -> QuerySet:
    appears = Appearance.objects.filter(document=OuterRef("pk"), claim__status__in=CONCLUDED)
    reports = ExternalCheck.objects.filter(document=OuterRef("pk"), claim__status__in=CONCLUDED)
    return Document.objects.filter(Exists(appears) | Exists(reports))


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
        person=OuterRef("pk"), appearance__claim__status__in=CONCLUDED
    )
    return queryset.filter(Exists(named))


def organizations_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Organization.objects.all() if queryset is None else queryset
    if is_inside(user):
        return queryset
    documents = _published_documents()
    in_chain = Attribution.objects.filter(
        organization=OuterRef("pk"), appearance__claim__status__in=CONCLUDED
    )
    checked = ExternalCheck.objects.filter(organization=OuterRef("pk"), claim__status__in=CONCLUDED)
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
