"""The one place that decides what may be done with a document under its licence terms.

Everything that shows, quotes, mines or shares a document's text asks `decide()`: the admin,
the suggester, the API and the exports. Each answer names the clause it rests on, so an editor
or an API consumer can see why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import cached_property

from django.utils import timezone

from sources.models import Agreement, Document, LicenseTerms
from sources.site_policy import (
    COMPENSATE,
    OBTAIN_CONSENT,
    Effective,
    effective_for,
    read_policy,
    signals_for,
)


class Action(StrEnum):
    VIEW_FULL_TEXT = "view_full_text"
    QUOTE_EXTERNALLY = "quote_externally"
    MINE = "mine"
    SHARE_OUTSIDE = "share_outside"


class Audience(StrEnum):
    """Who would receive the text: the newsroom's own staff, or anyone outside it."""

    STAFF = "staff"
    EXTERNAL = "external"


ACTION_LABELS = {
    Action.VIEW_FULL_TEXT: "view the full text",
    Action.QUOTE_EXTERNALLY: "quote it to outside consumers",
    Action.MINE: "mine it automatically",
    Action.SHARE_OUTSIDE: "share it outside the newsroom",
}


class _NotGiven(Enum):
    """A real sentinel: `None` already means "no agreement" to `decide()`."""

    NOT_GIVEN = "not given"


NOT_GIVEN = _NotGiven.NOT_GIVEN


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    clause: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def audience_for(user) -> Audience:
    """Return the audience a user belongs to: staff inside the newsroom, else external.

    The one rule for who is inside the newsroom, for licensing and for visibility alike:
    an active staff account (superusers included only when they are staff accounts too).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Audience.EXTERNAL
    if user.is_staff:
        return Audience.STAFF
    return Audience.EXTERNAL


def is_inside(user) -> bool:
    """Tell whether a user is inside the newsroom (sees staff visibility and licensing)."""
    return audience_for(user) == Audience.STAFF


def _holder_ids(terms: LicenseTerms) -> set[int]:
    """The holder and the group it belongs to: an agreement with either applies."""
    return {terms.holder_id, terms.holder.parent_id} - {None}


def agreement_for(terms: LicenseTerms | None, *, on=None) -> Agreement | None:
    """Return the agreement in force with the terms' holder (or its group), if any."""
    if terms is None:
        return None
    return agreements_for([terms], on=on).get(terms.pk)


def agreements_for(terms_list: Iterable[LicenseTerms | None], *, on=None) -> dict:
    """Map each terms' pk to the agreement in force for it (or None), in one query."""
    terms_list = [terms for terms in terms_list if terms is not None]
    holder_ids = set().union(*(_holder_ids(terms) for terms in terms_list))
    if not holder_ids:
        return {}
    by_holder: dict[int, Agreement] = {}
    for agreement in (
        Agreement.objects.in_force(on)
        .filter(holder_id__in=holder_ids)
        .select_related("holder")
        .order_by("valid_from", "pk")  # the latest wins below
    ):
        by_holder[agreement.holder_id] = agreement
    return {terms.pk: _in_force(terms, by_holder) for terms in terms_list}


def _in_force(terms: LicenseTerms, by_holder: dict[int, Agreement]) -> Agreement | None:
    """The agreement in force for these terms among `by_holder`'s (the newest per holder):
    the holder's own, else its group's."""
    own = by_holder.get(terms.holder_id)
    if own is not None or not terms.holder.parent_id:
        return own
    return by_holder.get(terms.holder.parent_id)


def agreements_column(terms: str = "license", *, on=None):
    """A PostgreSQL column for a query of rows with licence terms at `terms` (the name of
    their foreign key to LicenseTerms): the agreements in force on `on` (now) with the terms'
    holder or its group, oldest first, as JSON.

    Correlated on the key alone, so the column means the same whatever the outer query joins
    (a join to the holder would depend on the outer query's aliases). Saves `agreements_for`'s
    query where the rows are loaded anyway; read it back with `agreements_from_column`.
    """
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import OuterRef, Q, Subquery
    from django.db.models.functions import JSONObject

    held = LicenseTerms.objects.filter(pk=OuterRef(OuterRef(f"{terms}_id")))
    fields = {field.attname: field.attname for field in Agreement._meta.concrete_fields}
    return ArraySubquery(
        Agreement.objects.in_force(on)
        .filter(
            Q(holder_id=Subquery(held.values("holder_id")[:1]))
            | Q(holder_id=Subquery(held.values("holder__parent_id")[:1]))
        )
        .order_by("valid_from", "pk")  # the latest wins, as in agreements_for
        .values(json=JSONObject(**fields))
    )


