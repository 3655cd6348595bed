"""Claims over the API: reads scoped to what the caller may see, writes through the services."""

from __future__ import annotations

from contextlib import nullcontext

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import filters, generics, mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.reverse import reverse

from claims import recording, workflow
from claims.claimreview import claimreview, claimreview_feed
from claims.disclosure import (
    claim_documents,
    disclosure_for,
    served_last_modified,
    served_last_modified_at,
)
from claims.models import Appearance, Claim
from claims.prov import provenance_json
from claims.watermark import latest_change
from newsroom.api.base import ConditionalGetMixin, DisclosureMixin, FastJSONRenderer
from newsroom.api.claim_rows import claims_data, page_values
from newsroom.api.claim_serializers import (
    AppearanceWriteSerializer,
    ChainWriteSerializer,
    ClaimEditSerializer,
    ClaimSerializer,
    ClaimWriteSerializer,
    ExternalCheckWriteSerializer,
    RelationWriteSerializer,
    TransitionSerializer,
)
from newsroom.api.filters import ClaimFilter
from newsroom.postgresql import prepared_statements
from sources import licensing

URL_SAMPLE_PK = 987654321
# The query parameters of a list or detail whose statements are prepared (ClaimViewSet.prepared).
UNFILTERED_PARAMETERS = {"page_size", "cursor", "format"}


def list_last_modified(user):
    """The latest change any list could show this caller, without revealing hidden work.

    Scoped to what the caller may see: an outside consumer's lists do not move when staff
    import a document no published claim rests on, or change terms nobody outside sees. Read
    from the watermark the writes keep (claims/watermark.py): one indexed lookup.
    """
    return latest_change(licensing.audience_for(user))


class ClaimDisclosureMixin(DisclosureMixin):
    """One disclosure per response about claims, for the caller's audience."""

    def disclosure_for(self, claims) -> licensing.Disclosure:
        return disclosure_for(claims, licensing.audience_for(self.request.user))


