"""Admin for sources: organizations, people, anonymous sources, documents and licence terms."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from sources import licensing
from sources.admin_base import (
    HidesEmptySectionsMixin,
    LanguageFilter,
    UnderEmbargoFilter,
    embargo_note,
)
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
from sources.site_policy_admin import SitePolicyInline, signal_panel
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
class OrganizationAdmin(HidesEmptySectionsMixin, AutocompleteKeysMixin, admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    # The agent pickers (autocomplete) search here too, so "FT" finds the Financial Times.
    search_fields = ["name", "aliases__name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    inlines = [OrganizationAliasInline, SitePolicyInline]


class AffiliationInline(AutocompleteKeysMixin, admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Person)
class PersonAdmin(HidesEmptySectionsMixin, admin.ModelAdmin):
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
    publisher_on_record = forms.ModelChoiceField(
        label="Publisher",
        queryset=Organization.objects.all(),
        required=False,
        # The admin's own autocomplete over organizations (aliases too: "FT"), served by
        # DocumentAdmin, whose publisher field is an autocomplete field.
        widget=AutocompleteSelect(Document._meta.get_field("publisher"), admin.site),
        help_text="An organization on record; type a few letters or an alias.",
    )
    # Still named `publisher`, as the command and the API name it: a name, found or recorded.
    publisher = forms.CharField(
        label="Or a new publisher",
        max_length=200,
        required=False,
        help_text="Only when it is not on record: it is recorded as a new organization, and the "
        "import report says so.",
    )
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

    def clean(self):
        cleaned = super().clean()
        chosen, typed = (
            cleaned.get("publisher_on_record"),
            " ".join(cleaned.get("publisher", "").split()),
        )
        if chosen is not None and typed:
            self.add_error("publisher", "Choose a publisher on record or name a new one, not both.")
        elif chosen is None and not typed and "publisher_on_record" not in self.errors:
            self.add_error("publisher_on_record", "Choose the publisher, or name a new one below.")
        cleaned["publisher_name"] = chosen.name if chosen is not None else typed
        return cleaned


_STAFF, _OUTSIDE = licensing.Audience.STAFF, licensing.Audience.EXTERNAL
PANEL_QUOTE_CHARACTERS = 200  # the length of quote the panel asks about
# The licence panel, one plain question per row. Mining and sharing do not depend on who asks
# (the newsroom's tools mine, the newsroom shares), so each is asked once; staff quoting is
# internal use, not quoting to anyone outside.
LICENCE_PANEL_ROWS = [
    ("Newsroom staff", "read the full text", (_STAFF, licensing.Action.VIEW_FULL_TEXT)),
    (
        "Newsroom staff",
        "quote it to each other (internal use)",
        (_STAFF, licensing.Action.QUOTE_EXTERNALLY),
    ),
    (
        "The newsroom's tools",
        "mine it automatically (text and data mining)",
        (_STAFF, licensing.Action.MINE),
    ),
    ("The newsroom", "share it outside the newsroom", (_OUTSIDE, licensing.Action.SHARE_OUTSIDE)),
    ("Outside consumers", "receive the full text", (_OUTSIDE, licensing.Action.VIEW_FULL_TEXT)),
    (
        "Outside consumers",
        f"receive a {PANEL_QUOTE_CHARACTERS}-character quote",
        (_OUTSIDE, licensing.Action.QUOTE_EXTERNALLY),
    ),
]


def _allowed(decision: licensing.Decision, *, reserved_mining: bool = False):
    """Yes or no in words; refused mining carries the warning sign the document list shows."""
    if decision.allowed:
        return "yes"
    if reserved_mining:
        return format_html('<span class="tdm-reserved">{}</span>', "⚠ no: mining reserved")
    return "no"


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
class DocumentAdmin(HidesEmptySectionsMixin, AutocompleteKeysMixin, admin.ModelAdmin):
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
        LanguageFilter,
        # Recent ranges, each a range of the published_at index. No date_hierarchy: its
        # links come from a DISTINCT date_trunc() over the whole list, read row by row.
        ("published_at", admin.DateFieldListFilter),
    ]
    search_fields = ["headline", "url", "publisher__name", "publication__name"]
    autocomplete_fields = ["publisher", "publication", "license"]
    list_select_related = ["publisher", "publication", "license"]
    readonly_fields = [
        "body_sha256",
        "raw_text",
        "obtained_at",
        "imported_by",
        "licence_panel",
        "site_signals",
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
            {
                "fields": [
                    "license",
                    "license_override",
                    "licence_panel",
                    "site_signals",
                    "suggestions_link",
                ]
            },
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
            return "until " + date_format(
                timezone.localtime(document.embargo_until), "DATETIME_FORMAT"
            )
        return "—"

    @admin.display(description="What the embargo hides")
    def embargo_status(self, document):
        if document.embargo_until is None:
            return "No embargo."
        return embargo_note(document) or (
            "The embargo passed at "
            + date_format(timezone.localtime(document.embargo_until), "DATETIME_FORMAT")
            + "."
        )

    @admin.display(description="Mining (TDM)", ordering="license__tdm_reserved")
    def tdm_reserved(self, document):
        """A warning sign when mining is reserved: the restrictive case is the one to notice."""
        if document.license is None:
            return "no terms recorded"
        if document.license.tdm_reserved:
            return format_html('<span class="tdm-reserved">{}</span>', "⚠ mining reserved")
        return "not reserved"

    @admin.display(description="Sharing")
    def sharing_scope(self, document):
        return document.license.get_sharing_scope_display() if document.license else "—"

    @admin.display(description="What each audience may do")
    def licence_panel(self, document):
        if document.pk is None:
            return "—"
        decisions = {
            (audience, action): decision
            for audience, action, decision in licensing.summary(
                document, quote_characters=PANEL_QUOTE_CHARACTERS
            )
        }
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    who,
                    what,
                    _allowed(decisions[key], reserved_mining=key[1] == licensing.Action.MINE),
                    decisions[key].reason,
                    format_html("<q>{}</q>", decisions[key].clause)
                    if decisions[key].clause
                    else "—",
                )
                for who, what, key in LICENCE_PANEL_ROWS
            ),
        )
        return format_html(
            '<table class="licence-panel"><thead><tr><th scope="col">Who</th>'
            '<th scope="col">May they</th><th scope="col">Answer</th><th scope="col">Why</th>'
            '<th scope="col">Clause</th></tr></thead><tbody>{}</tbody></table>',
            rows,
        )

    @admin.display(description="Machine-readable TDM signals")
    def site_signals(self, document):
        """What the site's signals say for this URL, with conflicts and robots.txt notes."""
        if document.pk is None:
            return "—"
        return signal_panel(licensing.site_signal_for(document))

    @admin.display(description="Attributions")
    def suggestions_link(self, document):
        """Link to the suggester, which itself asks licensing whether it may mine the text."""
        if document.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Suggest attributions from this text</a>',
            reverse("admin:claims_claim_suggest", args=[document.pk]),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        if request.method == "GET" and request.GET.get("imported") == str(object_id):
            report = request.session.get(IMPORT_REPORT_SESSION_KEY)
            if report is not None and str(report["document"]) == str(object_id):
                extra["import_report"] = request.session.pop(IMPORT_REPORT_SESSION_KEY)
        return super().change_view(request, object_id, form_url, extra)

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

        A successful import redirects to the document's page (so a reload does not post
        again), which shows the report once: what was removed, what was detected, what needs a
        decision. The editor goes on from there, selecting passages in the text.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DocumentImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            on_record = {
                what: Organization.objects.by_name(name).exists()
                for what, name in (
                    ("publisher", data["publisher_name"]),
                    ("publication", data["publication"]),
                )
                if name.strip()
            }
            try:
                result = document_import(
                    raw=data["text"],
                    publisher=data["publisher_name"],
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
                    "recorded": _organizations_recorded(result, on_record),
                }
                page = reverse("admin:sources_document_change", args=[result.document.pk])
                return redirect(f"{page}?imported={result.document.pk}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import document",
            "form": form,
        }
        return TemplateResponse(request, "admin/sources/document/import.html", context)


def _organizations_recorded(result, on_record: dict[str, bool]) -> list[str]:
    """Say which organizations this import recorded anew (none when it changed nothing)."""
    if not result.created:
        return []
    document = result.document
    recorded = []
    for what, organization in (
        ("publisher", document.publisher),
        ("publication", document.publication),
    ):
        if organization is not None and on_record.get(what) is False:
            recorded.append(
                f"New {what} recorded: {organization.name} ({organization.get_kind_display()})."
            )
    return recorded


from sources import feed_admin  # noqa: E402, F401 - registers the feed admin
