"""From document to claim: the document page marks its quotes, lists its claims, and a selected
passage opens the claim or appearance add page with the selector the server anchored."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from claims.models import AnchorState, Appearance, Claim, ClaimStatus
from tests.claims.factories import (
    ARTICLE_A_BODY,
    ARTICLE_A_EXPORT_CONTROLS,
    ARTICLE_A_SANCTIONS,
    AppearanceFactory,
    ClaimFactory,
    article_a,
)
from tests.factories import DocumentFactory
from tests.utils import queries_for_get

pytestmark = pytest.mark.django_db

REPEATED = "The quote. Then more. The quote. The end."


def document_url(document):
    return reverse("admin:sources_document_change", args=[document.pk])


def quote_url(document, **params):
    return reverse("admin:claims_claim_from_quote", args=[document.pk]), params


def quoted(document, exact, **kwargs):
    return AppearanceFactory(document=document, exact=exact, **kwargs)


def selector_of(response) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(response.url).query).items()}


# --- the document page -----------------------------------------------------------------------


def test_the_document_page_marks_each_quote_and_links_its_claim(client, editor):
    document = article_a()
    claim = ClaimFactory(summary="Sanctions paused", status=ClaimStatus.IN_REVIEW)
    quoted(document, ARTICLE_A_SANCTIONS, claim=claim)
    client.force_login(editor)

    page = client.get(document_url(document)).content.decode()

    claim_url = reverse("admin:claims_claim_change", args=[claim.pk])
    assert f">{ARTICLE_A_SANCTIONS}</mark>" in page.replace("&#x27;", "'")
    assert f'<a href="{claim_url}" title="Sanctions paused">[{claim.pk}]</a>' in page
    # The claims it holds, with their status in words.
    assert "Claims in this text" in page
    assert 'class="status-badge status-in_review">In review<' in page


def test_the_marked_text_holds_exactly_the_body_characters(client, editor):
    # The selection script counts offsets in the page's text: it must be the body's own text,
    # footnote numbers aside.
    document = article_a()
    quoted(document, ARTICLE_A_SANCTIONS)
    quoted(document, ARTICLE_A_EXPORT_CONTROLS)
    client.force_login(editor)

    response = client.get(document_url(document))

    import html
    import re

    text = response.context["quote_panel"]["text"]
    without_refs = re.sub(r"<sup [^>]*data-not-text>.*?</sup>", "", text)
    assert html.unescape(re.sub(r"<[^>]+>", "", without_refs)) == ARTICLE_A_BODY


def test_overlapping_quotes_are_both_marked(client, editor):
    document = DocumentFactory(body="alpha beta gamma delta")
    first = quoted(document, "alpha beta gamma")
    second = quoted(document, "beta gamma delta")
    client.force_login(editor)

    text = client.get(document_url(document)).context["quote_panel"]["text"]

    assert f'data-appearances="{first.pk} {second.pk}"' in text  # "beta gamma" is in both
    assert text.count("<mark") == 3


def test_a_quote_no_longer_in_the_text_is_listed_apart(client, editor):
    document = article_a()
    lost = quoted(document, ARTICLE_A_SANCTIONS)
    Appearance.objects.filter(pk=lost.pk).update(
        anchor_state=AnchorState.UNANCHORED, exact="A sentence the text lost."
    )
    client.force_login(editor)

    response = client.get(document_url(document))

    panel = response.context["quote_panel"]
    assert "<mark" not in panel["text"]
    assert [a.pk for a in panel["unanchored"]] == [lost.pk]
    assert "Quotes not found in the current text" in response.content.decode()


def test_the_page_offers_the_selection_tools_to_editors_from_a_static_script(client, editor):
    document = article_a()
    client.force_login(editor)

    page = client.get(document_url(document)).content.decode()

    assert 'data-quote-then="claim"' in page
    assert 'data-quote-then="appearance"' in page
    assert "claims/quote_select.js" in page
    assert reverse("admin:claims_claim_from_quote", args=[document.pk]) in page


def test_fact_checkers_see_the_marks_without_the_recording_tools(client, factchecker):
    document = article_a()
    quoted(document, ARTICLE_A_SANCTIONS)
    client.force_login(factchecker)

    page = client.get(document_url(document)).content.decode()

    assert "<mark" in page
    assert "data-quote-then" not in page


def test_the_document_page_runs_the_same_queries_however_many_quotes(client, editor):
    document = article_a()
    quoted(document, ARTICLE_A_SANCTIONS)
    client.force_login(editor)
    url = document_url(document)
    one = queries_for_get(client, url)

    for _ in range(5):
        quoted(document, ARTICLE_A_EXPORT_CONTROLS)
    quoted(document, ARTICLE_A_SANCTIONS, claim=ClaimFactory(status=ClaimStatus.VERIFIED))

    assert queries_for_get(client, url) == one


# --- the selection, anchored on the server ---------------------------------------------------


def test_a_selection_opens_the_claim_add_page_with_the_anchored_selector(client, editor):
    document = article_a()
    client.force_login(editor)
    start = ARTICLE_A_BODY.index(ARTICLE_A_EXPORT_CONTROLS)
    url, params = quote_url(document, then="claim", exact=ARTICLE_A_EXPORT_CONTROLS, start=start)

    response = client.get(url, params)

    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("admin:claims_claim_add")
    assert selector_of(response) == {
        "document": str(document.pk),
        "exact": ARTICLE_A_EXPORT_CONTROLS,
        "prefix": ARTICLE_A_BODY[start - 32 : start],
        "suffix": ARTICLE_A_BODY[start + len(ARTICLE_A_EXPORT_CONTROLS) :][:32],
        "start": str(start),
        "end": str(start + len(ARTICLE_A_EXPORT_CONTROLS)),
        "text": ARTICLE_A_EXPORT_CONTROLS,
    }


def test_an_approximate_offset_picks_the_nearest_repeat(client, editor):
    document = DocumentFactory(body=REPEATED)
    client.force_login(editor)
    second = REPEATED.rindex("The quote")
    url, params = quote_url(document, then="appearance", exact="The quote", start=second - 3)

    response = client.get(url, params)

    assert urlsplit(response.url).path == reverse("admin:claims_appearance_add")
    assert selector_of(response)["start"] == str(second)


def test_a_selection_that_cannot_be_anchored_goes_back_with_the_reason(client, editor):
    document = DocumentFactory(body=REPEATED)
    client.force_login(editor)
    url, params = quote_url(document, then="claim", exact="The quote")  # twice, no offset

    response = client.get(url, params)

    assert response.url == document_url(document)
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "appears 2 times" in message


def test_only_those_who_record_claims_may_start_one_from_a_quote(client, factchecker):
    document = article_a()
    client.force_login(factchecker)
    url, params = quote_url(document, then="claim", exact=ARTICLE_A_SANCTIONS, start=0)

    response = client.get(url, params)

    assert response.status_code == 403
    assert "Only editors record claims." in response.content.decode()


# --- the add pages, pre-filled ---------------------------------------------------------------


def claim_add_params(document, exact, **extra):
    start = document.body.index(exact)
    end = start + len(exact)
    return {
        "document": document.pk,
        "exact": exact,
        "prefix": document.body[max(0, start - 32) : start],
        "suffix": document.body[end : end + 32],
        "start": start,
        "end": end,
        **extra,
    }


def test_the_claim_add_page_shows_the_quote_it_was_started_from(client, editor):
    document = article_a()
    client.force_login(editor)
    params = claim_add_params(document, ARTICLE_A_SANCTIONS, text=ARTICLE_A_SANCTIONS)

    response = client.get(reverse("admin:claims_claim_add"), params)

    form = response.context["adminform"].form
    assert form.initial["exact"] == ARTICLE_A_SANCTIONS
    assert form.initial["text"] == ARTICLE_A_SANCTIONS
    assert 'id="from-quote"' in response.content.decode()


def test_saving_a_claim_from_a_quote_records_its_appearance_and_opens_the_chain(client, editor):
    document = article_a()
    client.force_login(editor)
    params = claim_add_params(document, ARTICLE_A_SANCTIONS)
    url = f"{reverse('admin:claims_claim_add')}"

    response = client.post(url, {**params, "text": "The US put sanctions on hold.", "summary": ""})

    claim = Claim.objects.get()
    appearance = claim.appearances.get()
    assert response.url == reverse("admin:claims_appearance_change", args=[appearance.pk])
    assert (appearance.document, appearance.exact, appearance.start, appearance.created_by) == (
        document,
        ARTICLE_A_SANCTIONS,
        0,
        editor,
    )
    assert claim.text == "The US put sanctions on hold."


def test_a_quote_the_text_no_longer_holds_refuses_the_claim_and_writes_nothing(client, editor):
    document = article_a()
    client.force_login(editor)
    params = claim_add_params(document, ARTICLE_A_SANCTIONS)
    params["exact"] = "A sentence that is not in the text"

    response = client.post(reverse("admin:claims_claim_add"), {**params, "text": "Claim."})

    assert response.status_code == 200
    assert "is not in the document" in response.content.decode()
    assert not Claim.objects.exists()
    assert not Appearance.objects.exists()


def test_a_quote_is_added_as_an_appearance_of_the_claim_chosen(client, editor):
    document = article_a()
    claim = ClaimFactory()
    client.force_login(editor)
    params = claim_add_params(document, ARTICLE_A_EXPORT_CONTROLS)
    page = client.get(reverse("admin:claims_appearance_add"), params)
    assert page.context["adminform"].form.initial["exact"] == ARTICLE_A_EXPORT_CONTROLS
    assert 'id="from-quote"' in page.content.decode()

    response = client.post(reverse("admin:claims_appearance_add"), {**params, "claim": claim.pk})

    appearance = Appearance.objects.get()
    assert response.url == reverse("admin:claims_appearance_change", args=[appearance.pk])
    assert (appearance.claim, appearance.exact, appearance.created_by) == (
        claim,
        ARTICLE_A_EXPORT_CONTROLS,
        editor,
    )


def test_a_concluded_claim_takes_no_new_appearance(client, editor):
    document = article_a()
    claim = ClaimFactory(status=ClaimStatus.VERIFIED)
    client.force_login(editor)
    params = claim_add_params(document, ARTICLE_A_EXPORT_CONTROLS, claim=claim.pk)

    response = client.post(reverse("admin:claims_appearance_add"), params)

    assert response.status_code == 200
    assert "reopen it" in response.content.decode()
    assert not Appearance.objects.exists()


def test_a_quote_typed_with_curly_marks_is_stored_as_the_document_has_it(client, editor):
    # The text has straight apostrophes; the editor typed curly ones on the add page.
    document = article_a()
    claim = ClaimFactory()
    client.force_login(editor)
    typed = ARTICLE_A_EXPORT_CONTROLS.replace("'", "’")

    response = client.post(
        reverse("admin:claims_appearance_add"),
        {"claim": claim.pk, "document": document.pk, "exact": typed, "prefix": "", "suffix": ""},
    )

    assert response.status_code == 302
    assert Appearance.objects.get().exact == ARTICLE_A_EXPORT_CONTROLS