def agreements_from_column(documents: Iterable[Document], column: str = "_agreements") -> dict:
    """`agreements_for` the documents' terms, from the `agreements_column` they were loaded with
    (their terms' holders and groups loaded too): no query."""
    found = {}
    for document in documents:
        terms = document.license
        if terms is None:
            continue
        by_holder: dict[int, Agreement] = {}
        for row in getattr(document, column):
            agreement = Agreement(
                **{
                    field.attname: field.to_python(row[field.attname])
                    for field in Agreement._meta.concrete_fields
                }
            )
            by_holder[agreement.holder_id] = agreement
        agreement = _in_force(terms, by_holder)
        if agreement is not None:  # its holder, as agreements_for's select_related loads it
            own = agreement.holder_id == terms.holder_id
            agreement.holder = terms.holder if own else terms.holder.parent
        found[terms.pk] = agreement
    return found


# Import defaults until an editor reads the terms: a notice that reserves rights but grants
# nothing keeps the text in the newsroom, and new terms allow no quotes to outside consumers.
UNGRANTED_RESERVATION_SCOPE = LicenseTerms.SharingScope.INTERNAL
NEW_TERMS_MAX_EXTERNAL_QUOTE_CHARS = 0


def decide(
    *,
    document: Document,
    action: Action,
    audience: Audience,
    characters: int = 0,
    agreement: Agreement | None | _NotGiven = NOT_GIVEN,
    site_signal: Effective | None | _NotGiven = NOT_GIVEN,
) -> Decision:
    """Decide whether `audience` may do `action` with `document`; name the clause either way.

    `characters` is the length of the excerpt for QUOTE_EXTERNALLY (VIEW_FULL_TEXT uses the
    body's length). Pass `agreement` when it is already known (None for "no agreement") to save
    the query; by default it is looked up. Likewise `site_signal`, the machine-readable TDM
    signals of the document's site in effect for its URL (`site_signal_for`), which MINE
    consults when the terms do not settle text and data mining.
    """
    if document.withdrawn_at is not None and audience == Audience.EXTERNAL:
        # A kill notice from the sender outranks any licence: nothing of it goes outside.
        reason = document.withdrawn_reason or "its sender withdrew it"
        return Decision(
            False,
            f"This document was withdrawn on {document.withdrawn_at:%Y-%m-%d}: {reason}.",
        )
    embargoed = embargo_refusal(document, audience)
    if embargoed is not None:
        return embargoed
    terms = document.license
    if agreement is NOT_GIVEN:
        agreement = agreement_for(terms)
    if action == Action.VIEW_FULL_TEXT:
        characters = len(document.body)
    decision = _DECIDERS[action](terms, agreement, audience, characters)
    if action == Action.MINE:
        if site_signal is NOT_GIVEN:
            site_signal = site_signal_for(document)
        return _mine_under_site_signal(decision, terms, agreement, site_signal)
    return decision


def embargo_refusal(document: Document, audience: Audience) -> Decision | None:
    """Refuse every outside use of a document whose embargo has not passed; None otherwise.

    An embargo outranks any licence or agreement: until it passes nothing of the document
    goes outside. Judged against django.utils.timezone.now() (Document.is_under_embargo).
    """
    if audience != Audience.EXTERNAL or not document.is_under_embargo():
        return None
    return Decision(
        False,
        f"This document is under embargo until {document.embargo_until:%Y-%m-%d %H:%M:%S %Z}: "
        "nothing of it goes outside the newsroom before then.",
    )


def _clause(terms: LicenseTerms, text: str) -> str:
    return (text or terms.notice).strip()


