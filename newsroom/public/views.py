"""Public fact-check pages (no login). Always rendered for the outside audience: a logged-in
editor previewing a page sees exactly what a reader sees, licence decisions included."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from claims.claimreview import RATING_SCALE, claim_reviewed, claimreview, concluding_event
from claims.disclosure import disclosure_for, quote_key, rationale_for, served_last_modified
from claims.models import Claim
from claims.words import chain_in_words, check_in_words, public_date
from newsroom.public.http import finish, tdm_signals
from sources.licensing import Audience

SLUG_MAX = 60


def fact_check_slug(claim: Claim) -> str:
    return slugify(claim_reviewed(claim))[:SLUG_MAX].strip("-") or "claim"


def fact_check_path(claim: Claim) -> str:
    return reverse("public:fact-check", args=[claim.pk, fact_check_slug(claim)])


def verdict(claim: Claim) -> dict:
    """The verdict badge: its words and a CSS modifier (the colour is never the only signal)."""
    return {"label": RATING_SCALE[claim.status].label, "status": claim.status}


def claim_citation(claim: Claim, disclosure) -> dict:
    """Everything a reader's footnote or fact-check page says about one concluded claim."""
    appearances = []
    for appearance in sorted(claim.appearances.all(), key=lambda a: (a.document_id, a.pk)):
        release = disclosure.excerpt(quote_key(appearance))
        document = appearance.document
        appearances.append(
            {
                "quote": appearance.exact if release else None,
                "withheld": None if release else release.withheld,
                "provenance": chain_in_words(appearance),
                "headline": document.headline,
                "title": (document.publication or document.publisher).name,
                "url": document.url,
                "date": public_date(document.published_at) if document.published_at else "",
                "language": document.language,
            }
        )
    conclusion = concluding_event(claim)
    return {
        "claim": claim,
        "verdict": verdict(claim),
        "summary": claim_reviewed(claim),
        "appearances": appearances,
        "checks": [check_in_words(check) for check in claim.external_checks.all()],
        "independent_origins": claim.independent_origins,
        "rationale": rationale_for(conclusion, Audience.EXTERNAL) if conclusion else "",
        "concluded": public_date(claim.concluded_at) if claim.concluded_at else "",
        "url": fact_check_path(claim),
    }


def json_ld(data) -> str:
    """JSON for a <script type="application/ld+json"> block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page(request, template: str, context: dict):
    return render(request, template, {"newsroom_name": settings.NEWSROOM_NAME, **context})


@require_safe
def fact_check(request, pk: int, slug: str):
    claim = Claim.objects.published().with_provenance().filter(pk=pk).first()
    if claim is None:
        raise Http404("No published fact-check has this address.")
    canonical = fact_check_path(claim)
    if request.path != canonical:
        return redirect(canonical, permanent=True)
    disclosure = disclosure_for([claim], Audience.EXTERNAL)
    build_url = request.build_absolute_uri
    headers = tdm_signals(request, disclosure)
    review = claimreview(claim, build_url=build_url, url=build_url(canonical))
    context = {
        "citation": claim_citation(claim, disclosure),
        "claimreview_json": json_ld(review),
        "tdm_reserved": bool(headers),
        "canonical": build_url(canonical),
    }
    response = page(request, "public/fact_check.html", context)
    return finish(
        request,
        response,
        last_modified=served_last_modified([claim], disclosure),
        headers=headers,
    )
