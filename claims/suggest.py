"""Suggest appearances, attribution chains and external checks from a document's text.

A rule-based reader of news copy: "X told the Financial Times", "according to X", "X said",
"speaking on condition of anonymity", "two sources told FT", "was not immediately able to
verify", "did not immediately respond to a request for comment". It reads a document only where
its licence allows mining (`sources.licensing.decide`), and it saves nothing: each proposal
carries its offsets in `document.body` so the admin can highlight it, and an editor's
`suggestion_accept()` records it through `claims.recording`. The agencies the document credits
(`DocumentCredit`: "/ritzau/", "SEATTLE (AP) —") are offered as relays in every chain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from claims.models import Appearance, Attribution, Claim, ExternalCheck
from claims.recording import ChainLink, appearance_create, chain_set, external_check_record
from sources.agents import COUNT_WORDS, AgentKind
from sources.credits import known_agency
from sources.licensing import Action, Audience, Decision, decide
from sources.models import AnonymousSource, Document, DocumentCredit, Organization, Person

Outcome = ExternalCheck.Outcome
Role = Attribution.Role


class MiningRefused(PermissionDenied):
    """The document's licence does not allow automated text and data mining."""

    def __init__(self, decision: Decision):
        super().__init__(decision.reason)
        self.decision = decision


@dataclass(frozen=True)
class AgentProposal:
    """Who said or reported something, as written at body[start:end]."""

    kind: AgentKind
    text: str
    start: int
    end: int
    name: str  # for look-up, or the new anonymous source's description
    description: str = ""  # a person's role and affiliation as written
    count_text: str = ""
    anonymity_reason: str = ""


@dataclass(frozen=True)
class RelayProposal:
    """A news agency the document credits, offered as a relay link: the wire it came by."""

    organization: Organization
    credit: str  # the credit as written, e.g. "/ritzau/"
    shape: str  # DocumentCredit.Shape


@dataclass(frozen=True)
class ChainProposal:
    """The attribution phrase at body[start:end]: origin, verb and the outlet it was told to."""

    verb: str
    start: int
    end: int
    origin: AgentProposal | None
    reporter: AgentProposal | None
    # "the sources" pointing back to an earlier sentence's reporter, not named in this one.
    reporter_inferred: bool = False
    # The credited agencies, origin end first, that the chain does not already name.
    relays: tuple[RelayProposal, ...] = ()


@dataclass(frozen=True)
class AppearanceProposal:
    exact: str
    start: int
    end: int
    chain: ChainProposal


@dataclass(frozen=True)
class ExternalCheckProposal:
    exact: str
    start: int
    end: int
    organization: AgentProposal
    outcome: str
    requested_by: str = ""  # whose request for comment went unanswered


@dataclass(frozen=True)
class Suggestions:
    document: Document
    decision: Decision
    appearances: tuple[AppearanceProposal, ...]
    external_checks: tuple[ExternalCheckProposal, ...]
    relays: tuple[RelayProposal, ...] = ()


def suggest(*, document: Document) -> Suggestions:
    """Read `document` for attributions and verification attempts; save nothing.

    Raises MiningRefused, carrying the licence decision, when its terms reserve mining.
    """
    decision = decide(document=document, action=Action.MINE, audience=Audience.STAFF)
    if not decision:
        raise MiningRefused(decision)
    appearances, checks = _read(document.body)
    relays = credited_relays(document)
    appearances = [
        replace(a, chain=replace(a.chain, relays=_relays_for(a.chain, relays))) for a in appearances
    ]
    return Suggestions(document, decision, tuple(appearances), tuple(checks), relays)


def credited_relays(document: Document) -> tuple[RelayProposal, ...]:
    """The agencies `document` credits, each once; the title's own agency line last, since the
    wire it names is the one that delivered the story (1 query)."""
    credits = sorted(
        DocumentCredit.objects.filter(document=document).select_related("organization"),
        key=lambda c: (c.shape == DocumentCredit.Shape.AGENCY_LINE, c.start, c.pk),
    )
    relays: dict[int, RelayProposal] = {}
    for credit in credits:
        relays.setdefault(
            credit.organization_id, RelayProposal(credit.organization, credit.text, credit.shape)
        )
    return tuple(relays.values())