def _view_full_text(terms, agreement, audience, characters) -> Decision:
    if audience == Audience.STAFF:
        return Decision(True, "Newsroom staff may read documents the newsroom obtained.")
    shared = _share_outside(terms, agreement, audience, characters)
    if not shared:
        return Decision(
            False,
            f"Full text is not available outside the newsroom: {shared.reason}",
            shared.clause,
        )
    # Giving out the whole text is quoting all of it: the quotation limit applies too.
    quoted = _quote_externally(terms, agreement, audience, characters)
    if not quoted:
        return Decision(
            False,
            f"Full text is not available outside the newsroom: {quoted.reason}",
            quoted.clause,
        )
    return Decision(True, f"Full text may go outside the newsroom: {shared.reason}", shared.clause)


@dataclass(frozen=True)
class QuoteLimit:
    """How many characters of a document may go to outside consumers, and on whose word."""

    characters: int
    source: str  # "DK Medier's terms" or "The newsroom's agreement with DK Medier"
    clause: str  # the public clause; an agreement's wording stays the newsroom's business
    from_agreement: bool


def quote_limit(terms: LicenseTerms, agreement: Agreement | None) -> QuoteLimit:
    """The quotation limit, with its precedence: an agreement's limit replaces the terms'."""
    if agreement is not None and agreement.max_external_quote_chars is not None:
        return QuoteLimit(
            agreement.max_external_quote_chars,
            f"The newsroom's agreement with {agreement.holder}",
            "",
            True,
        )
    return QuoteLimit(
        terms.max_external_quote_chars,
        f"{terms.holder}'s terms",
        _clause(terms, terms.sharing_clause),
        False,
    )


def _quote_externally(terms, agreement, audience, characters) -> Decision:
    if audience == Audience.STAFF:
        return Decision(True, "Quoting inside the newsroom is internal use.")
    if terms is None:
        return Decision(
            False,
            "No licence terms are recorded for this document, so nothing may be quoted "
            "to outside consumers until an editor records them.",
        )
    # The newsroom's own agreement is an editor's record, so its quote limit stands alone.
    from_agreement = agreement is not None and agreement.max_external_quote_chars is not None
    if terms.awaits_confirmation and not from_agreement:
        return _awaiting(terms, "nothing of it is quoted to outside consumers")
    allowance = quote_limit(terms, agreement)
    limit, source, clause = allowance.characters, allowance.source, allowance.clause
    if limit == 0:
        return Decision(False, f"{source} allow no quotation to outside consumers.", clause)
    if characters > limit:
        return Decision(
            False,
            f"{source} allow quotes of at most {limit} characters; this one has {characters}.",
            clause,
        )
    return Decision(True, f"{source} allow quotes of up to {limit} characters.", clause)


def _awaiting(terms: LicenseTerms, what: str) -> Decision:
    """Fail closed: terms the importer could not read withhold `what` until an editor confirms."""
    return Decision(
        False,
        f"{terms.holder}'s rights notice could not be classified, so the terms await an "
        f"editor's confirmation; until then the document is treated as reserved and {what}.",
        _clause(terms, terms.tdm_clause),
    )


def _mine(terms, agreement, audience, characters) -> Decision:
    Status = LicenseTerms.TdmStatus
    if terms is None or not terms.tdm_reserved:
        if terms is None:
            return Decision(
                True,
                "No licence terms are recorded, so no reservation of text and data mining "
                "is known.",
            )
        if terms.tdm_status == Status.NOT_RESERVED:
            return Decision(
                True,
                f"{terms.holder}'s terms say text and data mining is not reserved.",
                terms.tdm_clause,
            )
        return Decision(True, f"{terms.holder} has not reserved text and data mining.")
    if agreement is not None and agreement.grants_tdm:
        return Decision(
            True,
            f"Agreement '{agreement.reference}' with {agreement.holder} grants text and data "
            "mining.",
            agreement.clause,
        )
    if terms.awaits_confirmation:
        return _awaiting(terms, "it is not mined")
    basis = f" under {terms.tdm_legal_basis}" if terms.tdm_legal_basis else ""
    clause = _clause(terms, terms.tdm_clause)
    if terms.tdm_status == Status.PARTIAL:
        part = f" (“{terms.tdm_scope}”)" if terms.tdm_scope else ""
        return Decision(
            False,
            f"{terms.holder}'s terms reserve text and data mining for part of the content"
            f"{part}{basis}; that part cannot be told apart from the rest of the text, so the "
            "document is not mined unless an agreement grants it or an editor records that "
            "the reservation does not cover it.",
            clause,
        )
    if terms.tdm_status == Status.CONDITIONAL:
        return Decision(
            False,
            f"{terms.holder} allows text and data mining only under a licence or permission"
            f"{basis}, and no agreement in force grants it.",
            clause,
        )
    if terms.tdm_status == Status.UNKNOWN:
        # Confirmed by an editor as unknown is impossible (the service refuses); be safe anyway.
        return _awaiting(terms, "it is not mined")
    return Decision(
        False,
        f"{terms.holder} reserves text and data mining{basis}, and no agreement in force "
        "grants it.",
        clause,
    )


