"""Reviewed claims as schema.org ClaimReview JSON-LD (what fact-check aggregators consume).

Pure functions over claims loaded with `Claim.objects.with_provenance()`: they read only the
prefetched `appearances` (with `chain`, its agents and people's `affiliation_set`) and
`events`, so exporting many claims costs no query per row. A review describes documents by
their metadata only, never their text, and never reads a confidential identity.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from claims.models import CONCLUDED, Appearance, Attribution, Claim, ClaimStatus
from sources import agents
from sources.models import Document, Organization, Person

BuildUrl = Callable[[str], str]

SCHEMA_ORG_CONTEXT = "https://schema.org"
# Google's Fact Check guidelines: claimReviewed is a short statement of the claim.
CLAIM_REVIEWED_MAX = 75


@dataclass(frozen=True)
class Rating:
    value: int
    label: str


# The one rating scale of every ClaimReview, worst (1) to best (4), ordered by how far the
# evidence found supports the claim:
#   1 False         the evidence shows the claim does not hold;
#   2 Disputed      credible accounts contradict each other and none is confirmed;
#   3 Unverifiable  nothing found either way: ranked above Disputed because nothing counts
#                   against it, below Verified because nothing confirms it;
#   4 Verified      checked and it holds (for a statement of opinion: verified as said).
# `alternateName` carries the verdict in words; the number only orders the verdicts.
RATING_SCALE: Mapping[str, Rating] = MappingProxyType(
    {
        ClaimStatus.FALSE: Rating(1, "False"),
        ClaimStatus.DISPUTED: Rating(2, "Disputed"),
        ClaimStatus.UNVERIFIABLE: Rating(3, "Unverifiable"),
        ClaimStatus.VERIFIED: Rating(4, "Verified"),
    }
)
BEST_RATING = max(rating.value for rating in RATING_SCALE.values())
WORST_RATING = min(rating.value for rating in RATING_SCALE.values())

# Publishers of news: their documents are NewsArticles; anyone else's (a government statement,
# a think-tank report) is a plain CreativeWork.
NEWS_KINDS = frozenset(
    {Organization.Kind.PUBLISHER, Organization.Kind.PUBLICATION, Organization.Kind.NEWS_AGENCY}
)


def claimreview_path(claim: Claim) -> str:
    return reverse("api:claim-claimreview", args=[claim.pk])


def claim_reviewed(claim: Claim) -> str:
    """The claim as a short statement: its summary, else its text cut at a word boundary."""
    if claim.summary:
        return claim.summary
    text = " ".join(claim.text.split())
    if len(text) <= CLAIM_REVIEWED_MAX:
        return text
    cut = text[: CLAIM_REVIEWED_MAX - 1]
    if text[len(cut)] != " " and " " in cut:  # do not end on part of a word
        cut = cut.rsplit(" ", 1)[0]
    return f"{cut.rstrip()}…"


def claimreview(claim: Claim, *, build_url: BuildUrl, url: str | None = None) -> dict:
    """Return the claim's review as schema.org ClaimReview JSON-LD.

    `url` is where readers find the review (a public fact-check page); by default the API's.
    Precondition: the claim is concluded (else ValueError) and loaded `with_provenance()`.
    """
    node = _claimreview_node(claim, build_url=build_url, url=url)
    return {"@context": SCHEMA_ORG_CONTEXT, **node}


def claimreview_feed(claims: Iterable[Claim], *, build_url: BuildUrl) -> dict:
    """Return the concluded claims' reviews as one JSON-LD document; others are left out.

    An `@graph` rather than an ItemList: each review stays a top-level node, the same object as
    its own endpoint serves (minus the shared `@context`), so a consumer that reads one review
    reads the feed, and no list wrapper or position claims an order the feed does not promise.
    """
    return {
        "@context": SCHEMA_ORG_CONTEXT,
        "@graph": [
            _claimreview_node(claim, build_url=build_url)
            for claim in claims
            if claim.status in CONCLUDED
        ],
    }


def _claimreview_node(claim: Claim, *, build_url: BuildUrl, url: str | None = None) -> dict:
    if claim.status not in CONCLUDED:
        raise ValueError(
            f"Claim {claim.pk} is {claim.status}: only a concluded claim has a review to publish."
        )
    rating = RATING_SCALE[claim.status]
    conclusion = concluding_event(claim)
    url = url or build_url(claimreview_path(claim))
    node = {
        "@type": "ClaimReview",
        "@id": url,
        "url": url,
        "claimReviewed": claim_reviewed(claim),
        "author": _newsroom(build_url),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating.value,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": rating.label,
        },
        "itemReviewed": _reviewed_claim(claim),
    }
    concluded_at = claim.concluded_at or (conclusion.created_at if conclusion else None)
    if concluded_at:
        node["datePublished"] = iso(concluded_at)
    if conclusion and conclusion.rationale:
        node["reviewBody"] = conclusion.rationale
    return node


def concluding_event(claim: Claim):
    """Return the event that moved the claim into its current concluded state, if recorded."""
    concluding = [event for event in claim.events.all() if event.to_status == claim.status]
    return max(concluding, key=lambda event: (event.created_at, event.pk), default=None)


def _newsroom(build_url: BuildUrl) -> dict:
    return {"@type": "Organization", "name": settings.NEWSROOM_NAME, "url": build_url("/")}


def _reviewed_claim(claim: Claim) -> dict:
    appearances = list(claim.appearances.all())
    node: dict = {"@type": "Claim"}
    authors = []
    seen = set()
    for appearance in appearances:
        link = _speaker(appearance)
        if link is not None and link.agent_key not in seen:
            seen.add(link.agent_key)
            authors.append(_schema_agent(link, on=day_of(appearance.document)))
    if authors:
        node["author"] = authors[0] if len(authors) == 1 else authors
    documents = _documents_in_order(appearances)
    if documents:
        node["appearance"] = [_creative_work(document) for document in documents]
        first = next((d for d in documents if d.published_at is not None), None)
        if first is not None:
            node["firstAppearance"] = _creative_work(first)
            node["datePublished"] = iso(first.published_at)
    return node


def _speaker(appearance: Appearance) -> Attribution | None:
    """Return who made the statement: the chain's origin or, with none, its first reporter.

    A reporter that names no source states the claim in its own voice, so it is the author.
    """
    chain = list(appearance.chain.all())
    for role in (Attribution.Role.ORIGIN, Attribution.Role.REPORTER):
        link = next((link for link in chain if link.role == role), None)
        if link is not None:
            return link
    return None


def _schema_agent(link: Attribution, *, on: datetime.date) -> dict:
    agent = link.agent
    if isinstance(agent, Person):
        node = {"@type": "Person", "name": agent.name}
        if agent.description:
            node["description"] = agent.description
        affiliations = agents.affiliations_on(agent, on)
        roles = [a.role for a in affiliations if a.role]
        organizations = [_schema_organization(a.organization) for a in affiliations]
        if roles:
            node["jobTitle"] = _one_or_many(roles)
        if organizations:
            node["affiliation"] = _one_or_many(organizations)
        return node
    if isinstance(agent, Organization):
        return _schema_organization(agent)
    # An unnamed source: said as described, never named. schema.org has no type for a group
    # of unnamed people; Person is what each of them is (Organization would invent a body).
    return {
        "@type": "Person",
        "description": agent.description,
        "disambiguatingDescription": agents.anonymous_standing(agent),
    }


def _schema_organization(organization: Organization) -> dict:
    node = {"@type": "Organization", "name": organization.name}
    if organization.url:
        node["url"] = organization.url
    return node


def _creative_work(document: Document) -> dict:
    """Describe a document by its metadata only: never its text (its licence may forbid it)."""
    node = {"@type": "NewsArticle" if document.publisher.kind in NEWS_KINDS else "CreativeWork"}
    if document.url:
        node["url"] = document.url
    if document.headline:
        node["headline"] = document.headline
    if document.published_at:
        node["datePublished"] = iso(document.published_at)
    if document.language:
        node["inLanguage"] = document.language
    node["publisher"] = _schema_publisher(document)
    return node


def _schema_publisher(document: Document) -> dict:
    """The title the document appeared in, as part of its publisher when they differ."""
    publisher = _schema_organization(document.publisher)
    title = document.publication
    if title is None or title.pk == document.publisher_id:
        return publisher
    return {**_schema_organization(title), "parentOrganization": publisher}


def _documents_in_order(appearances: Iterable[Appearance]) -> list[Document]:
    """Each document once, earliest published first (undated last)."""
    documents = {appearance.document.pk: appearance.document for appearance in appearances}
    far_future = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(documents.values(), key=lambda d: (d.published_at or far_future, d.pk))


def day_of(document: Document) -> datetime.date:
    """The day a document speaks for: when it was published, else when it was obtained."""
    moment = document.published_at or document.obtained_at or timezone.now()
    return timezone.localdate(moment)


def _one_or_many(values: list):
    return values[0] if len(values) == 1 else values


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat()
