"""The claims admin's custom pages, one view class each, wired by `ClaimAdmin.get_urls()`.

Each view is made with `as_view(model_admin=...)`, as Django's autocomplete view is, and reads
permissions and querysets from that admin. They call the same services as the admin's actions.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View

from claims import recording
from claims.admin.display import (
    agent_box,
    chain_text,
    document_box,
    evidence_text,
    messages_of,
    page_context,
    proposed_box,
    quote_in_context,
    relay_box,
)
from claims.admin.filters import REVIEW_QUEUES, ReviewQueueFilter, in_review_queue
from claims.admin.quote import quote_selector
from claims.admin.suggest import DocumentPickForm, accept_form
from claims.admin.timeline import claim_timeline
from claims.admin.workflow import (
    S,
    make_move,
    move_form_class,
    move_label,
    move_refusal_reason,
    refusal_messages,
    report_success,
)
from claims.anchoring import AnchorError
from claims.models import Appearance, Attribution, Claim, ExternalCheck, ReviewFlag
from claims.origins import conflicts
from claims.suggest import (
    AppearanceProposal,
    ExternalCheckProposal,
    MiningRefused,
    suggest,
    suggestion_accept,
)
from claims.workflow import (
    StaleVersion,
    TransitionRefused,
    authors_by_claim,
    claim_take,
    conclusion_refusal,
    move_for,
    take_refusal,
)
from sources.admin_base import embargo_note
from sources.models import Document

QUEUE_ROWS = 10
# The dashboard counts each list this far and shows "1000+" past it: an exact count of a
# list that long helps nobody, and costs a scan of it.
QUEUE_COUNT_CAP = 1000
SUGGEST_REFUSED = (
    "Only editors record claims: suggesting attributions proposes claims to record, so it is "
    "open to those who may add them."
)


def refused_page(model_admin, request, refusal: PermissionDenied, *, claim=None):
    """Answer a refusal with the admin's own page saying why, never a bare 403."""
    reason = str(refusal) or "You do not have permission to open this page."
    context = page_context(
        model_admin,
        request,
        "Not allowed",
        reason=reason,
        back_url=reverse("admin:claims_claim_change", args=[claim.pk]) if claim else "",
        back_label=f"Back to the claim “{claim}”" if claim else "",
    )
    return TemplateResponse(request, "admin/claims/claim/refused.html", context, status=403)


class ClaimAdminView(View):
    """A custom page of the claims admin; `model_admin` is the ClaimAdmin that serves it.

    A PermissionDenied raised by the page or the services it calls is shown as the admin's
    own page with the reason.
    """

    model_admin = None
    template_name = ""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return refused_page(self.model_admin, request, refusal, claim=self.refused_claim)

    refused_claim = None  # the claim a page was about, for the refused page's way back

    def context(self, request, title: str, **extra) -> dict:
        return page_context(self.model_admin, request, title, **extra)

    def render(self, request, context: dict) -> TemplateResponse:
        return TemplateResponse(request, self.template_name, context)

    def claim_pk(self, object_id: str) -> int:
        """Return the claim key in a URL; a path that cannot name a claim is a 404."""
        try:
            return Claim._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404("No such claim.") from None


def origin_warnings(claim: Claim) -> list[str]:
    """Warn before concluding on thin provenance: no origin, one origin, one anonymous origin.

    Reads the claim's stored count of independent origins and the prefetched chains.
    """
    origins = [
        link
        for appearance in claim.appearances.all()
        for link in appearance.chain.all()
        if link.role == Attribution.Role.ORIGIN
    ]
    if claim.independent_origins == 0 or not origins:
        return ["No origin is recorded for this claim: nobody is named as having said it."]
    if claim.independent_origins > 1:
        return []
    if all(link.anonymous_source_id for link in origins):
        return [
            "This claim rests on a single anonymous origin: every appearance traces back to "
            "one unnamed source, so nothing independent corroborates it."
        ]
    return [
        "This claim rests on one origin only: every appearance traces back to the same "
        "source, so no independent origin corroborates it."
    ]