def _share_outside(terms, agreement, audience, characters) -> Decision:
    if terms is None:
        return Decision(
            False,
            "No licence terms are recorded for this document, so it may not be shared "
            "outside the newsroom.",
        )
    if agreement is not None and agreement.grants_external_sharing:
        return Decision(
            True,
            f"Agreement '{agreement.reference}' with {agreement.holder} grants sharing outside "
            "the newsroom.",
            agreement.clause,
        )
    if terms.awaits_confirmation:
        return _awaiting(terms, "it is not shared outside the newsroom")
    if terms.sharing_scope == LicenseTerms.SharingScope.PUBLIC:
        return Decision(True, f"{terms.holder}'s terms allow public sharing.", terms.sharing_clause)
    return Decision(
        False,
        f"{terms.holder}'s terms limit sharing to {terms.get_sharing_scope_display().lower()}.",
        _clause(terms, terms.sharing_clause),
    )


# Machine-readable signals (TDMRep) ------------------------------------------------------------


def site_signal_for(document: Document) -> Effective | None:
    """The site's machine-readable TDM signals in effect for this document's URL (one query)."""
    if not document.url:
        return None
    return effective_for(document.url, signals_for([document.url]))


def site_signals_for(documents: Iterable[Document]) -> dict[int, Effective | None]:
    """Map each document's pk to the site signals in effect for its URL, in one query."""
    documents = list(documents)
    by_host = signals_for(document.url for document in documents if document.url)
    return {document.pk: effective_for(document.url, by_host) for document in documents}


def _terms_settle_tdm(terms: LicenseTerms | None) -> bool:
    """Whether the terms answer the TDM question themselves: the notice reserves (a reservation
    in words is never weakened by a machine-readable 0), or an editor confirmed what it says."""
    if terms is None or terms.tdm_status == LicenseTerms.TdmStatus.NOT_EXPRESSED:
        return False  # a notice silent on TDM leaves it to the signals, confirmed or not
    if terms.confirmed_at is not None:
        return True
    return terms.tdm_status != LicenseTerms.TdmStatus.NOT_RESERVED


def _mine_under_site_signal(
    decision: Decision, terms: LicenseTerms | None, agreement, signal: Effective | None
) -> Decision:
    """Bring the site's machine-readable signal into a mining decision.

    The terms decide when they settle TDM (see `_terms_settle_tdm`); a machine-readable
    `tdm-reservation: 1` then only adds what its policy offers to the reason. When they do not
    settle it, the signal does: 0 allows mining, 1 reserves it — and outranks a notice that
    says "not reserved" until an editor confirms the terms (fail closed). Under 1 the TDM
    policy's permissions and duties say how mining could be licensed: a permission with a duty
    (obtainConsent, compensate, an offer to accept) needs an agreement in force.
    """
    if signal is None or signal.reservation is None:
        return decision
    where = signal.where()
    if _terms_settle_tdm(terms):
        if decision.allowed:
            return decision
        if signal.reservation == 0:
            return Decision(
                False,
                f"{decision.reason} The publisher's machine-readable signal ({where}) says "
                "tdm-reservation 0, but it never weakens a reservation in the notice: the "
                "reservation stands unless an editor confirms otherwise.",
                decision.clause,
            )
        return Decision(False, f"{decision.reason} {_policy_says(signal)}", decision.clause)
    if signal.reservation == 0:
        if terms is not None and terms.tdm_status == LicenseTerms.TdmStatus.NOT_RESERVED:
            return decision
        return Decision(
            True,
            f"The publisher's machine-readable signal ({where}) says text and data mining is "
            "not reserved (tdm-reservation 0).",
            signal.decided_by.raw if signal.decided_by else "",
        )
    # tdm-reservation: 1, and the terms do not settle TDM.
    if agreement is not None and agreement.grants_tdm:
        return Decision(
            True,
            f"Agreement '{agreement.reference}' with {agreement.holder} grants text and data "
            f"mining, which the publisher's machine-readable signal ({where}) reserves.",
            agreement.clause,
        )
    clause = signal.decided_by.raw if signal.decided_by else ""
    contradicts = ""
    if terms is not None and terms.tdm_status == LicenseTerms.TdmStatus.NOT_RESERVED:
        contradicts = (
            f" {terms.holder}'s notice says mining is not reserved, but until an editor "
            "confirms the terms the reservation stands (fail closed)."
        )
    policy = signal.policy
    reading = read_policy(policy.document) if policy is not None and policy.document else None
    if reading is not None and not reading.problems:
        free = [p for p in reading.mining if not p.duties and not p.constraints]
        if free:
            return Decision(
                True,
                f"The publisher reserves text and data mining ({where}), and its TDM policy "
                f"{signal.policy_url} permits tdm:mine with no duty or constraint.",
                clause,
            )
    return Decision(
        False,
        f"The publisher reserves text and data mining in machine-readable form ({where})."
        f"{contradicts} {_policy_says(signal)}",
        clause,
    )


