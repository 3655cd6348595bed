"""A claim's one timeline, newest first, and the chain edits it shares with an appearance's page.

Read from what the services already write: the verification log, the claim's, appearances'
and chain links' edit history (django-simple-history), external checks and relations. A fixed
number of queries, however long the history. Never reads a confidential identity.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils import dateformat, timezone
from django.utils.html import format_html

from claims.admin.display import AGENT_FIELDS, evidence_html
from claims.models import Appearance, Attribution, Claim, ClaimRelation, ClaimStatus
from sources.models import AnonymousSource, Document, Organization, Person

# Rows of one chain edit are written within moments of each other, in one transaction.
EDIT_WINDOW = datetime.timedelta(seconds=2)


def _starts_new_edit(current: dict | None, row) -> bool:
    """Tell whether a chain link's history row begins another edit than `current`."""
    if current is None or row.appearance_id != current["appearance_id"]:
        return True
    if row.history_date - current["when"] > EDIT_WINDOW:
        return True
    who = current["who"].pk if current["who"] is not None else None
    if row.history_user_id != who:
        return True
    if current["added"]:  # the edit's new links are written last, all with one date
        return row.history_type != "+" or row.history_date != current["added"][0].history_date
    return False


def chain_edits(appearance_ids: Iterable[int]) -> list[dict]:
    """Return each edit of these appearances' chains, newest first: when, who, before, after.

    Read from the chain links' own history (recording.chain_set replaces a chain as a whole:
    the old links' deletions and the new links' creations are one edit). Four queries.
    """
    rows = list(
        Attribution.history.filter(appearance_id__in=list(appearance_ids))
        .select_related("history_user")
        .order_by("appearance_id", "history_date", "history_id")
    )
    names = {
        "person": dict(
            Person.objects.filter(pk__in={r.person_id for r in rows}).values_list("pk", "name")
        ),
        "organization": dict(
            Organization.objects.filter(pk__in={r.organization_id for r in rows}).values_list(
                "pk", "name"
            )
        ),
        # The description only: a confidential identity is never read on a read path.
        "anonymous_source": {
            source.pk: str(source)
            for source in AnonymousSource.objects.filter(
                pk__in={r.anonymous_source_id for r in rows}
            ).only("description", "count_text")
        },
    }

    def link_text(row) -> str:
        agent = next(
            (
                names[field].get(getattr(row, f"{field}_id"), "a deleted agent")
                for field in AGENT_FIELDS
                if getattr(row, f"{field}_id")
            ),
            "no agent",
        )
        role = (
            Attribution.Role(row.role).label.lower() if row.role in Attribution.Role else row.role
        )
        return f"{agent} ({role}{f', {row.verb}' if row.verb else ''})"

    def chain(links) -> str:
        return " → ".join(link_text(row) for row in sorted(links, key=lambda row: row.position))

    edits: list[dict] = []
    current: dict | None = None
    for row in rows:
        if _starts_new_edit(current, row):
            current = {
                "appearance_id": row.appearance_id,
                "when": row.history_date,
                "who": row.history_user,
                "removed": [],
                "added": [],
            }
            edits.append(current)
        current["when"] = row.history_date
        current["added" if row.history_type == "+" else "removed"].append(row)
    edits.sort(key=lambda edit: edit["when"], reverse=True)
    return [
        {
            "appearance_id": edit["appearance_id"],
            "when": edit["when"],
            "who": edit["who"],
            "before": chain(edit["removed"]),
            "after": chain(edit["added"]),
        }
        for edit in edits
    ]


def _day(day) -> str:
    return dateformat.format(day, "j M Y") if day else "—"


def _label(status: str) -> str:
    return ClaimStatus(status).label if status in ClaimStatus.values else status


def _entry(when, who, kind: str, what: str, *details) -> dict:
    return {
        "when": when,
        "who": who,
        "kind": kind,
        "what": what,
        "details": [detail for detail in details if detail],
    }


