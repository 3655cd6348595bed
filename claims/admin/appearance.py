"""An appearance's own page, where its attribution chain is edited as a whole."""

from __future__ import annotations

from adminsortable2.admin import CustomInlineFormSetMixin, SortableAdminBase, SortableTabularInline
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.urls import path

from claims import recording
from claims.admin import picker
from claims.admin.chain import ROLE_CHOICES, chain_links, check_new_agents, publishers_of
from claims.admin.display import AGENT_FIELDS, quote_in_context
from claims.admin.inlines import trial
from claims.admin.log import HistoryAdmin, key_or_404
from claims.admin.quote import AppearanceAddForm, quote_preview
from claims.admin.revision import RefusesStaleEdits, RevisionCheckedForm
from claims.admin.timeline import chain_edits
from claims.models import Appearance, Attribution
from sources.admin_paging import EstimatedCountAdminMixin
from sources.autocomplete import AutocompleteKeysMixin


class AttributionForm(forms.ModelForm):
    """One link: its agent from the one picker, its role suggested from its place."""

    agent = picker.AgentField(required=False, label="Who")
    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        required=False,
        help_text="Left as is, the role follows from the link's place: origin first, then "
        "reporter, relays, and the document's publisher last.",
    )

    class Meta:
        model = Attribution
        fields = ["agent", "role", "verb", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["agent"] = self.instance.agent

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("agent") and "agent" not in self.errors and self.has_changed():
            self.add_error("agent", "Choose who: a person, an organization or an anonymous source.")
        return cleaned


class ChainFormSet(CustomInlineFormSetMixin, BaseInlineFormSet):
    """The attribution chain, saved as a whole by recording.chain_set in the order shown.

    The rows are dragged into order (django-admin-sortable2 writes each row's position into a
    hidden field); a new row nobody dragged has none and goes after the others. `user` is set
    by the inline for the request.
    """

    user = None

    def rows(self) -> list[tuple[str, str, object]]:
        rows = []
        for index, form in enumerate(self.forms):
            data = form.cleaned_data
            if not data or self._should_delete_form(form) or not data.get("agent"):
                continue
            position = data.get("position")
            key = (position is None, position or 0, index)
            rows.append((key, (data.get("role", ""), data.get("verb", ""), data["agent"])))
        return [row for _, row in sorted(rows, key=lambda row: row[0])]

    def links(self, *, user) -> list[recording.ChainLink]:
        document = self.instance.document if self.instance.document_id else None
        return chain_links(self.rows(), user=user, publishers=publishers_of(document))

    def clean(self):
        super().clean()
        if any(self.errors) or not self.has_changed():
            return
        try:
            check_new_agents(self.rows(), user=self.user)
            with trial():
                recording.chain_set(appearance=self.instance, links=self.links(user=None))
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class AttributionInline(SortableTabularInline):
    """The chain, origin first, in the order shown: drag a row to move it, no typed positions.
    Each link's agent comes from one picker over people, organizations and anonymous sources."""

    model = Attribution
    form = AttributionForm
    formset = ChainFormSet
    extra = 1
    verbose_name = "link"
    verbose_name_plural = "chain, origin first (drag a row to move it)"
    fields = ["agent", "role", "verb", "position"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

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


class AppearanceChangeForm(RevisionCheckedForm):
    """The appearance page edits its claim's content (the chain): it carries the revision."""

    class Meta:
        model = Appearance
        fields = []

    def loaded_revision(self) -> int:
        return self.instance.claim.revision


@admin.register(Appearance)
class AppearanceAdmin(
    RefusesStaleEdits,
    EstimatedCountAdminMixin,
    SortableAdminBase,
    AutocompleteKeysMixin,
    HistoryAdmin,
):
    """One appearance and its chain; reached from its claim, so not listed in the admin index."""

    form = AppearanceChangeForm

    list_display = ["__str__", "claim", "document", "anchor_state"]
    list_filter = ["anchor_state"]
    list_select_related = ["claim", "document"]
    readonly_fields = ["claim", "document", "quote", "anchor_state", "created_by", "created_at"]
    fields = [*readonly_fields, "expected_revision"]
    add_fields = ["claim", "document", "exact", "prefix", "suffix", "start"]
    autocomplete_fields = ["claim", "document"]
    inlines = [AttributionInline]

    class Media:
        js = ["claims/agent_picker.js"]
        css = {"all": ["claims/agent_picker.css"]}

    def has_module_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appearance = self.get_object(request, object_id)
        document = appearance.document if appearance is not None else None
        tokens = " ".join(picker.token(o) for o in publishers_of(document))
        extra = {**(extra_context or {}), "chain_publishers": tokens}
        return super().change_view(request, object_id, form_url, extra)

    def get_urls(self):
        search = picker.AgentSearchView.as_view(model_admin=self)
        return [
            path("agents/", self.admin_site.admin_view(search), name="claims_appearance_agents"),
            *super().get_urls(),
        ]

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
        formset.new_objects = recording.chain_set(
            appearance=appearance,
            links=formset.links(user=request.user),
            expected_revision=form.cleaned_data["expected_revision"],
        )
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
