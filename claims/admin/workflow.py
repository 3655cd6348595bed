"""Verification moves in the admin: the move forms, the bulk actions and the change page's buttons.

Moves are collected on intermediate forms and made by `claim_transition()`, whose refusals are
shown as they come.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from claims.admin.display import messages_of, page_context
from claims.models import Appearance, Claim, ClaimStatus, ExternalCheck
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
    conclusion_refusal,
    move_for,
    reviewers,
    take_refusal,
)
from sources.autocomplete import AutocompleteSelect
from sources.models import Document

S = ClaimStatus

CONCLUSIONS = [
    (to, S(to).label)
    for (frm, to), move in TRANSITIONS.items()
    if frm == S.IN_REVIEW and move.is_conclusion
]
CONCLUDE = move_for(S.IN_REVIEW, CONCLUSIONS[0][0])
EVIDENCE_URLS = 3


class MoveForm(forms.Form):
    """What one move needs, for one or several claims.

    Each claim's version and revision as the user saw them travel in hidden fields, so the
    service refuses a move on a claim that moved on or whose content changed in the meantime,
    instead of concluding on words the user never read.
    """

    required_css_class = "required"
    evidence_fields: tuple[str, ...] = ()  # shown apart, under "Evidence"

    rationale = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )

    def __init__(self, data=None, *, claims, admin_site, move: Move | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.claims = list(claims)
        self.admin_site = admin_site
        if move is not None:
            self.fields["rationale"].required = move.needs_rationale
        # Say what is public: only a conclusion's rationale goes to readers and API consumers.
        self.fields["rationale"].help_text = (
            "Published with the conclusion: readers and API consumers see this rationale."
            if move is not None and move.is_conclusion
            else "Internal: staff see this note in the claim's history; it is never published."
        )
        for claim in self.claims:
            for counter in ("version", "revision"):
                self.fields[self.counter_field(claim, counter)] = forms.IntegerField(
                    required=False, widget=forms.HiddenInput, initial=getattr(claim, counter)
                )

    @staticmethod
    def counter_field(claim: Claim, counter: str) -> str:
        return f"{counter}_{claim.pk}"

    def expected(self, claim: Claim, counter: str) -> int | None:
        return self.cleaned_data.get(self.counter_field(claim, counter))

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
    evidence_fields = (
        *(f"url_{index}" for index in range(1, EVIDENCE_URLS + 1)),
        "document",
        "external_check",
    )

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
    """Name a move for a button: 'Send to review', 'Conclude as verified', 'Reopen'."""
    move = move_for(from_status, to_status)
    if move.is_conclusion:
        return f"Conclude as {S(to_status).label.lower()}"
    return move.name.capitalize()


def move_refusal_reason(move: Move) -> str:
    """Say, in the user's words, whose move this is."""
    if move.permission == SEND_TO_REVIEW.permission:
        return "only editors send claims to review."
    if move == REOPEN:
        return "only fact-checkers reopen a concluded claim."
    return "only fact-checkers conclude claims or drop them from review."


class Reasons(list):
    """Why a move was refused; `stale` when the claim changed since the form was read."""

    stale = False


def refusal_messages(refusal: Exception) -> list[str]:
    """Return what a refused move says, whatever the service raised."""
    if isinstance(refusal, ValidationError):
        return messages_of(refusal)
    return [str(refusal) or "You may not make this move."]


REFUSALS = (TransitionRefused, PermissionDenied, StaleVersion)


def make_move(request, claim: Claim, to: str, form: MoveForm) -> Reasons:
    """Make one move through the service; return why it was refused, if it was."""
    version, revision = form.expected(claim, "version"), form.expected(claim, "revision")
    if version is None or revision is None:
        reasons = Reasons(["It was not on the form you submitted; reload the page and try again."])
        reasons.stale = True
        return reasons
    try:
        claim_transition(
            claim=claim,
            to=to,
            actor=request.user,
            expected_version=version,
            expected_revision=revision,
            **form.service_arguments(),
        )
    except REFUSALS as refusal:
        reasons = Reasons(refusal_messages(refusal))
        reasons.stale = isinstance(refusal, StaleVersion)
        return reasons
    return Reasons()


def report_success(request, claim, what: str) -> None:
    messages.success(
        request,
        format_html(
            '<a href="{}">{}</a>: {}.',
            reverse("admin:claims_claim_change", args=[claim.pk]),
            claim,
            what,
        ),
    )


def report_refusal(request, claim, reasons: list[str]) -> None:
    messages.error(
        request,
        format_html(
            '<a href="{}">{}</a>: {}',
            reverse("admin:claims_claim_change", args=[claim.pk]),
            claim,
            " ".join(reasons),
        ),
    )


class WorkflowActionsMixin:
    """ClaimAdmin's bulk moves and the change page's move buttons, all through claims.workflow."""

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
                    report_refusal(request, claim, refusal_messages(refusal))
                else:
                    assignee = form.cleaned_data["assignee"] or "nobody"
                    report_success(request, claim, f"assigned to {assignee}")
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
        reasons = make_move(request, claim, to, form)
        if reasons:
            report_refusal(request, claim, reasons)
        else:
            report_success(request, claim, f"{S(from_status).label} → {S(to).label}")

    def _action_form_response(self, request, action: str, title: str, form, claims):
        context = page_context(
            self,
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
                    "conclusion": move_for(obj.status, to).is_conclusion,
                }
                for to in allowed_targets(obj.status)
                if can_transition(request.user, obj, to)
            ]
            # What the user cannot do here, and why, instead of buttons silently missing.
            notes = []
            take = take_refusal(request.user, obj) if obj.status == S.IN_REVIEW else None
            context["may_take"] = obj.status == S.IN_REVIEW and take is None
            conclude = conclusion_refusal(request.user, obj)
            if conclude:
                notes.append(conclude)
            for to in allowed_targets(obj.status):
                move = move_for(obj.status, to)
                if request.user.has_perm(move.permission):
                    continue
                if conclude and move.permission == CONCLUDE.permission:
                    continue  # said once, by the conclusion's line
                notes.append(
                    f"{move_label(obj.status, to)} is not yours to use: {move_refusal_reason(move)}"
                )
            if take and take != conclude and request.user.has_perm(CONCLUDE.permission):
                notes.append(take)
            context["workflow_notes"] = list(dict.fromkeys(notes))
        return super().render_change_form(request, context, add, change, form_url, obj)
