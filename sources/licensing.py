"""The one place that decides what may be done with a document under its licence terms.

Everything that shows, quotes, mines or shares a document's text asks `decide()`: the admin,
the suggester, the API and the exports. Each answer names the clause it rests on, so an editor
or an API consumer can see why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, StrEnum

from django.utils import timezone

from sources.models import Agreement, Document, LicenseTerms


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
    found = {}
    for terms in terms_list:
        own = by_holder.get(terms.holder_id)
        group = by_holder.get(terms.holder.parent_id) if terms.holder.parent_id else None
        found[terms.pk] = own or group
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
) -> Decision:
    """Decide whether `audience` may do `action` with `document`; name the clause either way.

    `characters` is the length of the excerpt for QUOTE_EXTERNALLY (VIEW_FULL_TEXT uses the
    body's length). Pass `agreement` when it is already known (None for "no agreement") to save
    the query; by default it is looked up.
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
    return _DECIDERS[action](terms, agreement, audience, characters)


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
                "No licence terms are recorded, so no holder has not reserved text and data "
                "mining.",
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
    rows = []
    for audience in Audience:
        for action in Action:
            decision = decide(
                document=document,
                action=action,
                audience=audience,
                characters=quote_characters,
                agreement=agreement,
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
        self._excerpts = self._allocate(recorded)
        self._full_text = {pk: self._decide_full_text(doc) for pk, doc in full_text.items()}
        self._shown = set(shown)

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

    def _allocate(self, recorded: Iterable[Excerpt]) -> dict[tuple, tuple[int, Release]]:
        """Map each excerpt's key to (its document's id, whether it goes out)."""
        releases: dict[tuple, tuple[int, Release]] = {}
        taken: dict[int, set] = {}  # per document: the character positions already given out
        for excerpt in recorded:
            document = self.documents.get(excerpt.document_id)
            if document is None:
                continue  # not one of this response's documents
            agreement = self.agreements.get(document.license_id)
            decision = decide(
                document=document,
                action=Action.QUOTE_EXTERNALLY,
                audience=self.audience,
                characters=excerpt.characters,
                agreement=agreement,
            )
            if not decision or self.audience == Audience.STAFF:
                releases[excerpt.key] = (document.pk, Release.of(decision))
                continue
            used = taken.setdefault(document.pk, set())
            positions = _positions(excerpt)
            budget = quote_limit(document.license, agreement)
            if len(used | positions) > budget.characters:
                releases[excerpt.key] = (
                    document.pk,
                    Release.of(
                        Decision(
                            False,
                            f"{budget.source} allow at most {budget.characters} characters of this "
                            "document to go to outside consumers in all, and quotes recorded "
                            f"before this one already use {len(used)} of them.",
                            budget.clause,
                        )
                    ),
                )
                continue
            used |= positions
            releases[excerpt.key] = (document.pk, Release(True))
        return releases


def _positions(excerpt: Excerpt) -> set:
    """The character positions an excerpt covers (unanchored text counts on its own)."""
    if excerpt.start is None or excerpt.end is None:
        return {(excerpt.key, index) for index in range(excerpt.characters)}
    return set(range(excerpt.start, excerpt.end))