def _policy_says(signal: Effective) -> str:
    """What the signal's TDM policy offers, in one or two sentences naming its URL."""
    if not signal.policy_url:
        return "It names no TDM policy, so there is no offer to license mining."
    policy = signal.policy
    if policy is None or not policy.document:
        why = f" ({policy.problem})" if policy is not None and policy.problem else ""
        return (
            f"Its TDM policy {signal.policy_url} has not been read{why}, so the conditions are "
            "unknown and mining is not allowed."
        )
    reading = read_policy(policy.document)
    if reading.problems:
        return (
            f"Its TDM policy {signal.policy_url} cannot be read ({'; '.join(reading.problems)}), "
            "so the conditions are unknown and mining is not allowed."
        )
    mining = reading.mining
    if not mining:
        return f"Its TDM policy {signal.policy_url} offers no tdm:mine permission."
    contact = f" (contact: {reading.contact})" if reading.contact else ""
    parts = []
    for permission in mining:
        needs = []
        if OBTAIN_CONSENT in permission.duties:
            needs.append("the publisher's consent")
        if COMPENSATE in permission.duties:
            needs.append("payment")
        needs += [f"duty {d}" for d in permission.duties if d not in (OBTAIN_CONSENT, COMPENSATE)]
        needs += [f"constraint {c}" for c in permission.constraints]
        parts.append(" and ".join(needs) if needs else "no duty")
    return (
        f"Its TDM policy {signal.policy_url} permits tdm:mine only with "
        + "; or ".join(parts)
        + f"{contact}: mining is allowed only under an agreement that grants it, and none in "
        "force does."
    )


_DECIDERS = {
    Action.VIEW_FULL_TEXT: _view_full_text,
    Action.QUOTE_EXTERNALLY: _quote_externally,
    Action.MINE: _mine,
    Action.SHARE_OUTSIDE: _share_outside,
}


def summary(
    document: Document, *, quote_characters: int = 200
) -> list[tuple[Audience, Action, Decision]]:
    """Return every audience × action decision for a document (for the admin's licence panel)."""
    agreement = agreement_for(document.license, on=timezone.now())
    signal = site_signal_for(document)
    rows = []
    for audience in Audience:
        for action in Action:
            decision = decide(
                document=document,
                action=action,
                audience=audience,
                characters=quote_characters,
                agreement=agreement,
                site_signal=signal,
            )
            rows.append((audience, action, decision))
    return rows


# Disclosure: what one response may carry ----------------------------------------------------


@dataclass(frozen=True)
class Excerpt:
    """A span of a document's text that some response could carry to its reader.

    `key` names it for the caller (e.g. ``("appearance", 12, "quote")``); `start`/`end` are
    code-point offsets into the body, end exclusive, or None when the text is not anchored (it
    then counts in full, as if it shared nothing with the rest).
    """

    key: tuple
    document_id: int
    start: int | None
    end: int | None
    characters: int


