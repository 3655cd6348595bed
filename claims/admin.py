"""Admin for claims: appearances, attribution chains, external checks, relations, provenance.

The admin only routes form data into `claims.recording` and `claims.suggest`; it holds no rules
of its own. Where a form must show a service's verdict before the page is saved, the formset's
`clean()` runs the same service call inside a savepoint that is always rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from claims import recording
from claims.anchoring import AnchorError, anchor
from claims.models import (
    Appearance,
    Attribution,
    Claim,
    ClaimRelation,
    ExternalCheck,
    Topic,
)
from claims.provenance import conflicts
from claims.suggest import (
    AgentKind,
    AgentProposal,
    AppearanceProposal,
    ExternalCheckProposal,
    MiningRefused,
    suggest,
    suggestion_accept,
)
from sources.models import Document, Organization

AGENT_FIELDS = ("person", "organization", "anonymous_source")
AGENT_KIND_LABELS = {
    AgentKind.PERSON: "named person",
    AgentKind.ORGANIZATION: "organization",
    AgentKind.ANONYMOUS: "anonymous source",
}


# --- Showing quotes and chains -------------------------------------------------------------------


def quote_in_context(body: str, start: int | None, end: int | None, exact: str) -> SafeString:
    """Return the paragraph(s) around body[start:end] with the quote wrapped in <mark>."""
    if start is None or end is None or body[start:end] != exact:
        return format_html(
            '<blockquote class="quote-context"><mark>{}</mark></blockquote>'
            '<p class="help">Not found at its recorded place in the current text.</p>',
            exact,
        )
    paragraph_start = body.rfind("\n\n", 0, start)
    paragraph_start = 0 if paragraph_start == -1 else paragraph_start + 2
    paragraph_end = body.find("\n\n", end)
    paragraph_end = len(body) if paragraph_end == -1 else paragraph_end
    return format_html(
        '<blockquote class="quote-context" style="white-space: pre-wrap; max-width: 60em">'
        "{}<mark>{}</mark>{}</blockquote>",
        body[paragraph_start:start],
        body[start:end],
        body[end:paragraph_end],
    )


def chain_text(links) -> str:
    """Return a chain as 'officials (origin, told) → Financial Times (reporter) → …'."""
    return " → ".join(
        f"{link.agent} ({link.get_role_display().lower()}{f', {link.verb}' if link.verb else ''})"
        for link in links
    )


def agent_box(attribution: Attribution) -> dict:
    """Describe one chain link for the diagram; never reads a confidential identity."""
    box = {
        "role": attribution.get_role_display(),
        "verb": attribution.verb,
        "kind": attribution.agent_kind,
    }
    if attribution.person_id:
        person = attribution.person
        return {**box, "name": person.name, "details": [person.description]}
    if attribution.organization_id:
        organization = attribution.organization
        return {**box, "name": organization.name, "details": [organization.get_kind_display()]}
    source = attribution.anonymous_source
    count = source.count_text or (str(source.count) if source.count is not None else "")
    return {
        **box,
        "name": source.description,
        "details": [f"count: {count}" if count else "", source.anonymity_reason],
    }


def proposed_box(role: str, agent: AgentProposal | None, verb: str = "", note: str = "") -> dict:
    """Describe a proposed chain link, as written in the document."""
    if agent is None:
        return {"role": role, "verb": verb, "kind": "unknown", "name": "not named", "details": []}
    details = [AGENT_KIND_LABELS[agent.kind], note]
    if agent.kind == AgentKind.PERSON:
        details.append(agent.description)
    if agent.kind == AgentKind.ANONYMOUS:
        details += [
            f"count: {agent.count_text}" if agent.count_text else "",
            agent.anonymity_reason,
        ]
    return {
        "role": role,
        "verb": verb,
        "kind": str(agent.kind),
        "name": agent.text,
        "details": details,
    }


def document_box(document: Document) -> dict:
    """Describe the document at the end of a chain: the piece, where and when it appeared."""
    details = [str(document.publication or document.publisher)]
    if document.publication_id:
        details.append(f"publisher: {document.publisher}")
    if document.agency_credit:
        details.append(f"credited: {document.agency_credit}")
    if document.published_at:
        details.append(f"{document.published_at:%Y-%m-%d %H:%M}")
    return {"role": "Document", "name": str(document), "details": details, "kind": "document"}


# --- Routing form data into the services ---------------------------------------------------------


class _Rollback(Exception):
    """Raised to undo a trial run of a service."""


@contextmanager
def _trial() -> Iterator[None]:
    """Run service calls in a savepoint that is always rolled back, to learn their verdict."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def _add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _quote_fields(data: dict) -> dict:
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
        with _trial():
            for form in new_forms:
                try:
                    self.record(form, user=None)
                except ValidationError as error:
                    _add_service_error(form, error)

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


