"""An appearance's own page, where its attribution chain is edited as a whole."""

from __future__ import annotations

from adminsortable2.admin import CustomInlineFormSetMixin, SortableAdminBase, SortableTabularInline
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect

from claims import recording
from claims.admin.display import AGENT_FIELDS, quote_in_context
from claims.admin.inlines import trial
from claims.admin.log import HistoryAdmin, key_or_404
from claims.admin.quote import AppearanceAddForm, quote_preview
from claims.admin.timeline import chain_edits
from claims.models import Appearance, Attribution
from sources.admin_paging import EstimatedCountAdminMixin
from sources.autocomplete import AutocompleteKeysMixin


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


class ChainFormSet(CustomInlineFormSetMixin, BaseInlineFormSet):
    """The attribution chain, saved as a whole by recording.chain_set in the order shown.

    The rows are dragged into order (django-admin-sortable2 writes each row's position into a
    hidden field); a new row nobody dragged has none and goes after the others.
    """

    def links(self) -> list[recording.ChainLink]:
        rows = []
        for index, form in enumerate(self.forms):
            data = form.cleaned_data
            if not data or self._should_delete_form(form):
                continue
            agent = next(data[name] for name in AGENT_FIELDS if data.get(name))
            link = recording.ChainLink(role=data["role"], agent=agent, verb=data.get("verb", ""))
            position = data.get("position")
            rows.append(((position is None, position or 0, index), link))
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


class AttributionInline(AutocompleteKeysMixin, SortableTabularInline):
    """The chain, origin first, in the order shown: drag a row to move it, no typed positions."""

    model = Attribution
    form = AttributionForm
    formset = ChainFormSet
    extra = 1
    verbose_name = "link"
    verbose_name_plural = "chain, origin first (drag a row to move it)"
    fields = ["role", "verb", *AGENT_FIELDS, "position"]
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
class AppearanceAdmin(
    EstimatedCountAdminMixin, SortableAdminBase, AutocompleteKeysMixin, HistoryAdmin
):
    """One appearance and its chain; reached from its claim, so not listed in the admin index."""

    list_display = ["__str__", "claim", "document", "anchor_state"]
    list_filter = ["anchor_state"]
    list_select_related = ["claim", "document"]
    fields = ["claim", "document", "quote", "anchor_state", "created_by", "created_at"]
    readonly_fields = fields
    add_fields = ["claim", "document", "exact", "prefix", "suffix", "start"]
    autocomplete_fields = ["claim", "document"]
    inlines = [AttributionInline]

    def has_module_permission(self, request):
        return False

    # Added from a passage selected on a document's page (claims.admin.quote), or on the
    # claim's page; either way recording.appearance_create anchors the quote.
    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AppearanceAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_inline_instances(self, request, obj=None):
        return [] if obj is None else super().get_inline_instances(request, obj)

    def add_view(self, request, form_url="", extra_context=None):
        extra = {**(extra_context or {}), "from_quote": quote_preview(request)}
        return super().add_view(request, form_url, extra)

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
        if change:
            return  # every field is read-only; the chain is written by save_formset
        appearance = form.record(user=request.user)
        # The admin goes on with `obj` (change message, redirect): make it the saved row.
        for field in Appearance._meta.concrete_fields:
            setattr(obj, field.attname, getattr(appearance, field.attname))
        obj._state.adding, obj._state.db = False, appearance._state.db

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            f"The quote from “{obj.document}” was recorded as an appearance of “{obj.claim}”. "
            "Now record who said it: the chain, origin first.",
            messages.SUCCESS,
        )
        return redirect("admin:claims_appearance_change", obj.pk)

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
            {**(extra_context or {}), "chain_edits": chain_edits([appearance_id])},
        )

    def delete_model(self, request, obj):
        recording.appearance_delete(appearance=obj)

    def delete_queryset(self, request, queryset):
        for appearance in queryset:
            recording.appearance_delete(appearance=appearance)

    def response_post_save_change(self, request, obj):
        return redirect("admin:claims_claim_change", obj.claim_id)
