"""The two editorial journeys in Chromium, as people make them: through the admin's forms.

1. An editor writes a story, cites two claims by selecting their passages in the body, sends
   it to review; the guard's reasons show on the publish page; the author may not publish
   (four-eyes) and is told why; a second editor overrides the one refusal with a reason and
   publishes; the public page shows the story.
2. A fact-checker reopens a claim the published story asserts and concludes it false; the
   story appears in the "Needs correction" queue; an editor publishes a correction; the public
   page shows it, dated, above the story.

Every user action goes through `Inputs`, which counts them: the pinned counts say how much
work each journey is, and a change to the forms that adds steps shows here.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from claims.models import ClaimStatus
from newsroom.public.stories import story_path
from newsroom.stories import services
from newsroom.stories.models import CitationUse, Story, StoryEvent, StoryStatus
from tests.browser.conftest import ADMIN
from tests.claims.factories import ClaimFactory
from tests.factories import StaffFactory
from tests.stories.conftest import publish

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
HEADLINE = "US shelves sanctions on China's spy agency, officials say"
BODY = (
    "The United States has shelved plans to sanction China's Ministry of State Security, "
    "officials say.\n\n"
    "Under the framework deal of October 30, the US did not impose a 100 percent tariff."
)
SANCTIONS = "shelved plans to sanction China's Ministry of State Security"
DEAL = "the US did not impose a 100 percent tariff"
CORRECTION = (
    "An earlier version said the US imposed no 100 percent tariff under the October 30 deal; "
    "it imposed one on some goods."
)
# axe runs on the breadcrumbs and the admin's content area, our templates and forms (the
# breadcrumb links are underlined by newsroom/admin.css, which "link-in-text-block" needs).
# Inside the content, two pieces of Django's own widgets fail and only a fix in Django can
# mend them: Select2's multiple-choice search box has no accessible name ("label", critical),
# and the two-box selector's search icon is a span with an aria-label ("aria-prohibited-attr",
# serious).
CONTENT = {
    "include": ["div.breadcrumbs", "#content"],
    "exclude": [".select2-container", ".selector .help-tooltip"],
}


def axe_violations(pages, page, context: dict | None) -> list[dict]:
    """Serious and critical axe-core violations in `context` (an axe context), or the page."""
    page.evaluate(pages.axe)
    results = page.evaluate("async (context) => await axe.run(context || document)", context)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [(n["target"], n.get("failureSummary")) for n in v["nodes"]],
        }
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


class Inputs:
    """What a person does on the pages (typing, choosing, selecting, clicking), counted."""

    def __init__(self, pages) -> None:
        self.pages, self.count, self.shots = pages, 0, 0
        for stale in pages.folder.glob("*.png"):  # a folder shows this run's steps only
            stale.unlink()

    def fill(self, page, selector: str, text: str) -> None:
        self.count += 1
        page.fill(selector, text)

    def click(self, page, selector: str) -> None:
        self.count += 1
        page.click(selector)
        page.wait_for_load_state()  # a click that navigates: read the new page, not the old

    def choose(self, page, selector: str, value: str) -> None:
        self.count += 1
        page.select_option(selector, value)

    def select_passage(self, page, selector: str, passage: str) -> None:
        """Select `passage` in a textarea as a mouse drag would: one input."""
        self.count += 1
        found = page.locator(selector).evaluate(
            """(area, passage) => {
                const start = area.value.indexOf(passage);
                area.focus();
                area.setSelectionRange(start, start + passage.length);
                return start;
            }""",
            passage,
        )
        assert found >= 0, f"{passage!r} is not in the body"

    def autocomplete(self, page, row: str, field: str, search: str) -> None:
        """Pick in the admin's autocomplete: open it, type, choose (three inputs)."""
        self.click(page, f"{row} .field-{field} .select2-selection")
        self.fill(page, ".select2-container--open .select2-search__field", search)
        self.click(page, f'.select2-results__option:text-is("{search}")')

    def log_in(self, page, user) -> None:
        self.fill(page, "#id_username", user.username)
        self.fill(page, "#id_password", PASSWORD)
        self.click(page, "#login-form [type=submit]")

    def look(self, page, step: str, *, scope: dict | None = CONTENT) -> None:
        """Screenshot the step, and check the page fits 1280 px and passes axe where ours."""
        self.shots += 1
        self.pages.screenshot(page, f"{self.shots:02d}-{step}")
        assert self.pages.horizontal_overflow(page) == 0, step
        found = axe_violations(self.pages, page, scope)
        assert found == [], (step, found)