class QuoteForm(forms.ModelForm):
    """A quote and its context; the context keeps its spaces, which tell repeats apart."""

    prefix = forms.CharField(
        required=False,
        strip=False,
        max_length=Appearance._meta.get_field("prefix").max_length,
        widget=forms.TextInput(attrs={"size": 16}),
        help_text="Text just before the quote, when it appears more than once.",
    )
    suffix = forms.CharField(
        required=False,
        strip=False,
        max_length=Appearance._meta.get_field("suffix").max_length,
        widget=forms.TextInput(attrs={"size": 16}),
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
        widgets = {"exact": forms.Textarea(attrs={"rows": 3, "cols": 60})}


class NewAppearanceFormSet(ServiceFormSet):
    def record(self, form, *, user):
        return recording.appearance_create(
            claim=self.instance,
            document=form.cleaned_data["document"],
            user=user,
            **_quote_fields(form.cleaned_data),
        )


class NewExternalCheckForm(QuoteForm):
    class Meta:
        model = ExternalCheck
        fields = ["organization", "outcome", "document", "exact", "prefix", "suffix", "checked_at"]
        widgets = {"exact": forms.Textarea(attrs={"rows": 3, "cols": 40})}
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
            **_quote_fields(data),
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


# --- Claim inlines -------------------------------------------------------------------------------


class AppearanceInline(admin.StackedInline):
    """Where the claim appears: read-only; the chain is edited on the appearance's own page."""

    model = Appearance
    formset = AppearanceFormSet
    extra = 0
    verbose_name_plural = "appearances"
    fields = ["document", "quote", "anchor_state", "chain", "links"]
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


class NewAppearanceInline(admin.TabularInline):
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


class ExternalCheckInline(admin.TabularInline):
    """Recorded verification attempts by third parties, read-only."""

    model = ExternalCheck
    formset = ReadOnlyFormSet
    extra = 0
    can_delete = False
    verbose_name_plural = "external checks"
    fields = ["organization", "outcome", "excerpt", "document", "checked_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization", "document")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Excerpt")
    def excerpt(self, check):
        if check.document_id is None or not check.exact:
            return "—"
        return quote_in_context(check.document.body, check.start, check.end, check.exact)


class NewExternalCheckInline(admin.TabularInline):
    """Record a reported verification attempt through recording.external_check_record."""

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


class NewRelationInline(admin.TabularInline):
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
        kwargs.setdefault("widgets", {"reason": forms.Textarea(attrs={"rows": 2, "cols": 50})})
        return super().get_formset(request, obj, **kwargs)


# --- Changelist filters --------------------------------------------------------------------------


class YesNoFilter(admin.SimpleListFilter):
    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def matching(self, queryset):
        raise NotImplementedError

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return self.matching(queryset)
        if self.value() == "no":
            return queryset.exclude(pk__in=self.matching(Claim.objects.all()).values("pk"))
        return queryset


class AnonymousOnlyFilter(YesNoFilter):
    title = "anonymous-only origins"
    parameter_name = "anonymous_only"

    def matching(self, queryset):
        return queryset.anonymous_only()


class ConflictedFilter(YesNoFilter):
    title = "has conflicts"
    parameter_name = "conflicted"

    def matching(self, queryset):
        return queryset.conflicted()


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
        if not value.isdigit():
            return queryset.none()
        return queryset.for_publisher(int(value))


# --- Suggestions ---------------------------------------------------------------------------------


class AcceptForm(forms.Form):
    """Accept one proposal for an existing claim, or for a new claim written here."""

    new_claim = forms.CharField(
        label="or a new claim",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="In the newsroom's own words.",
    )

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "claim": forms.ModelChoiceField(
                Claim.objects.all(),
                label="Existing claim",
                required=False,
                widget=AutocompleteSelect(Appearance._meta.get_field("claim"), admin_site),
            ),
            **self.fields,
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("claim") and cleaned.get("new_claim"):
            raise ValidationError("Choose an existing claim or write a new one, not both.")
        if not cleaned.get("claim") and not cleaned.get("new_claim") and not self.errors:
            raise ValidationError("Choose an existing claim or write a new one.")
        return cleaned


class AcceptAppearanceForm(AcceptForm):
    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, admin_site=admin_site, **kwargs)
        self.fields["reporter"] = forms.ModelChoiceField(
            Organization.objects.all(),
            required=False,
            widget=AutocompleteSelect(Attribution._meta.get_field("organization"), admin_site),
            help_text="Leave empty to use the organization named in the text.",
        )


