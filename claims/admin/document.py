"""The document's page as the claims admin extends it: its text with every appearance marked,
the claims it holds, and the selection tools that start a claim or an appearance from a quote.

`sources` knows nothing of claims, so the claims admin registers its own subclass of the
sources DocumentAdmin; everything the sources admin does stays as it is.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import connections
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import smart_split, unescape_string_literal

from claims.models import AnchorState, Appearance
from sources import admin as sources_admin
from sources.admin_paging import EstimatedCountAdminMixin
from sources.models import Document, Organization


def marked_text(body: str, appearances) -> SafeString:
    """Return `body` as HTML with each anchored appearance in a <mark> linked to its claim.

    The text nodes hold exactly the body's characters, so a selection's offsets in the page are
    offsets into the body; the footnote numbers are marked `data-not-text` for the selection
    script to skip. Overlapping quotes are split where they overlap.
    """
    placed = [a for a in appearances if shows_in_place(body, a)]
    bounds = sorted({0, len(body), *(a.start for a in placed), *(a.end for a in placed)})
    parts = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        covering = [a for a in placed if a.start <= start and end <= a.end]
        if not covering:
            parts.append(format_html("{}", body[start:end]))
            continue
        parts.append(
            format_html(
                '<mark class="appearance-mark" data-appearances="{}" title="{}">{}</mark>',
                " ".join(str(a.pk) for a in covering),
                "; ".join(f"Claim {a.claim_id} ({a.claim.get_status_display()})" for a in covering),
                body[start:end],
            )
        )
        ending = [a for a in covering if a.end == end]
        if ending:
            parts.append(
                format_html_join(
                    "",
                    '<sup class="appearance-ref" data-not-text>'
                    '<a href="{}" title="{}">[{}]</a></sup>',
                    (
                        (
                            reverse("admin:claims_claim_change", args=[a.claim_id]),
                            a.claim,
                            a.claim_id,
                        )
                        for a in ending
                    ),
                )
            )
    return mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html


def shows_in_place(body: str, appearance: Appearance) -> bool:
    """Return whether the appearance's quote stands at its offsets in the current text."""
    return (
        appearance.anchor_state != AnchorState.UNANCHORED
        and body[appearance.start : appearance.end] == appearance.exact
    )


def claims_held(appearances) -> list[dict]:
    """The claims quoted in a document, each once, in the order they first appear."""
    held: dict[int, dict] = {}
    for appearance in sorted(appearances, key=lambda a: (a.start, a.pk)):
        row = held.setdefault(
            appearance.claim_id,
            {
                "claim": appearance.claim,
                "url": reverse("admin:claims_claim_change", args=[appearance.claim_id]),
                "quotes": 0,
            },
        )
        row["quotes"] += 1
    return list(held.values())


admin.site.unregister(Document)


def documents_matching(term: str) -> Q:
    """Documents whose headline, URL, publisher or publication contains `term`.

    The headline and URL branches are one union of trigram-index reads; the organizations are
    matched in their own (small) table. An OR of LIKEs across the joined tables would compare
    every document's row; a union of all four branches turned a common name ("Herald", half
    the documents) into a 24 s semi-join at a million claims.
    """
    organizations = Organization.objects.filter(name__icontains=term).values("pk")
    documents = Document.objects.order_by()
    by_text = (
        documents.filter(headline__icontains=term)
        .values("pk")
        .union(documents.filter(url__icontains=term).values("pk"))
    )
    return Q(pk__in=by_text) | Q(publisher__in=organizations) | Q(publication__in=organizations)


@admin.register(Document)
class DocumentAdmin(EstimatedCountAdminMixin, sources_admin.DocumentAdmin):
    change_form_template = "admin/claims/document/change_form.html"

    def get_search_results(self, request, queryset, search_term):
        if connections[queryset.db].vendor != "postgresql":
            return super().get_search_results(request, queryset, search_term)
        # Every word must match, as in the stock admin search ("quoted phrases" stay whole).
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            if bit:
                queryset = queryset.filter(documents_matching(bit))
        return queryset, False

    class Media:
        js = ["claims/quote_select.js"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        document = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if document is not None:
            extra["quote_panel"] = self.quote_panel(request, document)
        return super().change_view(request, object_id, form_url, extra)

    def quote_panel(self, request, document: Document) -> dict:
        appearances = list(
            Appearance.objects.filter(document=document)
            .select_related("claim")
            .order_by("start", "pk")
        )
        return {
            "text": marked_text(document.body, appearances),
            "claims": claims_held(appearances),
            "unanchored": [a for a in appearances if not shows_in_place(document.body, a)],
            "quote_url": reverse("admin:claims_claim_from_quote", args=[document.pk]),
            "may_add_claim": request.user.has_perm("claims.add_claim"),
            "may_add_appearance": request.user.has_perm("claims.add_appearance"),
        }
