"""Public story pages, the Atom feed and the sitemap: published stories with their citations.

Each citation becomes a footnote a reader understands (newsroom.public.views.claim_citation);
quotes in footnotes follow the licence for the outside audience through one disclosure for the
whole page, so a story quoting five claims still spends each document's budget once.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from claims.claimreview import SCHEMA_ORG_CONTEXT, claimreview
from claims.disclosure import disclosure_for, served_last_modified
from claims.models import Claim
from claims.words import public_date
from newsroom.public.http import finish, tdm_signals
from newsroom.public.views import claim_citation, fact_check_path, json_ld, page
from newsroom.stories.markdown import render_markdown
from newsroom.stories.models import CitationUse, Correction, Story
from sources.licensing import Audience

PAGE_SIZE = 20
FEED_SIZE = 30
USE_WORDS = {
    CitationUse.ASSERTS: "This story states it as fact.",
    CitationUse.ATTRIBUTES: "This story reports that it was said.",
    CitationUse.REFUTES: "This story says it is false.",
}


def story_path(story: Story) -> str:
    return reverse("public:story", args=[story.slug])


def byline(story: Story) -> str:
    names = [user.get_full_name() or user.get_username() for user in story.bylines.all()]
    return ", ".join(names)


def body_with_markers(story: Story, numbers: dict[int, int]) -> str:
    """The Markdown body with a footnote marker after each anchored citation's passage."""
    body = story.body
    anchored = [c for c in story.citations.all() if not c.anchor_lost and c.pk in numbers]
    for citation in sorted(anchored, key=lambda c: (c.end, c.pk), reverse=True):
        n = numbers[citation.pk]
        body = f"{body[: citation.end]}<sup>[{n}](#cite-{n})</sup>{body[citation.end :]}"
    return body


@require_safe
def story_index(request):
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    # One row past the page tells whether there is a next one: no COUNT(*) over the table.
    rows = list(
        Story.objects.published()
        .order_by("-published_at", "-pk")
        .only("headline", "slug", "standfirst", "published_at", "updated_at", "language")[
            start : start + PAGE_SIZE + 1
        ]
    )
    stories, has_next = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    if number > 1 and not stories:
        raise Http404("There are no stories on this page.")
    context = {
        "stories": [
            {"story": s, "url": story_path(s), "date": public_date(s.published_at)} for s in stories
        ],
        "page_number": number,
        "previous_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if has_next else None,
        "canonical": request.build_absolute_uri(request.path),
    }
    response = page(request, "public/stories.html", context)
    stamps = [s.updated_at for s in stories]
    return finish(request, response, last_modified=max(stamps, default=None))


@require_safe
def story_detail(request, slug: str):
    story = Story.objects.published().with_citations().filter(slug=slug).first()
    if story is None:
        raise Http404("No published story has this address.")
    citations = list(story.citations.all())
    claim_ids = {citation.claim_id for citation in citations}
    # Only concluded claims leave the building: a cited claim still in progress (published
    # past the guard with a recorded override) is named as being checked, nothing more.
    claims = {
        claim.pk: claim
        for claim in Claim.objects.filter(pk__in=claim_ids).published().with_provenance()
    }
    disclosure = disclosure_for(claims.values(), Audience.EXTERNAL)
    build_url = request.build_absolute_uri
    numbers = {citation.pk: n for n, citation in enumerate(citations, start=1)}
    footnotes = []
    for citation in citations:
        claim = claims.get(citation.claim_id)
        footnotes.append(
            {
                "number": numbers[citation.pk],
                "use": USE_WORDS[citation.use],
                "claim": claim_citation(claim, disclosure) if claim else None,
            }
        )
    headers = tdm_signals(request, disclosure)
    canonical = build_url(story_path(story))
    corrections = list(story.corrections.all())
    context = {
        "story": story,
        "byline": byline(story),
        "published": public_date(story.published_at),
        "body_html": render_body(story, numbers),
        "footnotes": footnotes,
        "corrections": [
            {"id": c.pk, "text": c.text, "date": public_date(c.published_at)} for c in corrections
        ],
        "json_ld": json_ld(story_json_ld(story, claims.values(), canonical, build_url)),
        "tdm_reserved": bool(headers),
        "canonical": canonical,
    }
    response = page(request, "public/story.html", context)
    stamps = [story.updated_at, served_last_modified(claims.values(), disclosure)]
    stamps += [c.published_at for c in corrections]
    return finish(
        request,
        response,
        last_modified=max((s for s in stamps if s is not None), default=None),
        headers=headers,
    )


def render_body(story: Story, numbers: dict[int, int]) -> str:
    return render_markdown(body_with_markers(story, numbers))


def story_json_ld(story: Story, claims, canonical: str, build_url) -> dict:
    """NewsArticle (with its corrections) and a ClaimReview per concluded claim it cites."""
    article = {
        "@type": "NewsArticle",
        "@id": canonical,
        "url": canonical,
        "headline": story.headline,
        "datePublished": story.published_at.isoformat(),
        "dateModified": story.updated_at.isoformat(),
        "inLanguage": story.language,
        "publisher": {
            "@type": "Organization",
            "name": settings.NEWSROOM_NAME,
            "url": build_url("/"),
        },
    }
    authors = [
        {"@type": "Person", "name": user.get_full_name() or user.get_username()}
        for user in story.bylines.all()
    ]
    if authors:
        article["author"] = authors
    if story.standfirst:
        article["description"] = story.standfirst
    corrections = [
        {
            "@type": "CorrectionComment",
            "text": correction.text,
            "datePublished": correction.published_at.isoformat(),
        }
        for correction in story.corrections.all()
    ]
    if corrections:
        article["correction"] = corrections
    reviews = []
    for claim in sorted(claims, key=lambda c: c.pk):
        review = claimreview(claim, build_url=build_url, url=build_url(fact_check_path(claim)))
        review.pop("@context")
        reviews.append(review)
    return {"@context": SCHEMA_ORG_CONTEXT, "@graph": [article, *reviews]}


class StoriesFeed(Feed):
    """Atom: published stories and the corrections on them, newest first."""

    feed_type = Atom1Feed
    title = "Stories and corrections"
    link = "/stories/"
    subtitle = "The newsroom's published stories, and every correction, as they appear."

    def items(self):
        stories = list(Story.objects.published().order_by("-published_at", "-pk")[:FEED_SIZE])
        corrections = list(
            Correction.objects.filter(story__status="published")
            .select_related("story")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )
        items = stories + corrections
        items.sort(key=lambda item: item.published_at, reverse=True)
        return items[:FEED_SIZE]

    def item_title(self, item):
        if isinstance(item, Correction):
            return f"Correction: {item.story.headline}"
        return item.headline

    def item_description(self, item):
        return item.text if isinstance(item, Correction) else item.standfirst

    def item_link(self, item):
        story = item.story if isinstance(item, Correction) else item
        path = story_path(story)
        return f"{path}#correction-{item.pk}" if isinstance(item, Correction) else path

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at if isinstance(item, Correction) else item.updated_at


class StorySitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Story.objects.published().order_by("-published_at", "-pk").only("slug", "updated_at")

    def location(self, item):
        return story_path(item)

    def lastmod(self, item):
        return item.updated_at


class FactCheckSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Claim.objects.published().order_by("-pk").only("pk", "summary", "text", "updated_at")

    def location(self, item):
        return fact_check_path(item)

    def lastmod(self, item):
        return item.updated_at