class TransitionView(ClaimAdminView):
    """Make one move on one claim: collect what the move needs, then call the service.

    A move the user may not make is refused before the form is shown, with the reason.
    """

    template_name = "admin/claims/claim/move_form.html"
    http_method_names = ["get", "head", "post"]

    def get(self, request, object_id, to):
        return self.post(request, object_id, to)

    def post(self, request, object_id, to):
        model_admin = self.model_admin
        claim = model_admin.get_object(request, self.claim_pk(object_id))
        if claim is None:
            raise Http404("No such claim.")
        self.refused_claim = claim
        if not model_admin.has_view_permission(request, claim):
            raise PermissionDenied("You may not see this claim.")
        change_url = reverse("admin:claims_claim_change", args=[claim.pk])
        try:
            move = move_for(claim.status, to)
        except TransitionRefused as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect(change_url)
        if not request.user.has_perm(move.permission):
            raise PermissionDenied(f"You may not {move.name} a claim: {move_refusal_reason(move)}")
        if move.is_conclusion:
            refusal = conclusion_refusal(request.user, claim)
            if refusal:
                raise PermissionDenied(refusal)
        form = move_form_class(move)(
            request.POST if request.method == "POST" else None,
            claims=[claim],
            admin_site=model_admin.admin_site,
            move=move,
            **({"to": to} if move.is_conclusion else {}),
        )
        stale = False
        if form.is_bound and form.is_valid():
            from_status = claim.status
            reasons = make_move(request, claim, to, form)
            if not reasons:
                report_success(request, claim, f"{S(from_status).label} → {S(to).label}")
                return redirect(change_url)
            stale = reasons.stale
            for reason in reasons:
                form.add_error(None, reason)
        shown = Claim.objects.with_provenance(request.user).get(pk=claim.pk)
        label = move_label(claim.status, to)
        context = self.context(
            request,
            f"{label} — {claim}",
            form=form,
            claims=[claim],
            claim=claim,
            original=claim,
            stale=stale,
            submit_label=label,
            conclusion=move.is_conclusion,
            evidence_required=move.needs_evidence,
            conclusion_label=S(to).label.lower(),
            appearances=[
                {
                    "appearance": appearance,
                    "quote": quote_in_context(
                        appearance.document.body,
                        appearance.start,
                        appearance.end,
                        appearance.exact,
                    ),
                    "chain": chain_text(appearance.chain.all()) or "No chain recorded.",
                    "embargo": embargo_note(appearance.document),
                }
                for appearance in shown.appearances.all()
            ],
            warnings=origin_warnings(shown) if move.is_conclusion else [],
            media=model_admin.media + form.media,
        )
        return self.render(request, context)


class TakeView(ClaimAdminView):
    """Take a claim in review ("Assign to me"), from the queue or the claim page."""

    http_method_names = ["post"]

    def post(self, request, object_id):
        model_admin = self.model_admin
        claim = model_admin.get_object(request, self.claim_pk(object_id))
        if claim is None:
            raise Http404("No such claim.")
        self.refused_claim = claim
        if not model_admin.has_view_permission(request, claim):
            raise PermissionDenied("You may not see this claim.")
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = ""
        back = back or reverse("admin:claims_claim_change", args=[claim.pk])
        version = request.POST.get("version", "")
        try:
            claim_take(
                claim=claim,
                actor=request.user,
                expected_version=int(version) if version.isdigit() else None,
            )
        except (TransitionRefused, StaleVersion) as refusal:
            messages.error(request, " ".join(refusal_messages(refusal)))
        else:
            report_success(request, claim, "assigned to you")
        return redirect(back)


