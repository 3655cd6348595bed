"""Record claims, where they appear, their attribution chains, external checks and relations.

Every write to these goes through a function here, so the admin, the API, the suggester and the
demo data all apply the same rules and keep `Claim.independent_origins` current.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from claims import watermark
from claims.anchoring import AnchorError, anchor, relocate
from claims.models import (
    CONCLUDED,
    AnchorState,
    Appearance,
    Attribution,
    Claim,
    ClaimRelation,
    ClaimStatus,
    ExternalCheck,
    Topic,
)
from claims.origins import refresh_independent_origins
from claims.workflow import StaleVersion
from sources import agents
from sources.agents import Agent
from sources.models import Document, Organization

Role = Attribution.Role


def claim_touch(claim_ids: Iterable[int], *, content: bool = True) -> None:
    """Mark claims as changed: a new updated_at (incremental sync, Last-Modified) and, when
    what is being verified changed (`content`), a new revision, so a transition decided on
    the old content is refused as stale. External checks and relations are not content."""
    claim_ids = list(claim_ids)
    changes = {"updated_at": timezone.now()}
    if content:
        changes["revision"] = F("revision") + 1
    Claim.objects.filter(pk__in=claim_ids).update(**changes)
    watermark.claims_changed(claim_ids, at=changes["updated_at"])


CONCLUDED_CONTENT = "changing what it says, where it appears or who said it"
CONCLUDED_REVIEW = "recording or removing what others found or how it relates to other claims"


def ensure_open(claim_id: int, *, changing: str = CONCLUDED_CONTENT) -> None:
    """Refuse to change what a concluded claim shows: reopen it first.

    Its published review rests on its wording, appearances and chains, and also on the
    external checks and relations it shows (a same-as link moves its independent-origin
    count): a change to any of them waits for a reopen, so every change to what readers were
    told follows a recorded event. Locks the claim's row first (call inside the service's
    transaction): a conclusion under way holds that lock, so the check waits for it and sees
    its outcome instead of passing on the old status and then writing (check-then-act).
    """
    status = (
        Claim.objects.select_for_update()
        .filter(pk=claim_id)
        .values_list("status", flat=True)
        .first()
    )
    if status in CONCLUDED:
        raise ValidationError(
            f"This claim is concluded ({ClaimStatus(status).label.lower()}): reopen it before "
            f"{changing}.",
            code="concluded",
        )


def ensure_revision(claim_id: int, expected_revision: int | None) -> None:
    """Refuse an edit built on an older revision of the claim (StaleVersion); None skips it.

    Locks the claim's row first (call inside the service's transaction), so no other edit
    lands between the check and the caller's writes.
    """
    if expected_revision is None:
        return
    current = Claim.objects.select_for_update().values_list("revision", flat=True).get(pk=claim_id)
    if expected_revision != current:
        raise StaleVersion(expected=expected_revision, current=current, counter="revision")


def ensure_all_open(claim_ids, *, changing: str) -> None:
    """ensure_open for several claims, locked in id order (two services never deadlock)."""
    for claim_id in sorted(set(claim_ids)):
        ensure_open(claim_id, changing=changing)


# Real chains have two to five links (origin, reporter, relays, publisher); a bound keeps one
# request from tying up a worker with thousands of rows (security.md D8).
MAX_CHAIN_LINKS = 50


@dataclass(frozen=True)
class ChainLink:
    role: str
    agent: Agent
    verb: str = ""


# The verb a link's role suggests when the editor gives none.
SUGGESTED_VERBS = {Role.ORIGIN: "said", Role.REPORTER: "reported", Role.PUBLISHER: "published"}


def suggested_role(position: int, *, agent: object = None, publishers: Iterable = ()) -> str:
    """The role a chain link's place suggests: the first link is the origin (who said it), a
    link naming the document's publisher or title is the publisher, the second link the
    reporter and any later one a relay. Only a suggestion: `chain_set` judges the order."""
    if position == 0:
        return Role.ORIGIN
    if agent is not None and agent in publishers:
        return Role.PUBLISHER
    return Role.REPORTER if position == 1 else Role.RELAY


@transaction.atomic
def claim_create(
    *,
    text: str,
    summary: str = "",
    topics: Iterable[Topic] = (),
    topic_names: Iterable[str] = (),
    user: AbstractBaseUser | None,
) -> Claim:
    """Create a claim in the newsroom's own words; topics by object or by name."""
    claim = Claim(text=text.strip(), summary=summary.strip(), created_by=user)
    if user is not None:
        claim._history_user = user  # the edit history names the author outside requests too
    # The author is the saved user at hand (the foreign key holds it): no query to look it up.
    claim.full_clean(exclude=["created_by"] if user is not None and user.pk else None)
    topics = [*topics, *topics_named(topic_names, user=user)]
    claim.save()
    if topics:
        claim.topics.set(topics)
    return claim


