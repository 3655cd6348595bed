"""Serializers for claims: they shape data and validate input; services make the changes.

Quotes go out as the response's `Disclosure` (context["disclosure"], built once by the view
with `claims.disclosure.disclosure_for`) allows: where the licence or its quote budget does not
let this caller have a text, it is null and `withheld` names the budget or clause. Serializers
only read the disclosure; they keep no state.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.disclosure import check_key, context_key, evidence_for, quote_key, rationale_for
from claims.models import (
    CONCLUDED,
    Appearance,
    Attribution,
    Claim,
    ClaimRelation,
    ClaimStatus,
    ExternalCheck,
    VerificationEvent,
)
from claims.recording import MAX_CHAIN_LINKS
from newsroom.api.claim_rows import document_ref
from sources.agents import AGENT_FIELDS, AgentKind
from sources.licensing import Audience
from sources.models import AnonymousSource, Document, Organization, Person


def released(context: dict, key: tuple, text: str) -> tuple[str | None, str | None]:
    """Return (text, None) if the response's disclosure lets `text` out, else (None, why)."""
    if not text:
        return text, None
    release = context["disclosure"].excerpt(key)
    return (text, None) if release else (None, release.withheld)


def reference(model, **kwargs) -> serializers.PrimaryKeyRelatedField:
    """An id of a `model` row, resolved by DRF; a missing one is a 400 naming the field.

    Writes are for staff, who may see every row; the queryset is where a narrower scope goes.
    """
    name = model._meta.verbose_name
    return serializers.PrimaryKeyRelatedField(
        queryset=model._default_manager.all(),
        error_messages={
            "does_not_exist": f"No {name} with id {{pk_value}}.",
            "incorrect_type": "Give an id (an integer).",
        },
        **kwargs,
    )


class AgentSerializer(serializers.Serializer):
    """A person, organization or anonymous source; never a confidential identity."""

    type = serializers.ChoiceField(choices=AgentKind.values)
    id = serializers.IntegerField()
    name = serializers.CharField(required=False)
    kind = serializers.CharField(required=False, help_text="Organizations only.")
    description = serializers.CharField(required=False)
    affiliations = serializers.ListField(child=serializers.DictField(), required=False)
    count_text = serializers.CharField(required=False, help_text="Anonymous: count as written.")
    count = serializers.IntegerField(required=False, allow_null=True)
    anonymity_reason = serializers.CharField(required=False)

    def to_representation(self, link: Attribution) -> dict:
        kind, agent = link.agent_kind, link.agent
        shape = {"type": kind.value, "id": agent.pk}
        if kind == AgentKind.PERSON:
            affiliations = [
                {
                    "organization": a.organization.name,
                    "organization_id": a.organization_id,
                    "role": a.role,
                }
                for a in agent.affiliation_set.all()
            ]
            return shape | {
                "name": agent.name,
                "description": agent.description,
                "affiliations": affiliations,
            }
        if kind == AgentKind.ORGANIZATION:
            return shape | {"name": agent.name, "kind": agent.kind}
        return shape | {
            "description": agent.description,
            "count_text": agent.count_text,
            "count": agent.count,
            "anonymity_reason": agent.anonymity_reason,
        }


class ChainLinkSerializer(serializers.ModelSerializer):
    agent = AgentSerializer(source="*", read_only=True)

    class Meta:
        model = Attribution
        fields = ["position", "role", "verb", "agent"]
        # Django takes integer ranges from the database; state PostgreSQL's so the schema is
        # the same whichever database generates it.
        extra_kwargs = {"position": {"min_value": 0, "max_value": 32767}}


class DocumentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    publisher = serializers.CharField()
    publication = serializers.CharField(allow_null=True)
    url = serializers.CharField()
    headline = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    license = serializers.DictField(allow_null=True)

    def to_representation(self, document) -> dict:
        return document_ref(document)


