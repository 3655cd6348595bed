"""The stories admin: the story page, its citations, its log, the moves and corrections.

The admin only routes form data into newsroom.stories.services, .workflow and .corrections;
it holds no rules of its own. Citations are added by selecting a passage in the body
(static/stories/citation_select.js fills the selector fields); offsets are never typed.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views import View

from claims.admin.display import messages_of, page_context, quote_in_context
from claims.admin.inlines import ReadOnlyFormSet, ServiceFormSet, add_service_error
from claims.admin.log import HistoryAdmin
from claims.anchoring import AnchorError, anchor
from claims.models import QUOTE_CONTEXT_MAX
from newsroom.stories import corrections, services, workflow
from newsroom.stories.events import StaleVersion
from newsroom.stories.guard import problem_of
from newsroom.stories.models import (
    Citation,
    Correction,
    NeedsCorrection,
    Story,
    StoryEvent,
    StoryStatus,
)
from sources.admin_base import ReadOnlyModelAdmin
from sources.autocomplete import AutocompleteKeysMixin

REFUSALS = (ValidationError, PermissionDenied, StaleVersion)


def refusal_messages(refusal: Exception) -> list[str]:
    if isinstance(refusal, ValidationError):
        return messages_of(refusal)
    return [str(refusal) or "You may not do this."]


# --- citations -----------------------------------------------------------------------------------


class CitationFormSet(ReadOnlyFormSet):
    """Existing citations: read-only, removed through the service."""

    user = None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # named in the row itself: see NewCitationForm
            form.fields["DELETE"].widget.attrs["aria-label"] = "Remove this citation"

    def save_through_services(self, *, user) -> None:
        super().save_through_services(user=user)
        self.deleted_objects = [form.instance for form in self.deleted_forms]
        for citation in self.deleted_objects:
            services.citation_delete(citation=citation, actor=user)


class CitationInline(admin.TabularInline):
    """The story's citations, in the body's order, with whether each holds now."""

    model = Citation
    formset = CitationFormSet
    extra = 0
    verbose_name_plural = "citations"
    fields = ["passage", "claim_link", "use", "claim_status", "holds"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("claim", "story")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Passage")
    def passage(self, citation):
        if citation.anchor_lost:
            return format_html(
                "<mark>{}</mark><p class='help'>No longer in the body: select it again.</p>",
                citation.exact,
            )
        return quote_in_context(citation.story.body, citation.start, citation.end, citation.exact)

    @admin.display(description="Claim")
    def claim_link(self, citation):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:claims_claim_change", args=[citation.claim_id]),
            citation.claim,
        )

    @admin.display(description="Claim status")
    def claim_status(self, citation):
        return citation.claim.get_status_display()

    @admin.display(description="Holds?")
    def holds(self, citation):
        problem = problem_of(citation)
        return "Yes" if problem is None else format_html("<strong>No</strong>: {}", problem.reason)


class SelectorInput(forms.HiddenInput):
    """A selector field filled by citation_select.js from the selection in the body."""

    def __init__(self, name: str):
        super().__init__(attrs={"data-citation": name})


class NewCitationForm(forms.ModelForm):
    exact = forms.CharField(
        label="Selected passage",
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "cols": 32, "readonly": True, "data-citation": "exact"}
        ),
        help_text="Select the passage in the body above, then press “Cite the selection”.",
    )
    prefix = forms.CharField(
        required=False, strip=False, max_length=QUOTE_CONTEXT_MAX, widget=SelectorInput("prefix")
    )
    suffix = forms.CharField(
        required=False, strip=False, max_length=QUOTE_CONTEXT_MAX, widget=SelectorInput("suffix")
    )
    start = forms.IntegerField(required=False, min_value=0, widget=SelectorInput("start"))

    class Meta:
        model = Citation
        fields = ["claim", "use", "exact", "prefix", "suffix", "start"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A tabular row's only labels are its column headings, which assistive technology
        # does not tie to the inputs: name each input of the row itself.
        for name, label in (("exact", "Selected passage"), ("claim", "Claim"), ("use", "Use")):
            self.fields[name].widget.attrs["aria-label"] = label


class NewCitationFormSet(ServiceFormSet):
    """New citations, written by services.citation_create after the story's own edit."""

    user = None

    def clean(self):
        # The story form's new body is on self.instance (not saved yet): anchor against it,
        # so a passage selected in an edited body is judged on that body.
        forms_ = self.new_forms()
        if not forms_ or any(self.errors) or self.instance.pk is None:
            return
        body = services.normalise_text(self.instance.body)
        for form in forms_:
            data = form.cleaned_data
            try:
                found = anchor(
                    body,
                    exact=services.normalise_text(data["exact"]),
                    prefix=services.normalise_text(data.get("prefix", "")),
                    suffix=services.normalise_text(data.get("suffix", "")),
                    start=data.get("start"),
                )
            except AnchorError as error:
                add_service_error(form, error)
                continue
            if self.instance.status == StoryStatus.PUBLISHED:
                citation = Citation(
                    story=self.instance,
                    claim=data["claim"],
                    use=data["use"],
                    exact=data["exact"],
                    start=found.start,
                    end=found.end,
                )
                problem = problem_of(citation)
                if problem is not None:
                    form.add_error(
                        None,
                        f"{problem.reason} A published story only takes citations its claims "
                        "support.",
                    )

    def record(self, form, *, user):
        data = form.cleaned_data
        return services.citation_create(
            story=self.instance,
            claim=data["claim"],
            use=data["use"],
            exact=data["exact"],
            prefix=data.get("prefix", ""),
            suffix=data.get("suffix", ""),
            start=data.get("start"),
            actor=user,
        )


