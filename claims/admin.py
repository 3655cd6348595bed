"""Admin for claims: appearances, chains, checks, relations, provenance and the workflow.

The admin only routes form data into `claims.recording`, `claims.suggest` and
`claims.workflow`; it holds no rules of its own. Where a form must show a service's verdict
before the page is saved, the formset's `clean()` runs the same service call inside a savepoint
that is always rolled back. Verification moves are collected on intermediate forms and made by
`claim_transition()`, whose refusals are shown as they come.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
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
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin

from claims import recording
from claims.anchoring import AnchorError, anchor
from claims.models import (
    CONCLUDED,
    Appearance,
    Attribution,
    Claim,
    ClaimRelation,
    ClaimStatus,
    ExternalCheck,
    Topic,
    VerificationEvent,
)
from claims.origins import conflicts
from claims.suggest import (
    AgentKind,
    AgentProposal,
    AppearanceProposal,
    ExternalCheckProposal,
    MiningRefused,
    suggest,
    suggestion_accept,
)
from claims.workflow import (
    DROP_FROM_REVIEW,
    REOPEN,
    SEND_TO_REVIEW,
    TRANSITIONS,
    Evidence,
    Move,
    StaleVersion,
    TransitionRefused,
    allowed_targets,
    can_assign,
    can_transition,
    claim_assign,
    claim_transition,
    move_for,
    reviewers,
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


def is_concluded(claim) -> bool:
    """A concluded claim's words and provenance are frozen until it is reopened."""
    return claim is not None and claim.pk is not None and claim.status in CONCLUDED


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

    def has_delete_permission(self, request, obj=None):
        return not is_concluded(obj) and super().has_delete_permission(request, obj)

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

    def has_add_permission(self, request, obj=None):
        return not is_concluded(obj) and super().has_add_permission(request, obj)


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


# --- The review queue ----------------------------------------------------------------------------

S = ClaimStatus

# The review queue's lists, in the order the dashboard shows them.
REVIEW_QUEUES = [
    ("mine", "Assigned to me"),
    ("unassigned", "Unassigned, in review"),
    ("overdue", "Overdue"),
    ("conflicted", "With conflicts"),
    ("anonymous_only", "Only anonymous origins"),
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


# --- Workflow forms ------------------------------------------------------------------------------

CONCLUSIONS = [
    (to, S(to).label)
    for (frm, to), move in TRANSITIONS.items()
    if frm == S.IN_REVIEW and move.is_conclusion
]
CONCLUDE = move_for(S.IN_REVIEW, CONCLUSIONS[0][0])
EVIDENCE_URLS = 3
QUEUE_ROWS = 10


class MoveForm(forms.Form):
    """What one move needs, for one or several claims.

    Each claim's version as the user saw it travels in a hidden field, so the service refuses a
    move on a claim that changed in the meantime instead of overwriting the change.
    """

    required_css_class = "required"

    rationale = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )

    def __init__(self, data=None, *, claims, admin_site, move: Move | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.claims = list(claims)
        self.admin_site = admin_site
        if move is not None:
            self.fields["rationale"].required = move.needs_rationale
        for claim in self.claims:
            self.fields[self.version_field(claim)] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=claim.version
            )

    @staticmethod
    def version_field(claim: Claim) -> str:
        return f"version_{claim.pk}"

    def expected_version(self, claim: Claim) -> int | None:
        return self.cleaned_data.get(self.version_field(claim))

    def service_arguments(self) -> dict:
        """Return the keyword arguments for claim_transition() besides claim, to and actor."""
        return {"rationale": self.cleaned_data.get("rationale", "")}


