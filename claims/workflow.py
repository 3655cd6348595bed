"""The verification workflow: the one table of allowed moves and the one function that makes them.

`claim_transition()` is the only code that changes a claim's verification state. The admin,
the API and management commands all call it. It locks the claim row, checks the caller's
permission, the current state, the expected version and the evidence rules, then updates the
claim and writes its VerificationEvent in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import connections, router, transaction
from django.utils import timezone

from claims import audit
from claims.disclosure import served_record
from claims.models import (
    CONCLUDED,
    Claim,
    ClaimStatus,
    ExternalCheck,
    VerificationEvent,
)
from claims.signals import claim_transitioned
from sources.models import Document

S = ClaimStatus


@dataclass(frozen=True)
class Move:
    """One allowed move: what it is called, who may make it and what it needs."""

    name: str
    permission: str
    needs_rationale: bool
    needs_evidence: bool = False
    is_conclusion: bool = False


SEND_TO_REVIEW = Move("send to review", "claims.send_claim_to_review", needs_rationale=False)
DROP_FROM_REVIEW = Move("drop from review", "claims.conclude_claim", needs_rationale=True)
REOPEN = Move("reopen", "claims.reopen_claim", needs_rationale=True)


CONCLUDE_PERMISSION = "claims.conclude_claim"


def _conclude(needs_evidence: bool) -> Move:
    return Move(
        "conclude",
        CONCLUDE_PERMISSION,
        needs_rationale=True,
        needs_evidence=needs_evidence,
        is_conclusion=True,
    )


# The one table of allowed moves: (from, to) -> Move. Anything not here is refused.
TRANSITIONS: Mapping[tuple[str, str], Move] = {
    (S.UNVERIFIED, S.IN_REVIEW): SEND_TO_REVIEW,
    (S.IN_REVIEW, S.VERIFIED): _conclude(needs_evidence=True),
    (S.IN_REVIEW, S.FALSE): _conclude(needs_evidence=True),
    (S.IN_REVIEW, S.DISPUTED): _conclude(needs_evidence=False),
    (S.IN_REVIEW, S.UNVERIFIABLE): _conclude(needs_evidence=False),
    (S.IN_REVIEW, S.UNVERIFIED): DROP_FROM_REVIEW,
    **{(concluded, S.IN_REVIEW): REOPEN for concluded in CONCLUDED},
}


class TransitionRefused(ValidationError):
    """The move is not allowed, or its rationale or evidence is missing or invalid."""


class StaleVersion(Exception):
    """The claim changed since the caller read it: reload and try again.

    `counter` says which: "version" (another verification step happened) or "revision"
    (its content changed); `current` is that counter's value now.
    """

    def __init__(self, *, expected: int, current: int, counter: str = "version"):
        self.expected = expected
        self.current = current
        self.counter = counter
        what = "The claim changed" if counter == "version" else "The claim's content changed"
        super().__init__(
            f"{what} since you loaded it (you had {counter} {expected}, it is now {counter} "
            f"{current}). Reload it and try again."
        )


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a URL, a Document or an ExternalCheck (exactly one)."""

    url: str = ""
    document_id: int | None = None
    external_check_id: int | None = None
    note: str = ""

    @classmethod
    def from_dict(cls, data: Mapping) -> Evidence:
        return cls(
            url=(data.get("url") or "").strip(),
            document_id=data.get("document"),
            external_check_id=data.get("external_check"),
            note=(data.get("note") or "").strip(),
        )


def allowed_targets(status: str) -> list[str]:
    """Return the states a claim in `status` may move to, in the table's order."""
    return [to for (frm, to) in TRANSITIONS if frm == status]


def label_of(status: str) -> str:
    """Return a state as users read it: "In review", never the stored key."""
    try:
        return S(status).label
    except ValueError:
        return str(status)


def _next_step(from_status: str) -> str:
    """Say what a refused move should have been, in the user's words."""
    if from_status == S.UNVERIFIED:
        return "send it to review first"
    if from_status in CONCLUDED:
        return "reopen it first"
    allowed = " or ".join(label_of(to) for to in allowed_targets(from_status))
    return f"from {label_of(from_status)} it may go to {allowed or 'no other state'}"


def move_for(from_status: str, to_status: str) -> Move:
    """Return the Move from one state to another, or raise TransitionRefused."""
    try:
        return TRANSITIONS[(from_status, to_status)]
    except KeyError:
        frm, to = label_of(from_status), label_of(to_status)
        if from_status == to_status:
            reason = f"The claim is already {frm}; it cannot move to where it is."
        else:
            reason = (
                f"{frm} → {to} is not allowed: a claim cannot move straight there; "
                f"{_next_step(from_status)}."
            )
        raise TransitionRefused(reason, code="not_allowed") from None