class JsonLdRenderer(renderers.JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class ProvJsonRenderer(renderers.JSONRenderer):
    media_type = "application/json"
    format = "provjson"


def concluded_or_404(claim: Claim) -> Claim:
    if not claim.is_concluded:
        raise Http404("Only concluded claims have a review.")
    return claim


class ClaimExportsMixin:
    """Standard exports of a claim: schema.org ClaimReview and W3C PROV-JSON."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], renderer_classes=[JsonLdRenderer])
    def claimreview(self, request, pk=None, format=None):  # noqa: A002 - DRF passes the `.json` suffix
        """schema.org ClaimReview (JSON-LD) of a concluded claim."""
        claim = concluded_or_404(self.get_object())
        # A ClaimReview carries the newsroom's own words and its documents' metadata, no
        # licensed text: its date follows the claim and the documents it names.
        documents = licensing.Disclosure(
            audience=licensing.Audience.EXTERNAL, documents=claim_documents([claim]), agreements={}
        )
        self.last_modified = served_last_modified([claim], documents)
        return Response(claimreview(claim, build_url=request.build_absolute_uri))

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], renderer_classes=[ProvJsonRenderer])
    def provenance(self, request, pk=None, format=None):  # noqa: A002 - DRF passes the `.json` suffix
        """The claim's provenance graph as W3C PROV-JSON."""
        claim = self.get_object()
        disclosure = self.disclosure_for([claim])
        self.last_modified = served_last_modified([claim], disclosure)
        response = Response(
            provenance_json(claim, build_url=request.build_absolute_uri, disclosure=disclosure)
        )
        return self.disclosed(response, disclosure)


class ClaimViewSet(
    ConditionalGetMixin,
    ClaimExportsMixin,
    ClaimDisclosureMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Claims with their provenance. API consumers see concluded claims only; staff see all."""

    serializer_class = ClaimSerializer
    renderer_classes = [FastJSONRenderer, renderers.BrowsableAPIRenderer]
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = ClaimFilter
    ordering_fields = ["updated_at", "created_at", "independent_origins", "id"]
    ordering = ["-updated_at", "-id"]
    # Set per action below; None means the model permissions for the HTTP method.
    required_write_permissions = None
    # List and detail as JSON come from plain rows; False serves them through ClaimSerializer,
    # the reference the contract test compares the rows with.
    read_rows = True

    def get_queryset(self):
        user = self.request.user
        return Claim.objects.visible_to(user).with_provenance(user)

    def serialize(self, claims, *, many: bool):
        disclosure = self.disclosure_for(claims if many else [claims])
        context = self.disclosure_context(disclosure)
        return ClaimSerializer(claims, many=many, context=context).data, disclosure

    def reads_rows(self) -> bool:
        """Serve JSON from plain rows (claim_rows.py); the browsable API keeps the serializer."""
        return self.read_rows and isinstance(self.request.accepted_renderer, renderers.JSONRenderer)

    def rows_data(self, rows: list[dict]) -> tuple[list[dict], licensing.Disclosure]:
        request = self.request
        # One reverse for the page: every claim's address differs only in its id.
        sample = reverse(
            "api:claim-detail",
            kwargs={"pk": URL_SAMPLE_PK},
            request=request,
            format=self.format_kwarg,
        )
        head, tail = sample.rsplit(str(URL_SAMPLE_PK), 1)
        return claims_data(
            rows,
            audience=licensing.audience_for(request.user),
            claim_url=lambda pk: f"{head}{pk}{tail}",
        )

    def prepared(self):
        """Prepared statements for the rows path without filters (newsroom/postgresql): its
        statements walk the (updated_at, id) index or look rows up by key, whatever the
        values. A filter's best plan may depend on its value, so filtered pages plan anew."""
        unfiltered = set(self.request.query_params) <= UNFILTERED_PARAMETERS
        return prepared_statements() if unfiltered and self.reads_rows() else nullcontext()

    def list(self, request, *args, **kwargs):
        with self.prepared():
            if self.reads_rows():
                claims = self.filter_queryset(Claim.objects.visible_to(request.user))
                audience = licensing.audience_for(request.user)
                page = self.paginate_queryset(page_values(claims, audience))
                data, disclosure = self.rows_data(page)
            else:
                page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
                data, disclosure = self.serialize(page, many=True)
            # A claim can leave a page (reopened, deleted), so the page's own dates are not
            # enough.
            self.last_modified = list_last_modified(request.user)
        return self.disclosed(self.get_paginated_response(data), disclosure)

    def retrieve(self, request, *args, **kwargs):
        if self.reads_rows():
            with self.prepared():
                claims = self.filter_queryset(Claim.objects.visible_to(request.user))
                rows = page_values(claims, licensing.audience_for(request.user))
                row = get_object_or_404(rows, pk=self.kwargs["pk"])
                self.check_object_permissions(request, row)
                [data], disclosure = self.rows_data([row])
            self.last_modified = served_last_modified_at([row["updated_at"]], disclosure)
        else:
            claim = self.get_object()
            data, disclosure = self.serialize(claim, many=False)
            self.last_modified = served_last_modified([claim], disclosure)
        return self.disclosed(Response(data), disclosure)

    def fresh(self, pk) -> Response:
        claim = self.get_queryset().get(pk=pk)
        data, disclosure = self.serialize(claim, many=False)
        return self.disclosed(Response(data), disclosure)

    @extend_schema(request=ClaimWriteSerializer, responses={201: ClaimSerializer})
    def create(self, request, *args, **kwargs):
        payload = ClaimWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        with prepared_statements():  # recording: inserts, and lookups and locks by key
            claim = recording.claim_create(
                text=data["text"],
                summary=data.get("summary", ""),
                topic_names=data.get("topics", []),
                user=request.user,
            )
        response = self.fresh(claim.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        request=ClaimEditSerializer,
        responses={
            200: ClaimSerializer,
            400: OpenApiResponse(description="Invalid input, expected_revision missing"),
            409: OpenApiResponse(description="Stale revision: reload and try again"),
        },
    )
    def partial_update(self, request, *args, **kwargs):
        claim = self.get_object()
        # Not `partial`: every field is optional but expected_revision, which must be given.
        payload = ClaimEditSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        recording.claim_update(
            claim=claim,
            text=data.get("text"),
            summary=data.get("summary"),
            topic_names=data.get("topics"),
            user=request.user,
            expected_revision=data["expected_revision"],
        )
        return self.fresh(claim.pk)

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: ClaimSerializer,
            400: OpenApiResponse(description="Move not allowed, or rationale/evidence missing"),
            403: OpenApiResponse(description="No permission for this move"),
            409: OpenApiResponse(description="Stale version: reload and try again"),
        },
    )
    @action(detail=True, methods=["post"], required_write_permissions=[])
    def transitions(self, request, pk=None, format=None):  # noqa: A002 - DRF passes the `.json` suffix
        """Move the claim through the verification workflow (the workflow checks permissions)."""
        claim = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        workflow.claim_transition(
            claim=claim,
            to=data["to"],
            actor=request.user,
            expected_version=data["expected_version"],
            expected_revision=data.get("expected_revision"),
            rationale=data["rationale"],
            evidence=[workflow.Evidence.from_dict(item) for item in data["evidence"]],
            assignee=data.get("assignee"),
            due_date=data.get("due_date"),
        )
        return self.fresh(claim.pk)

    @extend_schema(request=AppearanceWriteSerializer, responses={201: ClaimSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="appearances",
        required_write_permissions=["claims.add_appearance"],
    )
    def add_appearance(self, request, pk=None, format=None):  # noqa: A002 - DRF passes the `.json` suffix
        """Record where the claim appears: a document and the exact quote."""
        claim = self.get_object()
        payload = AppearanceWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        with prepared_statements():
            recording.appearance_create(
                claim=claim,
                document=data["document"],
                exact=data["exact"],
                prefix=data.get("prefix", ""),
                suffix=data.get("suffix", ""),
                start=data.get("start"),
                user=request.user,
            )
        response = self.fresh(claim.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=ChainWriteSerializer, responses={200: ClaimSerializer})
    @action(
        detail=True,
        methods=["put"],
        url_path=r"appearances/(?P<appearance_id>\d+)/chain",
        required_write_permissions=["claims.add_attribution", "claims.change_attribution"],
    )
    def chain(self, request, pk=None, appearance_id=None, format=None):  # noqa: A002
        """Replace an appearance's attribution chain, origin first."""
        claim = self.get_object()
        appearance = get_object_or_404(Appearance, pk=appearance_id, claim=claim)
        payload = ChainWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        links = [recording.ChainLink(**link) for link in payload.validated_data["links"]]
        with prepared_statements():
            recording.chain_set(appearance=appearance, links=links)
        return self.fresh(claim.pk)

    @extend_schema(request=ExternalCheckWriteSerializer, responses={201: ClaimSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="external-checks",
        required_write_permissions=["claims.add_externalcheck"],
    )
    def add_external_check(self, request, pk=None, format=None):  # noqa: A002 - DRF passes the `.json` suffix
        """Record a third party's reported verification attempt."""
        claim = self.get_object()
        payload = ExternalCheckWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        recording.external_check_record(
            claim=claim,
            organization=data["organization"],
            outcome=data["outcome"],
            document=data.get("document"),
            exact=data.get("exact", ""),
            prefix=data.get("prefix", ""),
            suffix=data.get("suffix", ""),
            checked_at=data.get("checked_at"),
            user=request.user,
        )
        response = self.fresh(claim.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=RelationWriteSerializer, responses={201: ClaimSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="relations",
        required_write_permissions=["claims.add_claimrelation"],
    )
    def add_relation(self, request, pk=None, format=None):  # noqa: A002 - DRF passes the `.json` suffix
        """Record how this claim relates to another."""
        claim = self.get_object()
        payload = RelationWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        recording.relation_record(
            from_claim=claim,
            to_claim=data["to_claim"],
            kind=data["kind"],
            reason=data["reason"],
            user=request.user,
        )
        response = self.fresh(claim.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


class ClaimReviewFeedView(ConditionalGetMixin, generics.GenericAPIView):
    """A feed of ClaimReviews for concluded claims, newest change first, cursor-paged."""

    renderer_classes = [JsonLdRenderer]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ClaimFilter

    def get_queryset(self):
        return Claim.objects.published().with_provenance()

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self.last_modified = list_last_modified(request.user)
        response = Response(claimreview_feed(page, build_url=request.build_absolute_uri))
        next_link = self.paginator.get_next_link()
        if next_link:
            response["Link"] = f'<{next_link}>; rel="next"'
        return response
