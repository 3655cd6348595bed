"""Agents: who can make, report or relay a statement — a person, an organization or an
anonymous source. The one place that tells the three kinds apart.

Attribution chains, the origin counter, the API, the exports and the admin all dispatch on
the kind through these helpers instead of testing `isinstance` or nullable columns themselves.
Nothing here reads an anonymous source's confidential identity.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q

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


# --- Finding and creating agents (the chain editor's one picker) -------------------------------

AGENT_SEARCH_LIMIT = 10
# What an editor types for a new anonymous source often starts with its count: "two sources".
COUNT_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_COUNTED = re.compile(
    r"^(?P<count>one|two|three|four|five|six|seven|eight|nine|ten|\d+|several|many|some"
    r"|a\s+few|a\s+handful\s+of)\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)


def agents_matching(text: str, *, kinds: Iterable[AgentKind], limit: int = AGENT_SEARCH_LIMIT):
    """People, organizations (by name or alias: "FT") and anonymous sources whose name holds
    `text`, exact matches first; at most `limit`, as (kind, agent, matched alias or '').

    Three queries at most; an anonymous source's confidential identity is never read.
    """
    text = " ".join(text.split())
    if not text:
        return []
    kinds = set(kinds)
    found: list[tuple[int, str, AgentKind, Agent, str]] = []
    if AgentKind.ORGANIZATION in kinds:
        organizations = (
            Organization.objects.filter(Q(name__icontains=text) | Q(aliases__name__icontains=text))
            .prefetch_related("aliases")
            .distinct()
            .order_by("name")[:limit]
        )
        for organization in organizations:
            aliases = [a.name for a in organization.aliases.all()]
            alias = next((a for a in aliases if text.casefold() in a.casefold()), "")
            exact = text.casefold() in {organization.name.casefold(), alias.casefold()}
            found.append(
                (
                    0 if exact else 1,
                    organization.name,
                    AgentKind.ORGANIZATION,
                    organization,
                    "" if text.casefold() in organization.name.casefold() else alias,
                )
            )
    if AgentKind.PERSON in kinds:
        for person in Person.objects.filter(name__icontains=text).order_by("name")[:limit]:
            exact = person.name.casefold() == text.casefold()
            found.append((0 if exact else 1, person.name, AgentKind.PERSON, person, ""))
    if AgentKind.ANONYMOUS in kinds:
        anonymous = (
            AnonymousSource.objects.filter(description__icontains=text)
            .defer("confidential_identity")
            .order_by("description")[:limit]
        )
        for source in anonymous:
            exact = source.description.casefold() == text.casefold()
            found.append((0 if exact else 1, source.description, AgentKind.ANONYMOUS, source, ""))
    found.sort(key=lambda row: (row[0], row[1].casefold()))
    return [(kind, agent, alias) for _, _, kind, agent, alias in found[:limit]]


def likely_kind(text: str) -> AgentKind:
    """Guess what a typed name is: "Jane Roe" a person, "Financial Times" an organization,
    "current and former US officials" an anonymous source (lower-case words describe)."""
    words = text.split()
    if any(word[:1].islower() for word in words):
        return AgentKind.ANONYMOUS
    if 2 <= len(words) <= 4 and not _ORGANIZATION_WORDS.search(text):
        return AgentKind.PERSON
    return AgentKind.ORGANIZATION


_ORGANIZATION_WORDS = re.compile(
    r"\b(?:Agency|Association|Bank|Bureau|Commission|Council|Department|Government|House|"
    r"Institute|Journal|Ministry|News|Office|Post|Times|University|Inc|Ltd|Group|Media)\b"
)


@transaction.atomic
def agent_create(*, kind: AgentKind, name: str, user) -> Agent:
    """Record a new person, organization or anonymous source named (or described) `name`.

    Raises PermissionDenied when `user` may not add that kind, ValidationError on a bad name
    (empty, too long, an organization's name or alias already taken).
    """
    kind = AgentKind(kind)
    model = MODEL_OF[kind]
    opts = model._meta
    if user is not None and not user.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
        raise PermissionDenied(f"You may not record a new {kind.label.lower()}.")
    name = " ".join(name.split())
    if kind == AgentKind.ORGANIZATION:
        if Organization.objects.by_name(name).exists():
            raise ValidationError(f"An organization is already named or known as “{name}”.")
        agent = Organization(name=name)
    elif kind == AgentKind.PERSON:
        agent = Person(name=name)
    else:
        counted = _COUNTED.match(name)
        count_text = counted["count"].lower() if counted else ""
        agent = AnonymousSource(
            description=name,
            count_text=count_text,
            count=int(count_text) if count_text.isdigit() else COUNT_WORDS.get(count_text),
        )
    agent.full_clean()
    agent.save()
    return agent