@dataclass(frozen=True)
class Release:
    """Whether a piece of text goes out in this response; if not, why (reason and clause)."""

    allowed: bool
    withheld: str | None = None

    def __bool__(self) -> bool:
        return self.allowed

    @classmethod
    def of(cls, decision: Decision) -> Release:
        if decision.allowed:
            return cls(True)
        clause = f" Clause: “{decision.clause}”" if decision.clause else ""
        return cls(False, f"{decision.reason}{clause}")


NOT_PREPARED = Release(
    False, "This response was not prepared to carry licensed text, so none is included."
)


class Disclosure:
    """What one response may carry of its documents' text, decided once, up front.

    Built for an audience and the documents the response draws on (agreements are looked up
    once, here). Outside the newsroom a document's quotation limit is a budget: the distinct
    characters that outside consumers can obtain of it — every quote and quote-with-context
    recorded against it, in any response — never exceed what its terms (or the agreement)
    allow. `recorded` lists those excerpts in the order they were recorded; each takes what it
    needs while the budget lasts, so an excerpt recorded later never displaces an earlier one.
    `served` are spans already given out (the ledger): they are taken first, whether or not
    anything still carries them, so deleting a quote never frees budget that was spent.
    `shown` are the keys of the excerpts this response carries, `full_text` the documents whose
    whole body it carries. Serializers and exports only read the answers; `served` (the
    documents whose text went out, for the TDMRep headers) and `last_modified` derive from them.
    """

    def __init__(
        self,
        *,
        audience: Audience,
        documents: Iterable[Document],
        recorded: Iterable[Excerpt] = (),
        served: Iterable[Excerpt] = (),
        shown: Iterable[tuple] = (),
        full_text: Iterable[Document] = (),
        agreements: dict | None = None,
    ) -> None:
        self.audience = audience
        self.documents = {document.pk: document for document in documents}
        full_text = {document.pk: document for document in full_text}
        self.documents |= full_text
        self.agreements = (
            agreements
            if agreements is not None
            else agreements_for(document.license for document in self.documents.values())
        )
        self._shown = set(shown)
        self._excerpts = self._allocate(recorded, served)
        self._full_text = {pk: self._decide_full_text(doc) for pk, doc in full_text.items()}

    @cached_property
    def site_signals(self) -> dict[int, Effective | None]:
        """Each document's site signals in effect for its URL: loaded once, in one query, the
        first time a mining decision (the TDMRep headers) needs them."""
        return site_signals_for(self.documents.values())

    @classmethod
    def nothing(cls, audience: Audience) -> Disclosure:
        """A disclosure that carries no licensed text (fails closed where none was prepared)."""
        return cls(audience=audience, documents=())

    # answers ----------------------------------------------------------------------------------

    def excerpt(self, key: tuple) -> Release:
        """May the excerpt named `key` go out in this response?"""
        if key not in self._shown:
            return NOT_PREPARED
        return self._excerpts.get(key, (None, NOT_PREPARED))[1]

    def full_text(self, document: Document) -> Release:
        """May this document's whole body go out in this response?"""
        return self._full_text.get(document.pk, NOT_PREPARED)

    def quote_limit(self, document: Document) -> QuoteLimit | None:
        """The document's quotation limit for outside consumers (None without terms)."""
        if document.license is None:
            return None
        return quote_limit(document.license, self.agreements.get(document.license_id))

    @property
    def served(self) -> list[Document]:
        """The documents whose text this response carries, by id."""
        ids = {
            pk for key, (pk, release) in self._excerpts.items() if key in self._shown and release
        }
        ids |= {pk for pk, release in self._full_text.items() if release}
        return [self.documents[pk] for pk in sorted(ids)]

    @property
    def last_modified(self):
        """The latest change to the documents, their terms and the agreements in force."""
        stamps = []
        for document in self.documents.values():
            stamps.append(document.updated_at)
            if not document.is_under_embargo():
                stamps.append(document.embargo_until)  # what it shows changed when it passed
            if document.license is not None:
                stamps.append(document.license.updated_at)
        stamps += [a.updated_at for a in self.agreements.values() if a is not None]
        return max((stamp for stamp in stamps if stamp is not None), default=None)

    # deciding ---------------------------------------------------------------------------------

    def _decide_full_text(self, document: Document) -> Release:
        return Release.of(
            decide(
                document=document,
                action=Action.VIEW_FULL_TEXT,
                audience=self.audience,
                agreement=self.agreements.get(document.license_id),
            )
        )

    def _allocate(
        self, recorded: Iterable[Excerpt], served: Iterable[Excerpt] = ()
    ) -> dict[tuple, tuple[int, Release]]:
        """Map the key of each excerpt this response shows to (its document's id, whether it
        goes out). Every recorded excerpt takes its share of the budget; only those shown get
        an answer worded."""
        releases: dict[tuple, tuple[int, Release]] = {}
        shown = self._shown
        taken: dict[int, GivenOut] = {}  # per document: the characters already given out
        if self.audience != Audience.STAFF:
            for span in served:
                taken.setdefault(span.document_id, GivenOut()).add(span)
        # A document's decision depends on the excerpt only through its length, and its budget
        # not at all: each is decided once per response (a page's documents carry hundreds).
        decisions: dict[tuple[int, int], Decision] = {}
        budgets: dict[int, QuoteLimit] = {}
        for excerpt in recorded:
            document = self.documents.get(excerpt.document_id)
            if document is None:
                continue  # not one of this response's documents
            agreement = self.agreements.get(document.license_id)
            decision = decisions.get((document.pk, excerpt.characters))
            if decision is None:
                decision = decisions[document.pk, excerpt.characters] = decide(
                    document=document,
                    action=Action.QUOTE_EXTERNALLY,
                    audience=self.audience,
                    characters=excerpt.characters,
                    agreement=agreement,
                )
            if not decision or self.audience == Audience.STAFF:
                if excerpt.key in shown:
                    releases[excerpt.key] = (document.pk, Release.of(decision))
                continue
            used = taken.setdefault(document.pk, GivenOut())
            budget = budgets.get(document.pk)
            if budget is None:
                budget = budgets[document.pk] = quote_limit(document.license, agreement)
            if used.size_with(excerpt) > budget.characters:
                if excerpt.key in shown:
                    releases[excerpt.key] = (document.pk, _over_budget(budget, len(used)))
                continue
            used.add(excerpt)
            if excerpt.key in shown:
                releases[excerpt.key] = (document.pk, RELEASED)
        return releases


