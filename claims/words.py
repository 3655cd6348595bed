"""Provenance in plain words, for readers: who said it, through whom, and who tried to check it.

Pure functions over claims loaded with `Claim.objects.with_provenance()` (no query per row).
They read agents' public descriptions only — never a confidential identity.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import formats, timezone

from claims.claimreview import day_of
from claims.models import Appearance, Attribution, ExternalCheck
from sources import agents
from sources.models import AnonymousSource, Organization, Person

DEFAULT_VERB = "told"
# How each outcome of a third party's check reads after its name ("Reuters: ...").
CHECK_OUTCOME_WORDS = {
    ExternalCheck.Outcome.CONFIRMED: "confirmed it",
    ExternalCheck.Outcome.DENIED: "denied it",
    ExternalCheck.Outcome.COULD_NOT_VERIFY: "not immediately able to verify",
    ExternalCheck.Outcome.NO_RESPONSE: "did not respond to a request for comment",
    ExternalCheck.Outcome.DECLINED_TO_COMMENT: "declined to comment",
}


def agent_in_words(agent, *, on) -> str:
    """Name an agent as a reader should meet it: a person with their role, a group as described."""
    if isinstance(agent, Person):
        roles = [
            " at ".join(part for part in (affiliation.role, affiliation.organization.name) if part)
            for affiliation in agents.affiliations_on(agent, on)
        ]
        described = ", ".join(part for part in (agent.name, *roles[:1]) if part)
        return described
    if isinstance(agent, Organization):
        return _organization(agent)
    if isinstance(agent, AnonymousSource):
        words = agent.description
        if agent.anonymity_reason:
            words += f", {agent.anonymity_reason}"
        return words
    return "an unknown source"


def chain_in_words(appearance: Appearance) -> str:
    """Tell how one appearance reached the page: origin, reporter, relays and where published.

    e.g. "current and former US officials, speaking on condition of anonymity, told the
    Financial Times; relayed by Reuters and Ritzau; published by Danish Offshore Industry".
    """
    on = day_of(appearance.document)
    chain = sorted(appearance.chain.all(), key=lambda link: link.position)
    by_role: dict[str, list[Attribution]] = {}
    for link in chain:
        by_role.setdefault(link.role, []).append(link)
    origins = by_role.get(Attribution.Role.ORIGIN, [])
    reporters = by_role.get(Attribution.Role.REPORTER, [])
    relays = by_role.get(Attribution.Role.RELAY, [])
    publishers = by_role.get(Attribution.Role.PUBLISHER, [])

    parts = []
    origin_words = _join([agent_in_words(link.agent, on=on) for link in origins])
    reporter_words = _join([agent_in_words(link.agent, on=on) for link in reporters])
    if origins and reporters:
        verb = origins[-1].verb or DEFAULT_VERB
        # "officials, speaking on condition of anonymity, told": close the apposition.
        comma = "," if ", " in origin_words else ""
        parts.append(f"{origin_words}{comma} {verb} {reporter_words}")
    elif origins:
        parts.append(f"said by {origin_words}")
    elif reporters:
        parts.append(f"reported by {reporter_words}")
    else:
        parts.append("no source named")
    if relays:
        parts.append("relayed by " + _join([agent_in_words(link.agent, on=on) for link in relays]))
    if publishers:
        parts.append(
            "published by " + _join([agent_in_words(link.agent, on=on) for link in publishers])
        )
    else:
        document = appearance.document
        parts.append("published by " + _organization(document.publication or document.publisher))
    return "; ".join(parts)


def check_in_words(check: ExternalCheck) -> str:
    """One third party's attempt, e.g. "Reuters: not immediately able to verify, 19 Nov 2025"."""
    words = f"{check.organization.name}: {CHECK_OUTCOME_WORDS.get(check.outcome, check.outcome)}"
    if check.checked_at:
        words += ", " + public_date(check.checked_at)
    return words


def public_date(moment) -> str:
    """The one date format of the public pages: 19 Nov 2025."""
    return formats.date_format(timezone.localtime(moment), "j M Y")


def _organization(organization: Organization) -> str:
    return organization.name


def _join(words: Iterable[str]) -> str:
    words = [word for word in words if word]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
