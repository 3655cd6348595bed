"""Machine-readable TDM signals (TDMRep): read them, record them, say what they add up to.

The W3C TDM Reservation Protocol (final community group report) puts a publisher's choice in
four places, read in this order, each later one superseding the earlier for the resource:
`/.well-known/tdmrep.json` (rules per path pattern; the first matching rule wins), the
`tdm-reservation`/`tdm-policy` HTTP headers of the resource, the HTML `<meta name=...>` pair
and EPUB/PDF metadata. At every step the absence of a value never resets a value already
found. A `tdm-policy` is an ODRL Offer (JSON-LD) telling how mining may be licensed.
robots.txt rules for AI crawlers (GPTBot, CCBot, Google-Extended ...) are not part of the
protocol: they are recorded and shown to the editor, never decisive.

The readers and `effective()` are pure. `site_policy_record()` is the one service that
stores observations (the command and the importer call it); `signals_for()` loads the current
signals of many documents' sites in one query for `sources.licensing`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.parser import HeaderParser
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sources.errors import field_messages
from sources.html import canonical_url, tdm_meta
from sources.models import (
    Document,
    LicenseTerms,
    Organization,
    SignalLocation,
    SitePolicy,
    SiteSignal,
    TdmPolicy,
)

Location = SignalLocation
# TDMRep's processing priority: each later location supersedes the earlier ones.
PRECEDENCE = (Location.TDMREP_JSON, Location.HEADER, Location.HTML_META, Location.EPUB_PDF)
PER_RESOURCE = (Location.HEADER, Location.HTML_META, Location.EPUB_PDF)

# Crawlers that gather text for AI training or answers; their robots.txt rules are shown.
AI_CRAWLERS = (
    "GPTBot",
    "ChatGPT-User",
    "OAI-SearchBot",
    "CCBot",
    "Google-Extended",
    "anthropic-ai",
    "ClaudeBot",
    "Claude-Web",
    "PerplexityBot",
    "Bytespider",
    "Applebot-Extended",
    "meta-externalagent",
    "FacebookBot",
    "cohere-ai",
    "Diffbot",
    "Amazonbot",
    "omgili",
)
_AI_CRAWLERS = {name.casefold(): name for name in AI_CRAWLERS}

OBTAIN_CONSENT, COMPENSATE = "obtainConsent", "compensate"
TDM_MINE = "tdm:mine"


class SignalError(Exception):
    """A signal file that cannot be read; the message is one line for the user."""


# Reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One tdmrep.json rule, or a header/meta/metadata pair (pattern empty)."""

    reservation: int | None
    policy_url: str = ""
    pattern: str = ""
    raw: str = ""


@dataclass(frozen=True)
class RobotsRule:
    user_agent: str
    path: str


def reservation_value(value, *, where: str) -> int | None:
    """Read a tdm-reservation value: 0 or 1; anything else is a protocol error (SignalError)."""
    if value is None or value == "":
        return None
    text = "" if isinstance(value, bool) else str(value).strip()
    if text in ("0", "1"):
        return int(text)
    raise SignalError(f"{where}: tdm-reservation must be 0 or 1, not {value!r}.")


def policy_value(value, *, where: str) -> str:
    """Read a tdm-policy value: an absolute http(s) URL."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SignalError(f"{where}: tdm-policy must be an absolute http(s) URL, not {value!r}.")
    return text


def read_tdmrep_json(text: str) -> list[Rule]:
    """Read /.well-known/tdmrep.json: an array of {location, tdm-reservation, tdm-policy}."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise SignalError(f"tdmrep.json is not JSON: {error}.") from None
    if not isinstance(data, list):
        raise SignalError("tdmrep.json must be a JSON array of rules.")
    rules = []
    for number, item in enumerate(data, start=1):
        where = f"tdmrep.json rule {number}"
        if not isinstance(item, dict):
            raise SignalError(f"{where} is not an object.")
        location = item.get("location")
        if not isinstance(location, str) or not location.startswith(("/", "*")):
            raise SignalError(f"{where}: location must be a path pattern such as '/news/'.")
        if "tdm-reservation" not in item:
            raise SignalError(f"{where}: tdm-reservation is required.")
        rules.append(
            Rule(
                reservation=reservation_value(item["tdm-reservation"], where=where),
                policy_url=policy_value(item.get("tdm-policy"), where=where),
                pattern=location,
                raw=json.dumps(item, ensure_ascii=False),
            )
        )
    if not rules:
        raise SignalError("tdmrep.json holds no rules.")
    return rules


