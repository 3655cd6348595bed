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

from claims import audit as claims_audit
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
    return claims_audit.walk_chain(
        events,
        digest=digest_of,
        describe=lambda e: f"Event {e.pk} (story {e.story_id}, version {e.version})",
    )