class SendToReviewForm(MoveForm):
    assignee = forms.ModelChoiceField(
        queryset=None, required=False, help_text="A fact-checker; leave empty to queue it."
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["assignee", "due_date", "rationale"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers()
        self.fields["rationale"].label = "Note"

    def service_arguments(self) -> dict:
        return {
            **super().service_arguments(),
            "assignee": self.cleaned_data.get("assignee"),
            "due_date": self.cleaned_data.get("due_date"),
        }


class ConcludeForm(MoveForm):
    """A conclusion, its rationale and evidence: URLs, a document, an external check."""

    to = forms.ChoiceField(label="Conclusion", choices=CONCLUSIONS)

    field_order = ["to", "rationale"]

    def __init__(self, *args, to: str | None = None, move: Move = CONCLUDE, **kwargs):
        super().__init__(*args, move=move, **kwargs)
        if to is not None:
            del self.fields["to"]  # the single-claim page moves to the state in its URL
        for index in range(1, EVIDENCE_URLS + 1):
            self.fields[f"url_{index}"] = forms.URLField(
                label=f"Evidence URL {index}", required=False, assume_scheme="https"
            )
        self.fields["document"] = forms.ModelChoiceField(
            Document.objects.all(),
            label="Evidence document",
            required=False,
            widget=AutocompleteSelect(Appearance._meta.get_field("document"), self.admin_site),
        )
        checks = ExternalCheck.objects.filter(claim__in=self.claims).select_related(
            "organization", "claim"
        )
        self.fields["external_check"] = forms.ModelChoiceField(
            checks,
            label="Evidence external check",
            required=False,
            help_text="One of the selected claims' recorded external checks.",
        )
        if len(self.claims) > 1:
            self.fields["external_check"].label_from_instance = lambda check: (
                f"{check} (claim: {check.claim})"
            )

    def evidence(self) -> list[Evidence]:
        data = self.cleaned_data
        items = [
            Evidence(url=data[f"url_{index}"])
            for index in range(1, EVIDENCE_URLS + 1)
            if data.get(f"url_{index}")
        ]
        if data.get("document"):
            items.append(Evidence(document_id=data["document"].pk))
        if data.get("external_check"):
            items.append(Evidence(external_check_id=data["external_check"].pk))
        return items

    def service_arguments(self) -> dict:
        return {**super().service_arguments(), "evidence": self.evidence()}


class AssignForm(forms.Form):
    required_css_class = "required"

    assignee = forms.ModelChoiceField(
        queryset=None, required=False, help_text="Leave empty to unassign."
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *, claims, admin_site, **kwargs):
        super().__init__(data, **kwargs)
        self.claims = list(claims)
        self.fields["assignee"].queryset = reviewers()


def move_form_class(move: Move) -> type[MoveForm]:
    if move == SEND_TO_REVIEW:
        return SendToReviewForm
    if move.is_conclusion:
        return ConcludeForm
    return MoveForm


def move_label(from_status: str, to_status: str) -> str:
    """Name a move for a button: 'Send to review', 'Conclude: verified', 'Reopen'."""
    move = move_for(from_status, to_status)
    if move.is_conclusion:
        return f"Conclude: {S(to_status).label.lower()}"
    return move.name.capitalize()


def refusal_messages(refusal: Exception) -> list[str]:
    """Return what a refused move says, whatever the service raised."""
    if isinstance(refusal, ValidationError):
        return _messages_of(refusal)
    return [str(refusal) or "You may not make this move."]


REFUSALS = (TransitionRefused, PermissionDenied, StaleVersion)


def evidence_html(items) -> SafeString:
    """Show the evidence stored on a verification event, URLs and documents as links."""
    lines = []
    for item in items or []:
        if not isinstance(item, dict):
            lines.append(format_html("<li>{}</li>", item))
            continue
        url = item.get("url", "")
        if item.get("kind") == "url" and url.startswith(("https://", "http://")):
            shown = format_html('<a href="{}" rel="noopener noreferrer">{}</a>', url, url)
        elif item.get("kind") == "document" and item.get("document"):
            shown = format_html(
                '<a href="{}">{}</a>',
                reverse("admin:sources_document_change", args=[item["document"]]),
                item.get("label") or f"Document {item['document']}",
            )
        else:
            shown = url or item.get("label") or ""
        note = item.get("note")
        lines.append(format_html("<li>{}{}</li>", shown, f" — {note}" if note else ""))
    if not lines:
        return format_html("{}", "—")
    return format_html(
        '<ul class="evidence">{}</ul>', format_html_join("", "{}", ((line,) for line in lines))
    )


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


class HistoryAdmin(SimpleHistoryAdmin):
    """Show who changed what and when (django-simple-history), never revert.

    Edits go through the recording services, which a revert would bypass.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Past versions are shown, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Claim)
class ClaimAdmin(HistoryAdmin):
    list_display = [
        "__str__",
        "status",
        "topic_names",
        "appearance_count",
        "independent_origins",
        "assignee",
        "due_date",
        "created_by",
        "updated_at",
    ]
    list_filter = [
        ReviewQueueFilter,
        "status",
        "topics",
        PublisherFilter,
        AnonymousOnlyFilter,
        ConflictedFilter,
    ]
    search_fields = ["text", "summary"]
    list_select_related = ["created_by", "assignee"]
    autocomplete_fields = ["topics"]
    # The status, assignee and due date change only through the verification workflow.
    readonly_fields = [
        "status",
        "assignee",
        "due_date",
        "version",
        "concluded_at",
        "independent_origins",
        "created_by",
        "created_at",
        "updated_at",
        "relations",
        "verification_history",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if is_concluded(obj):
            return [*fields, "text", "summary", "topics"]  # reopen first (recording.ensure_open)
        return fields

    inlines = [
        AppearanceInline,
        NewAppearanceInline,
        ExternalCheckInline,
        NewExternalCheckInline,
        NewRelationInline,
    ]
    actions = ["send_to_review", "assign", "conclude", "drop_from_review", "reopen"]

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
                        "assignee",
                        "due_date",
                        "version",
                        "concluded_at",
                        "independent_origins",
                        "created_by",
                        "created_at",
                        "updated_at",
                    ],
                    "description": "Changed only by the workflow's moves, above.",
                },
            ),
            ("Verification history", {"fields": ["verification_history"]}),
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

    @admin.display(description="State changes, oldest first")
    def verification_history(self, claim):
        events = list(claim.events.select_related("actor"))
        if not events:
            return "No state changes yet."
        return format_html(
            '<table id="verification-history"><thead><tr><th>When</th><th>Move</th>'
            "<th>Who</th><th>Why</th><th>Evidence</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{} &rarr; {}</td><td>{} ({})</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M"),
                        event.get_from_status_display(),
                        event.get_to_status_display(),
                        event.actor,
                        event.actor_role,
                        event.rationale or "—",
                        evidence_html(event.evidence),
                    )
                    for event in events
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

    # --- The verification workflow: actions, buttons and pages that call claims.workflow ---

    def has_send_to_review_permission(self, request):
        return request.user.has_perm(SEND_TO_REVIEW.permission)

    def has_conclude_permission(self, request):
        return request.user.has_perm(CONCLUDE.permission)

    def has_drop_from_review_permission(self, request):
        return request.user.has_perm(DROP_FROM_REVIEW.permission)

    def has_reopen_permission(self, request):
        return request.user.has_perm(REOPEN.permission)

    def has_assign_permission(self, request):
        return can_assign(request.user)

    @admin.action(description="Send to review…", permissions=["send_to_review"])
    def send_to_review(self, request, queryset):
        return self._move_action(request, queryset, "send_to_review", SEND_TO_REVIEW, S.IN_REVIEW)

    @admin.action(description="Conclude…", permissions=["conclude"])
    def conclude(self, request, queryset):
        return self._move_action(request, queryset, "conclude", CONCLUDE, to=None)

    @admin.action(description="Drop from review…", permissions=["drop_from_review"])
    def drop_from_review(self, request, queryset):
        return self._move_action(
            request, queryset, "drop_from_review", DROP_FROM_REVIEW, S.UNVERIFIED
        )

    @admin.action(description="Reopen…", permissions=["reopen"])
    def reopen(self, request, queryset):
        return self._move_action(request, queryset, "reopen", REOPEN, S.IN_REVIEW)

    @admin.action(description="Assign…", permissions=["assign"])
    def assign(self, request, queryset):
        claims = list(queryset.select_related("assignee"))
        form = AssignForm(
            request.POST if "apply" in request.POST else None,
            claims=claims,
            admin_site=self.admin_site,
        )
        if form.is_bound and form.is_valid():
            for claim in claims:
                try:
                    claim_assign(
                        claim=claim,
                        assignee=form.cleaned_data["assignee"],
                        due_date=form.cleaned_data["due_date"],
                        actor=request.user,
                    )
                except REFUSALS as refusal:
                    self._report_refusal(request, claim, refusal_messages(refusal))
                else:
                    assignee = form.cleaned_data["assignee"] or "nobody"
                    self._report_success(request, claim, f"assigned to {assignee}")
            return None
        return self._action_form_response(request, "assign", "Assign", form, claims)

    def _move_action(self, request, queryset, action: str, move: Move, to: str | None):
        """Show a move's form for the selected claims; on submit make the move on each.

        `to` is None for a conclusion, whose target the form asks for.
        """
        claims = list(queryset.select_related("assignee"))
        form = move_form_class(move)(
            request.POST if "apply" in request.POST else None,
            claims=claims,
            admin_site=self.admin_site,
            move=move,
        )
        if form.is_bound and form.is_valid():
            target = to or form.cleaned_data["to"]
            for claim in claims:
                self._transition(request, claim, target, form)
            return None
        return self._action_form_response(request, action, move.name.capitalize(), form, claims)

    def _transition(self, request, claim: Claim, to: str, form: MoveForm) -> None:
        """Make one move of a bulk action; report its outcome as a message."""
        from_status = claim.status
        reasons = self._make_move(request, claim, to, form)
        if reasons:
            self._report_refusal(request, claim, reasons)
        else:
            self._report_success(request, claim, f"{S(from_status).label} → {S(to).label}")

    def _make_move(self, request, claim: Claim, to: str, form: MoveForm) -> list[str]:
        """Make one move through the service; return why it was refused, if it was."""
        expected = form.expected_version(claim)
        if expected is None:
            return ["It was not on the form you submitted; reload the page and try again."]
        try:
            claim_transition(
                claim=claim,
                to=to,
                actor=request.user,
                expected_version=expected,
                **form.service_arguments(),
            )
        except REFUSALS as refusal:
            return refusal_messages(refusal)
        return []

    def _report_success(self, request, claim, what: str) -> None:
        messages.success(
            request,
            format_html(
                '<a href="{}">{}</a>: {}.',
                reverse("admin:claims_claim_change", args=[claim.pk]),
                claim,
                what,
            ),
        )

    def _report_refusal(self, request, claim, reasons: list[str]) -> None:
        messages.error(
            request,
            format_html(
                '<a href="{}">{}</a>: {}',
                reverse("admin:claims_claim_change", args=[claim.pk]),
                claim,
                " ".join(reasons),
            ),
        )

    def _action_form_response(self, request, action: str, title: str, form, claims):
        context = self._context(
            request,
            title,
            form=form,
            claims=claims,
            action=action,
            action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            submit_label=title,
            media=self.media + form.media,
        )
        return TemplateResponse(request, "admin/claims/claim/move_form.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["workflow_moves"] = [
                {
                    "label": move_label(obj.status, to),
                    "url": reverse("admin:claims_claim_transition", args=[obj.pk, to]),
                }
                for to in allowed_targets(obj.status)
                if can_transition(request.user, obj, to)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def transition_view(self, request, object_id, to):
        """Make one move on one claim: collect what the move needs, then call the service."""
        claim = self.get_object(request, unquote(object_id))
        if claim is None:
            raise Http404("No such claim.")
        if not self.has_view_permission(request, claim):
            raise PermissionDenied
        change_url = reverse("admin:claims_claim_change", args=[claim.pk])
        try:
            move = move_for(claim.status, to)
        except TransitionRefused as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect(change_url)
        if not request.user.has_perm(move.permission):
            raise PermissionDenied(f"You do not have permission to {move.name} a claim.")
        form = move_form_class(move)(
            request.POST if request.method == "POST" else None,
            claims=[claim],
            admin_site=self.admin_site,
            move=move,
            **({"to": to} if move.is_conclusion else {}),
        )
        if form.is_bound and form.is_valid():
            from_status = claim.status
            reasons = self._make_move(request, claim, to, form)
            if not reasons:
                self._report_success(request, claim, f"{S(from_status).label} → {S(to).label}")
                return redirect(change_url)
            for reason in reasons:
                form.add_error(None, reason)
        label = move_label(claim.status, to)
        context = self._context(
            request,
            f"{label}: {claim}",
            form=form,
            claims=[claim],
            claim=claim,
            original=claim,
            submit_label=label,
            media=self.media + form.media,
        )
        return TemplateResponse(request, "admin/claims/claim/move_form.html", context)

    def queue_view(self, request):
        """Show the review queue's lists with their counts, each linking to its changelist."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        claims = Claim.objects.select_related("assignee")
        changelist = reverse("admin:claims_claim_changelist")
        queues = []
        for key, label in REVIEW_QUEUES:
            listed = in_review_queue(claims, key, user=request.user, today=today)
            if key == "overdue":
                listed = listed.order_by("due_date", "pk")
            queues.append(
                {
                    "key": key,
                    "label": label,
                    "count": listed.count(),
                    "claims": list(listed[:QUEUE_ROWS]),
                    "url": f"{changelist}?{ReviewQueueFilter.parameter_name}={key}",
                }
            )
        context = self._context(request, "Review queue", queues=queues, today=today)
        return TemplateResponse(request, "admin/claims/claim/queue.html", context)

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
                "queue/",
                self.admin_site.admin_view(self.queue_view),
                name="claims_claim_queue",
            ),
            path(
                "<path:object_id>/provenance/",
                self.admin_site.admin_view(self.provenance_view),
                name="claims_claim_provenance",
            ),
            path(
                "<path:object_id>/transition/<str:to>/",
                self.admin_site.admin_view(self.transition_view),
                name="claims_claim_transition",
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

    def _open(self, appearance) -> bool:
        return appearance is None or not is_concluded(appearance.claim)

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
        if obj is not None and is_concluded(obj.claim):
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

    def delete_model(self, request, obj):
        recording.appearance_delete(appearance=obj)

    def delete_queryset(self, request, queryset):
        for appearance in queryset:
            recording.appearance_delete(appearance=appearance)

    def response_post_save_change(self, request, obj):
        return redirect("admin:claims_claim_change", obj.claim_id)


# --- The verification log ------------------------------------------------------------------------


@admin.register(VerificationEvent)
class VerificationEventAdmin(admin.ModelAdmin):
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
    ]
    readonly_fields = fields
    actions = None  # no bulk delete, nor any other bulk change

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Evidence")
    def evidence_links(self, event):
        return evidence_html(event.evidence)
