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
    terms = document.license
    if agreement is NOT_GIVEN:
        agreement = agreement_for(terms)
    if action == Action.VIEW_FULL_TEXT:
        characters = len(document.body)
    return _DECIDERS[action](terms, agreement, audience, characters)


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


def _quote_externally(terms, agreement, audience, characters) -> Decision:
    if audience == Audience.STAFF:
        return Decision(True, "Quoting inside the newsroom is internal use.")
    if terms is None:
        return Decision(
            False,
            "No licence terms are recorded for this document, so nothing may be quoted "
            "to outside consumers until an editor records them.",
        )
    limit = terms.max_external_quote_chars
    source = f"{terms.holder}'s terms"
    clause = _clause(terms, terms.sharing_clause)
    if agreement is not None and agreement.max_external_quote_chars is not None:
        # The agreement's wording and reference are the newsroom's business, not the reader's.
        limit = agreement.max_external_quote_chars
        source = f"The newsroom's agreement with {agreement.holder}"
        clause = ""
    if limit == 0:
        return Decision(False, f"{source} allow no quotation to outside consumers.", clause)
    if characters > limit:
        return Decision(
            False,
            f"{source} allow quotes of at most {limit} characters; this one has {characters}.",
            clause,
        )
    return Decision(True, f"{source} allow quotes of up to {limit} characters.", clause)


def _mine(terms, agreement, audience, characters) -> Decision:
    if terms is None or not terms.tdm_reserved:
        holder = (
            f"{terms.holder} has" if terms else "No licence terms are recorded, so no holder has"
        )
        return Decision(True, f"{holder} not reserved text and data mining.")
    if agreement is not None and agreement.grants_tdm:
        return Decision(
            True,
            f"Agreement '{agreement.reference}' with {agreement.holder} grants text and data "
            "mining.",
            agreement.clause,
        )
    basis = f" under {terms.tdm_legal_basis}" if terms.tdm_legal_basis else ""
    return Decision(
        False,
        f"{terms.holder} reserves text and data mining{basis}, and no agreement in force "
        "grants it.",
        _clause(terms, terms.tdm_clause),
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
