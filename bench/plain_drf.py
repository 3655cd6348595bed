"""The plain-DRF comparison of bench/scale.py: nested ModelSerializers over `with_provenance()`.

What a straightforward DRF implementation of the same shape would cost: the same prefetch,
nested serializers declared once, no licence decisions (every quote goes out), no view, no
authentication. Its JSON is not the project's; its cost is the reference for "DRF as usual".
"""

from rest_framework import serializers

from claims.models import Appearance, Attribution, Claim, ExternalCheck, VerificationEvent
from sources.models import AnonymousSource, Document, LicenseTerms, Organization, Person


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind"]


class PersonSerializer(serializers.ModelSerializer):
    affiliations = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "name", "description", "affiliations"]

    def get_affiliations(self, person):
        return [
            {"organization": a.organization.name, "organization_id": a.organization_id}
            for a in person.affiliation_set.all()
        ]


class AnonymousSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnonymousSource
        fields = ["id", "description", "count_text", "count", "anonymity_reason"]


class LinkSerializer(serializers.ModelSerializer):
    person = PersonSerializer()
    organization = OrganizationSerializer()
    anonymous_source = AnonymousSourceSerializer()

    class Meta:
        model = Attribution
        fields = ["position", "role", "verb", "person", "organization", "anonymous_source"]


class LicenseSerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="holder.name")

    class Meta:
        model = LicenseTerms
        fields = ["id", "holder", "tdm_reserved", "sharing_scope"]


class DocumentSerializer(serializers.ModelSerializer):
    publisher = serializers.CharField(source="publisher.name")
    publication = serializers.CharField(source="publication.name", allow_null=True, default=None)
    license = LicenseSerializer()

    class Meta:
        model = Document
        fields = ["id", "publisher", "publication", "url", "headline", "published_at", "license"]


class AppearanceSerializer(serializers.ModelSerializer):
    document = DocumentSerializer()
    chain = LinkSerializer(many=True)

    class Meta:
        model = Appearance
        fields = ["id", "document", "exact", "prefix", "suffix", "start", "end", "anchor_state",
                  "chain"]  # fmt: skip


class CheckSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")

    class Meta:
        model = ExternalCheck
        fields = ["id", "organization", "outcome", "checked_at", "document", "exact"]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = VerificationEvent
        fields = ["created_at", "from_status", "to_status", "actor_role", "rationale", "evidence",
                  "version"]  # fmt: skip


class PlainClaimSerializer(serializers.ModelSerializer):
    topics = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    appearances = AppearanceSerializer(many=True)
    external_checks = CheckSerializer(many=True)
    events = EventSerializer(many=True)

    class Meta:
        model = Claim
        fields = ["id", "text", "summary", "status", "version", "revision", "topics",
                  "independent_origins", "appearances", "external_checks", "events",
                  "concluded_at", "created_at", "updated_at"]  # fmt: skip
