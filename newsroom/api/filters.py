"""One FilterSet per claims resource; computed filters go through ClaimQuerySet methods."""

import django_filters
from rest_framework import serializers

from claims.models import Claim, ClaimStatus
from sources.ingest import in_utc
from sources.models import Organization


class ClaimFilter(django_filters.FilterSet):
    # One column compared with a list cannot repeat a row: no DISTINCT, which would sort
    # every matching claim on every column before the page could be cut.
    status = django_filters.MultipleChoiceFilter(
        choices=ClaimStatus.choices,
        distinct=False,
        help_text="Repeat to match any of several states.",
    )
    topic = django_filters.CharFilter(method="filter_topic", help_text="Topic name or slug.")
    publisher = django_filters.CharFilter(
        method="filter_publisher",
        help_text="Organization id or name; matches the publisher or the publication.",
    )
    origin_kind = django_filters.ChoiceFilter(
        choices=[
            ("person", "person"),
            ("organization", "organization"),
            ("anonymous", "anonymous"),
        ],
        method="filter_origin_kind",
    )
    min_independent_origins = django_filters.NumberFilter(
        field_name="independent_origins", lookup_expr="gte"
    )
    updated_since = django_filters.IsoDateTimeFilter(
        method="filter_updated_since", help_text="For incremental sync (ISO 8601)."
    )
    q = django_filters.CharFilter(method="filter_q", help_text="Text search.")

    class Meta:
        model = Claim
        fields = []

    def filter_topic(self, queryset, name, value):
        return queryset.with_topic(value)

    def filter_publisher(self, queryset, name, value):
        organizations = (
            Organization.objects.filter(pk=value)
            if value.isascii() and value.isdigit()
            else Organization.objects.by_name(value)
        )
        organization = organizations.first()
        if organization is None:
            return queryset.none()
        return queryset.for_publisher(organization)

    def filter_origin_kind(self, queryset, name, value):
        return queryset.with_origin_kind(value)

    def filter_updated_since(self, queryset, name, value):
        # Compared in UTC: an offset the database cannot take (PostgreSQL allows ±15:59) or a
        # moment outside years 1-9999 once in UTC is a 400, not a server error.
        moment = in_utc(value)
        if moment is None:
            raise serializers.ValidationError(
                {name: ["Give a time within the years 1 to 9999 in UTC."]}
            )
        return queryset.filter(updated_at__gte=moment)

    def filter_q(self, queryset, name, value):
        return queryset.search(value)
