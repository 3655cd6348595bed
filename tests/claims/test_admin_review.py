"""Fact-checkers' review work in the admin: the queue, taking a claim, refusals that explain,
the conclude form, and the suggester's accept path reusing anonymous sources."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimStatus
from claims.origins import refresh_independent_origins
from claims.workflow import (
    StaleVersion,
    TransitionRefused,
    claim_assign,
    claim_take,
    claim_transition,
    move_for,
)
from newsroom.demo import load_demo
from sources.models import AnonymousSource
from tests.claims.factories import AppearanceFactory, AttributionFactory, ClaimFactory
from tests.claims.test_admin_suggest import accept, open_document
from tests.factories import AnonymousSourceFactory, OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db

S = ClaimStatus
QUEUE = reverse("admin:claims_claim_queue")


def change_url(claim):
    return reverse("admin:claims_claim_change", args=[claim.pk])


def take_url(claim):
    return reverse("admin:claims_claim_take", args=[claim.pk])


def transition_url(claim, to):
    return reverse("admin:claims_claim_transition", args=[claim.pk, to])


def logged_in(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def in_review(**kwargs):
    claim = ClaimFactory(**kwargs)
    return claim_transition(
        claim=claim, to=S.IN_REVIEW, actor=StaffFactory(is_superuser=True), expected_version=1
    )


def concluded(to, **kwargs):
    claim = in_review(**kwargs)
    return claim_transition(
        claim=claim,
        to=to,
        actor=StaffFactory(is_superuser=True),
        expected_version=claim.version,
        rationale="Checked.",
    )


# --- Contrast (WCAG 2.x relative luminance) -----------------------------------------------------


def luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rule(css: str, selector: str) -> str:
    """Return the declarations of the first rule whose selector list starts with `selector`."""
    found = re.search(r"(?:^|\})\s*" + re.escape(selector) + r"(?:\s*,[^{]*)?\s*\{([^}]*)\}", css)
    assert found, f"no CSS rule for {selector}"
    return found.group(1)


def colour(declarations: str, prop: str) -> str:
    found = re.search(rf"(?:^|;|\s){prop}\s*:\s*(#[0-9a-fA-F]{{3,6}})", declarations)
    assert found, f"no {prop} in {declarations!r}"
    return found.group(1)


# --- A1: the queue's headings are readable --------------------------------------------------------


def test_the_queue_headings_are_links_readable_at_wcag_aa(client, factchecker):
    response = logged_in(client, factchecker).get(QUEUE)

    html = response.content.decode()
    css = "".join(re.findall(r"<style>(.*?)</style>", html, flags=re.S))
    background = colour(rule(css, ".review-queue caption"), "background")
    link = colour(rule(css, ".review-queue caption a:link"), "color")
    assert contrast(link, background) >= 4.5
    # The headings are the links to each full list, and their labels are in them.
    assert '<caption><a href="/admin/claims/claim/?queue=unassigned">Unassigned, in review</a>' in (
        html
    )


# --- A3: overdue only while open; the demo's due dates follow the day it is loaded ---------------


def test_only_a_claim_still_in_review_is_called_overdue(client, factchecker):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = in_review(summary="Still open and late")
    Claim.objects.filter(pk=late.pk).update(due_date=yesterday)
    done = concluded(S.DISPUTED, summary="Disputed and done")
    Claim.objects.filter(pk=done.pk).update(due_date=yesterday)
    # Both appear in a queue whatever their state: with conflicts / anonymous-only.
    AttributionFactory(appearance=AppearanceFactory(claim=done))
    refresh_independent_origins([done.pk])  # as the recording services do after a chain

    response = logged_in(client, factchecker).get(QUEUE)

    rows = {row["claim"].pk: row for queue in response.context["queues"] for row in queue["rows"]}
    assert rows[late.pk]["overdue"] is True
    assert rows[done.pk]["overdue"] is False
    html = response.content.decode()
    done_row = html[html.index("Disputed and done") :]
    assert "(overdue)" not in done_row[: done_row.index("</tr>")]
    late_row = html[html.index("Still open and late") :]
    assert "(overdue)" in late_row[: late_row.index("</tr>")]


def test_the_demo_due_dates_are_relative_to_the_day_it_is_loaded():
    load_demo(with_users=False)

    in_review_dates = set(Claim.objects.in_review().values_list("due_date", flat=True))
    assert in_review_dates == {timezone.localdate() + datetime.timedelta(days=3)}
    assert not Claim.objects.overdue(timezone.localdate()).exists()


# --- B: taking a claim through one audited service ----------------------------------------------


def test_take_from_the_queue_assigns_me_and_writes_an_audit_row(client, factchecker):
    claim = in_review()
    logged_in(client, factchecker)
    page = client.get(QUEUE).content.decode()
    assert f'action="{take_url(claim)}"' in page

    response = client.post(take_url(claim), {"version": claim.version, "next": QUEUE})

    assert response.status_code == 302 and response.url == QUEUE
    claim.refresh_from_db()
    assert claim.assignee == factchecker
    record = claim.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        factchecker,
        "Taken by t-factchecker",
    )
    assert any("assigned to you" in message for message in messages_of(response))


def test_assign_to_me_on_the_claim_page(client, factchecker):
    claim = in_review()
    logged_in(client, factchecker)
    html = client.get(change_url(claim)).content.decode()
    assert 'id="take-claim"' in html and "Assign to me" in html

    client.post(take_url(claim), {"version": claim.version})

    claim.refresh_from_db()
    assert claim.assignee == factchecker
    html = client.get(change_url(claim)).content.decode()
    assert 'id="take-claim"' not in html  # it is mine now


def test_assignment_keeps_the_due_date_when_taken_and_refuses_a_stale_version(factchecker):
    due = timezone.localdate() + datetime.timedelta(days=5)
    claim = in_review()
    Claim.objects.filter(pk=claim.pk).update(due_date=due)

    with pytest.raises(StaleVersion):
        claim_take(claim=claim, actor=factchecker, expected_version=claim.version - 1)
    taken = claim_take(claim=claim, actor=factchecker, expected_version=claim.version)

    assert (taken.assignee, taken.due_date) == (factchecker, due)


def test_nobody_is_assigned_a_claim_they_wrote(factchecker, editor):
    mine = in_review(created_by=factchecker)

    with pytest.raises(TransitionRefused, match="t-factchecker recorded or reworded this claim"):
        claim_assign(claim=mine, assignee=factchecker, actor=editor)
    with pytest.raises(TransitionRefused, match="You recorded this claim"):
        claim_take(claim=mine, actor=factchecker)
    mine.refresh_from_db()
    assert mine.assignee is None


def test_a_button_i_may_not_use_is_absent_with_a_line_saying_why(client, factchecker):
    mine = in_review(created_by=factchecker, summary="Recorded by me")
    logged_in(client, factchecker)

    queue = client.get(QUEUE).content.decode()
    row = queue[queue.index("Recorded by me") :]
    row = row[: row.index("</tr>")]
    assert take_url(mine) not in row
    assert "You recorded this claim; another fact-checker must conclude it." in row

    page = client.get(change_url(mine)).content.decode()
    assert "workflow-conclusion" not in page and 'id="take-claim"' not in page
    assert "You recorded this claim; another fact-checker must conclude it." in page


def test_taking_a_claim_not_in_review_is_refused_in_words(client, factchecker):
    claim = ClaimFactory()

    response = logged_in(client, factchecker).post(take_url(claim), {"version": claim.version})

    assert response.status_code == 302
    assert messages_of(response)[-1] == (
        "Only a claim in review can be assigned; send it to review first."
    )
    claim.refresh_from_db()
    assert claim.assignee is None


# --- B: refused pages are the admin's own, with the reason -----------------------------------


@pytest.mark.parametrize(
    ("who", "path", "reason"),
    [
        (
            "editor",
            lambda claim: transition_url(claim, S.VERIFIED),
            "You may not conclude a claim: only fact-checkers conclude claims",
        ),
        (
            "author",
            lambda claim: transition_url(claim, S.VERIFIED),
            "You recorded this claim; another fact-checker must conclude it.",
        ),
        (
            "factchecker",
            lambda claim: reverse("admin:claims_claim_add"),
            "Only editors record claims; fact-checkers review them from the queue.",
        ),
        (
            "factchecker",
            lambda claim: reverse("admin:claims_claim_suggest_pick"),
            "Only editors record claims",
        ),
    ],
)
def test_a_refused_page_is_the_admins_own_page_with_the_reason(
    client, editor, factchecker, who, path, reason
):
    claim = in_review(created_by=factchecker if who == "author" else None)
    user = editor if who == "editor" else factchecker

    response = logged_in(client, user).get(path(claim))

    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="refusal-reason"' in html and reason in html
    assert 'id="site-name"' in html  # the admin's header, not a bare "403 Forbidden"


def test_four_eyes_is_refused_before_the_form_is_filled(client, factchecker):
    claim = in_review(created_by=factchecker)

    response = logged_in(client, factchecker).post(
        transition_url(claim, S.DISPUTED), {"rationale": "Mine.", "apply": "1"}
    )

    assert response.status_code == 403
    assert 'id="move-form"' not in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == S.IN_REVIEW


# --- B: messages speak the user's words ---------------------------------------------------------


def test_a_move_outside_the_table_says_what_to_do_in_the_users_words():
    with pytest.raises(TransitionRefused) as refused:
        move_for(S.UNVERIFIED, S.VERIFIED)

    assert refused.value.messages == [
        "Unverified → Verified is not allowed: a claim cannot move straight there; send it to "
        "review first."
    ]
    with pytest.raises(TransitionRefused, match="reopen it first"):
        move_for(S.DISPUTED, S.VERIFIED)


# --- B: the conclude form ------------------------------------------------------------------------


def test_the_conclude_form_shows_the_claim_its_quotes_and_provenance(client, factchecker):
    claim = in_review(text="Sanctions on the ministry are on hold.")
    appearance = AppearanceFactory(claim=claim)
    AttributionFactory(appearance=appearance)
    ft = OrganizationFactory(name="Financial Times")
    AttributionFactory(
        appearance=appearance, position=1, role="reporter", anonymous_source=None, organization=ft
    )
    claim.refresh_from_db()

    response = logged_in(client, factchecker).get(transition_url(claim, S.VERIFIED))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sanctions on the ministry are on hold." in html
    assert f"<mark>{appearance.exact}</mark>" in html
    assert "current and former US officials (several) (origin, told) → Financial Times" in html
    # Required things are marked before submitting; the internal counters are not shown.
    assert '<label for="id_rationale" class="required">Rationale:</label>' in html
    assert 'Evidence <span class="evidence-required">(required: at least one)</span>' in html
    assert "<th>Version</th>" not in html and "<th>Revision</th>" not in html
    assert "Conclude as verified — " in response.context["title"]


def test_the_conclude_form_says_evidence_is_optional_for_disputed(client, factchecker):
    claim = in_review()

    html = logged_in(client, factchecker).get(transition_url(claim, S.DISPUTED)).content.decode()

    assert "(required: at least one)" not in html
    assert "Optional: a URL, a document or an external check." in html


def origin_warning(client, claim) -> list[str]:
    claim.refresh_from_db()
    return client.get(transition_url(claim, S.VERIFIED)).context["warnings"]


def test_the_conclude_form_warns_on_thin_provenance(client, factchecker):
    logged_in(client, factchecker)
    nothing = in_review()
    anonymous = in_review()
    AttributionFactory(appearance=AppearanceFactory(claim=anonymous))
    named = in_review()
    AttributionFactory(
        appearance=AppearanceFactory(claim=named),
        anonymous_source=None,
        organization=OrganizationFactory(name="The White House"),
    )
    two = in_review()
    AttributionFactory(appearance=AppearanceFactory(claim=two))
    AttributionFactory(
        appearance=AppearanceFactory(claim=two, document=AppearanceFactory().document),
        anonymous_source=None,
        organization=OrganizationFactory(name="Reuters"),
    )
    from claims.origins import refresh_independent_origins

    refresh_independent_origins([anonymous.pk, named.pk, two.pk])

    assert "No origin is recorded" in origin_warning(client, nothing)[0]
    assert "single anonymous origin" in origin_warning(client, anonymous)[0]
    assert "one origin only" in origin_warning(client, named)[0]
    assert origin_warning(client, two) == []


def test_reload_is_offered_only_when_the_claim_changed(client, factchecker):
    claim = in_review()
    logged_in(client, factchecker)
    seen = {f"version_{claim.pk}": claim.version, f"revision_{claim.pk}": claim.revision}

    refused = client.post(transition_url(claim, S.VERIFIED), {**seen, "rationale": "Yes."})
    assert "needs at least one piece of evidence" in refused.content.decode()
    assert "Reload the claim" not in refused.content.decode()

    stale = {**seen, f"version_{claim.pk}": claim.version - 1, "rationale": "Yes."}
    response = client.post(transition_url(claim, S.DISPUTED), stale)
    assert "Reload the claim" in response.content.decode()


# --- A2: accepting a suggestion reuses a matching anonymous source -------------------------------


def officials(**kwargs):
    """The anonymous origin of the synthetic article's first paragraph, as on record."""
    return AnonymousSourceFactory(
        description="Current and former US officials",
        count_text="",
        anonymity_reason="speaking on condition of anonymity",
        **kwargs,
    )


