"""Readers' pages in Chromium: narrow and wide, accessible, and carrying a valid ClaimReview."""

import json

import pytest

from claims.claimreview import claimreview
from claims.models import Claim
from newsroom.demo import load_demo
from newsroom.public.views import fact_check_path
from tests.browser.conftest import NARROW, WIDE
from tests.claimreview_checks import google_claimreview_problems

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_fact_check_pages_read_well_at_both_widths_and_carry_a_valid_review(pages):
    load_demo(with_users=False)
    claim = Claim.objects.concluded().order_by("pk").first()

    for width in (NARROW, WIDE):
        page = pages.open(fact_check_path(claim), width=width)
        pages.screenshot(page, f"fact-check-{width}")
        assert pages.horizontal_overflow(page) == 0
        assert pages.axe_violations(page) == []
        assert page.locator("h1").inner_text() == claim.text
        assert page.locator(".badge").first.is_visible()

    blocks = page.locator('script[type="application/ld+json"]').all_text_contents()
    (review,) = [json.loads(block) for block in blocks]
    assert google_claimreview_problems(review) == []
    # What the API's ClaimReview endpoint serves, built for the same host.
    loaded = Claim.objects.with_provenance().get(pk=claim.pk)
    from_api = claimreview(loaded, build_url=lambda path: pages.base_url + path)
    assert google_claimreview_problems(from_api) == []
    # The same review, only its address differs: the page's is the public one.
    assert {**review, "url": None, "@id": None} == {**from_api, "url": None, "@id": None}


def test_the_demo_story_reads_well_at_both_widths_with_its_footnotes_and_reviews(pages):
    from newsroom.stories.models import Story

    load_demo(with_users=False)
    story = Story.objects.published().get()

    for width in (NARROW, WIDE):
        page = pages.open(f"/stories/{story.slug}/", width=width)
        pages.screenshot(page, f"story-{width}")
        assert pages.horizontal_overflow(page) == 0
        assert pages.axe_violations(page) == []
        assert page.locator("h1").inner_text() == story.headline
        assert page.locator(".footnotes li").count() == story.citations.count()

    page.locator('a[href="#cite-1"]').first.click()
    assert page.evaluate("() => location.hash") == "#cite-1"
    (data,) = [
        json.loads(b)
        for b in page.locator('script[type="application/ld+json"]').all_text_contents()
    ]
    article, *reviews = data["@graph"]
    assert article["@type"] == "NewsArticle" and article["headline"] == story.headline
    assert reviews and all(google_claimreview_problems(review) == [] for review in reviews)
    index = pages.open("/stories/", width=NARROW)
    pages.screenshot(index, "stories-390")
    assert pages.horizontal_overflow(index) == 0 and pages.axe_violations(index) == []