class AcceptCheckForm(AcceptForm):
    checked_at = forms.DateTimeField(label="When", required=False)

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, admin_site=admin_site, **kwargs)
        self.fields["organization"] = forms.ModelChoiceField(
            Organization.objects.all(),
            required=False,
            widget=AutocompleteSelect(ExternalCheck._meta.get_field("organization"), admin_site),
            help_text="Leave empty to use the organization named in the text.",
        )
        self.order_fields(["claim", "new_claim", "organization", "checked_at"])


class DocumentPickForm(forms.Form):
    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"] = forms.ModelChoiceField(
            Document.objects.all(),
            widget=AutocompleteSelect(Appearance._meta.get_field("document"), admin_site),
        )


# --- Admins --------------------------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "topic_names",
        "appearance_count",
        "independent_origins",
        "created_by",
        "updated_at",
    ]
    list_filter = [
        "status",
        "topics",
        PublisherFilter,
        AnonymousOnlyFilter,
        ConflictedFilter,
    ]
    search_fields = ["text", "summary"]
    list_select_related = ["created_by"]
    autocomplete_fields = ["topics"]
    # The status changes only through the verification workflow.
    readonly_fields = [
        "status",
        "version",
        "concluded_at",
        "independent_origins",
        "created_by",
        "created_at",
        "updated_at",
        "relations",
    ]
    inlines = [
        AppearanceInline,
        NewAppearanceInline,
        ExternalCheckInline,
        NewExternalCheckInline,
        NewRelationInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts().prefetch_related("topics")

    def get_fieldsets(self, request, obj=None):
        claim = ["text", "summary", "topics"]
        if obj is None:
            description = "Save the claim, then record where it appears."
            return [(None, {"fields": claim, "description": description})]
        return [
            (None, {"fields": claim}),
            (
                "Verification",
                {
                    "fields": [
                        "status",
                        "version",
                        "concluded_at",
                        "independent_origins",
                        "created_by",
                        "created_at",
                        "updated_at",
                    ]
                },
            ),
            ("Relations", {"fields": ["relations"]}),
        ]

    def get_inline_instances(self, request, obj=None):
        # Appearances, checks and relations hang off a saved claim.
        if obj is None:
            return []
        return super().get_inline_instances(request, obj)

    @admin.display(description="Topics")
    def topic_names(self, claim):
        return ", ".join(topic.name for topic in claim.topics.all())

    @admin.display(description="Appearances", ordering="appearance_count")
    def appearance_count(self, claim):
        return claim.appearance_count

    @admin.display(description="Relations with other claims")
    def relations(self, claim):
        relations = list(ClaimRelation.objects.involving(claim))
        if not relations:
            return "None recorded."
        return format_html(
            '<ul class="claim-relations">{}</ul>',
            format_html_join(
                "",
                '<li>{} <a href="{}">{}</a> — <span class="help">{}</span></li>',
                (
                    (
                        relation.label_from(claim).capitalize(),
                        reverse("admin:claims_claim_change", args=[relation.other(claim).pk]),
                        relation.other(claim),
                        relation.reason,
                    )
                    for relation in relations
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        data, changed = form.cleaned_data, set(form.changed_data)
        if change:
            if changed:
                recording.claim_update(
                    claim=obj,
                    text=data["text"] if "text" in changed else None,
                    summary=data["summary"] if "summary" in changed else None,
                    topics=data["topics"] if "topics" in changed else None,
                )
            return
        claim = recording.claim_create(
            text=data["text"], summary=data["summary"], topics=data["topics"], user=request.user
        )
        # The admin goes on with `obj` (change message, redirect): make it the saved claim.
        for field in Claim._meta.concrete_fields:
            setattr(obj, field.attname, getattr(claim, field.attname))
        obj._state.adding, obj._state.db = False, claim._state.db

    def save_related(self, request, form, formsets, change):
        # Topics were written by the service in save_model; the inlines go through theirs.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        formset.save_through_services(user=request.user)

    def get_urls(self):
        return [
            path(
                "suggest/",
                self.admin_site.admin_view(self.suggest_pick_view),
                name="claims_claim_suggest_pick",
            ),
            path(
                "suggest/<int:document_id>/",
                self.admin_site.admin_view(self.suggest_view),
                name="claims_claim_suggest",
            ),
            path(
                "<path:object_id>/provenance/",
                self.admin_site.admin_view(self.provenance_view),
                name="claims_claim_provenance",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def provenance_view(self, request, object_id):
        """Show a claim's provenance: every chain, the external checks, origins and conflicts."""
        claim = self.get_queryset(request).with_provenance().filter(pk=unquote(object_id)).first()
        if claim is None:
            raise Http404("No such claim.")
        if not self.has_view_permission(request, claim):
            raise PermissionDenied
        appearances = [
            {
                "appearance": appearance,
                "quote": quote_in_context(
                    appearance.document.body, appearance.start, appearance.end, appearance.exact
                ),
                "boxes": [agent_box(link) for link in appearance.chain.all()],
                "document": document_box(appearance.document),
            }
            for appearance in claim.appearances.all()
        ]
        checks = [
            {
                "check": check,
                "excerpt": quote_in_context(
                    check.document.body, check.start, check.end, check.exact
                )
                if check.document_id and check.exact
                else "",
            }
            for check in claim.external_checks.all()
        ]
        conflicting = [
            {"relation": relation, "other": relation.other(claim)}
            for _, _, relation in conflicts(claims=[claim])
        ]
        history = [
            {"event": event, "evidence": [_evidence_text(item) for item in event.evidence or []]}
            for event in claim.events.all()
        ]
        context = self._context(
            request,
            f"Provenance: {claim}",
            claim=claim,
            original=claim,
            appearances=appearances,
            checks=checks,
            conflicts=conflicting,
            history=history,
        )
        return TemplateResponse(request, "admin/claims/claim/provenance.html", context)

    def suggest_pick_view(self, request):
        """Choose a document to read for suggestions."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DocumentPickForm(request.GET or None, admin_site=self.admin_site)
        if form.is_valid():
            return redirect("admin:claims_claim_suggest", form.cleaned_data["document"].pk)
        context = self._context(
            request, "Suggest attributions", form=form, media=self.media + form.media
        )
        return TemplateResponse(request, "admin/claims/claim/suggest_pick.html", context)

    def suggest_view(self, request, document_id):
        """List what the suggester reads in a document; record a proposal only when accepted."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        document = get_object_or_404(Document.objects.with_license(), pk=document_id)
        title = f"Suggest attributions: {document}"
        try:
            found = suggest(document=document)
        except MiningRefused as refused:
            context = self._context(
                request,
                title,
                document=document,
                refused=True,  # a Decision is falsy when it refuses
                refusal=refused.decision,
                proposals=[],
            )
            return TemplateResponse(request, "admin/claims/claim/suggest.html", context)

        proposals = {
            **{f"appearance-{i}": p for i, p in enumerate(found.appearances)},
            **{f"check-{i}": p for i, p in enumerate(found.external_checks)},
        }
        # Accepting records appearances with chains, or external checks: each needs its own right.
        may_record = {
            "appearance": request.user.has_perms(
                ["claims.add_appearance", "claims.add_attribution"]
            ),
            "check": request.user.has_perm("claims.add_externalcheck"),
        }
        bound = {}
        if request.method == "POST":
            key = request.POST.get("proposal", "")
            if key not in proposals or request.POST.get("body_sha256") != document.body_sha256:
                messages.error(
                    request,
                    "The document's text changed since the proposals were shown; review them "
                    "again.",
                )
                return redirect(request.path)
            if not may_record[key.split("-")[0]]:
                raise PermissionDenied
            form = self._accept_form(proposals[key], key, request.POST)
            if form.is_valid():
                recorded = self._accept(request, document, proposals[key], form.cleaned_data)
                if recorded is not None:
                    return redirect(request.path)
            bound[key] = form

        rows = self._proposal_rows(document, proposals, may_record, bound)
        media = self.media
        for row in rows:
            media += row["form"].media
        context = self._context(
            request,
            title,
            document=document,
            decision=found.decision,
            proposals=rows,
            media=media,
        )
        return TemplateResponse(request, "admin/claims/claim/suggest.html", context)

    def _proposal_rows(self, document, proposals, may_record, bound) -> list[dict]:
        """Describe each proposal: its text highlighted, chain, accept form, claims recorded for."""
        recorded: dict[tuple, list[Claim]] = {}
        for appearance in Appearance.objects.filter(document=document).select_related("claim"):
            key = ("appearance", appearance.start, appearance.end)
            recorded.setdefault(key, []).append(appearance.claim)
        for check in ExternalCheck.objects.filter(document=document).select_related("claim"):
            key = ("check", check.start, check.end, check.outcome)
            recorded.setdefault(key, []).append(check.claim)

        rows = []
        for key, proposal in proposals.items():
            kind = key.split("-")[0]
            row = {
                "key": key,
                "kind": kind,
                "may_accept": may_record[kind],
                "proposal": proposal,
                "quote": quote_in_context(
                    document.body, proposal.start, proposal.end, proposal.exact
                ),
                "form": bound.get(key) or self._accept_form(proposal, key),
            }
            if isinstance(proposal, AppearanceProposal):
                chain = proposal.chain
                row["boxes"] = [proposed_box("Origin", chain.origin, chain.verb)]
                if chain.reporter is not None:
                    inferred = "from an earlier sentence" if chain.reporter_inferred else ""
                    row["boxes"].append(proposed_box("Reporter", chain.reporter, note=inferred))
                row["document"] = document_box(document)
                row["recorded"] = recorded.get((kind, proposal.start, proposal.end), [])
            else:
                row["outcome"] = ExternalCheck.Outcome(proposal.outcome).label
                row["recorded"] = recorded.get(
                    (kind, proposal.start, proposal.end, proposal.outcome), []
                )
            rows.append(row)
        return rows

    def _accept_form(self, proposal, key: str, data=None) -> AcceptForm:
        form_class = (
            AcceptCheckForm if isinstance(proposal, ExternalCheckProposal) else AcceptAppearanceForm
        )
        return form_class(data, prefix=key, admin_site=self.admin_site)

    def _accept(self, request, document, proposal, data):
        """Record the proposal for the chosen or a new claim; report a refusal as messages."""
        overrides = (
            {"organization": data.get("organization"), "checked_at": data.get("checked_at")}
            if isinstance(proposal, ExternalCheckProposal)
            else {"reporter": data.get("reporter")}
        )
        try:
            with transaction.atomic():
                claim = data["claim"] or recording.claim_create(
                    text=data["new_claim"], user=request.user
                )
                recorded = suggestion_accept(
                    document=document,
                    proposal=proposal,
                    claim=claim,
                    user=request.user,
                    **overrides,
                )
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
            return None
        what = "appearance" if isinstance(recorded, Appearance) else "external check"
        messages.success(
            request,
            format_html(
                'Recorded the {} for <a href="{}">{}</a>.',
                what,
                reverse("admin:claims_claim_change", args=[claim.pk]),
                claim,
            ),
        )
        return recorded


def _evidence_text(item) -> str:
    """Return one piece of evidence stored on a verification event as a line of text."""
    if not isinstance(item, dict):
        return str(item)
    shown = item.get("url") or item.get("label") or ""
    return " — ".join(part for part in (shown, item.get("note", "")) if part)


def _messages_of(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return error.messages
    return [
        message
        if field == NON_FIELD_ERRORS
        else f"{field.replace('_', ' ').capitalize()}: {message}"
        for field, errors in error.message_dict.items()
        for message in errors
    ]


# --- Appearance and its chain --------------------------------------------------------------------


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
            with _trial():
                recording.chain_set(appearance=self.instance, links=self.links())
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class AttributionInline(admin.TabularInline):
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


@admin.register(Appearance)
class AppearanceAdmin(admin.ModelAdmin):
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

    def delete_model(self, request, obj):
        recording.appearance_delete(appearance=obj)

    def delete_queryset(self, request, queryset):
        for appearance in queryset:
            recording.appearance_delete(appearance=appearance)

    def response_post_save_change(self, request, obj):
        return redirect("admin:claims_claim_change", obj.claim_id)