class AppearanceSerializer(serializers.ModelSerializer):
    document = DocumentRefSerializer(read_only=True)
    quote = serializers.SerializerMethodField()
    withheld = serializers.SerializerMethodField()
    selector = serializers.SerializerMethodField()
    chain = ChainLinkSerializer(many=True, read_only=True)

    class Meta:
        model = Appearance
        fields = ["id", "document", "quote", "withheld", "selector", "anchor_state", "chain"]

    def to_representation(self, appearance):
        data = super().to_representation(appearance)
        if data["withheld"] is None:
            del data["withheld"]
        return data

    @extend_schema_field(OpenApiTypes.STR)
    def get_quote(self, appearance) -> str | None:
        return released(self.context, quote_key(appearance), appearance.exact)[0]

    @extend_schema_field(OpenApiTypes.STR)
    def get_withheld(self, appearance) -> str | None:
        return released(self.context, quote_key(appearance), appearance.exact)[1]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_selector(self, appearance) -> dict:
        """W3C TextPositionSelector; the quote context only for those who may see the text."""
        selector = {"start": appearance.start, "end": appearance.end}
        # The context is more of the document's text: it goes out only if quote and context
        # together are within what the licence lets this caller receive.
        with_context = appearance.prefix + appearance.exact + appearance.suffix
        if (
            with_context != appearance.exact
            and released(self.context, context_key(appearance), with_context)[0]
        ):
            selector |= {"prefix": appearance.prefix, "suffix": appearance.suffix}
        return selector


class ExternalCheckSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name", read_only=True)
    organization_id = serializers.IntegerField(read_only=True)
    excerpt = serializers.SerializerMethodField()
    withheld = serializers.SerializerMethodField()

    class Meta:
        model = ExternalCheck
        fields = [
            "id",
            "organization",
            "organization_id",
            "outcome",
            "checked_at",
            "document",
            "excerpt",
            "anchor_state",
            "withheld",
        ]

    def to_representation(self, check):
        data = super().to_representation(check)
        if data["withheld"] is None:
            del data["withheld"]
        return data

    def _released(self, check) -> tuple[str | None, str | None]:
        if not check.document_id:
            return None, None
        return released(self.context, check_key(check), check.exact)

    @extend_schema_field(OpenApiTypes.STR)
    def get_excerpt(self, check) -> str | None:
        return self._released(check)[0]

    @extend_schema_field(OpenApiTypes.STR)
    def get_withheld(self, check) -> str | None:
        return self._released(check)[1]


