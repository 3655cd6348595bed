"""Tamper evidence for the verification log: a hash chain over every event, in log order.

Each event stores the hash of the event before it (`previous_hash`, zeros for the first) and
its own `hash`: sha256 over that previous hash and the event's canonical fields. Editing an
event breaks its own hash; removing, inserting or reordering events breaks the next link.
The chain runs over the whole log in pk order (the order the workflow appends under its lock),
so removing a claim's whole history is noticed too. Only the newest events can be cut off
unnoticed: `verify_events` prints the head hash so it can be kept elsewhere and compared.

The digest is a stored format: changing what it covers or how breaks every chain already
written. A new scheme needs a new field and a migration, never an edit here.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

GENESIS_HASH = "0" * 64


def event_digest(
    *,
    previous_hash: str,
    claim_id: int,
    version: int,
    from_status: str,
    to_status: str,
    actor_id: int,
    actor_role: str,
    rationale: str,
    evidence: list,
    created_at: datetime.datetime,
) -> str:
    """Return the hex sha256 of one event's canonical form, chained to `previous_hash`."""
    canonical = json.dumps(
        [
            previous_hash,
            claim_id,
            version,
            from_status,
            to_status,
            actor_id,
            actor_role,
            rationale,
            evidence,
            # Milliseconds: what a JSON dump keeps (DjangoJSONEncoder), so a restore verifies.
            created_at.astimezone(datetime.UTC).isoformat(timespec="milliseconds"),
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def digest_of(event, *, previous_hash: str) -> str:
    """Return the hash `event` (a VerificationEvent, or its migration-time model) should carry."""
    return event_digest(
        previous_hash=previous_hash,
        claim_id=event.claim_id,
        version=event.version,
        from_status=event.from_status,
        to_status=event.to_status,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        rationale=event.rationale,
        evidence=event.evidence,
        created_at=event.created_at,
    )


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the log found: how many events held, the head, and the first break."""

    verified: int
    head_id: int | None
    head_hash: str
    broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def walk_chain(
    events: Iterable,
    *,
    digest: Callable[..., str] | None = None,
    describe: Callable[[object], str] | None = None,
) -> ChainReport:
    """Check each event's link and hash in log order; stop at the first break.

    Any hash-chained log can be walked: `digest` computes an event's hash (by default a
    VerificationEvent's) and `describe` names an event in the report.
    """
    digest = digest or digest_of
    describe = describe or (
        lambda event: f"Event {event.pk} (claim {event.claim_id}, version {event.version})"
    )
    verified, head_id, head_hash = 0, None, GENESIS_HASH
    for event in events:
        label = describe(event)
        if event.previous_hash != head_hash:
            before = f"event {head_id}" if head_id is not None else "the start of the log"
            reason = (
                f"{label}: its previous_hash does not match the hash of {before} "
                "(an event was removed, inserted or reordered)."
            )
            return ChainReport(verified, head_id, head_hash, event.pk, reason)
        if event.hash != digest(event, previous_hash=event.previous_hash):
            reason = f"{label}: its fields do not match its hash (it was changed after writing)."
            return ChainReport(verified, head_id, head_hash, event.pk, reason)
        verified, head_id, head_hash = verified + 1, event.pk, event.hash
    return ChainReport(verified, head_id, head_hash)
