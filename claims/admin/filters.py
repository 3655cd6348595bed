"""The claim changelist's filters, the review queue's lists among them."""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.utils import timezone

from claims.models import Claim, ReviewFlag
from sources.models import Organization


class YesNoFilter(admin.SimpleListFilter):
    """Yes/no on a ClaimQuerySet method named by `queryset_method`."""

    queryset_method = ""

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def matching(self, queryset):
        return getattr(queryset, self.queryset_method)()

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return self.matching(queryset)
        if self.value() == "no":
            return queryset.exclude(pk__in=self.matching(Claim.objects.all()).values("pk"))
        return queryset


class AnonymousOnlyFilter(YesNoFilter):
    title = "anonymous-only origins"
    parameter_name = "anonymous_only"
    queryset_method = "anonymous_only"


class ConflictedFilter(YesNoFilter):
    title = "has conflicts"
    parameter_name = "conflicted"
    queryset_method = "conflicted"


class PublisherFilter(admin.SimpleListFilter):
    """Claims appearing in documents a publisher or publication published."""

    title = "publisher"
    parameter_name = "publisher"

    def lookups(self, request, model_admin):
        return [
            (str(pk), name)
            for pk, name in Organization.objects.publishers().values_list("pk", "name")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not (value.isascii() and value.isdigit()):
            return queryset.none()
        return queryset.for_publisher(int(value))


# The review queue's lists, in the order the dashboard shows them.
REVIEW_QUEUES = [
    ("mine", "Assigned to me"),
    ("unassigned", "Unassigned, in review"),
    ("overdue", "Overdue"),
    ("conflicted", "With conflicts"),
    ("anonymous_only", "Only anonymous origins"),
    ("withdrawn_document", "Rests on a withdrawn document"),
]


def in_review_queue(queryset, queue: str, *, user, today: datetime.date):
    """Return the claims of `queryset` in one of the review queue's lists."""
    if queue == "mine":
        return queryset.assigned_to(user)
    if queue == "unassigned":
        return queryset.unassigned_in_review()
    if queue == "overdue":
        return queryset.overdue(today)
    if queue == "conflicted":
        return queryset.conflicted()
    if queue == "anonymous_only":
        return queryset.anonymous_only()
    if queue == "withdrawn_document":
        return queryset.flagged(ReviewFlag.Reason.WITHDRAWN_DOCUMENT)
    return queryset.none()


class ReviewQueueFilter(admin.SimpleListFilter):
    title = "review queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return REVIEW_QUEUES

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return in_review_queue(
            queryset, self.value(), user=request.user, today=timezone.localdate()
        )