FOUR_EYES_REASON = (
    "Four-eyes rule: you recorded or reworded this claim, so another fact-checker must conclude it."
)


def four_eyes_applies() -> bool:
    return getattr(settings, "NEWSROOM_FOUR_EYES", True)


def can_transition(user, claim: Claim, to_status: str) -> bool:
    """Tell whether `user` may move `claim` to `to_status` now (for showing buttons)."""
    move = TRANSITIONS.get((claim.status, to_status))
    if move is None or not user.has_perm(move.permission):
        return False
    return not (move.is_conclusion and _recorded_by(user, claim))


def authors_of(claim: Claim) -> set[int]:
    """Every user who wrote the words being concluded: who recorded the claim, and anyone
    who changed its text or summary since (from its edit history; one query).

    Fact-checkers may reword a claim (fix a typo, sharpen a summary), but whoever touched the
    words counts as their author for the four-eyes rule: nobody concludes words they wrote.
    """
    return authors_by_claim([claim])[claim.pk]


def authors_by_claim(claims: Iterable[Claim]) -> dict[int, set[int]]:
    """Return authors_of() for several claims at once, keyed by claim (one query)."""
    claims = list(claims)
    authors = {claim.pk: {claim.created_by_id} - {None} for claim in claims}
    previous: dict[int, tuple] = {}
    rows = (
        Claim.history.filter(id__in=list(authors))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "text", "summary", "history_user_id")
    )
    for claim_id, text, summary, user_id in rows:
        if (text, summary) != previous.get(claim_id) and user_id is not None:
            authors[claim_id].add(user_id)
        previous[claim_id] = (text, summary)
    return authors


def _recorded_by(user, claim: Claim) -> bool:
    return four_eyes_applies() and user.pk in authors_of(claim)


def _validated_evidence(items: Iterable[Evidence], *, claim: Claim) -> list[dict]:
    """Check each piece of evidence exists and return it as stored on the event."""
    stored = []
    url_validator = URLValidator(schemes=["http", "https"])
    for index, item in enumerate(items):
        given = [bool(item.url), item.document_id is not None, item.external_check_id is not None]
        if sum(given) != 1:
            raise TransitionRefused(
                f"Evidence {index + 1} must be exactly one of a URL, a document or an "
                "external check.",
                code="invalid_evidence",
            )
        if item.url:
            try:
                url_validator(item.url)
            except ValidationError:
                raise TransitionRefused(
                    f"Evidence {index + 1}: '{item.url}' is not a valid http(s) URL.",
                    code="invalid_evidence",
                ) from None
            stored.append({"kind": "url", "url": item.url, "note": item.note})
        elif item.document_id is not None:
            document = Document.objects.filter(pk=item.document_id).first()
            if document is None:
                raise TransitionRefused(
                    f"Evidence {index + 1}: there is no document {item.document_id}.",
                    code="invalid_evidence",
                )
            stored.append(
                {
                    "kind": "document",
                    "document": document.pk,
                    "label": str(document),
                    "note": item.note,
                }
            )
        else:
            check = (
                ExternalCheck.objects.select_related("organization")
                .filter(pk=item.external_check_id)
                .first()
            )
            if check is None:
                raise TransitionRefused(
                    f"Evidence {index + 1}: there is no external check {item.external_check_id}.",
                    code="invalid_evidence",
                )
            if check.claim_id != claim.pk:
                # A check reported on another claim is no evidence for this one.
                raise TransitionRefused(
                    f"Evidence {index + 1}: external check {check.pk} was recorded on another "
                    "claim; cite the checks recorded on this one.",
                    code="invalid_evidence",
                )
            stored.append(
                {
                    "kind": "external_check",
                    "external_check": check.pk,
                    "label": f"{check.organization}: {check.get_outcome_display()}",
                    "note": item.note,
                }
            )
    return stored