def _relays_for(chain: ChainProposal, relays: tuple[RelayProposal, ...]):
    """The relays a chain does not already name as its origin or reporter."""
    named = {
        _agency_name(agent.name)
        for agent in (chain.origin, chain.reporter)
        if agent is not None and agent.kind == AgentKind.ORGANIZATION
    }
    return tuple(r for r in relays if _agency_name(r.organization.name) not in named)


def _agency_name(name: str) -> str:
    agency = known_agency(name)
    return (agency.name if agency else name).casefold()


@transaction.atomic
def suggestion_accept(
    *,
    document: Document,
    proposal: AppearanceProposal | ExternalCheckProposal,
    claim: Claim,
    user: AbstractBaseUser | None,
    origin: Person | Organization | AnonymousSource | None = None,
    reporter: Organization | Person | None = None,
    organization: Organization | None = None,
    checked_at: datetime | None = None,
    relays: Sequence[Organization] | None = None,
) -> Appearance | ExternalCheck:
    """Record an accepted proposal for `claim`; pass agents to override the names found.

    Organizations are found by name and never created; a described anonymous source becomes a
    new AnonymousSource; a named person is found by name or created with the description given.
    `relays` are the credited agencies the editor kept (default: all the proposal offers),
    linked between the reporter and the publisher in the proposal's order.
    """
    if isinstance(proposal, ExternalCheckProposal):
        organization = organization or _organization_named(proposal.organization)
        if organization is None:
            raise ValidationError({"organization": _unknown_organization(proposal.organization)})
        return external_check_record(
            claim=claim,
            organization=organization,
            outcome=proposal.outcome,
            document=document,
            exact=proposal.exact,
            start=proposal.start,
            checked_at=checked_at,
            user=user,
        )

    chain = proposal.chain
    errors: dict[str, str] = {}
    if origin is None and chain.origin is not None:
        origin = _agent_for(chain.origin, errors, "origin")
    if reporter is None and chain.reporter is not None:
        reporter = _agent_for(chain.reporter, errors, "reporter")
    if errors:
        raise ValidationError(errors)
    appearance = appearance_create(
        claim=claim, document=document, exact=proposal.exact, start=proposal.start, user=user
    )
    links = []
    if origin is not None:
        links.append(ChainLink(Role.ORIGIN, origin, chain.verb))
    if reporter is not None:
        links.append(ChainLink(Role.REPORTER, reporter, "reported" if links else chain.verb))
    publisher = document.publication or document.publisher
    if links:
        offered = [relay.organization for relay in chain.relays]
        chosen = offered if relays is None else list(relays)
        chosen.sort(key=lambda o: offered.index(o) if o in offered else len(offered))
        for relay in dict.fromkeys(chosen):
            if relay not in (origin, reporter, publisher):
                links.append(ChainLink(Role.RELAY, relay))
    if links and publisher != reporter:
        links.append(ChainLink(Role.PUBLISHER, publisher, "published"))
    if links:
        chain_set(appearance=appearance, links=links)
    return appearance


# --- Resolving proposed agents ------------------------------------------------------------------


def _organization_named(proposal: AgentProposal) -> Organization | None:
    for name in dict.fromkeys([proposal.text, proposal.name]):
        found = Organization.objects.by_name(name).first()
        if found is not None:
            return found
    return None


def _unknown_organization(proposal: AgentProposal) -> str:
    return f"No organization is named “{proposal.name}”; choose one or record it first."


def _agent_for(proposal: AgentProposal, errors: dict[str, str], field: str):
    if proposal.kind == AgentKind.ORGANIZATION:
        found = _organization_named(proposal)
        if found is None:
            errors[field] = _unknown_organization(proposal)
        return found
    if proposal.kind == AgentKind.PERSON:
        people = list(Person.objects.filter(name__iexact=proposal.name)[:2])
        if len(people) > 1:
            errors[field] = f"Several people are named “{proposal.name}”; choose one."
            return None
        if people:
            return people[0]
        return Person.objects.create(
            name=proposal.name, description=_without_article(proposal.description)
        )
    count = proposal.count_text.lower()
    return AnonymousSource.objects.create(
        description=proposal.name,
        count_text=proposal.count_text,
        count=int(count) if count.isdigit() else COUNT_WORDS.get(count),
        anonymity_reason=proposal.anonymity_reason,
    )


