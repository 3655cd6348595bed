"""Property-based tests (hypothesis) for anchoring and the normaliser: any input, not examples.

The normaliser's properties use its public API only (`normalise(text).paragraphs` and
`.headline`), so they hold whatever its internals become.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from claims.anchoring import AmbiguousQuote, QuoteNotFound, anchor, fold, relocate, selects
from sources.text import IngestError, normalise

PROPERTIES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that repeats itself often (so quotes are ambiguous) with some of everything else.
REPEATING = st.text(alphabet="ab \n", min_size=1, max_size=60)
ANY_TEXT = st.text(min_size=1, max_size=300)
BODIES = st.one_of(REPEATING, ANY_TEXT)


@st.composite
def body_and_span(draw, bodies=BODIES):
    body = draw(bodies)
    start = draw(st.integers(min_value=0, max_value=len(body) - 1))
    end = draw(st.integers(min_value=start + 1, max_value=len(body)))
    return body, start, end


def context(body: str, start: int, end: int) -> dict:
    return {"prefix": body[max(0, start - 32) : start], "suffix": body[end : end + 32]}


@PROPERTIES
@given(body_and_span())
def test_anchor_at_its_offsets_selects_exactly_that_substring(case):
    body, start, end = case
    exact = body[start:end]

    found = anchor(body, exact=exact, start=start, **context(body, start, end))

    assert (found.start, found.end) == (start, end)
    assert selects(
        body, exact=exact, prefix=found.prefix, suffix=found.suffix, start=start, end=end
    )


@PROPERTIES
@given(body_and_span())
def test_anchor_by_words_and_context_finds_a_real_substring_or_says_it_is_ambiguous(case):
    body, start, end = case
    exact = body[start:end]

    try:
        found = anchor(body, exact=exact, **context(body, start, end))
    except AmbiguousQuote:
        # Only when another occurrence is as well placed: it does stand there too.
        assert body.count(exact) > 1 or exact in body[start + 1 :]
        return
    assert body[found.start : found.end] == exact
    assert selects(
        body,
        exact=exact,
        prefix=found.prefix,
        suffix=found.suffix,
        start=found.start,
        end=found.end,
    )
    if body.find(exact) == body.rfind(exact):  # one occurrence: it must be this one
        assert found.start == start


@PROPERTIES
@given(
    BODIES, st.text(max_size=40), st.text(max_size=40), st.one_of(st.none(), st.integers(-5, 400))
)
@example(body=" ", exact="\xa0", prefix="", start=None)  # found by this test on 2026-12-04
def test_anchor_of_any_quote_raises_only_the_documented_errors(body, exact, prefix, start):
    try:
        found = anchor(body, exact=exact, prefix=prefix, suffix=prefix[::-1], start=start)
    except (AmbiguousQuote, QuoteNotFound):
        return
    except Exception as error:  # the empty quote is refused with its own ValidationError
        assert exact == "" and getattr(error, "code", None) == "quote_empty", repr(error)
        return
    # What it found is the body's own text, which may be another typed form of the quote
    # (a no-break space for a space, curly quotes for straight ones): they fold together.
    assert body[found.start : found.end] == found.exact
    assert fold(found.exact) == fold(exact)


@PROPERTIES
@given(body_and_span(), st.text(min_size=1, max_size=80))
def test_relocate_after_text_is_inserted_before_finds_the_quote_moved_or_says_ambiguous(
    case, inserted
):
    body, start, end = case
    exact = body[start:end]
    around = context(body, start, end)
    try:
        assert relocate(body, exact=exact, **around).start == start
    except AmbiguousQuote:
        assume(False)  # not locatable by words alone even before the change
    changed = inserted + body
    assume(changed.count(exact) == body.count(exact))  # the insertion adds no repeat

    try:
        found = relocate(changed, exact=exact, **around)
    except AmbiguousQuote:
        return  # a tie it refuses to guess: documented, never a silent move
    assert (found.start, found.end) == (start + len(inserted), end + len(inserted))
    assert changed[found.start : found.end] == exact


# ---- the normaliser ----

FURNITURE = st.sampled_from(
    [
        "/ritzau/",
        "End of Article",
        "© 2025 DK Medier. All rights reserved.",
        "DK Medier reserves all rights to the content, including text and data mining.",
        "Advertisement",
        "Share this article",
        "“A quote that opens",
        "and closes later.”",
        "HEADLINE IN CAPITALS",
        "A sentence that breaks",
        "in the middle.",
    ]
)
LINES = st.one_of(FURNITURE, st.text(max_size=80))
RAW_TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(LINES, max_size=12).flatmap(
        lambda lines: st.sampled_from(["\n", "\n\n", "\r\n", " \n \n"]).map(
            lambda sep: sep.join(lines)
        )
    ),
)


def rejoined(result) -> str:
    """The text as the importer keeps it: the headline (if any) above the paragraphs."""
    return "\n\n".join(([result.headline] if result.headline else []) + list(result.paragraphs))


@PROPERTIES
@given(RAW_TEXTS)
def test_normalise_raises_nothing_but_ingest_error(text):
    try:
        result = normalise(text)
    except IngestError:
        return
    assert all(isinstance(p, str) for p in result.paragraphs)
    assert isinstance(result.headline, str)


@PROPERTIES
@given(st.binary(max_size=400))
def test_decoding_any_bytes_raises_nothing_but_ingest_error(data):
    from sources.text import decode_raw  # here, so a rename fails this test alone

    try:
        text = decode_raw(data)
    except IngestError:
        return
    assert isinstance(text, str)


THRICE = "Officials met on Tuesday to discuss the budget.\n\n" * 3


def test_a_lede_printed_three_times_is_dropped_in_one_pass():
    once = normalise(THRICE)
    twice = normalise(rejoined(once))

    assert (twice.headline, list(twice.paragraphs)) == (once.headline, list(once.paragraphs))
    assert rejoined(once).count("Officials met on Tuesday") == 1


@PROPERTIES
@example(THRICE)
# Found by this property: a short first line beside a lowercase paragraph, and a repeat that
# only stands next to its copy once the lede between them is gone.
@example("0\n" + "0" * 19 + "a0000a.\n\na.\n" + "0" * 19 + "a0000a.")
@given(RAW_TEXTS)
def test_normalising_twice_changes_nothing(text):
    try:
        once = normalise(text)
    except IngestError:
        return
    twice = normalise(rejoined(once))

    assert (twice.headline, list(twice.paragraphs)) == (once.headline, list(once.paragraphs))
