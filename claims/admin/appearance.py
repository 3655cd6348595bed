"""An appearance's own page, where its attribution chain is edited as a whole."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect

from claims import recording
from claims.admin.display import AGENT_FIELDS, quote_in_context
from claims.admin.inlines import trial
from claims.admin.log import HistoryAdmin, key_or_404
from claims.models import Appearance, Attribution
from sources.autocomplete import AutocompleteKeysMixin
from sources.models import AnonymousSource, Organization, Person

# Rows of one chain edit are written within moments of each other, in one transaction.
EDIT_WINDOW = datetime.timedelta(seconds=2)


def chain_edits(appearance_id: int) -> list[dict]:
    """Return each edit of an appearance's chain, newest first: when, who, before and after.

    Read from the chain links' own history (recording.chain_set replaces a chain as a whole:
    the old links' deletions and the new links' creations are one edit). Four queries.
    """
    rows = list(
        Attribution.history.filter(appearance_id=appearance_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    names = {
        "person": dict(
            Person.objects.filter(pk__in={r.person_id for r in rows}).values_list("pk", "name")
        ),
        "organization": dict(
            Organization.objects.filter(pk__in={r.organization_id for r in rows}).values_list(
                "pk", "name"
            )
        ),
        # The description only: a confidential identity is never read on a read path.
        "anonymous_source": {
            source.pk: str(source)
            for source in AnonymousSource.objects.filter(
                pk__in={r.anonymous_source_id for r in rows}
            ).only("description", "count_text")
        },
    }

    def link_text(row) -> str:
        agent = next(
            names[field].get(getattr(row, f"{field}_id"), "a deleted agent")
            for field in AGENT_FIELDS
            if getattr(row, f"{field}_id")
        )
        role = (
            Attribution.Role(row.role).label.lower() if row.role in Attribution.Role else row.role
        )
        return f"{agent} ({role}{f', {row.verb}' if row.verb else ''})"

    def chain(links) -> str:
        return " → ".join(link_text(row) for row in sorted(links, key=lambda row: row.position))

    # An edit deletes the old links, then creates the new ones with one date.
    edits: list[dict] = []
    current: dict | None = None
    for row in rows:
        if _starts_new_edit(current, row):
            current = {
                "when": row.history_date,
                "who": row.history_user,
                "removed": [],
                "added": [],
            }
            edits.append(current)
        current["when"] = row.history_date
        current["added" if row.history_type == "+" else "removed"].append(row)
    return [
        {
            "when": edit["when"],
            "who": edit["who"],
            "before": chain(edit["removed"]),
            "after": chain(edit["added"]),
        }
        for edit in reversed(edits)
    ]


def _starts_new_edit(current: dict | None, row) -> bool:
    """Tell whether a chain link's history row begins another edit than `current`."""
    if current is None or row.history_date - current["when"] > EDIT_WINDOW:
        return True
    who = current["who"].pk if current["who"] is not None else None
    if row.history_user_id != who:
        return True
    if current["added"]:  # the edit's new links are written last, all with one date
        return row.history_type != "+" or row.history_date != current["added"][0].history_date
    return False


class AttributionForm(forms.ModelForm):
    class Meta:
        model = Attribution
        fields = ["position", "role", "verb", *AGENT_FIELDS]

    def clean(self):
        cleaned = super().clean()
        if sum(1 for name in AGENT_FIELDS if cleaned.get(name)) != 1:
            # On a field, so the model's own constraint check is skipped and not said twice.
            self.add_error(
                "person",
                "Choose exactly one agent: a person, an organization or an anonymous source.",
            )
        return cleaned


class ChainFormSet(BaseInlineFormSet):
    """The attribution chain, saved as a whole by recording.chain_set in position order."""

    def links(self) -> list[recording.ChainLink]:
        rows = []
        for index, form in enumerate(self.forms):
            data = form.cleaned_data
            if not data or self._should_delete_form(form):
                continue
            agent = next(data[name] for name in AGENT_FIELDS if data.get(name))
            link = recording.ChainLink(role=data["role"], agent=agent, verb=data.get("verb", ""))
            rows.append(((data["position"], index), link))
        return [link for _, link in sorted(rows, key=lambda row: row[0])]

    def clean(self):
        super().clean()
        if any(self.errors) or not self.has_changed():
            return
        try:
            with trial():
                recording.chain_set(appearance=self.instance, links=self.links())
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class AttributionInline(AutocompleteKeysMixin, admin.TabularInline):
    model = Attribution
    form = AttributionForm
    formset = ChainFormSet
    extra = 1
    verbose_name = "link"
    verbose_name_plural = "chain, origin first"
    fields = ["position", "role", "verb", *AGENT_FIELDS]
    autocomplete_fields = list(AGENT_FIELDS)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*AGENT_FIELDS)

    def _open(self, appearance) -> bool:
        return appearance is None or not appearance.claim.is_concluded

    def has_add_permission(self, request, obj=None):
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._open(obj) and super().has_delete_permission(request, obj)


@admin.register(Appearance)
class AppearanceAdmin(HistoryAdmin):
    """One appearance and its chain; reached from its claim, so not listed in the admin index."""

    list_display = ["__str__", "claim", "document", "anchor_state"]
    list_filter = ["anchor_state"]
    list_select_related = ["claim", "document"]
    fields = ["claim", "document", "quote", "anchor_state", "created_by", "created_at"]
    readonly_fields = fields
    inlines = [AttributionInline]

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False  # added on the claim's page, where the quote is anchored

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.claim.is_concluded:
            return False  # reopen the claim first
        return super().has_delete_permission(request, obj)

    @admin.display(description="Quote in its document")
    def quote(self, appearance):
        return quote_in_context(
            appearance.document.body, appearance.start, appearance.end, appearance.exact
        )

    def save_model(self, request, obj, form, change):
        pass  # every field is read-only; the chain is written by save_formset

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not formset.has_changed():
            return
        appearance = formset.instance
        previous = list(
            Attribution.objects.filter(appearance=appearance).select_related(*AGENT_FIELDS)
        )
        formset.new_objects = recording.chain_set(appearance=appearance, links=formset.links())
        formset.deleted_objects = previous

    def history_view(self, request, object_id, extra_context=None):
        appearance_id = key_or_404(Appearance._meta.pk, unquote(object_id))
        return super().history_view(
            request,
            object_id,
            {**(extra_context or {}), "chain_edits": chain_edits(appearance_id)},
        )

    def delete_model(self, request, obj):
        recording.appearance_delete(appearance=obj)

    def delete_queryset(self, request, queryset):
        for appearance in queryset:
            recording.appearance_delete(appearance=appearance)

    def response_post_save_change(self, request, obj):
        return redirect("admin:claims_claim_change", obj.claim_id)