def read_headers(text: str) -> Rule:
    """Read tdm-reservation/tdm-policy from an HTTP response header block (a status line and
    blank-line-terminated body are allowed)."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].upper().startswith("HTTP/"):
        lines = lines[1:]
    head = "\n".join(lines).split("\n\n", 1)[0]
    message = HeaderParser().parsestr(head + "\n\n", headersonly=True)
    return header_rule(dict(message.items()), where="headers")


def header_rule(headers, *, where: str = "headers") -> Rule:
    """The TDM pair in a mapping of HTTP headers (names in any case)."""
    folded = {str(name).strip().lower(): str(value).strip() for name, value in headers.items()}
    reservation, policy = folded.get("tdm-reservation"), folded.get("tdm-policy")
    if reservation is None and policy is None:
        raise SignalError(f"The {where} carry no tdm-reservation or tdm-policy.")
    raw = "\n".join(
        f"{name}: {value}"
        for name, value in (("tdm-reservation", reservation), ("tdm-policy", policy))
        if value is not None
    )
    return Rule(
        reservation=reservation_value(reservation, where=where),
        policy_url=policy_value(policy, where=where),
        raw=raw,
    )


@dataclass(frozen=True)
class MetaSignal:
    """What an HTML page's head says: the TDM pair, its canonical URL, and any problem."""

    rule: Rule | None
    canonical_url: str = ""
    problem: str = ""


def read_html_meta(html: str) -> MetaSignal:
    """Read <meta name="tdm-reservation"> and <meta name="tdm-policy"> from an HTML page."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        tree = lxml_html.document_fromstring(html)
    except (ValueError, etree.ParserError) as error:
        raise SignalError(f"The HTML cannot be read: {error}.") from None
    return meta_signal(tdm_meta(tree), canonical_url(tree))


def meta_signal(found: dict[str, str], canonical: str = "") -> MetaSignal:
    """The signal an HTML page's TDM meta pair gives; an invalid value is a problem (TDMRep:
    a protocol error leaves the value unset)."""
    if not found:
        return MetaSignal(None, canonical)
    raw = "\n".join(f'<meta name="{name}" content="{value}">' for name, value in found.items())
    try:
        rule = Rule(
            reservation=reservation_value(found.get("tdm-reservation"), where="HTML meta"),
            policy_url=policy_value(found.get("tdm-policy"), where="HTML meta"),
            raw=raw,
        )
    except SignalError as error:
        return MetaSignal(None, canonical, str(error))
    return MetaSignal(rule, canonical)


def read_robots_txt(text: str) -> list[RobotsRule]:
    """The Disallow rules robots.txt gives known AI crawlers (a group naming one of them)."""
    rules: list[RobotsRule] = []
    agents: list[str] = []
    in_rules = False
    seen_directive = False
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key in ("user-agent", "disallow", "allow", "crawl-delay", "sitemap"):
            seen_directive = True
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agents.append(value)
        elif key in ("disallow", "allow"):
            in_rules = True
            if key == "disallow" and value:
                for agent in agents:
                    name = _AI_CRAWLERS.get(agent.casefold())
                    if name:
                        rules.append(RobotsRule(name, value))
    if not seen_directive and text.strip():
        raise SignalError("robots.txt holds no User-agent, Allow or Disallow lines.")
    return rules


# Matching and precedence ------------------------------------------------------------------------


def pattern_matches(pattern: str, path: str) -> bool:
    """robots.txt-style matching (TDMRep §3.1): '*' any characters, '$' the end; a prefix
    otherwise; case-sensitive; percent-encoded unreserved characters compared decoded."""
    return _pattern_regex(pattern).match(_decode_unreserved(path or "/")) is not None


@lru_cache(maxsize=4096)
def _pattern_regex(pattern: str) -> re.Pattern:
    pattern = _decode_unreserved(pattern)
    anchored = pattern.endswith("$")
    if anchored:
        pattern = pattern[:-1]
    regex = ".*".join(re.escape(piece) for piece in pattern.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


def _decode_unreserved(text: str) -> str:
    def decode(match: re.Match) -> str:
        char = unquote(match.group(0))
        return char if re.fullmatch(r"[A-Za-z0-9\-._~]", char) else match.group(0)

    return re.sub(r"%[0-9A-Fa-f]{2}", decode, text)


def host_of(url: str) -> str:
    """The lowercased host of a URL, or "" (a port is kept: it is another origin)."""
    try:
        return (urlsplit(url.strip()).netloc or "").lower().rsplit("@", 1)[-1]
    except ValueError:
        return ""


@lru_cache(maxsize=65536)
def _resource_key(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url.strip())
    return parts.netloc.lower(), parts.path or "/", parts.query


@dataclass(frozen=True)
class Effective:
    """What the signals add up to for one resource.

    `reservation` is 1, 0 or None (unset); `decided_by` the signal that set it; `policy_url`
    the policy in force and `policy` its stored reading (None if it was never read);
    `conflicts` say where locations disagree; `informative` lists robots.txt rules.
    """

    url: str
    reservation: int | None = None
    decided_by: SiteSignal | None = None
    policy_url: str = ""
    policy: TdmPolicy | None = None
    conflicts: tuple[str, ...] = ()
    informative: tuple[str, ...] = ()
    stated: tuple[SiteSignal, ...] = ()

    @property
    def reserved(self) -> bool:
        return self.reservation == 1

    def where(self) -> str:
        """Where the deciding signal was read, for reasons and the terms' source field."""
        signal = self.decided_by
        if signal is None:
            return ""
        return describe(signal)