@transaction.atomic
def claim_update(
    *,
    claim: Claim,
    text: str | None = None,
    summary: str | None = None,
    topics: Iterable[Topic] | None = None,
    topic_names: Iterable[str] | None = None,
    user: AbstractBaseUser | None = None,
    expected_revision: int | None = None,
) -> Claim:
    """Edit a claim's own words or topics (its state changes only through the workflow).

    The row is locked and re-read first, so a state the workflow set meanwhile is neither
    overwritten nor recorded in the edit history as going back. With `expected_revision`
    (the revision the editor read), an edit built on older content is refused as stale
    (StaleVersion), so two editors never silently overwrite each other.
    """
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    ensure_open(locked.pk)
    if expected_revision is not None and expected_revision != locked.revision:
        raise StaleVersion(expected=expected_revision, current=locked.revision, counter="revision")
    fields = []
    if text is not None and text.strip() != locked.text:
        locked.text = text.strip()
        fields.append("text")
    if summary is not None and summary.strip() != locked.summary:
        locked.summary = summary.strip()
        fields.append("summary")
    locked.full_clean()
    if topic_names is not None:
        topics = [*(topics or []), *topics_named(topic_names, user=user)]
    if fields:
        if user is not None:
            locked._history_user = user  # authors count for four-eyes (workflow.authors_of)
        locked.save(update_fields=fields)
    if topics is not None:
        locked.topics.set(list(topics))
    if fields or topics is not None:
        claim_touch([locked.pk])
        locked.refresh_from_db(fields=["revision", "updated_at"])
    return locked


def topics_named(names: Iterable[str], *, user: AbstractBaseUser | None) -> list[Topic]:
    """Return the topics with these names (or slugs), creating missing ones if `user` may.

    Call inside the service's transaction, so a refused request leaves no new topic behind.
    """
    from django.db.models import Q
    from django.utils.text import slugify

    topics, unknown = {}, {}  # unknown: slug -> the first name given for it
    for name in {name.strip() for name in names if name.strip()}:
        slug = slugify(name)[:100]
        if not slug:
            raise ValidationError({"topics": f"'{name}' is not a usable topic name."})
        topic = Topic.objects.filter(Q(name__iexact=name) | Q(slug=slug)).first()
        if topic is None:
            unknown.setdefault(slug, name)
        else:
            topics[topic.pk] = topic
    if unknown and not (user is not None and user.has_perm("claims.add_topic")):
        names = ", ".join(sorted(unknown.values()))
        raise ValidationError({"topics": f"No such topic: {names}. Ask an editor to add it."})
    for slug, name in unknown.items():
        topic = Topic.objects.create(name=name[:100], slug=slug)
        topics[topic.pk] = topic
    return list(topics.values())


@transaction.atomic
def appearance_create(
    *,
    claim: Claim,
    document: Document,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    user: AbstractBaseUser | None,
) -> Appearance:
    """Record that `claim` appears in `document` at the quote `exact`, anchored in its body."""
    ensure_open(claim.pk)
    try:
        found = anchor(document.body, exact=exact, prefix=prefix, suffix=suffix, start=start)
    except AnchorError as error:
        raise ValidationError({"exact": error.error_list}) from error
    if Appearance.objects.filter(
        claim=claim, document=document, start=found.start, end=found.end
    ).exists():
        raise ValidationError(
            {"exact": "This quote is already recorded as an appearance of the claim."},
            code="duplicate",
        )
    # No chain yet, so the new appearance cannot change the claim's independent origins.
    claim_touch([claim.pk])
    return Appearance.objects.create(
        claim=claim,
        document=document,
        exact=found.exact,  # the document's characters, not the typed variants
        start=found.start,
        end=found.end,
        prefix=found.prefix,
        suffix=found.suffix,
        created_by=user,
    )