def claim_transition(
    *,
    claim: Claim | int,
    to: str,
    actor,
    expected_version: int,
    expected_revision: int | None = None,
    rationale: str = "",
    evidence: Sequence[Evidence] = (),
    assignee=None,
    due_date: datetime.date | None = None,
) -> Claim:
    """Move a claim to another verification state and record the event.

    Raises PermissionDenied (the actor may not make this move), TransitionRefused (the move is
    not allowed, or its rationale or evidence is missing) or StaleVersion (the claim moved on
    from `expected_version`, or — when given — its content from `expected_revision`; the admin
    always gives both, API callers may). Nothing is written unless the whole move succeeds.
    """
    claim_id = claim.pk if isinstance(claim, Claim) else claim
    rationale = (rationale or "").strip()
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim_id)
        # A caller who read an older version decided on stale facts: refuse before judging.
        if locked.version != expected_version:
            raise StaleVersion(expected=expected_version, current=locked.version)
        if expected_revision is not None and locked.revision != expected_revision:
            raise StaleVersion(
                expected=expected_revision, current=locked.revision, counter="revision"
            )
        move = move_for(locked.status, to)
        if not actor.has_perm(move.permission):
            raise PermissionDenied(f"You do not have permission to {move.name} a claim.")
        if move.is_conclusion and _recorded_by(actor, locked):
            raise PermissionDenied(FOUR_EYES_REASON)
        if move.needs_rationale and not rationale:
            raise TransitionRefused(
                f"A rationale is required to {move.name} a claim "
                f"({label_of(locked.status)} → {label_of(to)}).",
                code="rationale_required",
            )
        stored_evidence = _validated_evidence(evidence, claim=locked)
        if move.needs_evidence and not stored_evidence:
            raise TransitionRefused(
                f"Concluding a claim as {label_of(to).lower()} needs at least one piece of "
                "evidence (a URL, a document or an external check).",
                code="evidence_required",
            )
        if assignee is not None and not assignee.has_perm(CONCLUDE_PERMISSION):
            raise TransitionRefused(
                f"{assignee} cannot be assigned: only fact-checkers can review claims.",
                code="invalid_assignee",
            )

        now = timezone.now()
        from_status = locked.status
        locked.status = to
        locked.version += 1
        update_fields = ["status", "version", "updated_at"]
        if to == S.IN_REVIEW:
            locked.assignee = assignee if assignee is not None else locked.assignee
            locked.due_date = due_date if due_date is not None else locked.due_date
            update_fields += ["assignee", "due_date"]
        if to in CONCLUDED:
            locked.concluded_at = now
            update_fields.append("concluded_at")
        elif from_status in CONCLUDED:
            locked.concluded_at = None
            update_fields.append("concluded_at")
        if to == S.UNVERIFIED:
            locked.assignee = None
            locked.due_date = None
            update_fields += ["assignee", "due_date"]
        locked._history_user = actor  # the history names the actor outside requests too
        locked._change_reason = f"{label_of(from_status)} → {label_of(to)}"
        locked.save(update_fields=update_fields)
        event = _append_event(
            claim=locked,
            from_status=from_status,
            to_status=to,
            actor=actor,
            actor_role=role_of(actor),
            rationale=rationale,
            evidence=stored_evidence,
            version=locked.version,
            created_at=now,
        )
        if to in CONCLUDED:
            # From now on outside consumers can obtain its excerpts: the budget's ledger.
            served_record(locked.pk)
        claim_transitioned.send(
            sender=Claim,
            claim=locked,
            event=event,
            from_status=from_status,
            to_status=to,
            actor=actor,
        )
    return locked


def _append_event(**fields) -> VerificationEvent:
    """Write the next event of the log, chained to the newest one (claims/audit.py).

    Call inside a transaction: the log stays locked against other appends until it commits,
    so no two events can follow the same predecessor.
    """
    using = router.db_for_write(VerificationEvent)
    connection = connections[using]
    if connection.vendor == "postgresql":
        # Self-conflicting, so appends queue; plain reads of the log go on meanwhile.
        # (SQLite transactions here take the database write lock when they begin.)
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {VerificationEvent._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
            )
    event = VerificationEvent(
        previous_hash=VerificationEvent.objects.using(using).head_hash(), **fields
    )
    event.hash = audit.digest_of(event, previous_hash=event.previous_hash)
    event.save(using=using)
    return event


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()  # claim_assign(due_date=UNCHANGED) keeps the claim's due date


