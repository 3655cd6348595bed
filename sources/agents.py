"""Agents: who can make, report or relay a statement — a person, an organization or an
anonymous source. The one place that tells the three kinds apart.

Attribution chains, the origin counter, the API, the exports and the admin all dispatch on
the kind through these helpers instead of testing `isinstance` or nullable columns themselves.
Nothing here reads an anonymous source's confidential identity.
"""

from __future__ import annotations

import datetime

from django.db import models

from sources.models import Affiliation, AnonymousSource, Organization, Person

Agent = Person | Organization | AnonymousSource


class AgentKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"
    ANONYMOUS = "anonymous", "Anonymous source"


# kind -> (the column an attribution points at the agent with, the agent's model)
FIELD_OF: dict[AgentKind, str] = {
    AgentKind.PERSON: "person",
    AgentKind.ORGANIZATION: "organization",
    AgentKind.ANONYMOUS: "anonymous_source",
}
MODEL_OF: dict[AgentKind, type[models.Model]] = {
    AgentKind.PERSON: Person,
    AgentKind.ORGANIZATION: Organization,
    AgentKind.ANONYMOUS: AnonymousSource,
}
AGENT_FIELDS: tuple[str, ...] = tuple(FIELD_OF.values())

AgentKey = tuple[str, int]


def kind_of(agent: object) -> AgentKind:
    """Return the kind of an agent instance; TypeError for anything else."""
    for kind, model in MODEL_OF.items():
        if isinstance(agent, model):
            return kind
    raise TypeError(f"An agent is a Person, Organization or AnonymousSource, not {agent!r}.")


def fields_for(agent: Agent) -> dict[str, Agent]:
    """Return the column values that point a row (an attribution) at `agent`."""
    return {FIELD_OF[kind_of(agent)]: agent}


def kind_from_ids(**ids: int | None) -> AgentKind | None:
    """Return the kind from a row's agent ids (`person_id=…, organization_id=…, …`)."""
    for kind, field in FIELD_OF.items():
        if ids.get(f"{field}_id") is not None:
            return kind
    return None


def key_from_ids(**ids: int | None) -> AgentKey | None:
    """Return (kind, id) from a row's agent ids: one agent, whichever column holds it."""
    kind = kind_from_ids(**ids)
    return None if kind is None else (kind.value, ids[f"{FIELD_OF[kind]}_id"])


def anonymous_count(source: AnonymousSource) -> str:
    """The count as written ("several", "two"), else the number, else ''."""
    return source.count_text or (str(source.count) if source.count is not None else "")


def anonymous_standing(source: AnonymousSource) -> str:
    """Describe an anonymous source's standing in the outlet's words: count and reason."""
    standing = "anonymous source"
    count = anonymous_count(source)
    if count:
        standing += f" ({count})"
    if source.anonymity_reason:
        standing += f", {source.anonymity_reason}"
    return standing


def affiliations_on(person: Person, day: datetime.date) -> list[Affiliation]:
    """The person's affiliations in force on `day`, from the prefetched `affiliation_set`."""
    return [
        affiliation
        for affiliation in person.affiliation_set.all()
        if (affiliation.start_date is None or affiliation.start_date <= day)
        and (affiliation.end_date is None or affiliation.end_date >= day)
    ]