@transaction.atomic
def appearance_delete(*, appearance: Appearance) -> None:
    """Delete an appearance with its chain and recount the claim's independent origins."""
    claim_id = appearance.claim_id
    ensure_open(claim_id)
    appearance.delete()
    refresh_independent_origins([claim_id])
    claim_touch([claim_id])


@transaction.atomic
def chain_set(
    *,
    appearance: Appearance,
    links: Sequence[ChainLink],
    expected_revision: int | None = None,
) -> list[Attribution]:
    """Replace the appearance's attribution chain with `links`, origin first.

    An empty sequence clears the chain. With `expected_revision` (the claim revision the
    editor read), a chain built on older content is refused as stale (StaleVersion).
    """
    if len(links) > MAX_CHAIN_LINKS:
        raise ValidationError(
            "A chain has at most %(max)d links; this one has %(n)d.",
            code="chain_too_long",
            params={"max": MAX_CHAIN_LINKS, "n": len(links)},
        )
    ensure_open(appearance.claim_id)
    ensure_revision(appearance.claim_id, expected_revision)
    rows = [_attribution(appearance, position, link) for position, link in enumerate(links)]
    errors = _chain_order_errors([link.role for link in links])
    if errors:
        raise ValidationError(errors)
    # Serialise concurrent edits of one chain: both would delete and renumber it.
    Appearance.objects.select_for_update().filter(pk=appearance.pk).values_list("pk").get()
    appearance.chain.all().delete()
    # With history rows, so the appearance's history shows the chain it had and has.
    # (one date for the new links, so they read as one edit).
    created = bulk_create_with_history(rows, Attribution, default_date=timezone.now())
    refresh_independent_origins([appearance.claim_id])
    claim_touch([appearance.claim_id])
    return created


@transaction.atomic
def external_check_record(
    *,
    claim: Claim,
    organization: Organization,
    outcome: str,
    document: Document | None = None,
    exact: str = "",
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    checked_at: datetime | None = None,
    user: AbstractBaseUser | None,
) -> ExternalCheck:
    """Record a third party's reported verification attempt, anchored in the reporting document.

    The claim must be open (a concluded claim's review shows its checks): reopen it first.
    """
    ensure_open(claim.pk, changing=CONCLUDED_REVIEW)
    check = ExternalCheck(
        claim=claim,
        organization=organization,
        outcome=outcome,
        document=document,
        checked_at=checked_at,
        created_by=user,
    )
    errors: dict[str, list] = {}
    if checked_at is not None and timezone.is_naive(checked_at):
        errors["checked_at"] = ["Give the time with its time zone."]
    if document is None:
        if exact:
            errors["document"] = ["An excerpt needs the document it is quoted from."]
    elif not exact:
        errors["exact"] = ["Quote the passage of the document that reports the check."]
    else:
        try:
            found = anchor(document.body, exact=exact, prefix=prefix, suffix=suffix, start=start)
        except AnchorError as error:
            errors["exact"] = error.error_list
        else:
            check.exact = found.exact  # the document's characters, not the typed variants
            check.start, check.end = found.start, found.end
            check.prefix, check.suffix = found.prefix, found.suffix
    if errors:
        raise ValidationError(errors)
    check.full_clean()
    check.save()
    claim_touch([claim.pk], content=False)
    return check


