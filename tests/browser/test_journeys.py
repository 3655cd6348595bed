"""The editor's and the fact-checker's journeys through the claims admin, in Chromium.

1. An editor imports an article, selects a passage on the document's page, starts a new claim
   from it, records its chain of three links with the one agent picker (the origin created on
   the spot, the reporter found by its alias "FT", the publisher offered from the document)
   and sends the claim to review: at most 10 inputs.
2. The claim's author, who also checks claims, is told why she may not conclude it (four-eyes);
   a second fact-checker takes it from the review queue and concludes it with a rationale and
   evidence.

Every input a person makes goes through `Inputs`, which counts it: typing in a field, choosing,
selecting a passage, clicking. Logging in is not counted (each user's session is made by the
test). Every page of both journeys is screenshotted under var/screenshots/<test>/, checked
for horizontal overflow at 1280 px and for serious or critical axe-core violations in the
content area (scoped as tests/browser/test_story_journeys.py explains).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from claims import recording
from claims.models import Attribution, Claim, ClaimStatus, VerificationEvent
from claims.workflow import claim_transition
from sources.models import AnonymousSource, Document, Organization, OrganizationAlias
from tests.browser.conftest import ADMIN
from tests.browser.test_document_to_claim import SELECT
from tests.browser.test_story_journeys import CONTENT, axe_violations
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTICLE_A = (
    Path(__file__).resolve().parents[2] / "newsroom" / "demo_data" / "article_a.txt"
).read_text()
SANCTIONS = (
    "The United States has put plans to sanction China's Ministry of State Security on hold to "
    "avoid derailing a trade deal the two countries signed in October, current and former US "
    "officials told the Financial Times, speaking on condition of anonymity."
)
OFFICIALS = "current and former US officials"
EDITOR_BUDGET = 10
# As the story journeys scope axe (Select2 and the two-box selector are Django's), plus one
# more of Django's widgets: the split date-time inputs of the document page ("Date:", "Time:"
# as bare text, no <label>), which only a fix in Django (or a widget of our own) can mend.
SCOPE = {**CONTENT, "exclude": [*CONTENT["exclude"], "p.datetime"]}


class Inputs:
    """What a person does on the pages, counted; and a look at every page they see."""

    def __init__(self, pages) -> None:
        self.pages, self.count, self.shots = pages, 0, 0
        for stale in pages.folder.glob("*.png"):  # the folder shows this run's pages only
            stale.unlink()

    def fill(self, page, selector: str, text: str) -> None:
        self.count += 1
        page.fill(selector, text)

    def click(self, page, selector: str) -> None:
        self.count += 1
        page.click(selector)
        page.wait_for_load_state()

    def select_passage(self, page, passage: str) -> None:
        """Select `passage` in the document's text, as a mouse drag would: one input."""
        self.count += 1
        assert page.evaluate(SELECT, [passage, 0]), f"{passage!r} is not on the page"

    def pick(self, page, row: str, search: str, option: str) -> None:
        """Type into a chain row's agent picker and choose one of its options: two inputs."""
        self.fill(page, f"{row} .agent-picker-input", search)
        choice = page.locator(f"{row} [role=option]", has_text=option).first
        expect(choice).to_be_visible()
        self.count += 1
        choice.dispatch_event("mousedown")  # what a click on the option sends first

    def look(self, page, step: str) -> None:
        """Screenshot the page; check it fits 1280 px and passes axe on our templates."""
        self.shots += 1
        self.pages.screenshot(page, f"{self.shots:02d}-{step}")
        assert self.pages.horizontal_overflow(page) == 0, step
        found = axe_violations(self.pages, page, SCOPE)
        assert found == [], (step, [(v["id"], [n[0] for n in v["nodes"]]) for v in found])


def session_for(pages, user):
    """A browser context logged in as `user` (logging in is not part of the journeys)."""
    client = Client()
    client.force_login(user)
    context = pages.browser.new_context(viewport={"width": ADMIN, "height": 900})
    pages.contexts.append(context)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": pages.base_url}]
    )
    return context


def csp_refusals(page) -> list[str]:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    return refused


def financial_times() -> Organization:
    """The FT as the newsroom has it on record, with the alias its copy uses."""
    ft = Organization.objects.create(name="Financial Times", kind=Organization.Kind.PUBLISHER)
    OrganizationAlias.objects.create(organization=ft, name="FT")
    return ft