@pytest.fixture
def editors():
    """The story's author, and the editor on the desk who publishes it (four-eyes)."""
    author = StaffFactory(
        username="reporter", first_name="Rita", last_name="Reporter", groups=["Editors"]
    )
    desk = StaffFactory(username="desk", first_name="Dan", last_name="Desk", groups=["Editors"])
    return author, desk


def test_an_editor_writes_cites_and_a_second_editor_publishes_past_the_guard(pages, editors):
    author, publisher = editors
    # Given two claims: one verified (stating it as fact holds), one still in review.
    on_hold = ClaimFactory(
        text="The US has put plans to sanction China's Ministry of State Security on hold.",
        summary="US sanctions on China's spy agency on hold",
        status=ClaimStatus.IN_REVIEW,
    )
    deal = ClaimFactory(
        text="Under the October 30 framework deal the US did not impose a 100 percent tariff.",
        summary="No 100 percent tariff under the October 30 deal",
        status=ClaimStatus.VERIFIED,
    )
    inputs = Inputs(pages)

    # The author logs in and writes the draft.
    page = pages.open("/admin/stories/story/add/", width=ADMIN)
    inputs.log_in(page, author)
    inputs.fill(page, "#id_headline", HEADLINE)
    inputs.fill(page, "#id_body", BODY)
    inputs.choose(page, "#id_bylines_from", str(author.pk))
    inputs.click(page, "#id_bylines_add")
    inputs.look(page, "draft")
    inputs.click(page, "[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    story = Story.objects.get()

    # She cites two claims, each by selecting its passage in the body.
    inputs.select_passage(page, "#id_body", SANCTIONS)
    inputs.click(page, "#citations-2-0 .cite-selection")
    assert page.input_value("#id_citations-2-0-exact") == SANCTIONS
    inputs.autocomplete(page, "#citations-2-0", "claim", on_hold.summary)
    inputs.choose(page, "#id_citations-2-0-use", CitationUse.ATTRIBUTES)
    inputs.click(page, "#citations-2-group .add-row a")
    inputs.select_passage(page, "#id_body", DEAL)
    inputs.click(page, "#citations-2-1 .cite-selection")
    inputs.autocomplete(page, "#citations-2-1", "claim", deal.summary)
    inputs.choose(page, "#id_citations-2-1-use", CitationUse.ASSERTS)
    inputs.look(page, "citing")
    inputs.click(page, "[name=_continue]")
    citations = {c.claim_id: c for c in story.citations.all()}
    assert story.body[citations[on_hold.pk].start :].startswith(SANCTIONS)
    assert story.body[citations[deal.pk].start :].startswith(DEAL)
    inputs.look(page, "cited")

    # She sends it to review, then tries to publish: the guard's reason is on the page.
    inputs.click(page, "a.button:text-is('Send to review')")
    inputs.click(page, "#story-action-form [name=apply]")
    inputs.click(page, "a.button:text-is('Publish')")
    expect(page.locator("#guard-refusals li")).to_have_count(1)
    assert "the claim is in review" in page.locator("#guard-refusals li").inner_text()
    # ... and why she may not publish it herself, before she fills anything in.
    assert "Four-eyes rule" in page.locator("#four-eyes").inner_text()
    assert page.locator("#story-action-form").count() == 0
    inputs.look(page, "author-may-not-publish")
    story.refresh_from_db()
    assert story.status == StoryStatus.IN_REVIEW

    # A second editor opens it from the list, overrides the refusal with a reason, publishes.
    desk = pages.open("/admin/stories/story/", width=ADMIN)
    inputs.log_in(desk, publisher)
    inputs.click(desk, f'#result_list a:text-is("{HEADLINE}")')
    inputs.click(desk, "a.button:text-is('Publish')")
    inputs.fill(desk, "#id_override_reason", "The FT's officials are the story: attributed.")
    inputs.look(desk, "desk-overrides")
    inputs.click(desk, "#story-action-form [name=apply]")
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    published = StoryEvent.objects.filter(to_status=StoryStatus.PUBLISHED).get()
    assert (published.actor, published.override_reason) == (
        publisher,
        "The FT's officials are the story: attributed.",
    )
    assert "Guard overridden" in desk.locator("#story-events").inner_text()
    inputs.look(desk, "published")

    # The public page shows the story.
    reader = pages.open(story_path(story), width=ADMIN)
    assert reader.locator("h1").inner_text() == HEADLINE
    assert "By Rita Reporter" in reader.locator(".meta").inner_text()
    assert reader.locator(".footnotes li").count() == 2
    inputs.look(reader, "public", scope=None)

    assert inputs.count == 32


def test_a_fact_checker_finds_a_cited_claim_false_and_an_editor_corrects_the_story(pages, editors):
    author, publisher = editors
    checker = StaffFactory(username="checker", groups=["Fact-checkers"])
    # Given a published story that states a verified claim as fact (made through the services:
    # the first journey makes it through the pages).
    deal = ClaimFactory(
        text="Under the October 30 framework deal the US did not impose a 100 percent tariff.",
        summary="No 100 percent tariff under the October 30 deal",
        status=ClaimStatus.VERIFIED,
    )
    story = services.story_create(
        headline=HEADLINE, slug="us-shelves-sanctions", body=BODY, bylines=[author], actor=author
    )
    services.citation_create(
        story=story, claim=deal, use=CitationUse.ASSERTS, exact=DEAL, actor=author
    )
    publish(story, publisher)
    inputs = Inputs(pages)

    # The fact-checker opens the claim, reopens it and concludes it false, with evidence.
    page = pages.open("/admin/claims/claim/", width=ADMIN)
    inputs.log_in(page, checker)
    inputs.click(page, f'#result_list a:text-is("{deal}")')
    inputs.click(page, "a.workflow-move:text-is('Reopen')")
    inputs.fill(page, "#id_rationale", "The White House published the tariff schedule.")
    inputs.click(page, "[name=apply]")
    inputs.click(page, "a.workflow-move:text-is('Conclude as false')")
    inputs.fill(page, "#id_rationale", "The schedule imposes 100 percent on some goods.")
    inputs.fill(page, "#id_url_1", "https://www.whitehouse.gov/fact-sheets/tariff-schedule")
    inputs.look(page, "conclude-false")
    inputs.click(page, "[name=apply]")
    deal.refresh_from_db()
    assert deal.status == ClaimStatus.FALSE

    # The story is in the editors' "Needs correction" queue.
    desk = pages.open("/admin/stories/story/", width=ADMIN)
    inputs.log_in(desk, publisher)
    inputs.click(desk, "#changelist-filter a:text-is('Needs correction')")
    expect(desk.locator("#result_list tbody tr")).to_have_count(1)
    assert HEADLINE in desk.locator("#result_list tbody tr").inner_text()
    inputs.look(desk, "queue")

    # An editor opens it, sees why, publishes a correction.
    inputs.click(desk, f'#result_list a:text-is("{HEADLINE}")')
    assert "moved Verified → In review" in desk.locator("#needs-correction").inner_text()
    inputs.click(desk, "a.button:text-is('Publish a correction')")
    expect(desk.locator("#open-flags li")).to_have_text(
        [
            f"{deal} — cited as: asserts (states it as fact); moved Verified → In review",
            f"{deal} — cited as: asserts (states it as fact); moved In review → False",
        ]
    )
    inputs.fill(desk, "#id_text", CORRECTION)
    inputs.look(desk, "correcting")
    inputs.click(desk, "[name=apply]")
    expect(desk.locator(".messagelist .success")).to_be_visible()
    assert not Story.objects.needing_correction().exists()
    inputs.look(desk, "corrected")

    # The public page shows the correction, dated, above the story.
    reader = pages.open(story_path(story), width=ADMIN)
    correction = reader.locator("article > .correction").first
    assert CORRECTION in correction.inner_text()
    assert correction.locator("time").inner_text()  # dated
    assert reader.locator("article > *").first.evaluate("e => e.className") == "correction"
    inputs.look(reader, "public", scope=None)

    assert inputs.count == 19