def describe(signal: SiteSignal) -> str:
    location = signal.get_location_display()
    if signal.location == Location.TDMREP_JSON:
        return f"{location} rule “{signal.pattern}” ({signal.source})"
    return f"{location} of {signal.resource_url or signal.source}"


@dataclass
class SiteIndex:
    """One site's current signals arranged for lookups: tdmrep.json rules in file order, the
    latest header/meta/metadata signal per resource and location, and robots.txt rules."""

    rules: list[SiteSignal] = field(default_factory=list)
    by_resource: dict[tuple, dict[str, SiteSignal]] = field(default_factory=dict)
    robots: list[SiteSignal] = field(default_factory=list)


def index_signals(signals: Iterable[SiteSignal]) -> dict[str, SiteIndex]:
    """Arrange signals by host, once, for any number of `effective()` lookups."""
    indexes: dict[str, SiteIndex] = {}
    for signal in signals:
        index = indexes.setdefault(signal.site.host, SiteIndex())
        if signal.location == Location.TDMREP_JSON:
            index.rules.append(signal)
        elif signal.location == Location.ROBOTS_TXT:
            index.robots.append(signal)
        elif signal.resource_url:
            own = index.by_resource.setdefault(_resource_key(signal.resource_url), {})
            held = own.get(signal.location)
            if held is None or (signal.observed_at, signal.pk or 0) > (
                held.observed_at,
                held.pk or 0,
            ):
                own[signal.location] = signal
    for index in indexes.values():
        index.rules.sort(key=lambda rule: rule.position)
    return indexes


def _latest_first(signal: SiteSignal) -> tuple:
    return signal.observed_at, signal.pk or 0


def effective(signals: Iterable[SiteSignal], url: str) -> Effective:
    """Apply TDMRep's processing priority to the current signals of a site, for one URL.

    tdmrep.json: the first rule (in file order) whose pattern matches the path; then the
    resource's header, HTML meta and EPUB/PDF signals in that order, each superseding the
    values before it; a missing value never resets one already found. Disagreement between
    locations is a conflict (the later location still wins); robots.txt rules only inform.
    """
    return effective_in(index_signals(signals).get(host_of(url)), url)