@transaction.atomic
def external_check_delete(*, check: ExternalCheck, user: AbstractBaseUser) -> None:
    """Delete an external check recorded in error, and say so in its claim's history.

    Refused without the `claims.delete_externalcheck` permission, and while a verification
    event cites the check as evidence: the log is append-only, so its evidence must stay.
    """
    if not user.has_perm("claims.delete_externalcheck"):
        raise PermissionDenied("You may not delete external checks.")
    claim = Claim.objects.select_for_update().get(pk=check.claim_id)
    cited = [
        event
        for event in claim.events.only("evidence", "to_status")
        if any(
            isinstance(item, dict) and item.get("external_check") == check.pk
            for item in event.evidence or []
        )
    ]
    if cited:
        raise ValidationError(
            f"“{check}” is evidence for the conclusion “{cited[0].get_to_status_display()}”; "
            "the verification log keeps its evidence, so the check cannot be deleted.",
            code="cited_as_evidence",
        )
    described = str(check)
    check.delete()
    # The audit row: the claim's history names who deleted which check.
    claim._history_user = user
    claim._change_reason = f"Deleted external check: {described}"[:100]
    claim.save(update_fields=["updated_at"])


@transaction.atomic
def relation_record(
    *,
    from_claim: Claim,
    to_claim: Claim,
    kind: str,
    reason: str,
    user: AbstractBaseUser | None,
) -> ClaimRelation:
    """Record how two claims relate; symmetric kinds are stored once whichever way they come."""
    reason = reason.strip()
    errors: dict[str, str] = {}
    if kind not in ClaimRelation.Kind.values:
        errors["kind"] = f"Unknown relation '{kind}'."
    if from_claim.pk == to_claim.pk:
        errors["to_claim"] = "A claim cannot be related to itself."
    if not reason:
        errors["reason"] = "Say why the claims are related."
    if errors:
        raise ValidationError(errors)
    # Both claims show the relation (and a same-as link moves both origin counts).
    ensure_all_open([from_claim.pk, to_claim.pk], changing=CONCLUDED_REVIEW)
    if kind in ClaimRelation.SYMMETRIC_KINDS and from_claim.pk > to_claim.pk:
        from_claim, to_claim = to_claim, from_claim
    duplicate = ValidationError(
        "These claims are already recorded as “%(kind)s”.",
        code="duplicate",
        params={"kind": ClaimRelation.Kind(kind).label.lower()},
    )
    if ClaimRelation.objects.filter(from_claim=from_claim, to_claim=to_claim, kind=kind).exists():
        raise duplicate
    relation = ClaimRelation(
        from_claim=from_claim, to_claim=to_claim, kind=kind, reason=reason, recorded_by=user
    )
    try:
        with transaction.atomic():
            relation.save()
    except IntegrityError as error:  # recorded concurrently since the check above
        raise duplicate from error
    if kind == ClaimRelation.Kind.SAME_AS:
        refresh_independent_origins([from_claim.pk, to_claim.pk])
    claim_touch([from_claim.pk, to_claim.pk], content=False)
    return relation


@transaction.atomic
def relation_delete(*, relation: ClaimRelation) -> None:
    """Delete a relation; recount independent origins when a same-as link goes."""
    claim_ids = [relation.from_claim_id, relation.to_claim_id]
    ensure_all_open(claim_ids, changing=CONCLUDED_REVIEW)
    kind = relation.kind
    relation.delete()
    if kind == ClaimRelation.Kind.SAME_AS:
        # Each former member is still connected to one of the two ends, so both suffice.
        refresh_independent_origins(claim_ids)
    claim_touch(claim_ids, content=False)


def _attribution(appearance: Appearance, position: int, link: ChainLink) -> Attribution:
    if link.role not in Role.values:
        raise ValidationError(
            "Link %(n)d: '%(role)s' is not a role; use origin, reporter, relay or publisher.",
            code="invalid_role",
            params={"n": position + 1, "role": link.role},
        )
    try:
        agent = agents.fields_for(link.agent)
    except TypeError as error:
        raise ValidationError(
            "Link %(n)d: the agent must be a person, an organization or an anonymous source.",
            code="invalid_agent",
            params={"n": position + 1},
        ) from error
    if link.agent.pk is None:
        raise ValidationError(
            "Link %(n)d: save the agent before putting it in a chain.",
            code="unsaved_agent",
            params={"n": position + 1},
        )
    verb = link.verb.strip()
    if len(verb) > Attribution._meta.get_field("verb").max_length:
        raise ValidationError(
            "Link %(n)d: the verb is too long.", code="verb_too_long", params={"n": position + 1}
        )
    return Attribution(appearance=appearance, position=position, role=link.role, verb=verb, **agent)


