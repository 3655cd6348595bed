"""The document-to-claim tools in a real browser: a passage selected in the text opens the
claim add page with the selector the server anchored; chain rows are dragged into order."""

import pytest
from django.test import Client

from claims.models import Appearance, Claim
from tests.claims.factories import AppearanceFactory
from tests.factories import DocumentFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BODY = "Officials said the deal is off. Later, diplomats said the deal is off. Nobody else spoke."
QUOTE = "the deal is off"


def logged_in(pages, user):
    client = Client()
    client.force_login(user)
    context = pages.browser.new_context(viewport={"width": 1280, "height": 900})
    pages.contexts.append(context)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": pages.base_url}]
    )
    return context


SELECT = """([quote, occurrence]) => {
  // Select the n-th occurrence of `quote` in the rendered text, as a reader's drag would.
  const container = document.querySelector("[data-document-text]");
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  let seen = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    let at = node.nodeValue.indexOf(quote);
    while (at !== -1) {
      if (seen === occurrence) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + quote.length);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        return true;
      }
      seen += 1;
      at = node.nodeValue.indexOf(quote, at + 1);
    }
  }
  return false;
}"""


def test_selecting_the_second_repeat_starts_a_claim_quoting_it(pages):
    editor = StaffFactory(username="b-editor", groups=["Editors"])
    document = DocumentFactory(body=BODY, headline="The deal")
    AppearanceFactory(document=document, exact="Officials said")  # a mark and a footnote
    context = logged_in(pages, editor)
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{pages.base_url}/admin/sources/document/{document.pk}/change/")
    button = page.get_by_role("button", name="New claim from this quote")
    assert button.is_disabled()

    assert page.evaluate(SELECT, [QUOTE, 1])
    button.click()
    page.wait_for_url("**/admin/claims/claim/add/**")
    pages.screenshot(page, "claim-add-from-quote")

    second = BODY.rindex(QUOTE)
    assert page.locator("input[name=exact]").input_value() == QUOTE
    assert page.locator("input[name=start]").input_value() == str(second)
    page.locator("textarea[name=text]").fill("The deal is off, diplomats said.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/claims/appearance/*/change/")

    appearance = Appearance.objects.get(claim=Claim.objects.get(text__startswith="The deal"))
    assert (appearance.start, appearance.exact) == (second, QUOTE)
    assert refused == []  # the script is a static file: the policy refuses nothing


def test_dragging_a_chain_row_reorders_the_chain(pages):
    from tests.claims.factories import AttributionFactory
    from tests.factories import AnonymousSourceFactory, OrganizationFactory

    editor = StaffFactory(username="b-editor2", groups=["Editors"])
    appearance = AppearanceFactory()
    ft = OrganizationFactory(name="Financial Times")
    officials = AnonymousSourceFactory(description="officials")
    # Recorded the wrong way round: the reporter first.
    AttributionFactory(
        appearance=appearance, position=0, role="reporter", anonymous_source=None, organization=ft
    )
    AttributionFactory(appearance=appearance, position=1, role="origin", anonymous_source=officials)
    context = logged_in(pages, editor)
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{pages.base_url}/admin/claims/appearance/{appearance.pk}/change/")

    page.drag_and_drop("#chain-1 td.original p", "#chain-0 td.original p")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    pages.screenshot(page, "after-drag")

    roles = list(appearance.chain.order_by("position").values_list("role", flat=True))
    assert roles == ["origin", "reporter"]
    assert refused == []
