"""The claim page's inlines: each new row is written by a recording service, never by save().

Where a form must show a service's verdict before the page is saved, the formset's `clean()`
runs the same service call inside a savepoint that is always rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from copy import copy

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from claims import recording
from claims.admin.display import AGENT_FIELDS, chain_text, quote_in_context
from claims.anchoring import AnchorError, anchor
from claims.models import Appearance, Attribution, ClaimRelation, ExternalCheck
from sources.admin_base import embargo_note
from sources.autocomplete import AutocompleteKeysMixin


class Rollback(Exception):
    """Raised to undo a trial run of a service."""


@contextmanager
def trial() -> Iterator[None]:
    """Run service calls in a savepoint that is always rolled back, to learn their verdict."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def quote_fields(data: dict) -> dict:
    """Return the selector fields of a cleaned quote form."""
    return {
        "exact": data.get("exact", ""),
        "prefix": data.get("prefix", ""),
        "suffix": data.get("suffix", ""),
    }


class ServiceFormSet(BaseInlineFormSet):
    """An inline formset whose rows are written by a recording service, never by save()."""

    def new_forms(self) -> list[forms.BaseForm]:
        return [
            form
            for form in self.extra_forms
            if form.has_changed() and not self._should_delete_form(form)
        ]

    def record(self, form: forms.BaseForm, *, user):
        """Write one new row through its service."""
        raise NotImplementedError

    def clean(self):
        super().clean()
        new_forms = self.new_forms()
        if not new_forms or any(self.errors) or self.instance.pk is None:
            return
        # The service's verdict (duplicates, rules across fields) becomes a form error now,
        # instead of an exception after the claim has been saved.
        with trial():
            for form in new_forms:
                try:
                    self.record(form, user=None)
                except ValidationError as error:
                    add_service_error(form, error)

    def save_through_services(self, *, user) -> None:
        self.new_objects = [self.record(form, user=user) for form in self.new_forms()]
        self.changed_objects = []
        self.deleted_objects = []


class ReadOnlyFormSet(ServiceFormSet):
    """Existing rows shown read-only; nothing to write."""

    def new_forms(self):
        return []


class AppearanceFormSet(ReadOnlyFormSet):
    """Existing appearances: read-only, deleted through the service."""

    def save_through_services(self, *, user) -> None:
        super().save_through_services(user=user)
        self.deleted_objects = [form.instance for form in self.deleted_forms]
        for appearance in self.deleted_objects:
            recording.appearance_delete(appearance=appearance)


class ExternalCheckFormSet(ReadOnlyFormSet):
    """Existing external checks: read-only, deleted in error through the service.

    `user` is set by the inline for the request, so the trial run in clean() is refused
    exactly as the save would be (permission, evidence cited by a conclusion).
    """

    user = None

    def clean(self):
        super().clean()
        refusals = []
        with trial():
            for form in self.forms:
                if not self._should_delete_form(form) or form.instance.pk is None:
                    continue
                try:
                    # A copy: deleting clears the instance's key, and this run is undone.
                    recording.external_check_delete(check=copy(form.instance), user=self.user)
                except ValidationError as error:
                    refusals += error.messages
                except PermissionDenied as error:
                    refusals.append(str(error))
        if refusals:
            # On the formset: a row marked for deletion has its own errors ignored.
            raise ValidationError(refusals)

    def save_through_services(self, *, user) -> None:
        super().save_through_services(user=user)
        self.deleted_objects = [form.instance for form in self.deleted_forms]
        for check in self.deleted_objects:
            recording.external_check_delete(check=check, user=user)


class QuoteForm(forms.ModelForm):
    """A quote and its context; the context keeps its spaces, which tell repeats apart."""

    prefix = forms.CharField(
        required=False,
        strip=False,
        max_length=Appearance._meta.get_field("prefix").max_length,
        widget=forms.TextInput(attrs={"size": 12, "aria-label": "Text just before the quote"}),
        help_text="Text just before the quote, when it appears more than once.",
    )
    suffix = forms.CharField(
        required=False,
        strip=False,
        max_length=Appearance._meta.get_field("suffix").max_length,
        widget=forms.TextInput(attrs={"size": 12, "aria-label": "Text just after the quote"}),
        help_text="Text just after the quote, when it appears more than once.",
    )

    def clean(self):
        cleaned = super().clean()
        document, exact = cleaned.get("document"), cleaned.get("exact")
        if document is not None and exact:
            try:
                anchor(
                    document.body,
                    exact=exact,
                    prefix=cleaned.get("prefix", ""),
                    suffix=cleaned.get("suffix", ""),
                )
            except AnchorError as error:
                self.add_error("exact", error)
        return cleaned


class NewAppearanceForm(QuoteForm):
    class Meta:
        model = Appearance
        fields = ["document", "exact", "prefix", "suffix"]
        # Narrow enough that the row fits a 1280 px screen beside the document and context.
        # A tabular row has column headings, not labels: each input names itself.
        widgets = {"exact": forms.Textarea(attrs={"rows": 3, "cols": 34, "aria-label": "Quote"})}


class NewAppearanceFormSet(ServiceFormSet):
    def record(self, form, *, user):
        return recording.appearance_create(
            claim=self.instance,
            document=form.cleaned_data["document"],
            user=user,
            **quote_fields(form.cleaned_data),
        )


