"""Tamper evidence for the story log: a hash chain over every StoryEvent, in log order.

As for the verification log (claims/audit.py): each event stores its predecessor's hash
(`previous_hash`, zeros for the first) and its own `hash`, sha256 over that and its canonical
fields. Editing an event breaks its hash; removing, inserting or reordering events breaks the
next link. `manage.py verify_story_events` walks it. The digest is a stored format: a new
scheme needs a new field and a migration, never an edit here.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable

from claims.audit import GENESIS_HASH, ChainReport

__all__ = ["GENESIS_HASH", "ChainReport", "digest_of", "walk_chain"]


def digest_of(event, *, previous_hash: str) -> str:
    """Return the hash a StoryEvent should carry, chained to `previous_hash`."""
    canonical = json.dumps(
        [
            previous_hash,
            event.story_id,
            event.version,
            event.kind,
            event.from_status,
            event.to_status,
            event.actor_id,
            event.reason,
            event.override_reason,
            event.overridden,
            event.correction_id,
            # Milliseconds: what a JSON dump keeps (DjangoJSONEncoder), so a restore verifies.
            event.created_at.astimezone(datetime.UTC).isoformat(timespec="milliseconds"),
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def walk_chain(events: Iterable) -> ChainReport:
    """Check each event's link and hash in log order; stop at the first break."""
    verified, head_id, head_hash = 0, None, GENESIS_HASH
    for event in events:
        label = f"Event {event.pk} (story {event.story_id}, version {event.version})"
        if event.previous_hash != head_hash:
            before = f"event {head_id}" if head_id is not None else "the start of the log"
            reason = (
                f"{label}: its previous_hash does not match the hash of {before} "
                "(an event was removed, inserted or reordered)."
            )
            return ChainReport(verified, head_id, head_hash, event.pk, reason)
        if event.hash != digest_of(event, previous_hash=event.previous_hash):
            reason = f"{label}: its fields do not match its hash (it was changed after writing)."
            return ChainReport(verified, head_id, head_hash, event.pk, reason)
        verified, head_id, head_hash = verified + 1, event.pk, event.hash
    return ChainReport(verified, head_id, head_hash)
