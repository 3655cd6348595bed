"""Serializers for sources; a document's text only as far as its licence allows the caller."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sources.models import Affiliation, Document, LicenseTerms, Organization, Person


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "parent", "url", "description"]


class AffiliationSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")

    class Meta:
        model = Affiliation
        fields = ["organization", "organization_id", "role", "start_date", "end_date"]


class PersonSerializer(serializers.ModelSerializer):
    affiliations = AffiliationSerializer(source="affiliation_set", many=True, read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "description", "affiliations"]


class LicenseTermsSerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="holder.name")
    odrl = serializers.HyperlinkedIdentityField(view_name="api:licenseterms-odrl")

    class Meta:
        model = LicenseTerms
        fields = [
            "id",
            "holder",
            "holder_id",
            "notice",
            "tdm_reserved",
            "tdm_legal_basis",
            "tdm_expression",
            "tdm_clause",
            "tdm_policy_url",
            "sharing_scope",
            "sharing_clause",
            "permitted_uses",
            "max_external_quote_chars",
            "odrl",
        ]
        # The production database's range, so the schema does not depend on the database.
        extra_kwargs = {"max_external_quote_chars": {"min_value": 0, "max_value": 2147483647}}


class DocumentSerializer(serializers.ModelSerializer):
    """A document; `body` is null with `withheld` saying why when the licence keeps it back."""

    publisher = serializers.CharField(source="publisher.name")
    publication = serializers.CharField(source="publication.name", allow_null=True)
    license = serializers.PrimaryKeyRelatedField(read_only=True)
    body = serializers.SerializerMethodField()
    withheld = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "publisher",
            "publisher_id",
            "publication",
            "agency_credit",
            "url",
            "headline",
            "published_at",
            "language",
            "is_excerpt",
            "embargo_until",
            "license",
            "body",
            "withheld",
            "body_sha256",
            "obtained_at",
        ]

    def to_representation(self, document):
        data = super().to_representation(document)
        if data["withheld"] is None:
            del data["withheld"]
        return data

    @extend_schema_field(OpenApiTypes.STR)
    def get_body(self, document):
        return document.body if self.context["disclosure"].full_text(document) else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_withheld(self, document):
        return self.context["disclosure"].full_text(document).withheld


class DocumentImportSerializer(serializers.Serializer):
    """Input for importing a document through the importer, as the command does."""

    text = serializers.CharField(trim_whitespace=False)
    publisher = serializers.CharField(max_length=200)
    publication = serializers.CharField(max_length=200, required=False, allow_blank=True)
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True)
    headline = serializers.CharField(max_length=500, required=False, allow_blank=True)
    published_at = serializers.DateTimeField(required=False, allow_null=True)
    language = serializers.CharField(max_length=16, required=False, allow_blank=True)
    is_excerpt = serializers.BooleanField(required=False, default=False)
    embargo_until = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Keep the document from consumers and public pages until this time.",
    )
