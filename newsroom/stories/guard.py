"""The publish guard: whether a claim's state supports the way a story cites it (promise 6).

`supports()` is the one table; `guard_problems()` reads a story's citations against it. The
publishing service (newsroom.stories.workflow) refuses on the problems, and the corrections
receiver (newsroom.stories.corrections) flags published stories with the same table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from claims.models import ClaimStatus
from newsroom.stories.models import Citation, CitationUse

S = ClaimStatus

# use -> the claim states that support it. Anything else is refused at publication and flags a
# published story for correction.
SUPPORTING: Mapping[str, frozenset[str]] = {
    CitationUse.ASSERTS: frozenset({S.VERIFIED}),
    # Reporting that someone said it needs a conclusion that the saying holds: verified (as
    # said), or unverifiable (the story then shows the attribution, not a fact).
    CitationUse.ATTRIBUTES: frozenset({S.VERIFIED, S.UNVERIFIABLE}),
    CitationUse.REFUTES: frozenset({S.FALSE, S.DISPUTED}),
}

NEEDS = {
    CitationUse.ASSERTS: "stating it as fact needs the claim verified",
    CitationUse.ATTRIBUTES: "attributing it needs the claim concluded as verified or unverifiable",
    CitationUse.REFUTES: "refuting it needs the claim concluded false or disputed",
}


def supports(use: str, claim_status: str) -> bool:
    """Tell whether a claim in `claim_status` supports a citation used as `use`."""
    return claim_status in SUPPORTING[use]


@dataclass(frozen=True)
class GuardProblem:
    """One citation the guard refuses, and why (kept on the event when overridden)."""

    citation_id: int
    claim_id: int
    use: str
    claim_status: str
    reason: str

    def as_dict(self) -> dict:
        return {
            "citation": self.citation_id,
            "claim": self.claim_id,
            "use": self.use,
            "claim_status": self.claim_status,
            "reason": self.reason,
        }


def problem_of(citation: Citation) -> GuardProblem | None:
    """Return why `citation` may not be published as it stands, or None."""
    claim = citation.claim
    quoted = citation.exact if len(citation.exact) <= 60 else f"{citation.exact[:59]}…"
    where = f"Citation {citation.pk} (“{quoted}”) of claim {claim.pk} “{claim}”"
    if citation.anchor_lost:
        reason = f"{where}: its passage is no longer in the body; select it again."
    elif not supports(citation.use, claim.status):
        label = ClaimStatus(claim.status).label.lower()
        reason = f"{where} {citation.use} it, but the claim is {label}: {NEEDS[citation.use]}."
    else:
        return None
    return GuardProblem(citation.pk, claim.pk, citation.use, claim.status, reason)


def guard_problems(citations: Iterable[Citation]) -> list[GuardProblem]:
    """Return every citation that does not hold, in the body's order."""
    return [problem for citation in citations if (problem := problem_of(citation)) is not None]