def test_an_editor_goes_from_an_imported_article_to_a_claim_in_review(pages):
    editor = StaffFactory(username="j-editor", groups=["Editors"])
    ft = financial_times()
    page = session_for(pages, editor).new_page()
    refused = csp_refusals(page)
    inputs = Inputs(pages)

    # The editor pastes the article as it arrived and imports it.
    page.goto(f"{pages.base_url}/admin/sources/document/import/")
    inputs.look(page, "import")
    inputs.fill(page, "#id_text", ARTICLE_A)
    inputs.fill(page, "#id_publisher", "DK Medier")
    inputs.click(page, "input[type=submit][value=Import]")
    document = Document.objects.get()
    page.wait_for_url(f"**/admin/sources/document/{document.pk}/change/**")
    expect(page.locator("#import-report-title")).to_be_visible()
    inputs.look(page, "imported-document")

    # On the document's page she selects the passage and starts a claim from it.
    inputs.select_passage(page, SANCTIONS)
    inputs.click(page, "button[data-quote-then=claim]")
    page.wait_for_url("**/admin/claims/claim/add/**")
    assert page.locator("textarea[name=text]").input_value() == SANCTIONS
    publisher_row = "#chain-row-3"
    assert page.locator(f"{publisher_row} .agent-picker-input").input_value() == "DK Medier"

    # The chain with the one picker: the origin is new, created from what she types; the
    # reporter is on record under its alias.
    inputs.pick(page, "#chain-row-0", OFFICIALS, "Create anonymous source")
    expect(page.locator("#chain-row-0 [data-agent-kind]")).to_have_text("new anonymous source")
    assert page.locator("#chain-row-0 select").input_value() == "origin"  # from its place
    inputs.pick(page, "#chain-row-1", "FT", "Financial Times")
    expect(page.locator("#chain-row-1 [data-agent-kind]")).to_have_text("organization")
    assert page.locator("#chain-row-1 select").input_value() == "reporter"
    inputs.look(page, "claim-from-quote-with-chain")
    inputs.click(page, "input[name=_send_to_review]")

    claim = Claim.objects.get()
    page.wait_for_url(f"**/admin/claims/claim/{claim.pk}/change/")
    expect(page.locator(".messagelist .success")).to_contain_text("sent to review")
    inputs.look(page, "claim-in-review")

    assert claim.status == ClaimStatus.IN_REVIEW
    appearance = claim.appearances.get()
    assert appearance.exact == SANCTIONS  # the document's own characters, anchored
    assert document.body[appearance.start : appearance.end] == SANCTIONS
    chain = [
        (link.role, link.agent, link.verb)
        for link in appearance.chain.select_related(
            "person", "organization", "anonymous_source"
        ).order_by("position")
    ]
    officials = AnonymousSource.objects.get(description=OFFICIALS)
    assert chain == [
        (Attribution.Role.ORIGIN, officials, "said"),
        (Attribution.Role.REPORTER, ft, "reported"),
        (Attribution.Role.PUBLISHER, document.publisher, "published"),
    ]
    claim.refresh_from_db()
    assert claim.independent_origins == 1
    assert refused == []  # every script is a static file: the policy refuses nothing
    print(f"editor journey: {inputs.count} inputs")  # noqa: T201 - the figure to report
    assert inputs.count <= EDITOR_BUDGET


def recorded_in_review(author) -> Claim:
    """A claim the author recorded from Article A and sent to review, through the services."""
    from sources.ingest import document_import

    document = document_import(raw=ARTICLE_A, publisher="DK Medier", user=author).document
    claim = recording.claim_create(
        text="The US has put plans to sanction China's Ministry of State Security on hold.",
        summary="US sanctions on China's spy agency on hold",
        user=author,
    )
    appearance = recording.appearance_create(
        claim=claim, document=document, exact=SANCTIONS, user=author
    )
    officials = AnonymousSource.objects.create(description=OFFICIALS, count_text="")
    recording.chain_set(
        appearance=appearance,
        links=[
            recording.ChainLink("origin", officials, "told"),
            recording.ChainLink("reporter", financial_times(), "reported"),
            recording.ChainLink("publisher", document.publisher, "published"),
        ],
    )
    claim.refresh_from_db()
    return claim_transition(
        claim=claim, to=ClaimStatus.IN_REVIEW, actor=author, expected_version=claim.version
    )


def test_a_fact_checker_takes_a_claim_from_the_queue_and_concludes_it(pages):
    # The author records claims and also checks others' (both roles): four-eyes applies.
    author = StaffFactory(username="j-author", groups=["Editors", "Fact-checkers"])
    checker = StaffFactory(username="j-checker", groups=["Fact-checkers"])
    claim = recorded_in_review(author)
    inputs = Inputs(pages)

    # The author opens her claim: no conclusion button, and a line saying why.
    mine = session_for(pages, author).new_page()
    mine.goto(f"{pages.base_url}/admin/claims/claim/{claim.pk}/change/")
    expect(mine.locator(".workflow-note")).to_contain_text(
        "You recorded this claim; another fact-checker must conclude it."
    )
    assert mine.locator("a.workflow-conclusion").count() == 0
    inputs.look(mine, "author-sees-four-eyes")
    author_count = inputs.count

    # A second fact-checker takes it from the queue ...
    page = session_for(pages, checker).new_page()
    refused = csp_refusals(page)
    page.goto(f"{pages.base_url}/admin/claims/claim/queue/")
    inputs.look(page, "queue")
    inputs.click(page, "#queue-unassigned .queue-take button")
    expect(page.locator(".messagelist .success")).to_contain_text("assigned to you")
    inputs.look(page, "queue-taken")
    claim.refresh_from_db()
    assert claim.assignee == checker

    # ... and concludes it with a rationale and evidence.
    inputs.click(page, f'#queue-mine a:text-is("{claim}")')
    inputs.look(page, "claim-assigned")
    inputs.click(page, "a.workflow-move:text-is('Conclude as verified')")
    inputs.fill(page, "#id_rationale", "The Treasury's own statement confirms the plan is paused.")
    inputs.fill(page, "#id_url_1", "https://home.treasury.gov/news/press-releases/mss-sanctions")
    inputs.look(page, "conclude-verified")
    inputs.click(page, "[name=apply]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    inputs.look(page, "concluded")

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED
    concluded = VerificationEvent.objects.get(claim=claim, to_status=ClaimStatus.VERIFIED)
    assert (concluded.actor, concluded.rationale) == (
        checker,
        "The Treasury's own statement confirms the plan is paused.",
    )
    assert concluded.evidence[0]["url"].startswith("https://home.treasury.gov/")
    assert refused == []
    print(f"fact-checker journey: {inputs.count - author_count} inputs")  # noqa: T201
    assert inputs.count - author_count == 6