class NewExternalCheckForm(QuoteForm):
    class Meta:
        model = ExternalCheck
        fields = ["organization", "outcome", "document", "exact", "prefix", "suffix", "checked_at"]
        widgets = {
            "exact": forms.Textarea(attrs={"rows": 3, "cols": 30, "aria-label": "Excerpt"}),
            "outcome": forms.Select(attrs={"aria-label": "Outcome"}),
        }
        labels = {"exact": "Excerpt"}


class NewExternalCheckFormSet(ServiceFormSet):
    def record(self, form, *, user):
        data = form.cleaned_data
        return recording.external_check_record(
            claim=self.instance,
            organization=data["organization"],
            outcome=data["outcome"],
            document=data.get("document"),
            checked_at=data.get("checked_at"),
            user=user,
            **quote_fields(data),
        )


class NewRelationFormSet(ServiceFormSet):
    def record(self, form, *, user):
        data = form.cleaned_data
        return recording.relation_record(
            from_claim=self.instance,
            to_claim=data["to_claim"],
            kind=data["kind"],
            reason=data["reason"],
            user=user,
        )


# --- Claim inlines ---------------------------------------------------------------------------


class AppearanceInline(admin.StackedInline):
    """Where the claim appears: read-only; the chain is edited on the appearance's own page."""

    model = Appearance
    formset = AppearanceFormSet
    extra = 0
    verbose_name_plural = "appearances"
    fields = ["document", "embargo", "quote", "anchor_state", "chain", "links"]
    readonly_fields = fields

    def get_queryset(self, request):
        chain = Attribution.objects.select_related(*AGENT_FIELDS)
        return (
            super()
            .get_queryset(request)
            .select_related("document")
            .prefetch_related(Prefetch("chain", queryset=chain))
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_rows(self, request, claim) -> bool:
        """Answered from ClaimAdmin's count annotation when the page loaded it."""
        count = getattr(claim, "appearance_count", None)
        return count > 0 if count is not None else claim.appearances.exists()

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.is_concluded) and super().has_delete_permission(
            request, obj
        )

    @admin.display(description="Embargo")
    def embargo(self, appearance):
        return embargo_note(appearance.document) or "—"

    @admin.display(description="Quote in its document")
    def quote(self, appearance):
        return quote_in_context(
            appearance.document.body, appearance.start, appearance.end, appearance.exact
        )

    @admin.display(description="Chain, origin first")
    def chain(self, appearance):
        return chain_text(appearance.chain.all()) or "No chain recorded yet."

    @admin.display(description="Links")
    def links(self, appearance):
        return format_html(
            '<a href="{}">Edit the chain</a> · <a href="{}">Suggest attributions from this '
            "document</a>",
            reverse("admin:claims_appearance_change", args=[appearance.pk]),
            reverse("admin:claims_claim_suggest", args=[appearance.document_id]),
        )


class NewAppearanceInline(AutocompleteKeysMixin, admin.TabularInline):
    """Add appearances: each quote is anchored in its document by recording.appearance_create."""

    model = Appearance
    form = NewAppearanceForm
    formset = NewAppearanceFormSet
    extra = 1
    can_delete = False
    verbose_name = "new appearance"
    verbose_name_plural = "add appearances"
    fields = ["document", "exact", "prefix", "suffix"]
    autocomplete_fields = ["document"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_add_permission(self, request, obj=None):
        return not (obj is not None and obj.is_concluded) and super().has_add_permission(
            request, obj
        )


class ExternalCheckInline(admin.TabularInline):
    """Recorded verification attempts by third parties: read-only; one recorded in error may
    be deleted (recording.external_check_delete) by those holding delete_externalcheck."""

    model = ExternalCheck
    formset = ExternalCheckFormSet
    extra = 0
    verbose_name_plural = "external checks"
    fields = ["organization", "outcome", "excerpt", "document", "checked_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization", "document")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

    def has_add_permission(self, request, obj=None):
        return False

    def has_rows(self, request, claim) -> bool:
        """Answered from ClaimAdmin's count annotation when the page loaded it."""
        count = getattr(claim, "external_check_count", None)
        return count > 0 if count is not None else claim.external_checks.exists()

    @admin.display(description="Excerpt")
    def excerpt(self, check):
        if check.document_id is None or not check.exact:
            return "—"
        return quote_in_context(check.document.body, check.start, check.end, check.exact)


class NewExternalCheckInline(AutocompleteKeysMixin, admin.StackedInline):
    """Record a reported verification attempt through recording.external_check_record.

    Stacked: its seven fields side by side made the claim page 650 px wider than a 1280 px
    screen (the outcome's choices alone are long)."""

    model = ExternalCheck
    form = NewExternalCheckForm
    formset = NewExternalCheckFormSet
    extra = 1
    can_delete = False
    verbose_name = "new external check"
    verbose_name_plural = "add external checks"
    fields = ["organization", "outcome", "document", "exact", "prefix", "suffix", "checked_at"]
    autocomplete_fields = ["organization", "document"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()


class NewRelationInline(AutocompleteKeysMixin, admin.TabularInline):
    """Record how this claim relates to another, through recording.relation_record."""

    model = ClaimRelation
    fk_name = "from_claim"
    formset = NewRelationFormSet
    extra = 1
    can_delete = False
    verbose_name = "new relation"
    verbose_name_plural = "record a relation"
    fields = ["kind", "to_claim", "reason"]
    autocomplete_fields = ["to_claim"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault(
            "widgets",
            {
                "reason": forms.Textarea(attrs={"rows": 2, "cols": 50, "aria-label": "Reason"}),
                "kind": forms.Select(attrs={"aria-label": "Kind of relation"}),
            },
        )
        return super().get_formset(request, obj, **kwargs)