def claim_timeline(claim: Claim) -> list[dict]:
    """Return everything that happened to `claim`, newest first.

    Each entry: when, who, kind (move, assignment, edit, appearance, chain, check, relation),
    what happened in a line, and details (rationale, evidence, before and after).
    """
    entries: list[dict] = []

    for event in claim.events.select_related("actor"):
        entries.append(
            _entry(
                event.created_at,
                f"{event.actor} ({event.actor_role})",
                "move",
                f"{_label(event.from_status)} → {_label(event.to_status)}",
                format_html("Rationale: {}", event.rationale) if event.rationale else "",
                format_html("Evidence: {}", evidence_html(event.evidence))
                if event.evidence
                else "",
            )
        )

    history = list(
        Claim.history.filter(id=claim.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    users = dict(
        get_user_model()
        .objects.filter(pk__in={row.assignee_id for row in history} - {None})
        .values_list("pk", "username")
    )

    def assignee(pk) -> str:
        return users.get(pk, "a removed user") if pk else "nobody"

    previous = None
    for row in history:
        if previous is None:
            entries.append(
                _entry(row.history_date, row.history_user, "edit", "Recorded the claim", row.text)
            )
        else:
            reason = row.history_change_reason or ""
            if (row.text, row.summary) != (previous.text, previous.summary):
                entries.append(
                    _entry(
                        row.history_date,
                        row.history_user,
                        "edit",
                        "Edited the claim",
                        f"Text: {previous.text} → {row.text}" if row.text != previous.text else "",
                        f"Summary: {previous.summary or '—'} → {row.summary or '—'}"
                        if row.summary != previous.summary
                        else "",
                    )
                )
            if (row.assignee_id, row.due_date) != (previous.assignee_id, previous.due_date):
                due = (
                    f"Due: {_day(previous.due_date)} → {_day(row.due_date)}"
                    if row.due_date != previous.due_date
                    else ""
                )
                entries.append(
                    _entry(
                        row.history_date,
                        row.history_user,
                        "assignment",
                        reason
                        if reason and "→" not in reason
                        else f"Assignee: {assignee(previous.assignee_id)} → "
                        f"{assignee(row.assignee_id)}",
                        due,
                    )
                )
            elif (
                reason
                and "→" not in reason
                and (row.text, row.summary)
                == (
                    previous.text,
                    previous.summary,
                )
            ):
                # Recorded by a service with its reason, e.g. an external check deleted.
                entries.append(_entry(row.history_date, row.history_user, "check", reason))
        previous = row

    appearance_rows = list(
        Appearance.history.filter(claim_id=claim.pk)
        .exclude(history_type="~")
        .select_related("history_user")
        .order_by("history_date")
    )
    documents = {
        document.pk: str(document)
        for document in Document.objects.filter(
            pk__in={row.document_id for row in appearance_rows}
        ).only("pk", "headline")  # not the bodies
    }
    document_of = {
        row.id: documents.get(row.document_id, "a removed document") for row in appearance_rows
    }
    for row in appearance_rows:
        added = row.history_type == "+"
        entries.append(
            _entry(
                row.history_date,
                row.history_user,
                "appearance",
                f"{'Added' if added else 'Removed'} an appearance in “{document_of[row.id]}”",
                f"Quote: {row.exact}",
            )
        )
    for edit in chain_edits(document_of):
        entries.append(
            _entry(
                edit["when"],
                edit["who"],
                "chain",
                f"Changed the chain of the appearance in “{document_of[edit['appearance_id']]}”",
                f"Before: {edit['before'] or 'no chain'}",
                f"After: {edit['after'] or 'no chain'}",
            )
        )

    for check in claim.external_checks.select_related("organization", "created_by"):
        entries.append(
            _entry(
                check.created_at,
                check.created_by,
                "check",
                f"Recorded an external check: {check}",
                "Checked: " + dateformat.format(timezone.localtime(check.checked_at), "j M Y H:i")
                if check.checked_at
                else "",
                f"Excerpt: {check.exact}" if check.exact else "",
            )
        )

    for relation in ClaimRelation.objects.involving(claim).select_related("recorded_by"):
        entries.append(
            _entry(
                relation.created_at,
                relation.recorded_by,
                "relation",
                f"Recorded a relation: {relation.label_from(claim)} “{relation.other(claim)}”",
                f"Reason: {relation.reason}",
            )
        )

    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return entries