def _without_article(text: str) -> str:
    return re.sub(r"^(?:an?|the)\s+", "", text.strip(), flags=re.IGNORECASE)


# --- Reading -------------------------------------------------------------------------------------

_CAPITALISED = r"[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*)*"
_ORGANIZATION = rf"(?:(?P<the>[Tt]he)\s+)?(?P<org>{_CAPITALISED})(?P<agency>\s+news\s+agency)?"

_CHECKS = [
    (
        Outcome.COULD_NOT_VERIFY,
        re.compile(
            _ORGANIZATION + r"\s+(?:(?:was|were|is|are)\s+(?:not\s+)?(?:immediately\s+)?"
            r"(?:able|unable)\s+to|could\s+not|couldn['’]t|cannot)\s+"
            r"(?:immediately\s+|independently\s+)*verify\b"
        ),
    ),
    (
        Outcome.NO_RESPONSE,
        re.compile(
            _ORGANIZATION + r"\s+(?:did\s+not|didn['’]t)\s+(?:immediately\s+)?"
            r"(?:(?:respond|reply)\s+to|return)\s+(?:an?\s+)?"
            rf"(?:(?P<requester>{_CAPITALISED})['’]s?\s+)?requests?\s+for\s+comment"
        ),
    ),
    (
        Outcome.NO_RESPONSE,
        re.compile(
            _ORGANIZATION + r"\s+(?:could\s+not|couldn['’]t)\s+(?:immediately\s+)?"
            r"be\s+reached\s+for\s+comment"
        ),
    ),
    (Outcome.DECLINED_TO_COMMENT, re.compile(_ORGANIZATION + r"\s+declined\s+to\s+comment")),
]

_TOLD = re.compile(rf"\btold\b(?:\s+(?P<reporter>(?:[Tt]he\s+)?{_CAPITALISED}))?")
_ACCORDING_TO = re.compile(r"\b[Aa]ccording\s+to\s+(?P<agent>[^,;.]+?)\s*(?=[,;.]|$)")
_REPORTED = re.compile(rf"(?P<reporter>(?:[Tt]he\s+)?{_CAPITALISED})\s+(?:first\s+)?reported\b")
# The verbs news copy reports speech with; "said" most of all, but a paragraph that says
# "the officials also noted" is as attributed as one that says "said".
_SPEECH_VERBS = (
    r"said|says|noted|notes|added|adds|stated|states|warned|warns|explained|confirmed|"
    r"claimed|claims|insisted|argued|wrote|announced|acknowledged|cautioned|stressed|"
    r"emphasised|emphasized|predicted|suggested|revealed|disclosed|estimated"
)
_SAID = re.compile(
    r"(?<!\bwas )(?<!\bwere )(?<!\bis )(?<!\bbe )(?<!\bbeen )(?<!\bhas )(?<!\bhave )"
    rf"\b(?:{_SPEECH_VERBS})\b"
)
_REPORTED_BACK = re.compile(
    r"\b(?:the|that|this)\s+(?:newspaper|paper|outlet|agency|broadcaster|magazine|daily)\s+"
    r"(?:first\s+|also\s+)?(?:reported|wrote)\b",
    re.IGNORECASE,
)
# Who an outlet heard it from, when the sentence names both: "..., according to the Financial
# Times, citing several people", "according to several people cited by the FT".
_CITING = re.compile(r"\b(?:citing|which\s+cited|who\s+cited)\s+(?P<agent>[^,;.]+?)\s*(?=[,;.]|$)")
_CITED_BY = re.compile(rf"\s+(?:cited|quoted)\s+by\s+(?P<outlet>(?:[Tt]he\s+)?{_CAPITALISED})$")
# Words between the source and its verb that are not the source: "the officials also noted".
_TRAILING_ADVERBS = re.compile(
    r"(?:\s+(?:also|further|later|previously|separately|earlier|had|have|has))+$"
)

