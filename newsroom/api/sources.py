"""Sources over the API: read for staff and consumers; documents imported by staff.

What consumers may see of sources follows concluded claims (claims.visibility).
"""

from django.http import JsonResponse
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from claims.visibility import (
    documents_visible_to,
    licenses_visible_to,
    organizations_visible_to,
    people_visible_to,
)
from newsroom.api.base import ConditionalGetMixin, DisclosureMixin
from newsroom.api.source_serializers import (
    DocumentImportSerializer,
    DocumentSerializer,
    LicenseTermsSerializer,
    OrganizationSerializer,
    PersonSerializer,
)
from sources import licensing
from sources.ingest import IngestError, document_import
from sources.models import Document, LicenseTerms, Person
from sources.odrl import newsroom_tdm_policy, odrl_policy, tdmrep_wellknown


class ReadOnlyResource(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class OrganizationViewSet(ReadOnlyResource):
    serializer_class = OrganizationSerializer

    def get_queryset(self):
        return organizations_visible_to(self.request.user)


class PersonViewSet(ReadOnlyResource):
    serializer_class = PersonSerializer

    def get_queryset(self):
        return people_visible_to(
            self.request.user, Person.objects.prefetch_related("affiliation_set__organization")
        )


class LicenseTermsViewSet(ReadOnlyResource):
    serializer_class = LicenseTermsSerializer

    def get_queryset(self):
        return licenses_visible_to(self.request.user, LicenseTerms.objects.select_related("holder"))

    @action(detail=True, methods=["get"])
    def odrl(self, request, pk=None, format=None):  # noqa: A002 - DRF passes the `.json` suffix
        """The terms as an ODRL policy (JSON-LD), TDM reservation in the TDMRep vocabulary."""
        terms = self.get_object()
        policy = odrl_policy(
            terms,
            build_url=request.build_absolute_uri,
            agreement=licensing.agreement_for(terms),
        )
        return Response(policy, content_type="application/ld+json")


class DocumentViewSet(DisclosureMixin, ReadOnlyResource, mixins.CreateModelMixin):
    """Documents the caller may see; the body only where its licence lets the caller have it."""

    serializer_class = DocumentSerializer

    def get_queryset(self):
        return documents_visible_to(
            self.request.user,
            Document.objects.with_license().select_related("license__holder__parent"),
        )

    def serialize(self, documents, *, many: bool):
        documents_served = list(documents) if many else [documents]
        disclosure = licensing.Disclosure(
            audience=licensing.audience_for(self.request.user),
            documents=documents_served,
            full_text=documents_served,
        )
        context = self.disclosure_context(disclosure)
        return DocumentSerializer(documents, many=many, context=context).data, disclosure

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data, disclosure = self.serialize(page, many=True)
        return self.disclosed(self.get_paginated_response(data), disclosure)

    def retrieve(self, request, *args, **kwargs):
        document = self.get_object()
        data, disclosure = self.serialize(document, many=False)
        self.last_modified = disclosure.last_modified
        return self.disclosed(Response(data), disclosure)

    @extend_schema(request=DocumentImportSerializer, responses={201: DocumentSerializer})
    def create(self, request, *args, **kwargs):
        """Import a document through the importer (as `import_document` does)."""
        payload = DocumentImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            result = document_import(
                raw=data["text"],
                publisher=data["publisher"],
                publication=data.get("publication", ""),
                url=data.get("url", ""),
                headline=data.get("headline", ""),
                published_at=data.get("published_at"),
                language=data.get("language", ""),
                is_excerpt=data["is_excerpt"],
                embargo_until=data.get("embargo_until"),
                obtained_via=Document.ObtainedVia.API,
                user=request.user,
            )
        except IngestError as error:
            raise ValidationError({"text": [str(error)]}) from error
        document = self.get_queryset().get(pk=result.document.pk)
        body, disclosure = self.serialize(document, many=False)
        body = {**body, "created": result.created, "warnings": result.warnings}
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return self.disclosed(Response(body, status=code), disclosure)


@require_safe
def tdmrep_wellknown_view(request):
    """/.well-known/tdmrep.json: the TDM reservation rules for the newsroom's own paths."""
    return JsonResponse(tdmrep_wellknown(build_url=request.build_absolute_uri), safe=False)


@require_safe
def newsroom_tdm_policy_view(request):
    """The newsroom's own TDMRep policy, which /.well-known/tdmrep.json points to."""
    return JsonResponse(
        newsroom_tdm_policy(build_url=request.build_absolute_uri),
        content_type="application/ld+json",
    )
