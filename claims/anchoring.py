"""Anchor quotes in a document's body: W3C TextQuoteSelector plus TextPositionSelector.

Offsets are code points (Python `str` indices) into `document.body`, end exclusive. The quote
text is the authority; offsets and context (prefix/suffix) locate it and tell repeats apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from claims.models import Appearance

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


def reanchor(appearance: Appearance) -> str:
    """Re-anchor an appearance whose document text changed; flag it when the quote is lost.

    Offsets move only to a place where the exact quote stands; when none can be chosen the
    appearance is marked unanchored and its offsets are left as they were.
    """
    if appearance.matches_body():
        return appearance.anchor_state
    try:
        start = _locate(
            appearance.document.body,
            appearance.exact,
            appearance.prefix,
            appearance.suffix,
            near=None,  # among equally good repeats, guessing the nearest would move silently
        )
    except AnchorError:
        appearance.anchor_state = Appearance.AnchorState.UNANCHORED
        appearance.save(update_fields=["anchor_state"])
        return appearance.anchor_state
    found = _anchor_at(appearance.document.body, start, len(appearance.exact), CONTEXT_CHARS)
    appearance.start, appearance.end = found.start, found.end
    appearance.prefix, appearance.suffix = found.prefix, found.suffix
    appearance.anchor_state = Appearance.AnchorState.REANCHORED
    appearance.save(update_fields=["start", "end", "prefix", "suffix", "anchor_state"])
    return appearance.anchor_state


def reanchor_document(document) -> dict[str, int]:
    """Re-anchor every appearance in a document whose body changed; count them by state."""
    from claims.recording import claim_touch

    counts: dict[str, int] = {}
    moved: set[int] = set()
    for appearance in Appearance.objects.filter(document=document).select_related("document"):
        appearance.document = document  # the body just saved, not a second read
        before = (appearance.start, appearance.end, appearance.anchor_state)
        state = reanchor(appearance)
        if (appearance.start, appearance.end, state) != before:
            moved.add(appearance.claim_id)
        counts[state] = counts.get(state, 0) + 1
    claim_touch(moved)  # their selectors changed: a new version for syncing clients
    return counts


def on_document_body_changed(sender, document, **kwargs) -> None:
    """Receiver for sources.signals.document_body_changed (connected in ClaimsConfig.ready)."""
    reanchor_document(document)


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