_ANONYMITY = re.compile(
    r"(?:(?:speaking|who\s+spoke)\s+)?on\s+(?:the\s+)?condition\s+of\s+anonymity"
    r"(?:\s+(?:because|to|as)\s+[^,;.]+)?"
    r"|who\s+(?:asked|declined)\s+not\s+to\s+be\s+(?:named|identified)(?:\s+because\s+[^,;.]+)?",
    re.IGNORECASE,
)
_COUNT = re.compile(
    r"^(?P<count>one|two|three|four|five|six|seven|eight|nine|ten|\d+|several|many|multiple"
    r"|some|a\s+few|a\s+number\s+of|a\s+handful\s+of|dozens\s+of)\s+(?:of\s+(?:the\s+)?)?",
    re.IGNORECASE,
)
_BACK_REFERENCE = re.compile(
    r"\b(?:the|these|those)\s+(?:same\s+)?(?:sources|officials|people)\b", re.IGNORECASE
)
_PERSON_NAME = re.compile(r"[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}")
_ORGANIZATION_WORDS = re.compile(
    r"\b(?:Agency|Association|Bank|Bureau|Commission|Council|Department|Government|House|"
    r"Institute|Journal|Ministry|News|Office|Pentagon|Post|Reuters|Times|University)\b"
)
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "who", "which"}
_LEADING_QUOTE = re.compile(r"""['"‘“](?P<quote>.+?)[,.?!…]['"’”](?=\s)""", re.DOTALL)
_SENTENCE_END = re.compile(r"""[.!?…]+['"’”)]*(?=\s|$)""")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "u.s", "u.k", "gen", "sen", "gov"}
_BOUNDARIES = ",;:—("
_QUOTES_AND_SPACE = " \t\n'\"‘’“”"


def _read(body: str) -> tuple[list[AppearanceProposal], list[ExternalCheckProposal]]:
    appearances, checks = [], []
    last_reporter: AgentProposal | None = None
    for start, end in _sentences(body):
        checks.extend(_checks_in(body, start, end))
        chain = _chain_in(body, start, end, last_reporter)
        if chain is None:
            continue
        if chain.reporter is not None and not chain.reporter_inferred:
            last_reporter = chain.reporter
        quote_start, quote_end = _quoted_span(body, start, end, chain) or (start, end)
        appearances.append(
            AppearanceProposal(body[quote_start:quote_end], quote_start, quote_end, chain)
        )
    return appearances, checks