class NewCitationInline(AutocompleteKeysMixin, admin.TabularInline):
    """Cite a claim: select its passage in the body, pick the claim and how it is used."""

    model = Citation
    form = NewCitationForm
    formset = NewCitationFormSet
    extra = 1
    can_delete = False
    verbose_name = "new citation"
    verbose_name_plural = "add citations"
    fields = ["exact", "claim", "use", "prefix", "suffix", "start"]
    autocomplete_fields = ["claim"]

    class Media:
        js = ["stories/citation_select.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()


# --- the story -----------------------------------------------------------------------------------


class NeedsCorrectionFilter(admin.SimpleListFilter):
    """The corrections queue: published stories a cited claim's move left unsupported."""

    title = "needs correction"
    parameter_name = "needs_correction"

    def lookups(self, request, model_admin):
        return [("yes", "Needs correction"), ("no", "No open flag")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.needing_correction()
        if self.value() == "no":
            return queryset.exclude(pk__in=Story.objects.needing_correction().values("pk"))
        return queryset


class StoryForm(forms.ModelForm):
    """The story's content, with the version the editor loaded (a stale save is refused)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Story
        fields = ["headline", "slug", "standfirst", "body", "language", "bylines", "topics"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18, "cols": 90, "data-story-body": "1"}),
            "standfirst": forms.Textarea(attrs={"rows": 2, "cols": 90}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version
        if "bylines" in self.fields:
            # The newsroom's staff, and whoever already has a byline here (a leaver's stays).
            bylines = self.fields["bylines"]
            current = Story.bylines.through.objects.filter(story_id=self.instance.pk)
            bylines.queryset = bylines.queryset.filter(
                Q(is_staff=True, is_active=True) | Q(pk__in=current.values("user_id"))
            ).order_by("last_name", "first_name", "username")
            bylines.label_from_instance = lambda user: user.get_full_name() or user.username

    def clean(self):
        cleaned = super().clean()
        story = self.instance
        if story.pk is None:
            return cleaned
        expected = cleaned.get("expected_version")
        current = Story.objects.filter(pk=story.pk).values_list("version", flat=True).first()
        if expected is None or expected != current:
            raise ValidationError(
                str(StaleVersion(expected=expected or 0, current=current or 0)), code="stale"
            )
        return cleaned


@admin.register(Story)
class StoryAdmin(AutocompleteKeysMixin, HistoryAdmin):
    form = StoryForm
    list_display = [
        "headline",
        "status",
        "open_flags",
        "language",
        "created_by",
        "published_at",
        "updated_at",
    ]
    list_filter = [NeedsCorrectionFilter, "status", "language", "topics"]
    search_fields = ["headline", "standfirst", "body", "slug"]
    list_select_related = ["created_by"]
    autocomplete_fields = ["topics"]
    # Not an autocomplete: that needs permission to view users, which editors rightly lack.
    filter_horizontal = ["bylines"]
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = [
        "status",
        "version",
        "created_by",
        "created_at",
        "published_at",
        "updated_at",
        "moves",
        "flags",
        "correction_list",
        "event_log",
    ]
    inlines = [CitationInline, NewCitationInline]

    class Media:
        css = {"all": ["stories/admin.css"]}

    def get_queryset(self, request):
        flagged = NeedsCorrection.objects.filter(story=OuterRef("pk"), correction__isnull=True)
        return super().get_queryset(request).annotate(has_open_flags=Exists(flagged))

    def get_fieldsets(self, request, obj=None):
        content = ["headline", "slug", "standfirst", "body", "language", "bylines", "topics"]
        if obj is None:
            description = "Save the draft, then cite claims by selecting passages of the body."
            return [(None, {"fields": content, "description": description})]
        return [
            ("Workflow", {"fields": ["status", "moves", "flags"]}),
            (None, {"fields": [*content, "expected_version"]}),
            ("Corrections", {"fields": ["correction_list"]}),
            ("Log, oldest first", {"fields": ["event_log"]}),
            (
                "Record",
                {
                    "fields": [
                        "version",
                        "created_by",
                        "created_at",
                        "published_at",
                        "updated_at",
                    ],
                    "classes": ["collapse"],
                },
            ),
        ]

    def get_inline_instances(self, request, obj=None):
        if obj is None:
            return []  # citations point into a saved body
        return super().get_inline_instances(request, obj)

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.user = request.user
            yield formset, inline

    @admin.display(description="Needs correction", boolean=True, ordering="has_open_flags")
    def open_flags(self, story):
        return story.has_open_flags

    @admin.display(description="Moves")
    def moves(self, story):
        links = [
            (
                reverse("admin:stories_story_move", args=[story.pk, to]),
                workflow.TRANSITIONS[(story.status, to)].name.capitalize(),
            )
            for to in workflow.allowed_targets(story.status)
        ]
        if story.is_published:
            links.append(
                (reverse("admin:stories_story_correct", args=[story.pk]), "Publish a correction")
            )
        if not links:
            return "—"
        return format_html_join(" ", '<a class="button" href="{}">{}</a>', links)

    @admin.display(description="Open needs-correction flags")
    def flags(self, story):
        open_flags = list(
            story.correction_flags.open().select_related("claim", "verification_event__actor")
        )
        if not open_flags:
            return "None."
        return format_html(
            '<ul id="needs-correction">{}</ul>',
            format_html_join(
                "",
                "<li>Cited claim <a href='{}'>{}</a> ({}) moved {} → {} on {} by {}</li>",
                (
                    (
                        reverse("admin:claims_claim_change", args=[flag.claim_id]),
                        flag.claim,
                        flag.get_use_display(),
                        flag.get_old_status_display(),
                        flag.get_new_status_display(),
                        date_format(timezone.localtime(flag.created_at), "DATETIME_FORMAT"),
                        flag.verification_event.actor,
                    )
                    for flag in open_flags
                ),
            ),
        )

    @admin.display(description="Published corrections")
    def correction_list(self, story):
        items = list(story.corrections.select_related("published_by"))
        if not items:
            return "None."
        return format_html(
            '<ul id="corrections">{}</ul>',
            format_html_join(
                "",
                "<li><strong>{}</strong> ({}): {}</li>",
                (
                    (
                        date_format(timezone.localtime(c.published_at), "DATETIME_FORMAT"),
                        c.published_by,
                        c.text,
                    )
                    for c in items
                ),
            ),
        )

    @admin.display(description="Story log")
    def event_log(self, story):
        events = list(story.events.select_related("actor"))
        if not events:
            return "No moves yet."
        return format_html(
            '<table id="story-events"><thead><tr><th>When</th><th>What</th><th>Move</th>'
            "<th>Who</th><th>Reason</th><th>Override</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{} &rarr; {}</td><td>{}</td><td>{}</td>"
                "<td>{}</td></tr>",
                (
                    (
                        date_format(timezone.localtime(event.created_at), "DATETIME_FORMAT"),
                        event.get_kind_display(),
                        event.get_from_status_display(),
                        event.get_to_status_display(),
                        event.actor,
                        event.reason or "—",
                        override_text(event),
                    )
                    for event in events
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        data, changed = form.cleaned_data, set(form.changed_data)
        if change:
            content = {
                name: data[name]
                for name in services.CONTENT_FIELDS
                if name in changed and name in data
            }
            services.story_update(
                story=obj,
                actor=request.user,
                expected_version=data["expected_version"],
                bylines=data["bylines"] if "bylines" in changed else None,
                topics=data["topics"] if "topics" in changed else None,
                **content,
            )
            return
        story = services.story_create(
            headline=data["headline"],
            slug=data["slug"],
            body=data["body"],
            standfirst=data.get("standfirst", ""),
            language=data.get("language") or "en",
            bylines=data.get("bylines") or (),
            topics=data.get("topics") or (),
            actor=request.user,
        )
        for field in Story._meta.concrete_fields:
            setattr(obj, field.attname, getattr(story, field.attname))
        obj._state.adding, obj._state.db = False, story._state.db

    def save_related(self, request, form, formsets, change):
        # Bylines and topics were written by the service in save_model; citations go through
        # theirs, after the body they point into.
        for formset in formsets:
            formset.save_through_services(user=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as refusal:  # a race past the forms' checks: nothing was written
            allowed = (
                self.has_add_permission(request)
                if object_id is None
                else self.has_change_permission(request) or request.method in ("GET", "HEAD")
            )
            if isinstance(refusal, PermissionDenied) and not allowed:
                raise  # the admin's own refusal: its 403 page, never a redirect to itself
            for line in refusal_messages(refusal):
                messages.error(request, line)
            return HttpResponseRedirect(request.path)

    def get_urls(self):
        def page(view_class):
            return self.admin_site.admin_view(view_class.as_view(model_admin=self))

        return [
            path("<path:object_id>/move/<str:to>/", page(MoveView), name="stories_story_move"),
            path("<path:object_id>/correct/", page(CorrectionView), name="stories_story_correct"),
            *super().get_urls(),
        ]


def override_text(event: StoryEvent):
    if not event.override_reason:
        return "—"
    return format_html(
        "<strong>Guard overridden</strong>: {}<ul>{}</ul>",
        event.override_reason,
        format_html_join("", "<li>{}</li>", ((item["reason"],) for item in event.overridden)),
    )


# --- the custom pages ----------------------------------------------------------------------------


class StoryPageView(View):
    """A page of the story admin; `model_admin` is the StoryAdmin that serves it."""

    model_admin = None
    template_name = "admin/stories/story/action_form.html"
    http_method_names = ["get", "head", "post"]

    def story(self, request, object_id) -> Story:
        try:
            pk = Story._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such story.") from None
        story = self.model_admin.get_object(request, pk)
        if story is None:
            raise Http404("No such story.")
        if not self.model_admin.has_view_permission(request, story):
            raise PermissionDenied
        return story

    def render(self, request, story, form, title, submit_label, **extra):
        context = page_context(
            self.model_admin,
            request,
            title,
            story=story,
            original=story,
            form=form,
            submit_label=submit_label,
            **extra,
        )
        return TemplateResponse(request, self.template_name, context)


class MoveForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Internal: kept on the story's log.",
    )
    override_reason = forms.CharField(
        required=False,
        label="Override reason",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Publish past the guard's refusals above: why the story may go out as it is. "
        "Recorded on the log, with the refusals.",
    )

    def __init__(self, *args, move, may_override, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = move.needs_reason
        if not (move.is_publication and may_override):
            del self.fields["override_reason"]


class MoveView(StoryPageView):
    """Make one move on one story through story_transition(); show the guard's refusals."""

    def get(self, request, object_id, to):
        return self.post(request, object_id, to)

    def post(self, request, object_id, to):
        story = self.story(request, object_id)
        change_url = reverse("admin:stories_story_change", args=[story.pk])
        try:
            move = workflow.move_for(story.status, to)
        except workflow.TransitionRefused as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect(change_url)
        if not request.user.has_perm(move.permission):
            raise PermissionDenied(f"You do not have permission to {move.name} a story.")
        may_override = request.user.has_perm(workflow.OVERRIDE_PERMISSION)
        bound = request.method == "POST"
        form = MoveForm(
            request.POST if bound else None,
            initial={"expected_version": story.version},
            move=move,
            may_override=may_override,
        )
        problems = []
        if move.is_publication:
            citations = story.citations.select_related("claim")
            problems = [p for c in citations if (p := problem_of(c)) is not None]
        # Say so before the author fills anything in: the service would refuse her anyway.
        # (The permission was checked above, so four-eyes is what can_transition refuses.)
        may_move = workflow.can_transition(request.user, story, to)
        blocked = "" if may_move else workflow.FOUR_EYES_REASON
        if bound and form.is_valid():
            try:
                workflow.story_transition(
                    story=story,
                    to_status=to,
                    actor=request.user,
                    expected_version=form.cleaned_data["expected_version"],
                    reason=form.cleaned_data.get("reason", ""),
                    override_reason=form.cleaned_data.get("override_reason", ""),
                )
            except workflow.PublishRefused as refused:
                problems = refused.problems
                form.add_error(None, "The guard refuses publication: see each citation below.")
            except REFUSALS as refusal:
                for line in refusal_messages(refusal):
                    form.add_error(None, line)
            else:
                messages.success(request, f"“{story}”: {move.name} done.")
                return redirect(change_url)
        return self.render(
            request,
            story,
            form,
            f"{move.name.capitalize()}: {story}",
            move.name.capitalize(),
            problems=problems,
            may_override=may_override and not blocked,
            blocked=blocked,
        )


class CorrectionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text="Published, dated, above the story. It resolves the open flags.",
    )


class CorrectionView(StoryPageView):
    """Publish a correction on a published story through publish_correction()."""

    def get(self, request, object_id):
        return self.post(request, object_id)

    def post(self, request, object_id):
        story = self.story(request, object_id)
        if not request.user.has_perm(corrections.CORRECTION_PERMISSION):
            raise PermissionDenied("You do not have permission to publish corrections.")
        bound = request.method == "POST"
        form = CorrectionForm(
            request.POST if bound else None, initial={"expected_version": story.version}
        )
        if bound and form.is_valid():
            try:
                corrections.publish_correction(
                    story=story,
                    text=form.cleaned_data["text"],
                    actor=request.user,
                    expected_version=form.cleaned_data["expected_version"],
                )
            except REFUSALS as refusal:
                for line in refusal_messages(refusal):
                    form.add_error(None, line)
            else:
                messages.success(request, f"“{story}”: correction published.")
                return redirect(reverse("admin:stories_story_change", args=[story.pk]))
        flags = story.correction_flags.open().select_related("claim").order_by("created_at", "pk")
        return self.render(
            request, story, form, f"Correct: {story}", "Publish the correction", flags=flags
        )


# --- the logs ------------------------------------------------------------------------------------


@admin.register(StoryEvent)
class StoryEventAdmin(ReadOnlyModelAdmin):
    list_display = ["created_at", "story", "kind", "from_status", "to_status", "actor", "overrode"]
    list_filter = ["kind", "to_status", ("actor", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["story", "actor"]
    search_fields = ["story__headline", "reason", "override_reason"]
    fields = [
        "story",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "reason",
        "override_reason",
        "overridden",
        "correction",
        "version",
        "created_at",
        "previous_hash",
        "hash",
    ]

    @admin.display(description="Guard overridden", boolean=True)
    def overrode(self, event):
        return bool(event.override_reason)


@admin.register(NeedsCorrection)
class NeedsCorrectionAdmin(ReadOnlyModelAdmin):
    """The needs-correction queue, one row per flag; corrections are published on the story."""

    list_display = ["story", "claim", "use", "old_status", "new_status", "created_at", "resolved"]
    list_filter = [("correction", admin.EmptyFieldListFilter), "new_status", "use"]
    list_select_related = ["story", "claim", "correction"]
    search_fields = ["story__headline", "claim__summary", "claim__text"]

    @admin.display(description="Resolved", boolean=True)
    def resolved(self, flag):
        return flag.correction_id is not None


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyModelAdmin):
    list_display = ["story", "published_at", "published_by"]
    list_select_related = ["story", "published_by"]
    search_fields = ["story__headline", "text"]