RELEASED = Release(True)


def _over_budget(budget: QuoteLimit, used: int) -> Release:
    return Release.of(
        Decision(
            False,
            f"{budget.source} allow at most {budget.characters} characters of this "
            "document to go to outside consumers in all, and text already "
            f"given out or quoted before this one uses {used} of them.",
            budget.clause,
        )
    )


class GivenOut:
    """The distinct characters of one document given out so far, as a budget counts them.

    Anchored excerpts cover the code points `start`..`end` of the body: overlapping ones share
    characters, so they are kept as disjoint intervals (cost grows with excerpts, not with
    their length). Unanchored text counts in full, as if it shared nothing with the rest, once
    per key.
    """

    __slots__ = ("_loose", "_spans", "size")

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []  # sorted, disjoint, non-empty [start, end)
        self._loose: dict[tuple, int] = {}
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def size_with(self, excerpt: Excerpt) -> int:
        """How many distinct characters would be given out with `excerpt` too."""
        if excerpt.start is None or excerpt.end is None:
            had = self._loose.get(excerpt.key, 0)
            return self.size - had + max(had, excerpt.characters)
        start, end = excerpt.start, excerpt.end
        if end <= start:
            return self.size
        shared = sum(max(0, min(end, e) - max(start, s)) for s, e in self._spans)
        return self.size + (end - start) - shared

    def add(self, excerpt: Excerpt) -> None:
        size = self.size_with(excerpt)
        if excerpt.start is None or excerpt.end is None:
            self._loose[excerpt.key] = max(self._loose.get(excerpt.key, 0), excerpt.characters)
        elif excerpt.end > excerpt.start:
            start, end = excerpt.start, excerpt.end
            kept = []
            for s, e in self._spans:
                if e < start or s > end:  # apart (touching spans merge)
                    kept.append((s, e))
                else:
                    start, end = min(start, s), max(end, e)
            kept.append((start, end))
            self._spans = sorted(kept)
        self.size = size