def _chain_order_errors(roles: Sequence[str]) -> list[ValidationError]:
    """Check the order of roles: origin first and once, reporters before relays, publisher last."""
    errors = []
    if roles.count(Role.ORIGIN) > 1:
        errors.append(ValidationError("A chain has at most one origin.", code="two_origins"))
    last = len(roles) - 1
    seen_relay = False
    for position, role in enumerate(roles):
        n = {"n": position + 1}
        if role == Role.ORIGIN and position != 0:
            errors.append(
                ValidationError(
                    "Link %(n)d: the origin comes first in the chain; it is who made the "
                    "statement.",
                    code="origin_not_first",
                    params=n,
                )
            )
        elif role == Role.PUBLISHER and position != last:
            errors.append(
                ValidationError(
                    "Link %(n)d: the publisher comes last in the chain; it is who published the "
                    "document.",
                    code="publisher_not_last",
                    params=n,
                )
            )
        elif role == Role.REPORTER and seen_relay:
            errors.append(
                ValidationError(
                    "Link %(n)d: a reporter comes before the relays; a relay passes on what a "
                    "reporter first reported.",
                    code="reporter_after_relay",
                    params=n,
                )
            )
        seen_relay = seen_relay or role == Role.RELAY
    return errors


def reanchor(excerpt: Appearance | ExternalCheck) -> str:
    """Re-anchor an excerpt (an appearance's quote, a check's report) whose text changed.

    Offsets move only to a place where the exact text stands; when none can be chosen the
    excerpt is flagged unanchored and its offsets are left as they were.
    """
    if excerpt.matches_body():
        return excerpt.anchor_state
    try:
        found = relocate(
            excerpt.document.body,
            exact=excerpt.exact,
            prefix=excerpt.prefix,
            suffix=excerpt.suffix,
        )
    except AnchorError:
        excerpt.anchor_state = AnchorState.UNANCHORED
        excerpt.save(update_fields=["anchor_state"])
        return excerpt.anchor_state
    excerpt.start, excerpt.end = found.start, found.end
    excerpt.prefix, excerpt.suffix = found.prefix, found.suffix
    excerpt.anchor_state = AnchorState.REANCHORED
    excerpt.save(update_fields=["start", "end", "prefix", "suffix", "anchor_state"])
    return excerpt.anchor_state


@transaction.atomic
def document_reanchor(document: Document) -> dict[str, int]:
    """Re-anchor every appearance and check excerpt in a document whose body changed.

    Counts them by state; a lost excerpt is flagged (and shown) like a lost quote.
    """
    counts: dict[str, int] = {}
    moved: dict[bool, set[int]] = {True: set(), False: set()}
    appearances = Appearance.objects.filter(document=document)
    checks = ExternalCheck.objects.filter(document=document).exclude(exact="")
    for excerpt in [*appearances, *checks]:
        excerpt.document = document  # the body just saved, not a second read
        before = (excerpt.start, excerpt.end, excerpt.anchor_state)
        state = reanchor(excerpt)
        if (excerpt.start, excerpt.end, state) != before:
            # A quote's anchoring is what is verified (a new revision); a check's is not.
            moved[isinstance(excerpt, Appearance)].add(excerpt.claim_id)
        counts[state] = counts.get(state, 0) + 1
    claim_touch(moved[True])  # their selectors changed: a new revision for syncing clients
    claim_touch(moved[False] - moved[True], content=False)
    return counts


def on_document_body_changed(sender, document, **kwargs) -> None:
    """Receiver for sources.signals.document_body_changed (connected in ClaimsConfig.ready)."""
    document_reanchor(document)
    # Its text hash moved with the body: it may have become, or stopped being, a copy of
    # another title's document, and copies of one text are one origin.
    refresh_independent_origins(
        Appearance.objects.filter(document=document).values_list("claim_id", flat=True)
    )
