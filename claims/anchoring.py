"""Anchor quotes in a document's body: W3C TextQuoteSelector plus TextPositionSelector.

Pure: no database access (the writes that follow a changed text live in claims.recording).
Offsets are code points (Python `str` indices) into `document.body`, end exclusive. The quote
text is the authority; offsets and context (prefix/suffix) locate it and tell repeats apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.core.exceptions import ValidationError

CONTEXT_CHARS = 32


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    prefix: str
    suffix: str


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

    Raises QuoteNotFound or AmbiguousQuote (both ValidationErrors).
    """
    if not exact:
        raise AnchorError("Give the exact text of the quote.", code="quote_empty")
    if start is not None and start >= 0 and body[start : start + len(exact)] == exact:
        return _anchor_at(body, start, len(exact), context)
    return _anchor_at(body, _locate(body, exact, prefix, suffix, near=start), len(exact), context)


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
    start = _locate(body, exact, prefix, suffix, near=None)
    return _anchor_at(body, start, len(exact), CONTEXT_CHARS)


def _anchor_at(body: str, start: int, length: int, context: int) -> Anchor:
    end = start + length
    return Anchor(start, end, body[max(0, start - context) : start], body[end : end + context])


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


def _locate(body: str, exact: str, prefix: str, suffix: str, *, near: int | None) -> int:
    found = _occurrences(body, exact)
    if not found:
        raise QuoteNotFound(exact)
    if len(found) == 1:
        return found[0]

    def rank(at: int) -> tuple[int, int]:
        distance = abs(at - near) if near is not None else 0
        return (-_context_score(body, at, len(exact), prefix, suffix), distance)

    ranked = sorted(found, key=rank)
    if rank(ranked[0]) == rank(ranked[1]):
        raise AmbiguousQuote(exact, len(found))
    return ranked[0]
