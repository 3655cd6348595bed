"""Public story pages, feed and sitemap: footnotes readers understand, corrections on top."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import ClaimStatus
from newsroom.public.views import fact_check_path
from newsroom.stories.models import Citation, CitationUse, Correction, Story, StoryStatus
from tests.claimreview_checks import google_claimreview_problems
from tests.claims.factories import AppearanceFactory, AttributionFactory, ClaimFactory
from tests.factories import DocumentFactory, LicenseTermsFactory, ReservedLicenseTermsFactory

pytestmark = pytest.mark.django_db

BODY = (
    "Officials say the sanctions are on hold. The deal of October 30 holds.\n\n"
    "<script>alert(1)</script> And export controls are planned, one outlet said."
)


def published(headline="US shelves sanctions", body=BODY, when=None, **kwargs) -> Story:
    when = when or timezone.now()
    slug = kwargs.pop("slug", re.sub(r"\W+", "-", headline.lower()).strip("-"))
    return Story.objects.create(
        headline=headline,
        slug=slug,
        standfirst="What officials told the FT, and what holds.",
        body=body,
        status=StoryStatus.PUBLISHED,
        published_at=when,
        **kwargs,
    )


def cite(story, claim, passage, use=CitationUse.ATTRIBUTES) -> Citation:
    start = story.body.index(passage)
    return Citation.objects.create(
        story=story, claim=claim, use=use, exact=passage, start=start, end=start + len(passage)
    )


def concluded_claim(status=ClaimStatus.VERIFIED, license=None, **kwargs):
    claim = ClaimFactory(status=status, concluded_at=timezone.now(), **kwargs)
    appearance = AppearanceFactory(
        claim=claim, document=DocumentFactory(license=license or LicenseTermsFactory())
    )
    AttributionFactory(appearance=appearance)
    return claim, appearance


def json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_a_story_page_shows_its_body_sanitised_with_footnotes_readers_understand(client):
    story = published()
    claim, appearance = concluded_claim()
    cite(story, claim, "the sanctions are on hold")

    html = client.get(f"/stories/{story.slug}/").content.decode()

    assert "<script>alert" not in html
    assert 'href="#cite-1"' in html
    assert 'id="cite-1"' in html
    assert "This story reports that it was said." in html
    assert claim.summary in html
    assert "Verified" in html
    assert "current and former US officials" in html
    assert fact_check_path(claim) in html
    assert appearance.exact in html


def test_a_cited_claim_still_being_checked_shows_nothing_of_its_sources(client):
    story = published()
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW)
    appearance = AppearanceFactory(claim=claim)
    cite(story, claim, "export controls are planned")

    html = client.get(f"/stories/{story.slug}/").content.decode()

    assert "still being checked" in html
    assert appearance.exact not in html
    assert claim.text not in html


def test_corrections_appear_dated_above_the_story_and_in_its_news_article(client):
    story = published()
    claim, _ = concluded_claim()
    cite(story, claim, "The deal of October 30 holds", use=CitationUse.ASSERTS)
    editor = get_user_model().objects.create_user("ed", first_name="Erin", last_name="Editor")
    story.bylines.add(editor)
    Correction.objects.create(
        story=story,
        text="An earlier version said the deal had collapsed.",
        published_at=datetime.datetime(2025, 11, 22, 8, tzinfo=datetime.UTC),
        published_by=editor,
    )

    html = client.get(f"/stories/{story.slug}/").content.decode()
    data = json_ld(html)

    assert html.index("An earlier version said") < html.index("<h1>")
    assert "22 Nov 2025" in html
    article, *reviews = data["@graph"]
    assert article["@type"] == "NewsArticle"
    assert article["correction"][0]["text"].startswith("An earlier version")
    assert article["author"] == [{"@type": "Person", "name": "Erin Editor"}]
    (review,) = reviews
    assert google_claimreview_problems(review) == []
    assert review["url"].endswith(fact_check_path(claim))


def test_a_withheld_quote_stays_withheld_in_a_footnote(client):
    story = published()
    claim, appearance = concluded_claim(license=ReservedLicenseTermsFactory())
    cite(story, claim, "the sanctions are on hold")

    response = client.get(f"/stories/{story.slug}/")
    html = response.content.decode()

    assert appearance.exact not in html
    assert "Quotation withheld" in html
    assert "tdm-reservation" not in response


def test_drafts_have_no_public_page(client):
    draft = published(slug="draft-one")
    draft.status = StoryStatus.DRAFT
    draft.save()

    assert client.get("/stories/draft-one/").status_code == 404
    assert "draft-one" not in client.get("/stories/").content.decode()


def test_the_index_lists_newest_first_and_pages_without_counting(client):
    base = timezone.now()
    for n in range(21):
        published(headline=f"Story {n}", when=base - datetime.timedelta(hours=n))

    with CaptureQueriesContext(connection) as captured:
        first = client.get("/stories/").content.decode()
    second = client.get("/stories/?page=2").content.decode()

    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    assert first.index("Story 0<") < first.index("Story 1<")
    assert "Story 20<" not in first and "Story 20<" in second
    assert "?page=2" in first
    assert client.get("/stories/?page=9").status_code == 404


def test_a_story_page_costs_the_same_queries_with_one_or_thirty_citations(client):
    def queries_for(n: int) -> int:
        story = published(headline=f"Story with {n}")
        for _ in range(n):
            claim, _ = concluded_claim()
            cite(story, claim, "the sanctions are on hold")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/stories/{story.slug}/").status_code == 200
        return len(captured)

    assert queries_for(1) == queries_for(30)


def test_conditional_get_on_a_story(client):
    story = published()

    first = client.get(f"/stories/{story.slug}/")
    again = client.get(f"/stories/{story.slug}/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_the_feed_carries_stories_and_corrections(client):
    story = published()
    user = get_user_model().objects.create_user("ed2")
    Correction.objects.create(story=story, text="We corrected a date.", published_by=user)

    feed = client.get("/stories/feed/").content.decode()

    assert "<feed" in feed
    assert "US shelves sanctions" in feed
    assert "Correction: US shelves sanctions" in feed


def test_the_sitemap_lists_stories_and_fact_checks(client):
    story = published()
    claim, _ = concluded_claim()
    draft_claim = ClaimFactory(status=ClaimStatus.IN_REVIEW)

    sitemap = client.get("/sitemap.xml").content.decode()

    assert f"/stories/{story.slug}/" in sitemap
    assert fact_check_path(claim) in sitemap
    assert f"/fact-checks/{draft_claim.pk}-" not in sitemap
