"""Admin for sources: organizations, people, anonymous sources, documents and licence terms."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from sources import licensing
from sources.admin_base import UnderEmbargoFilter, embargo_note
from sources.autocomplete import AutocompleteKeysMixin
from sources.documents import body_conflict, document_body_update
from sources.import_report import FORMAT_AUTO, FORMAT_CHOICES
from sources.ingest import IngestError, document_import
from sources.models import (
    Affiliation,
    Agreement,
    AnonymousSource,
    Document,
    DocumentCredit,
    LicenseTerms,
    Organization,
    OrganizationAlias,
    Person,
)
from sources.terms import (
    TermsError,
    confirmation_problem,
    license_terms_confirm,
    license_terms_save,
)

CONFIDENTIAL_PERMISSION = "sources.view_confidential_identity"
# The last import's report, shown once on the import page after the redirect.
IMPORT_REPORT_SESSION_KEY = "sources_document_import_report"
# URLs typed without a scheme are taken as https (Django 6's default, chosen now).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class OrganizationAliasFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            name = " ".join(form.cleaned_data.get("name", "").split()).casefold()
            if not name or self._should_delete_form(form):
                continue
            if name in seen:
                form.add_error("name", "This alias is given twice.")
            seen.add(name)


class OrganizationAliasInline(admin.TabularInline):
    """The other names an organization goes by; part of the organization, edited with it."""

    model = OrganizationAlias
    formset = OrganizationAliasFormSet
    extra = 1
    verbose_name = "alias"
    verbose_name_plural = "aliases (other names it is credited or quoted under, e.g. FT)"

    def _may_edit(self, request, obj) -> bool:
        parent = self.parent_model._meta
        action = "change" if obj is not None else "add"
        return request.user.has_perm(f"{parent.app_label}.{action}_{parent.model_name}")

    def has_view_permission(self, request, obj=None):
        opts = self.parent_model._meta
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or (
            self._may_edit(request, obj)
        )

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)


@admin.register(Organization)
class OrganizationAdmin(AutocompleteKeysMixin, admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    # The agent pickers (autocomplete) search here too, so "FT" finds the Financial Times.
    search_fields = ["name", "aliases__name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    inlines = [OrganizationAliasInline]


class AffiliationInline(AutocompleteKeysMixin, admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "current_affiliations"]
    search_fields = ["name", "description"]
    inlines = [AffiliationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("affiliation_set__organization")

    @admin.display(description="Affiliations")
    def current_affiliations(self, person):
        return "; ".join(
            f"{a.role}, {a.organization}" if a.role else str(a.organization)
            for a in person.affiliation_set.all()
        )


@admin.register(AnonymousSource)
class AnonymousSourceAdmin(admin.ModelAdmin):
    """The confidential identity is on the form only for holders of the explicit permission."""

    list_display = ["description", "count_text", "count", "anonymity_reason"]
    search_fields = ["description", "anonymity_reason"]  # never the identity

    def get_fields(self, request, obj=None):
        fields = ["description", "count_text", "count", "anonymity_reason", "motive"]
        if request.user.has_perm(CONFIDENTIAL_PERMISSION):
            fields.append("confidential_identity")
        return fields

    def lookup_allowed(self, lookup, value, request=None):
        # ?confidential_identity=... would tell who has a known identity, and its length.
        if lookup.split("__")[0] == "confidential_identity":
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_form(self, request, obj=None, **kwargs):
        if not request.user.has_perm(CONFIDENTIAL_PERMISSION):
            kwargs["exclude"] = [*(kwargs.get("exclude") or []), "confidential_identity"]
        return super().get_form(request, obj, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        """The change history; without the permission, no entry says the identity changed."""
        response = super().history_view(request, object_id, extra_context)
        if request.user.has_perm(CONFIDENTIAL_PERMISSION) or not hasattr(response, "context_data"):
            return response
        label = str(AnonymousSource._meta.get_field("confidential_identity").verbose_name)
        for entry in response.context_data.get("action_list", []):
            entry.change_message = json.dumps(_without_field(entry.change_message, label))
        return response


def _without_field(change_message: str, label: str) -> list:
    """A LogEntry's change message with one field's name taken out of every 'changed'."""
    try:
        messages = json.loads(change_message or "[]")
    except json.JSONDecodeError:
        return []  # a free-text message might name anything: show none of it
    kept = []
    for message in messages:
        changed = message.get("changed") if isinstance(message, dict) else None
        if changed is not None:
            fields = [f for f in changed.get("fields", []) if f.lower() != label.lower()]
            if not fields:
                continue
            message = {**message, "changed": {**changed, "fields": fields}}
        kept.append(message)
    return kept


class LicenseTermsForm(forms.ModelForm):
    permitted_purposes = forms.MultipleChoiceField(
        choices=LicenseTerms.Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Uses the terms keep open despite a reservation.",
    )
    confirm = forms.BooleanField(
        required=False,
        label="Confirm these terms",
        help_text="I have read the notice and these terms say what it says. Your name and the "
        "time are recorded; until terms with an unknown TDM status are confirmed, the "
        "document is treated as reserved.",
    )

    tdm_policy_url = forms.URLField(
        label="TDM policy URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=LicenseTerms._meta.get_field("tdm_policy_url").help_text,
    )

    class Meta:
        model = LicenseTerms
        fields = [
            "holder",
            "notice",
            "notice_language",
            "tdm_status",
            "tdm_scope",
            "permitted_purposes",
            "tdm_legal_basis",
            "tdm_expression",
            "tdm_clause",
            "tdm_policy_url",
            "sharing_scope",
            "sharing_clause",
            "permitted_uses",
            "max_external_quote_chars",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("confirm"):
            problem = confirmation_problem(tdm_status=cleaned.get("tdm_status", ""))
            if problem:
                self.add_error("tdm_status", problem)
        return cleaned


@admin.register(LicenseTerms)
class LicenseTermsAdmin(AutocompleteKeysMixin, admin.ModelAdmin):
    form = LicenseTermsForm
    formfield_overrides = HTTPS_URLS
    list_display = [
        "holder",
        "tdm_status",
        "tdm_legal_basis",
        "notice_language",
        "sharing_scope",
        "max_external_quote_chars",
        "confirmed_at",
        "document_count",
    ]
    list_filter = ["tdm_status", "tdm_reserved", "sharing_scope", "tdm_expression"]
    search_fields = ["holder__name", "notice", "tdm_legal_basis"]
    autocomplete_fields = ["holder"]
    list_select_related = ["holder"]
    readonly_fields = ["notice_sha256", "tdm_reserved", "confirmed_by", "confirmed_at"]
    actions = ["confirm_terms"]
    fieldsets = [
        (None, {"fields": ["holder", "notice", "notice_language", "notice_sha256"]}),
        (
            "Text and data mining",
            {
                "fields": [
                    "tdm_status",
                    "tdm_reserved",
                    "tdm_scope",
                    "permitted_purposes",
                    "tdm_legal_basis",
                    "tdm_expression",
                    "tdm_clause",
                    "tdm_policy_url",
                ]
            },
        ),
        (
            "Sharing and quoting",
            {
                "fields": [
                    "sharing_scope",
                    "sharing_clause",
                    "permitted_uses",
                    "max_external_quote_chars",
                ]
            },
        ),
        ("Confirmation", {"fields": ["confirm", "confirmed_by", "confirmed_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_document_count=Count("documents"))

    @admin.display(description="Documents", ordering="_document_count")
    def document_count(self, terms):
        return terms._document_count

    def save_model(self, request, obj, form, change):
        license_terms_save(
            terms=obj,
            user=request.user,
            changed=form.changed_data,
            confirm=form.cleaned_data.get("confirm", False),
        )

    @admin.action(description="Confirm the selected terms as read", permissions=["change"])
    def confirm_terms(self, request, queryset):
        confirmed, refused = 0, []
        for terms in queryset.select_related("holder"):
            try:
                license_terms_confirm(terms=terms, user=request.user)
            except TermsError as exc:
                refused.append(f"{terms.holder}: {exc}")
            else:
                confirmed += 1
        if confirmed:
            self.message_user(request, f"Confirmed {confirmed} licence terms.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)


@admin.register(Agreement)
class AgreementAdmin(AutocompleteKeysMixin, admin.ModelAdmin):
    list_display = [
        "holder",
        "reference",
        "valid_from",
        "valid_until",
        "grants_tdm",
        "grants_external_sharing",
    ]
    list_filter = ["grants_tdm", "grants_external_sharing"]
    search_fields = ["holder__name", "reference"]
    autocomplete_fields = ["holder"]
    list_select_related = ["holder"]


class DocumentImportForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        strip=False,
        help_text="Paste the article as received, as text or as the page's HTML source; "
        "normalisation, page furniture, the agency credit and the rights notice are handled by "
        "the importer.",
    )
    input_format = forms.ChoiceField(
        label="Format",
        choices=FORMAT_CHOICES,
        initial=FORMAT_AUTO,
        required=False,
        help_text="Detect tells an HTML page from plain text by its markup.",
    )
    publisher = forms.CharField(max_length=200)
    publication = forms.CharField(max_length=200, required=False)
    url = forms.URLField(label="URL", max_length=2000, required=False, assume_scheme="https")
    headline = forms.CharField(max_length=500, required=False)
    published_at = forms.DateTimeField(required=False, help_text="e.g. 2025-11-19 09:30")
    language = forms.CharField(max_length=16, required=False)
    is_excerpt = forms.BooleanField(required=False, label="The text is only an excerpt")
    embargo_until = forms.DateTimeField(
        label="Under embargo until",
        required=False,
        help_text="e.g. 2025-11-20 11:00 (the site's time zone). Until then nothing of the "
        "document reaches consumers or public pages.",
    )


class DocumentCreditInline(AutocompleteKeysMixin, admin.TabularInline):
    """The agencies the text credits, as the importer found them; correct or remove them here."""

    model = DocumentCredit
    extra = 0
    fields = ["organization", "shape", "text", "start", "end"]
    readonly_fields = ["start", "end"]
    autocomplete_fields = ["organization"]
    verbose_name = "agency credit"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")


@admin.register(Document)
class DocumentAdmin(AutocompleteKeysMixin, admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = [
        "__str__",
        "publisher",
        "publication",
        "agency_credit",
        "published_at",
        "language",
        "tdm_reserved",
        "sharing_scope",
        "embargo",
    ]
    list_filter = [
        UnderEmbargoFilter,
        "license__tdm_reserved",
        "license__sharing_scope",
        "publisher__kind",
        "obtained_via",
        "is_excerpt",
        "language",
    ]
    search_fields = ["headline", "url", "publisher__name", "publication__name"]
    autocomplete_fields = ["publisher", "publication", "license"]
    list_select_related = ["publisher", "publication", "license"]
    date_hierarchy = "published_at"
    readonly_fields = [
        "body_sha256",
        "raw_text",
        "obtained_at",
        "imported_by",
        "licence_panel",
        "suggestions_link",
        "copies",
        "embargo_status",
    ]
    inlines = [DocumentCreditInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "headline",
                    "publisher",
                    "publication",
                    "agency_credit",
                    "url",
                    "published_at",
                    "language",
                    "embargo_until",
                    "embargo_status",
                ]
            },
        ),
        ("Text", {"fields": ["body", "is_excerpt", "body_sha256", "copies", "raw_text"]}),
        (
            "Licence",
            {"fields": ["license", "license_override", "licence_panel", "suggestions_link"]},
        ),
        ("Provenance", {"fields": ["obtained_at", "obtained_via", "imported_by"]}),
    ]
    change_list_template = "admin/sources/document/change_list.html"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class DocumentForm(form):
            def clean_body(self):
                body = self.cleaned_data["body"]
                other = self.instance.pk and body_conflict(document=self.instance, body=body)
                if other:
                    raise forms.ValidationError(f"Document {other.pk} ('{other}') has this body.")
                return body

        return DocumentForm

    def save_model(self, request, obj, form, change):
        # A new body goes through the service so anchored quotes follow it.
        if change and "body" in form.changed_data:
            document_body_update(document=obj, body=obj.body)  # saves the other fields too
        else:
            super().save_model(request, obj, form, change)

    @admin.display(description="Copies of this text")
    def copies(self, document):
        """The same text as other titles carry it: one agency story, one origin."""
        if document.pk is None:
            return "—"
        copies = Document.objects.copies_of(document).select_related("publisher", "publication")
        if not copies:
            return "None: no other title's document has this text."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> — {}</li>',
                (
                    (
                        reverse("admin:sources_document_change", args=[copy.pk]),
                        copy,
                        copy.publication or copy.publisher,
                    )
                    for copy in copies
                ),
            ),
        )

    @admin.display(description="Embargo", ordering="embargo_until")
    def embargo(self, document):
        if document.is_under_embargo():
            return f"until {timezone.localtime(document.embargo_until):%Y-%m-%d %H:%M}"
        return "—"

    @admin.display(description="What the embargo hides")
    def embargo_status(self, document):
        if document.embargo_until is None:
            return "No embargo."
        return embargo_note(document) or (
            f"The embargo passed at {timezone.localtime(document.embargo_until):%Y-%m-%d %H:%M}."
        )

    @admin.display(description="TDM reserved", boolean=True)
    def tdm_reserved(self, document):
        return document.license.tdm_reserved if document.license else None

    @admin.display(description="Sharing")
    def sharing_scope(self, document):
        return document.license.get_sharing_scope_display() if document.license else "—"

    @admin.display(description="What each audience may do")
    def licence_panel(self, document):
        if document.pk is None:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><q>{}</q></td></tr>",
            (
                (
                    audience.value,
                    licensing.ACTION_LABELS[action],
                    "yes" if decision.allowed else "no",
                    decision.reason,
                    decision.clause,
                )
                for audience, action, decision in licensing.summary(document)
            ),
        )
        return format_html(
            '<table class="licence-panel"><thead><tr><th>Audience</th><th>Action</th>'
            "<th>Allowed</th><th>Why</th><th>Clause</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="Attributions")
    def suggestions_link(self, document):
        """Link to the suggester, which itself asks licensing whether it may mine the text."""
        if document.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Suggest attributions from this text</a>',
            reverse("admin:claims_claim_suggest", args=[document.pk]),
        )

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="sources_document_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Import pasted text through the same service as the import_document command.

        A successful import redirects back here (so a reload does not post again) and shows
        its report once: what was removed, what was detected, what needs a decision.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DocumentImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = document_import(
                    raw=data["text"],
                    publisher=data["publisher"],
                    publication=data["publication"],
                    url=data["url"],
                    headline=data["headline"],
                    published_at=data["published_at"],
                    language=data["language"],
                    is_excerpt=data["is_excerpt"],
                    embargo_until=data["embargo_until"],
                    input_format=data["input_format"] or FORMAT_AUTO,
                    obtained_via=Document.ObtainedVia.ADMIN_PASTE,
                    user=request.user,
                )
            except IngestError as exc:
                form.add_error(None, str(exc))
            else:
                verb = "Imported" if result.created else "Already imported"
                self.message_user(request, f"{verb}: {result.document}.", messages.SUCCESS)
                for warning in result.warnings:
                    self.message_user(request, warning, messages.WARNING)
                request.session[IMPORT_REPORT_SESSION_KEY] = {
                    "document": result.document.pk,
                    "created": result.created,
                    "title": str(result.document),
                    "decisions": result.report.decisions,
                    "detected_rows": result.report.detected_rows(),
                    "removed_groups": result.report.removed_by_kind(),
                }
                return redirect(
                    f"{reverse('admin:sources_document_import')}?imported={result.document.pk}"
                )
        report = None
        if request.method == "GET" and "imported" in request.GET:
            report = request.session.pop(IMPORT_REPORT_SESSION_KEY, None)
            if report is not None and str(report["document"]) != request.GET["imported"]:
                report = None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import document",
            "form": form,
            "report": report,
            "document_url": report
            and reverse("admin:sources_document_change", args=[report["document"]]),
        }
        return TemplateResponse(request, "admin/sources/document/import.html", context)


from sources import feed_admin  # noqa: E402, F401 - registers the feed admin