def assignment_refusal(
    claim: Claim, assignee, *, actor, authors: set[int] | None = None
) -> str | None:
    """Say why `assignee` cannot be given `claim` to review now, in the user's words; None if
    they can. `assignee` None (unassigning) is always possible while the claim is in review.

    `authors` is the claim's authors_of(), when the caller read it for many claims at once.
    """
    if claim.status != S.IN_REVIEW:
        return (
            f"Only a claim in review can be assigned; this one is {label_of(claim.status)}."
            if claim.status != S.UNVERIFIED
            else "Only a claim in review can be assigned; send it to review first."
        )
    if assignee is None:
        return None
    yourself = assignee.pk == actor.pk
    if not assignee.has_perm(CONCLUDE_PERMISSION):
        if yourself:
            return "Only fact-checkers can take a claim: you may not conclude claims."
        return f"{assignee} cannot be assigned: only fact-checkers can review claims."
    if four_eyes_applies() and assignee.pk in (
        authors if authors is not None else authors_of(claim)
    ):
        if yourself:
            return "You recorded this claim; another fact-checker must conclude it."
        return f"{assignee} recorded or reworded this claim; another fact-checker must conclude it."
    return None


def take_refusal(user, claim: Claim, *, authors: set[int] | None = None) -> str | None:
    """Say why `user` may not take `claim` ("Assign to me"); None when they may."""
    if claim.assignee_id == user.pk and claim.status == S.IN_REVIEW:
        return "It is assigned to you."
    return assignment_refusal(claim, user, actor=user, authors=authors)


def conclusion_refusal(user, claim: Claim) -> str | None:
    """Say why `user` sees no conclusion buttons on `claim`; None when they may conclude it."""
    if claim.status != S.IN_REVIEW:
        return None  # nothing to conclude: the page's moves say what can happen instead
    if not user.has_perm(CONCLUDE_PERMISSION):
        return "Only fact-checkers conclude claims; one will take this claim from the review queue."
    if _recorded_by(user, claim):
        return "You recorded this claim; another fact-checker must conclude it."
    return None


def claim_assign(
    *, claim: Claim | int, assignee, due_date=None, actor, expected_version: int | None = None
) -> Claim:
    """Assign a claim in review to a fact-checker (or nobody), with an optional due date.

    Writes the assignment to the claim's history, naming who made it. `due_date=UNCHANGED`
    keeps the due date (taking a claim); `expected_version`, when given, refuses a claim that
    moved on since the caller read it.
    """
    claim_id = claim.pk if isinstance(claim, Claim) else claim
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim_id)
        if not can_assign(actor):
            raise PermissionDenied("You do not have permission to assign claims.")
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(expected=expected_version, current=locked.version)
        refusal = assignment_refusal(locked, assignee, actor=actor)
        if refusal is not None:
            code = "not_in_review" if locked.status != S.IN_REVIEW else "invalid_assignee"
            raise TransitionRefused(refusal, code=code)
        previous = locked.assignee
        locked.assignee = assignee
        if due_date is not UNCHANGED:
            locked.due_date = due_date
        if assignee is None:
            reason = f"Unassigned (was {previous})" if previous else "Unassigned"
        elif assignee.pk == actor.pk:
            reason = f"Taken by {assignee}"
        else:
            reason = f"Assigned to {assignee} by {actor}"
        # The audit row: the claim's history names the actor and says what happened.
        locked._history_user = actor
        locked._change_reason = reason[:100]
        locked.save(update_fields=["assignee", "due_date", "updated_at"])
    return locked


def claim_take(*, claim: Claim | int, actor, expected_version: int | None = None) -> Claim:
    """Assign a claim in review to the acting fact-checker, keeping its due date."""
    return claim_assign(
        claim=claim,
        assignee=actor,
        due_date=UNCHANGED,
        actor=actor,
        expected_version=expected_version,
    )


def reviewers():
    """Active users who may conclude claims (and so be assigned), in one query."""
    from django.contrib.auth import get_user_model

    # Roles are model permissions (ModelBackend); a project may add backends that grant none,
    # such as a login lockout, and with_perm must then be told which backend to ask.
    return (
        get_user_model()
        .objects.with_perm(
            CONCLUDE_PERMISSION,
            is_active=True,
            include_superusers=True,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        .order_by("username")
    )


def can_assign(user) -> bool:
    """Whoever may send claims to review or conclude them may (re)assign them."""
    return user.has_perm(SEND_TO_REVIEW.permission) or user.has_perm(CONCLUDE_PERMISSION)


def role_of(user) -> str:
    """Name the role a user acts in, for consumers who must not see internal user names.

    Read from what the user may do, not from group names (which belong to the project):
    whoever may conclude claims acts as a fact-checker, whoever may send them to review as
    an editor.
    """
    if user.is_superuser:
        return "administrator"
    if user.has_perm(CONCLUDE_PERMISSION):
        return "fact-checker"
    if user.has_perm(SEND_TO_REVIEW.permission):
        return "editor"
    return "staff"