class QueueView(ClaimAdminView):
    """Show the review queue's lists with their counts, each linking to its changelist."""

    template_name = "admin/claims/claim/queue.html"
    http_method_names = ["get", "head"]

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied("You may not see claims, so the review queue is closed to you.")
        today = timezone.localdate()
        claims = Claim.objects.select_related("assignee")
        changelist = reverse("admin:claims_claim_changelist")
        queues = []
        for key, label in REVIEW_QUEUES:
            listed = in_review_queue(claims, key, user=request.user, today=today)
            if key == "overdue":
                listed = listed.order_by("due_date", "pk")
            count = listed.order_by().values("pk")[: QUEUE_COUNT_CAP + 1].count()
            queues.append(
                {
                    "key": key,
                    "label": label,
                    "count": count,
                    "count_label": f"{QUEUE_COUNT_CAP}+" if count > QUEUE_COUNT_CAP else count,
                    "claims": list(listed[:QUEUE_ROWS]),
                    "url": f"{changelist}?{ReviewQueueFilter.parameter_name}={key}",
                }
            )
        shown = {claim.pk: claim for queue in queues for claim in queue["claims"]}
        authors = authors_by_claim(shown.values())
        flags: dict[int, list[ReviewFlag]] = {}
        for flag in ReviewFlag.objects.open().filter(claim_id__in=shown).order_by("pk"):
            flags.setdefault(flag.claim_id, []).append(flag)
        embargoes: dict[int, list[str]] = {}
        for appearance in (
            Appearance.objects.filter(
                claim_id__in=shown, document__in=Document.objects.under_embargo()
            )
            .select_related("document")
            .order_by("document__embargo_until", "pk")
        ):
            notes = embargoes.setdefault(appearance.claim_id, [])
            note = f"“{appearance.document}”: {embargo_note(appearance.document)}"
            if note not in notes:
                notes.append(note)
        for queue in queues:
            queue["rows"] = [
                {
                    "claim": claim,
                    # Only a claim still being checked can be late.
                    "overdue": claim.status == S.IN_REVIEW
                    and claim.due_date is not None
                    and claim.due_date < today,
                    "take_refusal": take_refusal(request.user, claim, authors=authors[claim.pk]),
                    "flags": flags.get(claim.pk, []),
                    "embargoes": embargoes.get(claim.pk, []),
                }
                for claim in queue["claims"]
            ]
        context = self.context(request, "Review queue", queues=queues, today=today)
        return self.render(request, context)


