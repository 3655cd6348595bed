"""Every admin page editors and fact-checkers use fits 1280 px, with the object tools clear of
the title (issue 13, Clarity), and the breadcrumbs pass axe.

The pages are not a hand-kept list that forgets new models: every changelist the role may view,
the change page of a row of each, and the custom pages (review queue, move forms, history,
timeline, provenance, import, suggester), on the demo story.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from claims.models import Claim, ClaimStatus
from claims.workflow import claim_transition
from newsroom.demo import load_demo
from sources.models import Document
from tests.browser.conftest import ADMIN
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MEASURE = """() => {
  const box = (el) => el && el.getBoundingClientRect();
  const overlaps = (a, b) => !!(a && b && a.width && b.width &&
      a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom);
  // The title's text, line by line (a heading's box spans the whole width, its words do not).
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return [...range.getClientRects()];
  };
  const tools = [...document.querySelectorAll(".object-tools li")].map(box);
  const titles = [...document.querySelectorAll("#content > h1, #content > h2")].flatMap(lines);
  return {
    overflow: Math.max(0, document.documentElement.scrollWidth - window.innerWidth),
    toolsOverTitle: tools.some((tool) => titles.some((line) => overlaps(tool, line))),
  };
}"""


def logged_in(pages, user):
    client = Client()
    client.force_login(user)
    context = pages.browser.new_context(viewport={"width": ADMIN, "height": 900})
    pages.contexts.append(context)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": pages.base_url}]
    )
    return context


def pages_for(user) -> list[str]:
    """Every changelist the user may view, one change page of each, and the custom pages."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}") and not (
            user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        ):
            continue
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        first = model.objects.order_by("pk").first()
        if first is not None:
            urls.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            )
    in_review = Claim.objects.filter(status=ClaimStatus.IN_REVIEW).first()
    unverified = Claim.objects.filter(status=ClaimStatus.UNVERIFIED).first()
    document = Document.objects.order_by("pk").first()
    urls += [
        reverse("admin:claims_claim_queue"),
        reverse("admin:claims_claim_history", args=[in_review.pk]),
        reverse("admin:claims_claim_timeline", args=[in_review.pk]),
        reverse("admin:claims_claim_provenance", args=[in_review.pk]),
        reverse("admin:sources_document_history", args=[document.pk]),
    ]
    if user.has_perm("claims.add_claim"):
        urls += [
            reverse("admin:sources_document_import"),
            reverse("admin:claims_claim_suggest", args=[document.pk]),
            reverse("admin:claims_claim_transition", args=[unverified.pk, "in_review"]),
        ]
    else:
        urls += [
            reverse("admin:claims_claim_transition", args=[in_review.pk, "verified"]),
            reverse("admin:claims_claim_transition", args=[in_review.pk, "disputed"]),
        ]
    return urls


@pytest.fixture
def demo_story():
    load_demo(with_users=False)
    editor = StaffFactory(username="layout-editor", groups=["Editors"])
    factchecker = StaffFactory(username="layout-factchecker", groups=["Fact-checkers"])
    if not Claim.objects.filter(status=ClaimStatus.UNVERIFIED).exists():
        Claim.objects.create(text="An unverified claim for the move form.", summary="Unverified")
    if not Claim.objects.filter(status=ClaimStatus.IN_REVIEW).exists():
        claim = Claim.objects.filter(status=ClaimStatus.UNVERIFIED).first()
        claim_transition(
            claim=claim, to=ClaimStatus.IN_REVIEW, actor=editor, expected_version=claim.version
        )
    return {"editor": editor, "fact-checker": factchecker}


@pytest.mark.parametrize("role", ["editor", "fact-checker"])
def test_every_admin_page_of_the_role_fits_1280_px_with_the_tools_clear_of_the_title(
    pages, demo_story, role
):
    user = demo_story[role]
    page = logged_in(pages, user).new_page()
    urls = pages_for(user)
    problems = []
    for url in urls:
        response = page.goto(pages.base_url + url)
        assert response.status == 200, url
        measured = page.evaluate(MEASURE)
        if measured["overflow"] or measured["toolsOverTitle"]:
            problems.append((url, measured))
            pages.screenshot(page, url.strip("/").replace("/", "_"))

    assert len(urls) > 30  # every model's changelist and change page, not a sample
    assert problems == []


def test_breadcrumb_links_pass_axe_on_an_admin_page(pages, demo_story):
    page = logged_in(pages, demo_story["editor"]).new_page()
    claim = Claim.objects.filter(status=ClaimStatus.IN_REVIEW).first()
    page.goto(pages.base_url + reverse("admin:claims_claim_provenance", args=[claim.pk]))

    assert (
        page.locator("div.breadcrumbs a").first.evaluate(
            "(a) => getComputedStyle(a).textDecorationLine"
        )
        == "underline"
    )
    assert pages.axe_violations(page, include="div.breadcrumbs") == []


FIELD_EDGES = """() => [...document.querySelectorAll("#move-form .form-row")].map((row) => {
  // The first field a reader sees: Select2 hides its <select> and shows its own box.
  const field = [...row.querySelectorAll("input, textarea, select, .select2")]
      .find((el) => el.offsetWidth > 1 && el.type !== "hidden"
          && !el.classList.contains("select2-hidden-accessible"));
  return field ? Math.round(field.getBoundingClientRect().left) : null;
}).filter((left) => left !== null)"""


def test_the_claim_move_form_lines_its_fields_up_in_one_column(pages, demo_story):
    """The conclude form's fields start at one edge, labels beside them (as the story's)."""
    page = logged_in(pages, demo_story["fact-checker"]).new_page()
    claim = Claim.objects.filter(status=ClaimStatus.IN_REVIEW).first()
    page.goto(
        pages.base_url + reverse("admin:claims_claim_transition", args=[claim.pk, "verified"])
    )
    pages.screenshot(page, "conclude-form")

    edges = page.evaluate(FIELD_EDGES)

    assert len(edges) >= 5  # rationale, three URLs, a document, an external check
    assert max(edges) - min(edges) <= 2, edges