def effective_in(index: SiteIndex | None, url: str) -> Effective:
    """`effective()` over a site's prepared index (None: the site has no signals)."""
    if index is None:
        return Effective(url=url)
    decoded = _decode_unreserved(urlsplit(url).path or "/")
    chosen: list[SiteSignal] = []
    match = next(
        (rule for rule in index.rules if _pattern_regex(rule.pattern).match(decoded)), None
    )
    if match is not None:
        chosen.append(match)
    own = index.by_resource.get(_resource_key(url), {})
    chosen += [own[location] for location in PER_RESOURCE if location in own]
    reservation, decided_by, policy_url, policy = None, None, "", None
    for signal in chosen:
        if signal.reservation is not None:
            reservation, decided_by = signal.reservation, signal
        if signal.tdm_policy_url:
            policy_url, policy = signal.tdm_policy_url, signal.tdm_policy
    stated = [s for s in chosen if s.reservation is not None]
    conflicts = []
    if len({s.reservation for s in stated}) > 1:
        conflicts.append(
            "The machine-readable signals disagree for "
            + url
            + ": "
            + "; ".join(f"{describe(s)} says tdm-reservation {s.reservation}" for s in stated)
            + f". TDMRep's order makes the {decided_by.get_location_display()} decide "
            f"({reservation}); check with the publisher."
        )
    informative = tuple(
        f"robots.txt ({s.source}) disallows {s.user_agent} from {s.pattern}: informative, "
        "not a TDM reservation."
        for s in index.robots
        if _pattern_regex(s.pattern).match(decoded)
    )
    return Effective(
        url=url,
        reservation=reservation,
        decided_by=decided_by,
        policy_url=policy_url if reservation == 1 else "",  # TDMRep: ignore a policy under 0
        policy=policy if reservation == 1 else None,
        conflicts=tuple(conflicts),
        informative=informative,
        stated=tuple(stated),
    )


def site_conflicts(signals: Iterable[SiteSignal]) -> list[str]:
    """The conflicts on every resource a site's signals name (for the site policy page)."""
    signals = list(signals)
    urls = sorted({s.resource_url for s in signals if s.resource_url})
    found: list[str] = []
    for url in urls:
        found.extend(effective(signals, url).conflicts)
    return found


def signals_for(urls: Iterable[str]) -> dict[str, SiteIndex]:
    """The current signals of the sites these URLs are on, indexed by host: one query (none
    when no URL has a host)."""
    hosts = {host for host in (host_of(url) for url in urls if url) if host}
    if not hosts:
        return {}
    return index_signals(SiteSignal.objects.for_hosts(hosts))


def effective_for(url: str, indexes: dict[str, SiteIndex]) -> Effective | None:
    """The effective signal for a URL from preloaded signals; None when its site has none."""
    if not url:
        return None
    index = indexes.get(host_of(url))
    if index is None:
        return None
    return effective_in(index, url)


# TDM policies (ODRL) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Permission:
    action: str
    duties: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()
    target: str = ""