class ProvenanceView(ClaimAdminView):
    """Show a claim's provenance: every chain, the external checks, origins and conflicts."""

    template_name = "admin/claims/claim/provenance.html"
    http_method_names = ["get", "head"]

    def get(self, request, object_id):
        model_admin = self.model_admin
        claim = (
            model_admin.get_queryset(request)
            .with_provenance(request.user)
            .filter(pk=self.claim_pk(object_id))
            .first()
        )
        if claim is None:
            raise Http404("No such claim.")
        if not model_admin.has_view_permission(request, claim):
            raise PermissionDenied("You may not see this claim.")
        appearances = [
            {
                "appearance": appearance,
                "quote": quote_in_context(
                    appearance.document.body, appearance.start, appearance.end, appearance.exact
                ),
                "boxes": [agent_box(link) for link in appearance.chain.all()],
                "document": document_box(appearance.document),
                "embargo": embargo_note(appearance.document),
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
            {"event": event, "evidence": [evidence_text(item) for item in event.evidence or []]}
            for event in claim.events.all()
        ]
        context = self.context(
            request,
            f"Provenance: {claim}",
            claim=claim,
            original=claim,
            appearances=appearances,
            checks=checks,
            conflicts=conflicting,
            history=history,
        )
        return self.render(request, context)


class TimelineView(ClaimAdminView):
    """Show everything that happened to a claim, newest first (claims.admin.timeline)."""

    template_name = "admin/claims/claim/timeline.html"
    http_method_names = ["get", "head"]

    def get(self, request, object_id):
        model_admin = self.model_admin
        claim = model_admin.get_object(request, self.claim_pk(object_id))
        if claim is None:
            raise Http404("No such claim.")
        self.refused_claim = claim
        if not model_admin.has_view_permission(request, claim):
            raise PermissionDenied("You may not see this claim.")
        context = self.context(
            request,
            f"Timeline: {claim}",
            claim=claim,
            original=claim,
            entries=claim_timeline(claim),
        )
        return self.render(request, context)


class SuggestPickView(ClaimAdminView):
    """Choose a document to read for suggestions."""

    template_name = "admin/claims/claim/suggest_pick.html"
    http_method_names = ["get", "head"]

    def get(self, request):
        model_admin = self.model_admin
        if not model_admin.has_add_permission(request):
            raise PermissionDenied(SUGGEST_REFUSED)
        form = DocumentPickForm(request.GET or None, admin_site=model_admin.admin_site)
        if form.is_valid():
            return redirect("admin:claims_claim_suggest", form.cleaned_data["document"].pk)
        context = self.context(
            request, "Suggest attributions", form=form, media=model_admin.media + form.media
        )
        return self.render(request, context)


class SuggestView(ClaimAdminView):
    """List what the suggester reads in a document; record a proposal only when accepted."""

    template_name = "admin/claims/claim/suggest.html"
    http_method_names = ["get", "head", "post"]

    def get(self, request, document_id):
        return self.post(request, document_id)

    def post(self, request, document_id):
        model_admin = self.model_admin
        if not model_admin.has_add_permission(request):
            raise PermissionDenied(SUGGEST_REFUSED)
        document = get_object_or_404(Document.objects.with_license(), pk=document_id)
        title = f"Suggest attributions: {document}"
        try:
            found = suggest(document=document)
        except MiningRefused as refused:
            context = self.context(
                request,
                title,
                document=document,
                refused=True,  # a Decision is falsy when it refuses
                refusal=refused.decision,
                proposals=[],
            )
            return self.render(request, context)

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
                raise PermissionDenied(
                    "You may not record this proposal: accepting it records an appearance with "
                    "its chain, or an external check, and your role does not."
                )
            form = self.accept_form(proposals[key], key, request.POST)
            if form.is_valid():
                recorded = self.accept(request, document, proposals[key], form.cleaned_data)
                if recorded is not None:
                    return redirect(request.path)
            bound[key] = form

        rows = self.proposal_rows(document, proposals, may_record, bound)
        media = model_admin.media
        for row in rows:
            media += row["form"].media
        context = self.context(
            request,
            title,
            document=document,
            decision=found.decision,
            proposals=rows,
            media=media,
        )
        return self.render(request, context)

    def accept_form(self, proposal, key: str, data=None):
        return accept_form(proposal, key, admin_site=self.model_admin.admin_site, data=data)

    def proposal_rows(self, document, proposals, may_record, bound) -> list[dict]:
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
                "form": bound.get(key) or self.accept_form(proposal, key),
            }
            if isinstance(proposal, AppearanceProposal):
                chain = proposal.chain
                row["boxes"] = [proposed_box("Origin", chain.origin, chain.verb)]
                if chain.reporter is not None:
                    inferred = "from an earlier sentence" if chain.reporter_inferred else ""
                    row["boxes"].append(proposed_box("Reporter", chain.reporter, note=inferred))
                row["boxes"] += [relay_box(relay) for relay in chain.relays]
                row["document"] = document_box(document)
                row["recorded"] = recorded.get((kind, proposal.start, proposal.end), [])
            else:
                row["outcome"] = ExternalCheck.Outcome(proposal.outcome).label
                row["recorded"] = recorded.get(
                    (kind, proposal.start, proposal.end, proposal.outcome), []
                )
            rows.append(row)
        return rows

    def accept(self, request, document, proposal, data):
        """Record the proposal for the chosen or a new claim; report a refusal as messages."""
        overrides = (
            {"organization": data.get("organization"), "checked_at": data.get("checked_at")}
            if isinstance(proposal, ExternalCheckProposal)
            else {"reporter": data.get("reporter"), "origin": data.get("origin")}
        )
        if "relays" in data:  # the credited agencies the editor kept ticked
            overrides["relays"] = list(data["relays"])
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
            for message in messages_of(error):
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


class FromQuoteView(ClaimAdminView):
    """Anchor a passage selected on a document's page, then open the add page pre-filled.

    `then=claim` opens a new claim with the quote; `then=appearance` records the quote as an
    appearance of a claim still to choose. A passage that cannot be anchored goes back to the
    document with the reason.
    """

    http_method_names = ["get", "head"]
    PAGES = {
        "claim": ("claims.add_claim", "admin:claims_claim_add", "Only editors record claims."),
        "appearance": (
            "claims.add_appearance",
            "admin:claims_appearance_add",
            "Only editors record where a claim appears.",
        ),
    }

    def get(self, request, document_id):
        document = get_object_or_404(Document, pk=document_id)
        permission, page, refusal = self.PAGES.get(request.GET.get("then"), self.PAGES["claim"])
        if not request.user.has_perm(permission):
            raise PermissionDenied(refusal)
        try:
            start = int(request.GET.get("start", ""))
        except ValueError:
            start = None
        try:
            selector = quote_selector(document, exact=request.GET.get("exact", ""), start=start)
        except AnchorError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:sources_document_change", document.pk)
        if page == "admin:claims_claim_add":
            selector["text"] = selector["exact"]  # a first draft, to put in the newsroom's words
        return redirect(f"{reverse(page)}?{urlencode(selector)}")
