"""Anchor quotes in a document's body: W3C TextQuoteSelector plus TextPositionSelector.

Pure: no database access (the writes that follow a changed text live in claims.recording).
Offsets are code points (Python `str` indices) into `document.body`, end exclusive. The quote
text is the authority; offsets and context (prefix/suffix) locate it and tell repeats apart.

A quote typed or pasted with other typography than the text's (straight or curly quotation
marks and apostrophes, hyphens or dashes, plain or non-breaking spaces) still anchors: `anchor`
compares both after `fold`, and returns the document's own characters as `Anchor.exact`, which
is what callers store. `relocate` (a changed text) stays exact: it never swaps a stored quote's
characters for others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.core.exceptions import ValidationError

CONTEXT_CHARS = 32

# Typographic variants that must not block a quote, each folded to its keyboard form. One
# character to one, so an offset in the folded text is the same offset in the original.
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u02bc"  # ‘ ’ ‚ ‛ ′ ʼ
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033"  # “ ” „ ‟ ″
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # ‐ ‑ ‒ – — ― −
_SPACES = "\u00a0\u2007\u202f"  # no-break, figure and narrow no-break spaces
_FOLDING = str.maketrans(
    {
        **dict.fromkeys(_SINGLE_QUOTES, "'"),
        **dict.fromkeys(_DOUBLE_QUOTES, '"'),
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_SPACES, " "),
    }
)


def fold(text: str) -> str:
    """Return `text` with its typographic variants folded; the same length as `text`."""
    return text.translate(_FOLDING)


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    prefix: str
    suffix: str
    exact: str  # body[start:end]: the document's own characters, whatever was typed


class AnchorError(ValidationError):
    """The quote cannot be anchored in the text."""


class QuoteNotFound(AnchorError):
    def __init__(self, exact: str):
        shown = exact if len(exact) <= 80 else f"{exact[:79]}…"
        super().__init__(
            "The quote “%(quote)s” is not in the document's text. Copy it exactly as it stands.",
            code="quote_not_found",
            params={"quote": shown},
        )


class AmbiguousQuote(AnchorError):
    def __init__(self, exact: str, occurrences: int):
        shown = exact if len(exact) <= 80 else f"{exact[:79]}…"
        super().__init__(
            "The quote “%(quote)s” appears %(n)d times in the document's text. Give the text "
            "just before it (prefix) or just after it (suffix) to say which one you mean.",
            code="ambiguous_quote",
            params={"quote": shown, "n": occurrences},
        )


def anchor(
    body: str,
    *,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    context: int = CONTEXT_CHARS,
) -> Anchor:
    """Locate `exact` in `body`, using `start` if it still fits, else prefix/suffix among repeats.

    Typographic variants match (see `fold`): `body[found.start:found.end]` folds equal to
    `exact`, and `found.exact` is that slice of `body`. Among repeats that context does not
    tell apart, one in the very characters typed is preferred. Raises QuoteNotFound or
    AmbiguousQuote (both ValidationErrors).
    """
    if not exact:
        raise AnchorError("Give the exact text of the quote.", code="quote_empty")
    if start is not None and start >= 0 and fold(body[start : start + len(exact)]) == fold(exact):
        return _anchor_at(body, start, len(exact), context)
    at = _locate(body, exact, prefix, suffix, near=start, folded=True)
    return _anchor_at(body, at, len(exact), context)


def selects(body: str, *, exact: str, prefix: str, suffix: str, start: int, end: int) -> bool:
    """Return whether the offsets and context still select the quote in `body`."""
    return (
        body[start:end] == exact
        and body[max(0, start - len(prefix)) : start] == prefix
        and body[end : end + len(suffix)] == suffix
    )


def relocate(body: str, *, exact: str, prefix: str, suffix: str) -> Anchor:
    """Find a quote again in a changed text, by its words and context only (no offsets).

    Among equally good repeats it refuses (AmbiguousQuote) rather than guess the nearest,
    which would move a quote silently. Raises QuoteNotFound or AmbiguousQuote.
    """
    start = _locate(body, exact, prefix, suffix, near=None, folded=False)
    return _anchor_at(body, start, len(exact), CONTEXT_CHARS)


def _anchor_at(body: str, start: int, length: int, context: int) -> Anchor:
    end = start + length
    return Anchor(
        start,
        end,
        prefix=body[max(0, start - context) : start],
        suffix=body[end : end + context],
        exact=body[start:end],
    )


def _occurrences(body: str, exact: str) -> list[int]:
    found, at = [], body.find(exact)
    while at != -1:
        found.append(at)
        at = body.find(exact, at + 1)
    return found


def _context_score(body: str, at: int, length: int, prefix: str, suffix: str) -> int:
    """Count how many characters of prefix (right-aligned) and suffix (left-aligned) match."""
    before = body[max(0, at - len(prefix)) : at]
    after = body[at + length : at + length + len(suffix)]
    return len(os.path.commonprefix([before[::-1], prefix[::-1]])) + len(
        os.path.commonprefix([after, suffix])
    )


def _locate(
    body: str, exact: str, prefix: str, suffix: str, *, near: int | None, folded: bool
) -> int:
    """Return where `exact` starts in `body`, folded first when `folded` (see `anchor`)."""
    view = (lambda text: fold(text)) if folded else (lambda text: text)
    searched, quote = view(body), view(exact)
    found = _occurrences(searched, quote)
    if not found:
        raise QuoteNotFound(exact)
    if len(found) == 1:
        return found[0]
    before, after = view(prefix), view(suffix)

    def rank(at: int) -> tuple[int, bool, int]:
        distance = abs(at - near) if near is not None else 0
        # A repeat in other characters than the ones typed ranks after one in the same.
        variant = body[at : at + len(exact)] != exact
        return (-_context_score(searched, at, len(quote), before, after), variant, distance)

    ranked = sorted(found, key=rank)
    if rank(ranked[0]) == rank(ranked[1]):
        raise AmbiguousQuote(exact, len(found))
    return ranked[0]
