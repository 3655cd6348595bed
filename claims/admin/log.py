"""The read-only logs: the verification events, the edit history, and the topics list."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from claims.admin.display import evidence_html
from claims.models import Topic, VerificationEvent
from sources.admin_base import ReadOnlyModelAdmin
from sources.admin_paging import EstimatedCountAdminMixin


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ReadableChanges(HistoricalRecordContextHelper):
    """Show a change as users read it: labels for states, "nobody" for an empty key."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if isinstance(value, DeletedObject) and value.pk is None:
            return "nobody"
        if value is None or value == "":
            return "—"
        if getattr(field, "choices", None) and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class HistoryAdmin(SimpleHistoryAdmin):
    """Show who changed what and when (django-simple-history), never revert.

    Edits go through the recording services, which a revert would bypass.
    """

    object_history_list_template = "admin/claims/object_history_list.html"

    def revert_disabled(self, request, obj=None):
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        key_or_404(self.model._meta.pk, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Past versions are shown, not restored.")
        key_or_404(self.model._meta.pk, unquote(object_id))
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        key_or_404(history.model._meta.pk, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


def key_or_404(field, value: str):
    """Return `value` as a key of `field`; a value that cannot be one is a 404, not a 500."""
    try:
        return field.to_python(value)
    except ValidationError:
        raise Http404("No such record.") from None


@admin.register(VerificationEvent)
class VerificationEventAdmin(EstimatedCountAdminMixin, ReadOnlyModelAdmin):
    """The append-only verification log: read-only for everyone, superusers included."""

    list_display = [
        "created_at",
        "claim",
        "from_status",
        "to_status",
        "actor",
        "actor_role",
        "version",
    ]
    list_filter = ["to_status", ("actor", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["claim", "actor"]
    search_fields = ["claim__text", "claim__summary", "rationale"]
    fields = [
        "claim",
        "from_status",
        "to_status",
        "actor",
        "actor_role",
        "rationale",
        "evidence_links",
        "version",
        "created_at",
        "previous_hash",
        "hash",
    ]
    readonly_fields = fields

    @admin.display(description="Evidence")
    def evidence_links(self, event):
        return evidence_html(event.evidence)
