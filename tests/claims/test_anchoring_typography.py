"""Typographic variants do not block a quote, and the stored selector keeps the text's own
characters: quotation marks, apostrophes, dashes and non-breaking spaces."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.anchoring import AmbiguousQuote, QuoteNotFound, anchor, fold, relocate
from claims.recording import appearance_create, external_check_record
from tests.claims.factories import ClaimFactory
from tests.factories import DocumentFactory, OrganizationFactory

NBSP = "\u00a0"
BODY = (
    "The minister said: “We will not sign.” It’s the group’s 2024–2025 plan — "
    f"worth 5{NBSP}billion kroner — that is ‘put on hold’."
)


@pytest.mark.parametrize(
    ("typed", "in_text"),
    [
        ('said: "We will not sign."', "said: “We will not sign.”"),  # straight for curly
        ("It's the group's", "It’s the group’s"),  # apostrophes
        ("2024-2025 plan", "2024–2025 plan"),  # hyphen for en dash
        ("plan - worth", "plan — worth"),  # hyphen for em dash
        ("5 billion kroner", f"5{NBSP}billion kroner"),  # space for a non-breaking space
        ("is 'put on hold'", "is ‘put on hold’"),  # straight single quotes for curly
    ],
)
def test_a_typed_variant_anchors_and_returns_the_texts_own_characters(typed, in_text):
    found = anchor(BODY, exact=typed)

    assert BODY[found.start : found.end] == in_text
    assert found.exact == in_text
    assert (found.start, found.end) == (BODY.index(in_text), BODY.index(in_text) + len(in_text))


def test_curly_typed_against_straight_text_anchors_too():
    body = 'He said "no" and it\'s final - twice.'

    found = anchor(body, exact="said “no” and it’s final – twice")

    assert found.exact == 'said "no" and it\'s final - twice'


def test_a_given_offset_still_fits_a_typed_variant():
    start = BODY.index("It’s")

    found = anchor(BODY, exact="It's", start=start)

    assert (found.start, found.exact) == (start, "It’s")


def test_variants_do_not_make_other_words_match():
    with pytest.raises(QuoteNotFound) as raised:
        anchor(BODY, exact='"We will sign."')

    assert '"We will sign."' in raised.value.messages[0]  # the quote as typed


def test_repeats_that_fold_alike_are_still_ambiguous():
    body = "It’s late. Then: It's late."

    with pytest.raises(AmbiguousQuote):
        anchor(body, exact="It‘s late")  # typed in neither's characters: which one?

    found = anchor(body, exact="It‘s late", prefix="Then: ")
    assert found.exact == "It's late"


def test_a_repeat_in_the_very_characters_typed_wins_over_a_variant():
    body = "It’s late. And: It's late."

    assert anchor(body, exact="It's late").exact == "It's late"
    assert anchor(body, exact="It’s late").start == 0


def test_relocating_a_stored_quote_stays_exact():
    # A changed text may not swap the stored quote's characters for others silently.
    with pytest.raises(QuoteNotFound):
        relocate("It's late.", exact="It’s late", prefix="", suffix="")


def test_fold_keeps_the_length():
    assert len(fold(BODY)) == len(BODY)


VARIANTS = {"'": "'‘’", '"': '"“”„', "-": "-–—‐", " ": f" {NBSP}\u202f"}
plain = st.text(alphabet="ab '\"-", min_size=1, max_size=40)


@given(body=plain, data=st.data())
def test_a_typed_variant_of_any_slice_anchors_where_it_folds_equal(body, data):
    # Given a text in any typography and a slice of it typed in any other
    body = "".join(data.draw(st.sampled_from(VARIANTS.get(c, c))) for c in body)
    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    typed = "".join(data.draw(st.sampled_from(VARIANTS.get(fold(c), c))) for c in body[start:end])

    # When it is anchored, then it is found where the text folds equal, in the text's characters
    try:
        found = anchor(body, exact=typed)
    except AmbiguousQuote:
        folded, quote = fold(body), fold(typed)
        repeats = [at for at in range(len(body)) if folded.startswith(quote, at)]  # overlapping
        assert len(repeats) > 1
        return
    assert fold(body[found.start : found.end]) == fold(typed)
    assert found.exact == body[found.start : found.end]


# --- stored selectors ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_appearance_typed_with_straight_quotes_stores_the_documents_characters():
    document = DocumentFactory(body=BODY)

    appearance = appearance_create(
        claim=ClaimFactory(), document=document, exact="It's the group's 2024-2025 plan", user=None
    )

    assert appearance.exact == "It’s the group’s 2024–2025 plan"
    assert appearance.matches_body()


@pytest.mark.django_db
def test_an_external_check_excerpt_stores_the_documents_characters():
    document = DocumentFactory(body=BODY)

    check = external_check_record(
        claim=ClaimFactory(),
        organization=OrganizationFactory(name="Reuters"),
        outcome="could_not_verify",
        document=document,
        exact='"We will not sign."',
        user=None,
    )

    assert check.exact == "“We will not sign.”"
    assert check.matches_body()