class EventSerializer(serializers.ModelSerializer):
    """One audit event; consumers see the actor's role, never an internal user name."""

    at = serializers.DateTimeField(source="created_at")
    to = serializers.CharField(source="to_status")
    by = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    rationale = serializers.SerializerMethodField()

    class Meta:
        model = VerificationEvent
        fields = ["at", "from_status", "to", "by", "actor_role", "rationale", "evidence", "version"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_by(self, event) -> str:
        if self.context["audience"] == Audience.STAFF:
            return event.actor.get_username()
        return event.actor_role

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_evidence(self, event) -> list[dict]:
        return evidence_for(event, self.context["disclosure"])

    @extend_schema_field(OpenApiTypes.STR)
    def get_rationale(self, event) -> str:
        return rationale_for(event, self.context["audience"])


class ClaimSerializer(serializers.ModelSerializer):
    """A claim with its whole provenance, as list and detail both serve it."""

    url = serializers.HyperlinkedIdentityField(view_name="api:claim-detail")
    topics = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    appearances = AppearanceSerializer(many=True, read_only=True)
    external_checks = ExternalCheckSerializer(many=True, read_only=True)
    relations = serializers.SerializerMethodField()
    verification = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "url",
            "text",
            "summary",
            "status",
            "version",
            "revision",
            "topics",
            "independent_origins",
            "appearances",
            "external_checks",
            "relations",
            "verification",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_relations(self, claim) -> list[dict]:
        staff = self.context["audience"] == Audience.STAFF
        rows = []
        for relation in [*claim.relations_from.all(), *claim.relations_to.all()]:
            other = relation.other(claim)
            if not staff and other.status not in CONCLUDED:
                continue  # consumers do not learn of claims they cannot see
            rows.append(
                {"kind": relation.label_from(claim), "claim": other.pk, "reason": relation.reason}
            )
        return rows

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_verification(self, claim) -> dict:
        events = list(claim.events.all())
        concluding = next((e for e in reversed(events) if e.to_status in CONCLUDED), None)
        return {
            "status": claim.status,
            "concluded_at": serializers.DateTimeField().to_representation(claim.concluded_at)
            if claim.concluded_at
            else None,
            "rationale": concluding.rationale if concluding and claim.is_concluded else "",
            "events": EventSerializer(events, many=True, context=self.context).data,
        }


class ClaimWriteSerializer(serializers.Serializer):
    """Input for creating or editing a claim's own words and topics."""

    text = serializers.CharField()
    summary = serializers.CharField(max_length=75, required=False, allow_blank=True)
    topics = serializers.ListField(child=serializers.CharField(max_length=100), required=False)


class ClaimEditSerializer(ClaimWriteSerializer):
    """Input for editing a claim: any of its words and topics, and the revision they rest on."""

    text = serializers.CharField(required=False)
    expected_revision = serializers.IntegerField(
        min_value=1,
        help_text="The claim's `revision` you read (required): an edit built on content that "
        "changed since is refused (409 stale_revision) instead of overwriting it.",
    )


class EvidenceSerializer(serializers.Serializer):
    """One piece of evidence: exactly one of a URL, a document id or an external check id."""

    url = serializers.URLField(required=False, allow_blank=True, max_length=2000)
    document = serializers.IntegerField(required=False, min_value=1)
    external_check = serializers.IntegerField(required=False, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    f"Unknown keys {sorted(unknown)}; use url, document, external_check, note."
                )
            for key in ("document", "external_check"):
                if isinstance(data.get(key), bool):  # JSON true is not document 1
                    raise serializers.ValidationError({key: "Give an id (an integer)."})
        return super().to_internal_value(data)


class TransitionSerializer(serializers.Serializer):
    """Input for a verification transition."""

    to = serializers.ChoiceField(choices=ClaimStatus.choices)
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = EvidenceSerializer(many=True, required=False, default=list)
    expected_version = serializers.IntegerField(
        min_value=1, help_text="The claim's `version` (workflow step) you read."
    )
    expected_revision = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The claim's `revision` (content) you read; give it to be refused (409) "
        "when the words or appearances changed since.",
    )
    assignee = reference(
        get_user_model(), required=False, allow_null=True, help_text="A fact-checker's user id."
    )
    due_date = serializers.DateField(required=False, allow_null=True)


class AppearanceWriteSerializer(serializers.Serializer):
    document = reference(Document)
    exact = serializers.CharField(trim_whitespace=False)
    prefix = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    suffix = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    start = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class ChainLinkWriteSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Attribution.Role.choices)
    verb = serializers.CharField(required=False, allow_blank=True, default="")
    person = reference(Person, required=False)
    organization = reference(Organization, required=False)
    anonymous_source = reference(AnonymousSource, required=False)

    def validate(self, data):
        given = [field for field in AGENT_FIELDS if field in data]
        if len(given) != 1:
            raise serializers.ValidationError(
                "Give exactly one agent: person, organization or anonymous_source."
            )
        return {"role": data["role"], "verb": data["verb"], "agent": data[given[0]]}


class ChainWriteSerializer(serializers.Serializer):
    links = ChainLinkWriteSerializer(many=True, max_length=MAX_CHAIN_LINKS)


class ExternalCheckWriteSerializer(serializers.Serializer):
    organization = reference(Organization)
    outcome = serializers.ChoiceField(choices=ExternalCheck.Outcome.choices)
    document = reference(Document, required=False, allow_null=True)
    exact = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    prefix = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    suffix = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    checked_at = serializers.DateTimeField(required=False, allow_null=True)


class RelationWriteSerializer(serializers.Serializer):
    to_claim = reference(Claim)
    kind = serializers.ChoiceField(choices=ClaimRelation.Kind.choices)
    reason = serializers.CharField()