@dataclass(frozen=True)
class PolicyReading:
    uid: str = ""
    assigner: str = ""
    contact: str = ""
    permissions: tuple[Permission, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def mining(self) -> tuple[Permission, ...]:
        return tuple(p for p in self.permissions if p.action == TDM_MINE)


def _action(value) -> str:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("rdf:value") or value.get("value") or ""
    text = str(value or "").strip()
    if text in ("http://www.w3.org/ns/tdmrep#mine", "tdmrep:mine"):
        return TDM_MINE
    return text.removeprefix("odrl:").removeprefix("http://www.w3.org/ns/odrl/2/")


def _listed(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def read_policy(document) -> PolicyReading:
    """Read a TDMRep policy (ODRL Offer): who offers it, and each permission with its duties
    and constraints. Problems are listed, not raised: an unreadable policy leaves the
    conditions unknown, which `decide()` treats as no permission (fail closed)."""
    if not isinstance(document, dict):
        return PolicyReading(problems=("the policy is not a JSON object",))
    problems = []
    kind = document.get("@type") or document.get("type")
    if kind not in ("Offer", "odrl:Offer", "Agreement", "odrl:Agreement"):
        problems.append(f"its @type is {kind!r}, not Offer")
    permissions = []
    for item in _listed(document.get("permission")):
        if not isinstance(item, dict):
            problems.append("a permission is not an object")
            continue
        duties = tuple(
            _action(duty.get("action")) if isinstance(duty, dict) else str(duty)
            for duty in _listed(item.get("duty"))
        )
        constraints = tuple(
            " ".join(
                str(c.get(key, "")) for key in ("leftOperand", "operator", "rightOperand")
            ).strip()
            if isinstance(c, dict)
            else str(c)
            for c in _listed(item.get("constraint"))
        )
        target = item.get("target") or document.get("target") or ""
        permissions.append(
            Permission(_action(item.get("action")), duties, constraints, str(target))
        )
    if not permissions:
        problems.append("it has no permission")
    assigner = document.get("assigner") or {}
    if not isinstance(assigner, dict):
        assigner = {"vcard:fn": str(assigner)}
    contact = assigner.get("vcard:hasURL") or assigner.get("vcard:hasEmail") or ""
    return PolicyReading(
        uid=str(document.get("uid") or ""),
        assigner=str(assigner.get("vcard:fn") or assigner.get("uid") or ""),
        contact=str(contact),
        permissions=tuple(permissions),
        problems=tuple(problems),
    )


def parse_policy_text(text: str, *, where: str) -> dict:
    """Parse a policy file's JSON, or raise SignalError."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise SignalError(f"{where} is not JSON: {error}.") from None
    reading = read_policy(document)
    if reading.problems:
        raise SignalError(f"{where} is not a TDMRep policy: {'; '.join(reading.problems)}.")
    return document


# Recording --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """A signal to record: where it was read and what it says."""

    location: str
    source: str
    rules: tuple[Rule, ...] = ()
    robots: tuple[RobotsRule, ...] = ()
    resource_url: str = ""


@dataclass
class Recorded:
    site: SitePolicy
    signals: list[SiteSignal]
    warnings: list[str]


def site_policy_record(
    *,
    publisher: Organization,
    host: str,
    observations: Iterable[Observation],
    policies: dict[str, TdmPolicy] | None = None,
    now=None,
) -> Recorded:
    """Record observed signals on the publisher's site policy for `host`, atomically.

    A new tdmrep.json or robots.txt replaces the site's previous one; a new header, meta or
    EPUB/PDF signal replaces the previous one of its location for that resource (the old rows
    are kept, marked superseded). `policies` are the TDM policies already read, by URL.
    Returns the new signals and the warnings for the editor (conflicts, unread policies).
    Raises SignalError when the host belongs to another publisher's site policy.
    """
    host = host.strip().lower()
    if not host:
        raise SignalError("No site: give the site's URL or host.")
    now = now or timezone.now()
    policies = policies or {}
    with transaction.atomic():
        site, _ = SitePolicy.objects.select_for_update().get_or_create(
            host=host, defaults={"publisher": publisher}
        )
        if site.publisher_id != publisher.pk:
            raise SignalError(
                f"The site {host} is recorded as {site.publisher}'s, not {publisher}'s."
            )
        created: list[SiteSignal] = []
        for observation in observations:
            current = SiteSignal.objects.current().filter(site=site, location=observation.location)
            if observation.location in PER_RESOURCE:
                current = current.filter(resource_url=observation.resource_url)
            current.update(superseded_at=now)
            for position, rule in enumerate(observation.rules):
                created.append(
                    SiteSignal(
                        site=site,
                        location=observation.location,
                        pattern=rule.pattern,
                        position=position,
                        resource_url=observation.resource_url,
                        reservation=rule.reservation,
                        tdm_policy_url=rule.policy_url,
                        tdm_policy=policies.get(rule.policy_url),
                        source=observation.source,
                        observed_at=now,
                        raw=rule.raw,
                    )
                )
            for position, robots in enumerate(observation.robots):
                created.append(
                    SiteSignal(
                        site=site,
                        location=Location.ROBOTS_TXT,
                        pattern=robots.path,
                        position=position,
                        user_agent=robots.user_agent,
                        source=observation.source,
                        observed_at=now,
                        raw=f"User-agent: {robots.user_agent}\nDisallow: {robots.path}",
                    )
                )
        for signal in created:
            try:
                signal.full_clean(exclude=["site", "tdm_policy"])
            except ValidationError as error:
                name, messages = field_messages(error)[0]
                raise SignalError(f"Invalid {name or 'signal'}: {' '.join(messages)}") from None
        SiteSignal.objects.bulk_create(created)
        # Link earlier signals naming a policy read now.
        for url, policy in policies.items():
            SiteSignal.objects.current().filter(
                site=site, tdm_policy_url=url, tdm_policy__isnull=True
            ).update(tdm_policy=policy)
        site.save(update_fields=["updated_at"])
    current = list(SiteSignal.objects.current().filter(site=site).select_related("site"))
    warnings = site_conflicts(current)
    for signal in created:
        policy = signal.tdm_policy
        if signal.tdm_policy_url and (policy is None or not policy.document):
            warnings.append(
                f"The policy {signal.tdm_policy_url} was not read: until it is (record it with "
                "--tdm-policy), mining stays reserved with no known way to license it."
            )
    return Recorded(site=site, signals=created, warnings=list(dict.fromkeys(warnings)))


def tdm_policy_store(*, url: str, document: dict | None, source: str, problem: str = ""):
    """Store (or replace) the reading of the TDM policy at `url`."""
    policy, _ = TdmPolicy.objects.update_or_create(
        url=url,
        defaults={
            "document": document,
            "problem": problem[:500],
            "source": source,
            "recorded_at": timezone.now(),
        },
    )
    return policy


# On import ---------------------------------------------------------------------------------------


def document_signal_record(
    *, document: Document, location: str, rule: Rule, source: str, warnings: list[str]
) -> None:
    """Record a signal read with a document (its page's meta pair, its response's headers) on
    the publisher's site policy, and bring it into the document's licence terms.

    Runs inside the import's transaction. A document without a URL, or on a site recorded as
    another publisher's, cannot be tied to a site: the terms still take the signal.
    """
    where = f"{Location(location).label} of {document.url or source}"
    if not document.url:
        warnings.append(
            f"The {Location(location).label} says tdm-reservation {rule.reservation}, but the "
            "document has no URL, so it is not recorded on a site policy."
        )
    else:
        try:
            recorded = site_policy_record(
                publisher=document.publisher,
                host=host_of(document.url),
                observations=[
                    Observation(location, source=source, rules=(rule,), resource_url=document.url)
                ],
            )
        except SignalError as error:
            warnings.append(f"The {Location(location).label} was not recorded: {error}")
        else:
            warnings.append(
                f"Recorded the {Location(location).label} (tdm-reservation "
                f"{'unset' if rule.reservation is None else rule.reservation}"
                + (f", tdm-policy {rule.policy_url}" if rule.policy_url else "")
                + f") on the site policy of {recorded.site.host}."
            )
            warnings.extend(recorded.warnings)
    if document.license is not None:
        license_terms_apply_signal(
            terms=document.license, rule=rule, where=where, warnings=warnings
        )
    elif rule.reservation is not None:
        warnings.append(
            "No rights notice, so no licence terms: mining decisions read the machine-readable "
            "signal from the site policy."
        )


def license_terms_apply_signal(
    *, terms: LicenseTerms, rule: Rule, where: str, warnings: list[str]
) -> LicenseTerms:
    """Record a machine-readable signal on licence terms: expression machine-readable, the
    policy URL and where it was read; the status only where the notice leaves TDM open.

    Fail closed: a `tdm-reservation: 0` never weakens a reservation in the notice, a `1`
    outranks a notice's "not reserved", and terms an editor confirmed are left as they are
    (a disagreement is a warning for the editor).
    """
    Status = LicenseTerms.TdmStatus
    if rule.reservation is None:
        return terms
    if terms.confirmed_at is not None:
        if (rule.reservation == 1) != terms.tdm_reserved:
            warnings.append(
                f"The {where} says tdm-reservation {rule.reservation}, but an editor confirmed "
                f"{terms.holder}'s terms as “{terms.get_tdm_status_display()}”; they stand."
            )
        return terms
    changed = ["tdm_expression", "tdm_signal_source"]
    if rule.reservation == 1:
        if terms.tdm_status == Status.NOT_RESERVED:
            warnings.append(
                f"{terms.holder}'s notice says mining is not reserved, but the {where} says "
                "tdm-reservation 1: recorded as reserved until an editor confirms the terms."
            )
        if terms.tdm_status in (Status.NOT_EXPRESSED, Status.NOT_RESERVED):
            terms.tdm_status = Status.RESERVED
            changed.append("tdm_status")
        if rule.policy_url:
            terms.tdm_policy_url = rule.policy_url
            changed.append("tdm_policy_url")
    elif terms.tdm_reserved:
        warnings.append(
            f"The {where} says tdm-reservation 0, but {terms.holder}'s notice reserves text and "
            "data mining: the reservation stands unless an editor confirms otherwise."
        )
        return terms
    elif terms.tdm_status == Status.NOT_EXPRESSED:
        terms.tdm_status = Status.NOT_RESERVED
        changed.append("tdm_status")
    terms.tdm_expression = LicenseTerms.TdmExpression.MACHINE_READABLE
    terms.tdm_signal_source = where[:2000]
    terms.save(update_fields=[*changed, "updated_at"])
    return terms
