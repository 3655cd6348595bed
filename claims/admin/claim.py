"""The claim's own admin: its list, its page, and the URLs of its custom pages.

The admin only routes form data into `claims.recording`, `claims.suggest` and
`claims.workflow`; it holds no rules of its own.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from claims import recording
from claims.admin import views
from claims.admin.display import evidence_html, status_badge
from claims.admin.filters import (
    AnonymousOnlyFilter,
    ConflictedFilter,
    PublisherFilter,
    ReviewQueueFilter,
)
from claims.admin.inlines import (
    AppearanceInline,
    ExternalCheckInline,
    NewAppearanceInline,
    NewExternalCheckInline,
    NewRelationInline,
)
from claims.admin.log import HistoryAdmin
from claims.admin.quote import (
    SELECTOR_FIELDS,
    ClaimFromQuoteForm,
    carries_quote,
    quote_preview,
)
from claims.admin.revision import RefusesStaleEdits, RevisionCheckedForm
from claims.admin.workflow import WorkflowActionsMixin, refusal_messages
from claims.disclosure import outside_disclosure, quote_key
from claims.models import RANKED_CANDIDATES, Appearance, Claim, ClaimRelation, ClaimStatus
from claims.review_flags import review_flags_resolve
from claims.workflow import StaleVersion, TransitionRefused, claim_transition
from sources.admin_base import HidesEmptySectionsMixin
from sources.admin_paging import EstimatedCountAdminMixin
from sources.autocomplete import AutocompleteKeysMixin

# The add page's second submit button: record the claim from a quote and send it to review.
SEND_TO_REVIEW = "_send_to_review"


class ClaimChangeForm(RevisionCheckedForm):
    class Meta:
        model = Claim
        fields = ["text", "summary", "topics"]

    def loaded_revision(self) -> int:
        return self.instance.revision


@admin.register(Claim)
class ClaimAdmin(
    RefusesStaleEdits,
    EstimatedCountAdminMixin,
    HidesEmptySectionsMixin,
    AutocompleteKeysMixin,
    WorkflowActionsMixin,
    HistoryAdmin,
):
    form = ClaimChangeForm
    list_display = [
        "__str__",
        "status_badge",
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
    # Searched through ClaimQuerySet.ranked_search (full text on PostgreSQL), not LIKE.
    search_fields = ["text", "summary"]
    search_help_text = (
        f"Words of the claim; “quoted phrase”, or, -word. Best matches first among the newest "
        f"{RANKED_CANDIDATES:,} that match; sort by a column to list every match."
    )
    list_select_related = ["created_by", "assignee"]
    autocomplete_fields = ["topics"]
    # The status, assignee and due date change only through the verification workflow.
    readonly_fields = [
        "status_badge",
        "assigned_to",
        "due_date",
        "version",
        "revision",
        "concluded_at",
        "independent_origins",
        "recorded_by",
        "created_at",
        "updated_at",
        "relations",
        "verification_history",
        "review_flags",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.is_concluded:
            return [*fields, "text", "summary", "topics"]  # reopen first (recording.ensure_open)
        return fields

    inlines = [
        AppearanceInline,
        NewAppearanceInline,
        ExternalCheckInline,
        NewExternalCheckInline,
        NewRelationInline,
    ]
    actions = [
        "send_to_review",
        "assign",
        "conclude",
        "drop_from_review",
        "reopen",
        "resolve_review_flags",
    ]

    def has_resolve_review_flags_permission(self, request):
        return request.user.has_perm("claims.conclude_claim")

    @admin.action(
        description="Mark review flags as looked at (e.g. rests on a withdrawn document)",
        permissions=["resolve_review_flags"],
    )
    def resolve_review_flags(self, request, queryset):
        resolved = review_flags_resolve(
            claim_ids=queryset.values_list("pk", flat=True), user=request.user
        )
        self.message_user(request, f"Resolved {resolved} review flag(s).", messages.SUCCESS)

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts().prefetch_related("topics")

    @admin.display(description="Open review flags")
    def review_flags(self, claim):
        flags = list(claim.review_flags.open().select_related("document"))
        if not flags:
            return "None."
        return format_html_join(
            "", "<p><strong>{}</strong>: {}</p>", ((f.get_reason_display(), f.note) for f in flags)
        )

    def get_search_results(self, request, queryset, search_term):
        # The stored, GIN-indexed tsvector on PostgreSQL (LIKE '%…%' reads every row); a
        # substring match on SQLite. No joins, so never duplicates. Best matches first, ranked
        # within the newest RANKED_CANDIDATES matches, so neither the rank nor the count reads
        # a common term's every match; a chosen column lists every match in its order.
        if not search_term.strip():
            return queryset, False
        if ORDER_VAR in request.GET:
            return queryset.search(search_term), False
        return queryset.ranked_search(search_term).order_by("-search_rank", "-pk"), False

    def get_fieldsets(self, request, obj=None):
        claim = ["text", "summary", "topics"]
        if obj is None and carries_quote(request):
            description = (
                "Put the claim in the newsroom's own words; the quote is recorded as where it "
                "appears, with the chain below."
            )
            return [(None, {"fields": [*claim, *SELECTOR_FIELDS], "description": description})]
        if obj is None:
            description = "Save the claim, then record where it appears."
            return [(None, {"fields": claim, "description": description})]
        return [
            (None, {"fields": [*claim, "expected_revision"]}),
            (
                "Verification",
                {
                    "fields": [
                        "status_badge",
                        "review_flags",
                        "assigned_to",
                        "due_date",
                        "concluded_at",
                        "independent_origins",
                        "recorded_by",
                        "created_at",
                        "updated_at",
                    ],
                    "description": "Status, assignee and due date change only through the "
                    "workflow: the buttons above, or the review queue.",
                },
            ),
            ("Verification history", {"fields": ["verification_history"]}),
            ("Relations", {"fields": ["relations"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None and carries_quote(request):
            kwargs["form"] = ClaimFromQuoteForm
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # a class made for this request: who records new agents
        return form

    def get_inline_instances(self, request, obj=None):
        # Appearances, checks and relations hang off a saved claim.
        if obj is None:
            return []
        return super().get_inline_instances(request, obj)

    # Names, not links: the user pages are for those who manage accounts, and a link that
    # answers 403 to everyone else is a dead end.
    @admin.display(description="Assignee")
    def assigned_to(self, claim):
        return claim.assignee or "Nobody yet"

    @admin.display(description="Status", ordering="status")
    def status_badge(self, claim):
        return status_badge(claim)

    @admin.display(description="Recorded by")
    def recorded_by(self, claim):
        return claim.created_by or "—"

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return views.refused_page(
                self,
                request,
                PermissionDenied(
                    "Only editors record claims; fact-checkers review them from the queue."
                ),
            )
        if carries_quote(request):
            extra_context = {**(extra_context or {}), "from_quote": quote_preview(request)}
        return super().add_view(request, form_url, extra_context)

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
                        date_format(timezone.localtime(event.created_at), "DATETIME_FORMAT"),
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
            # Checked (and the row locked) before anything is written, the inlines included.
            recording.ensure_revision(obj.pk, data["expected_revision"])
            if changed - {"expected_revision"}:
                recording.claim_update(
                    claim=obj,
                    text=data["text"] if "text" in changed else None,
                    summary=data["summary"] if "summary" in changed else None,
                    topics=data["topics"] if "topics" in changed else None,
                    expected_revision=data["expected_revision"],
                )
            return
        claim = recording.claim_create(
            text=data["text"], summary=data["summary"], topics=data["topics"], user=request.user
        )
        # The admin goes on with `obj` (change message, redirect): make it the saved claim.
        for field in Claim._meta.concrete_fields:
            setattr(obj, field.attname, getattr(claim, field.attname))
        obj._state.adding, obj._state.db = False, claim._state.db
        if data.get("document") is not None and data.get("exact"):
            obj.quoted = recording.appearance_create(
                claim=claim,
                document=data["document"],
                exact=data["exact"],
                prefix=data.get("prefix", ""),
                suffix=data.get("suffix", ""),
                start=data.get("start"),
                user=request.user,
            )
            if form.chain_rows():
                recording.chain_set(
                    appearance=obj.quoted, links=form.chain_links(user=request.user)
                )
                obj.quoted.chained = True
            self.warn_unquotable(request, claim, [obj.quoted])

    def response_add(self, request, obj, post_url_continue=None):
        appearance = getattr(obj, "quoted", None)
        if appearance is None:
            return super().response_add(request, obj, post_url_continue)
        if getattr(appearance, "chained", False):
            return self.response_add_with_chain(request, obj, appearance)
        self.message_user(
            request,
            f"The claim “{obj}” was recorded with its quote from “{appearance.document}”. "
            "Now record who said it: the chain, origin first.",
            messages.SUCCESS,
        )
        return redirect("admin:claims_appearance_change", appearance.pk)

    def response_add_with_chain(self, request, claim, appearance):
        """The claim was recorded with its quote and chain; send it to review when asked."""
        recorded = (
            f"The claim “{claim}” was recorded with its quote from “{appearance.document}” and "
            "its chain"
        )
        if SEND_TO_REVIEW in request.POST:
            try:
                claim_transition(
                    claim=claim,
                    to=ClaimStatus.IN_REVIEW,
                    actor=request.user,
                    expected_version=claim.version,
                )
            except (TransitionRefused, PermissionDenied, StaleVersion) as refusal:
                reason = " ".join(refusal_messages(refusal))
                self.message_user(
                    request, f"{recorded}, but not sent to review: {reason}", messages.WARNING
                )
            else:
                self.message_user(request, f"{recorded}, and sent to review.", messages.SUCCESS)
        else:
            self.message_user(request, f"{recorded}.", messages.SUCCESS)
        return redirect("admin:claims_claim_change", claim.pk)

    def save_related(self, request, form, formsets, change):
        # Topics were written by the service in save_model; the inlines go through theirs.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        formset.save_through_services(user=request.user)
        new_appearances = [o for o in formset.new_objects if isinstance(o, Appearance)]
        if new_appearances:
            self.warn_unquotable(request, form.instance, new_appearances)

    def warn_unquotable(self, request, claim, appearances) -> None:
        """Tell the editor at once when a new quote will not go to outside consumers."""
        # Staff's view of the claim: an embargoed quote shows as withheld with its reason.
        shown = Claim.objects.with_provenance(request.user).get(pk=claim.pk)
        disclosure = outside_disclosure(shown)
        for appearance in appearances:
            release = disclosure.excerpt(quote_key(appearance))
            if not release:
                messages.warning(
                    request,
                    f"The quote from “{appearance.document}” will not go to outside "
                    f"consumers: {release.withheld}",
                )

    def get_urls(self):
        def page(view_class):
            return self.admin_site.admin_view(view_class.as_view(model_admin=self))

        return [
            path("suggest/", page(views.SuggestPickView), name="claims_claim_suggest_pick"),
            path(
                "suggest/<int:document_id>/",
                page(views.SuggestView),
                name="claims_claim_suggest",
            ),
            path("queue/", page(views.QueueView), name="claims_claim_queue"),
            path(
                "from-quote/<int:document_id>/",
                page(views.FromQuoteView),
                name="claims_claim_from_quote",
            ),
            path(
                "<path:object_id>/provenance/",
                page(views.ProvenanceView),
                name="claims_claim_provenance",
            ),
            path("<path:object_id>/take/", page(views.TakeView), name="claims_claim_take"),
            path(
                "<path:object_id>/timeline/",
                page(views.TimelineView),
                name="claims_claim_timeline",
            ),
            path(
                "<path:object_id>/transition/<str:to>/",
                page(views.TransitionView),
                name="claims_claim_transition",
            ),
            *super().get_urls(),
        ]
