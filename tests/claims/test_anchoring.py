import pytest
from django.core.exceptions import ValidationError

from claims.anchoring import CONTEXT_CHARS, AmbiguousQuote, QuoteNotFound, anchor
from claims.models import Appearance
from claims.recording import appearance_create, reanchor
from tests.claims.factories import ARTICLE_A_BODY, ARTICLE_A_SANCTIONS, AppearanceFactory
from tests.factories import DocumentFactory

REPEATED = (
    "Officials in Washington said the deal is off. Later that day, "
    "diplomats in Beijing said the deal is off. Nobody else commented."
)
QUOTE = "the deal is off"


def test_anchor_finds_a_unique_quote_with_code_point_offsets():
    body = "Détente — “quoted” text: the ministry's plan was put on hold today."

    found = anchor(body, exact="put on hold")

    assert body[found.start : found.end] == "put on hold"
    assert found.start == body.index("put on hold")  # code points, not UTF-8 bytes
    assert found.prefix == body[found.start - CONTEXT_CHARS : found.start]
    assert found.suffix == " today."


def test_anchor_context_is_recomputed_from_the_body_not_taken_from_the_caller():
    found = anchor(ARTICLE_A_BODY, exact="speaking on condition of anonymity", prefix="stale")

    assert found.prefix == ARTICLE_A_BODY[found.start - 32 : found.start]
    assert found.prefix.endswith("told the Financial Times, ")


def test_anchor_raises_when_the_quote_is_not_in_the_text():
    with pytest.raises(QuoteNotFound) as raised:
        anchor(ARTICLE_A_BODY, exact="sanctions were lifted")

    assert isinstance(raised.value, ValidationError)
    assert "sanctions were lifted" in raised.value.messages[0]
    assert "not in the document's text" in raised.value.messages[0]


def test_anchor_asks_for_context_when_a_quote_repeats():
    with pytest.raises(AmbiguousQuote) as raised:
        anchor(REPEATED, exact=QUOTE)

    assert "appears 2 times" in raised.value.messages[0]
    assert "prefix" in raised.value.messages[0]


@pytest.mark.parametrize(
    ("context", "expected_city"),
    [
        ({"prefix": "diplomats in Beijing said "}, "Beijing"),
        ({"prefix": "Washington said "}, "Washington"),
        ({"suffix": ". Nobody else"}, "Beijing"),
        ({"suffix": ". Later"}, "Washington"),
    ],
)
def test_anchor_picks_the_repeat_whose_context_matches(context, expected_city):
    found = anchor(REPEATED, exact=QUOTE, **context)

    assert REPEATED[found.start : found.end] == QUOTE
    assert expected_city in found.prefix


def test_anchor_uses_the_given_start_when_the_quote_is_there():
    second = REPEATED.rindex(QUOTE)

    found = anchor(REPEATED, exact=QUOTE, start=second)

    assert found.start == second


def test_anchor_prefers_the_repeat_nearest_a_stale_start():
    second = REPEATED.rindex(QUOTE)

    found = anchor(REPEATED, exact=QUOTE, start=second + 3)

    assert found.start == second


@pytest.mark.django_db
def test_appearance_create_rejects_a_quote_missing_from_the_document(editor):
    appearance = AppearanceFactory()

    with pytest.raises(ValidationError) as raised:
        appearance_create(
            claim=appearance.claim, document=appearance.document, exact="not there", user=editor
        )

    assert "not there" in raised.value.message_dict["exact"][0]


@pytest.mark.django_db
def test_appearance_create_rejects_an_ambiguous_quote_and_accepts_it_with_a_prefix(editor):
    document = DocumentFactory(body=REPEATED)
    claim = AppearanceFactory().claim

    with pytest.raises(ValidationError) as raised:
        appearance_create(claim=claim, document=document, exact=QUOTE, user=editor)
    assert "appears 2 times" in raised.value.message_dict["exact"][0]

    appearance = appearance_create(
        claim=claim, document=document, exact=QUOTE, prefix="in Beijing said ", user=editor
    )
    assert appearance.start == REPEATED.rindex(QUOTE)
    assert appearance.anchor_state == Appearance.AnchorState.ANCHORED


@pytest.mark.django_db
def test_reanchor_moves_stale_offsets_to_where_the_quote_now_stands():
    document = DocumentFactory(body=ARTICLE_A_BODY)
    appearance = AppearanceFactory(document=document, exact=ARTICLE_A_SANCTIONS)
    # The outlet adds a dateline: every offset after it shifts.
    document.body = "COPENHAGEN, 21 November (Ritzau): " + ARTICLE_A_BODY
    document.save(update_fields=["body"])

    state = reanchor(appearance)

    appearance.refresh_from_db()
    assert state == Appearance.AnchorState.REANCHORED == appearance.anchor_state
    assert appearance.start == 34
    assert document.body[appearance.start : appearance.end] == ARTICLE_A_SANCTIONS
    assert appearance.prefix == document.body[34 - CONTEXT_CHARS : 34]
    assert appearance.prefix.endswith("(Ritzau): ")


@pytest.mark.django_db
def test_reanchor_uses_context_to_pick_among_repeats_not_the_nearest_one():
    document = DocumentFactory(body=REPEATED)
    second = REPEATED.rindex(QUOTE)
    appearance = AppearanceFactory(document=document, exact=QUOTE, start=second)
    # The Washington sentence grows so that its quote now sits near the old offset.
    document.body = REPEATED.replace(
        "in Washington", "in Washington, speaking after a long meeting with allies on trade,"
    )
    document.save(update_fields=["body"])
    assert abs(document.body.index(QUOTE) - second) < abs(document.body.rindex(QUOTE) - second)

    reanchor(appearance)

    appearance.refresh_from_db()
    assert appearance.start == document.body.rindex(QUOTE)
    assert appearance.prefix.endswith("diplomats in Beijing said ")


@pytest.mark.django_db
def test_reanchor_flags_a_lost_quote_and_leaves_its_offsets_alone():
    document = DocumentFactory(body=ARTICLE_A_BODY)
    appearance = AppearanceFactory(document=document, exact=ARTICLE_A_SANCTIONS)
    before = (appearance.start, appearance.end, appearance.prefix, appearance.suffix)
    document.body = ARTICLE_A_BODY.replace("on hold", "in abeyance")
    document.save(update_fields=["body"])

    state = reanchor(appearance)

    appearance.refresh_from_db()
    assert state == Appearance.AnchorState.UNANCHORED == appearance.anchor_state
    assert (appearance.start, appearance.end, appearance.prefix, appearance.suffix) == before


@pytest.mark.django_db
def test_reanchor_flags_a_quote_it_can_no_longer_tell_apart():
    document = DocumentFactory(body=REPEATED)
    appearance = AppearanceFactory(document=document, exact=QUOTE, start=REPEATED.rindex(QUOTE))
    start = appearance.start
    # Both sentences are rewritten identically: context cannot tell them apart any more.
    document.body = "X said the deal is off. Then X said the deal is off. Then"
    document.save(update_fields=["body"])

    assert reanchor(appearance) == Appearance.AnchorState.UNANCHORED
    appearance.refresh_from_db()
    assert appearance.start == start


@pytest.mark.django_db
def test_reanchor_leaves_a_valid_anchor_untouched(django_assert_num_queries):
    appearance = AppearanceFactory()  # its document is already loaded

    with django_assert_num_queries(0):
        state = reanchor(appearance)

    assert state == Appearance.AnchorState.ANCHORED