def test_accepting_reuses_the_matching_anonymous_source(admin_client):
    document = open_document()
    OrganizationFactory(name="Financial Times")
    on_record = officials()
    claim = ClaimFactory()
    page = admin_client.get(reverse("admin:claims_claim_suggest", args=[document.pk]))
    assert f"The one on record: {on_record}" in page.content.decode()

    response = accept(admin_client, document, "appearance-0", claim=claim.pk)

    assert response.status_code == 302
    assert AnonymousSource.objects.count() == 1
    origin = claim.appearances.get().chain.get(role="origin")
    assert origin.anonymous_source == on_record


def test_accepting_records_a_new_anonymous_source_only_when_asked(admin_client):
    document = open_document()
    OrganizationFactory(name="Financial Times")
    officials()

    accept(admin_client, document, "appearance-0", claim=ClaimFactory().pk, origin="new")

    assert AnonymousSource.objects.count() == 2


def test_accepting_asks_which_when_several_sources_match(admin_client):
    document = open_document()
    OrganizationFactory(name="Financial Times")
    officials()
    second = officials()

    response = accept(admin_client, document, "appearance-0", claim=ClaimFactory().pk)

    assert response.status_code == 200
    assert "2 anonymous sources on record match" in response.content.decode()
    assert AnonymousSource.objects.count() == 2
    assert not Claim.objects.filter(appearances__isnull=False).exists()

    accept(admin_client, document, "appearance-0", claim=ClaimFactory().pk, origin=second.pk)
    assert (
        Claim.objects.get(appearances__isnull=False)
        .appearances.get()
        .chain.get(role="origin")
        .anonymous_source
        == second
    )


@pytest.mark.parametrize(
    ("who", "state", "line"),
    [
        ("editor", S.IN_REVIEW, "Only fact-checkers conclude claims; one will take this claim"),
        ("editor", S.DISPUTED, "Reopen is not yours to use: only fact-checkers reopen"),
    ],
)
def test_the_claim_page_says_why_a_move_is_missing(client, editor, factchecker, who, state, line):
    claim = {
        S.IN_REVIEW: in_review,
        S.DISPUTED: lambda: concluded(S.DISPUTED),
    }[state]()
    user = editor if who == "editor" else factchecker

    html = logged_in(client, user).get(change_url(claim)).content.decode()

    assert line in html