def _sentences(body: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each sentence, paragraph by paragraph."""
    paragraph_start = 0
    for match in [*re.finditer(r"\n\s*\n", body), None]:
        paragraph_end = match.start() if match else len(body)
        position = paragraph_start
        for stop in _SENTENCE_END.finditer(body, paragraph_start, paragraph_end):
            before = body[position : stop.start()]
            word = re.search(r"[\w.]+$", before)
            if not re.search(r"\w", before) or (word and word.group().lower() in _ABBREVIATIONS):
                continue  # a leading ellipsis or "Mr." does not end a sentence
            yield from _trimmed(body, position, stop.end())
            position = stop.end()
        yield from _trimmed(body, position, paragraph_end)
        paragraph_start = match.end() if match else len(body)


def _trimmed(body: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    text = body[start:end]
    stripped = text.strip()
    if stripped:
        start += len(text) - len(text.lstrip())
        yield start, start + len(stripped)


def _checks_in(body: str, start: int, end: int) -> Iterator[ExternalCheckProposal]:
    for outcome, pattern in _CHECKS:
        for match in pattern.finditer(body, start, end):
            if match["agency"]:  # "The Reuters news agency": the organization is Reuters
                org_start = match.start("org")
            else:
                org_start = match.start("the") if match["the"] else match.start("org")
            organization = AgentProposal(
                kind=AgentKind.ORGANIZATION,
                text=body[org_start : match.end("org")],
                start=org_start,
                end=match.end("org"),
                name=match["org"],
            )
            yield ExternalCheckProposal(
                exact=body[start:end],
                start=start,
                end=end,
                organization=organization,
                outcome=outcome,
                requested_by=match.groupdict().get("requester") or "",
            )


def _chain_in(
    body: str, start: int, end: int, last_reporter: AgentProposal | None
) -> ChainProposal | None:
    """Find the sentence's attribution: told, then according to, reported, said."""
    sentence = body[start:end]
    reason = _ANONYMITY.search(sentence)
    reason_text = reason.group() if reason else ""

    if told := _TOLD.search(body, start, end):
        origin = _agent_before(body, start, told.start(), reason_text)
        reporter = _reporter(told)
        return _chain("told", told, origin, reporter, last_reporter)
    if according := _ACCORDING_TO.search(body, start, end):
        agent_start, agent_end = according.start("agent"), according.end("agent")
        if cited_by := _CITED_BY.search(body, agent_start, agent_end):
            # "according to several people cited by the FT": the people said it, to the FT.
            origin = _agent_at(body, agent_start, cited_by.start(), reason_text)
            reporter = _outlet(body, cited_by.start("outlet"), cited_by.end("outlet"))
            return _chain("according to", according, origin, reporter, None)
        agent = _agent_at(body, agent_start, agent_end, reason_text)
        if agent is not None and agent.kind == AgentKind.ORGANIZATION:
            # "several people said, according to the Financial Times": the outlet reported
            # what others said; keep both, the speakers as the origin.
            speakers = _speakers_besides(body, start, end, according, reason_text)
            if speakers is not None:
                return _chain("according to", according, speakers, agent, None)
        return _chain("according to", according, agent, None, last_reporter)
    if reported := _REPORTED.search(body, start, end):
        reporter = _reporter(reported)
        citing = _CITING.search(body, reported.end(), end)
        origin = (
            _agent_at(body, citing.start("agent"), citing.end("agent"), reason_text)
            if citing
            else None
        )
        return _chain("reported", reported, origin, reporter, None)
    if last_reporter is not None and (back := _REPORTED_BACK.search(body, start, end)):
        # "..., the newspaper reported": the outlet an earlier sentence named.
        return ChainProposal(
            verb="reported",
            start=back.start(),
            end=back.end(),
            origin=None,
            reporter=last_reporter,
            reporter_inferred=True,
        )
    if said := _SAID.search(body, start, end):
        origin = _agent_before(body, start, said.start(), reason_text)
        inverted = body[start : said.start()].rstrip().endswith((",", "'", "’", '"', "”"))
        if origin is None and inverted:  # "'...,' said a senior official."
            after = re.match(r"\s+([^,;.]+)", body[said.end() : end])
            if after:
                agent_start = said.end() + after.start(1)
                origin = _agent_at(body, agent_start, said.end() + after.end(1), reason_text)
        return _chain(said.group().lower(), said, origin, None, last_reporter)
    return None


def _speakers_besides(
    body: str, start: int, end: int, according: re.Match, reason: str
) -> AgentProposal | None:
    """Who else the sentence names as speaking, outside its "according to X" clause: the
    people an outlet cited ("citing several people"), or said ("several people said")."""
    if citing := _CITING.search(body, according.end(), end):
        return _agent_at(body, citing.start("agent"), citing.end("agent"), reason)
    for said in _SAID.finditer(body, start, end):
        if according.start() <= said.start() < according.end():
            continue
        inside = body[start : said.start()]
        clause_start = start + max(inside.rfind(","), inside.rfind(";"), inside.rfind("—"), -1) + 1
        if clause_start <= according.start() < said.start():
            clause_start = according.end()  # the speakers come after the outlet's clause
        speakers = _agent_before(body, clause_start, said.start(), reason)
        if speakers is not None and speakers.kind != AgentKind.ORGANIZATION:
            return speakers
    return None


def _outlet(body: str, start: int, end: int) -> AgentProposal:
    text = body[start:end]
    return AgentProposal(
        kind=AgentKind.ORGANIZATION,
        text=text,
        start=start,
        end=end,
        name=re.sub(r"^[Tt]he\s+", "", text),
    )


def _chain(
    verb: str,
    match: re.Match,
    origin: AgentProposal | None,
    reporter: AgentProposal | None,
    last_reporter: AgentProposal | None,
) -> ChainProposal:
    inferred = False
    if reporter is None and origin is not None and last_reporter is not None:
        # "several of the sources" are the ones an earlier sentence said told the reporter.
        if origin.kind == AgentKind.ANONYMOUS and _BACK_REFERENCE.search(origin.text):
            reporter, inferred = last_reporter, True
    spans = [(match.start(), match.end())]
    if origin is not None:
        spans.append((origin.start, origin.end))
    return ChainProposal(
        verb=verb,
        start=min(s for s, _ in spans),
        end=max(e for _, e in spans),
        origin=origin,
        reporter=reporter,
        reporter_inferred=inferred,
    )


def _reporter(match: re.Match) -> AgentProposal | None:
    if not match["reporter"]:
        return None
    text = match["reporter"]
    return AgentProposal(
        kind=AgentKind.ORGANIZATION,
        text=text,
        start=match.start("reporter"),
        end=match.end("reporter"),
        name=re.sub(r"^[Tt]he\s+", "", text),
    )


def _agent_before(body: str, sentence_start: int, verb_start: int, reason: str):
    """Find who is attributed in the clause just before a verb such as 'told' or 'said'."""
    while verb_start > sentence_start and body[verb_start - 1] in " \t\n,":
        verb_start -= 1  # "..., Zack Cooper, an expert, told FT": the clause ends at "expert"
    cut = _last_boundary(body, sentence_start, verb_start)
    start, end = _strip(body, cut, verb_start)
    if adverbs := _TRAILING_ADVERBS.search(body, start, end):
        end = adverbs.start()  # "The officials also noted": the source is "The officials"
    if start >= end:
        return None
    text = body[start:end]
    if re.match(r"an?\s|the\s+[a-z]", text) and cut > sentence_start:
        # "Zack Cooper, an Asia security expert at the American Enterprise Institute, told FT"
        name_start, name_end = _strip(body, _last_boundary(body, sentence_start, cut - 1), cut - 1)
        if _PERSON_NAME.fullmatch(body[name_start:name_end]):
            return AgentProposal(
                kind=AgentKind.PERSON,
                text=body[name_start:name_end],
                start=name_start,
                end=name_end,
                name=body[name_start:name_end],
                description=text,
            )
    return _agent_at(body, start, end, reason)


def _agent_at(body: str, start: int, end: int, reason: str) -> AgentProposal | None:
    """Classify the words at body[start:end] as a person, an organization or an anonymous source."""
    text = body[start:end]
    words = text.split()
    if not words or len(words) > 12 or text.lower() in _PRONOUNS:
        return None
    proposal = {"text": text, "start": start, "end": end, "name": text}
    if re.match(r"[Tt]he\s+[A-Z]", text) or (
        text[0].isupper() and _ORGANIZATION_WORDS.search(text)
    ):
        return AgentProposal(
            kind=AgentKind.ORGANIZATION, **{**proposal, "name": re.sub(r"^[Tt]he\s+", "", text)}
        )
    if _PERSON_NAME.fullmatch(text):
        return AgentProposal(kind=AgentKind.PERSON, **proposal)
    if all(word[0].isupper() for word in words):
        return AgentProposal(kind=AgentKind.ORGANIZATION, **proposal)
    count = _COUNT.match(text)
    return AgentProposal(
        kind=AgentKind.ANONYMOUS,
        **{**proposal, "name": text[count.end() :] if count else text},
        count_text=count["count"] if count else "",
        anonymity_reason=reason,
    )


def _last_boundary(body: str, start: int, end: int) -> int:
    """Return the index just after the last clause boundary in body[start:end], else start."""
    return max([start] + [body.rfind(mark, start, end) + 1 for mark in _BOUNDARIES])


def _strip(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start] in _QUOTES_AND_SPACE:
        start += 1
    while end > start and body[end - 1] in _QUOTES_AND_SPACE:
        end -= 1
    return start, end


def _quoted_span(body: str, start: int, end: int, chain: ChainProposal) -> tuple[int, int] | None:
    """Return the span of a quotation that opens the sentence and precedes its attribution."""
    quote = _LEADING_QUOTE.match(body, start, end)
    if quote and quote.end() <= chain.start:
        return quote.start("quote"), quote.end("quote")
    return None
