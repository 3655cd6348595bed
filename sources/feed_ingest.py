"""Ingest a feed: each item through the one importer, atomically, recorded on an IngestRun.

The command, the admin's "Run now" and the Celery tasks all call `feed_ingest()`. Items are
known by (publisher, item id) through FeedEntry, so ingesting a feed again creates nothing
twice; a higher version from the sender updates the document through the body-edit service
(its quotes re-anchor, the change is recorded), a kill notice withdraws it (nothing of it goes
outside and the claims resting on it are flagged for review), and an item under embargo is
stored with its embargo: until it passes nothing of it reaches consumers or public pages
(claims.visibility, sources.licensing), while editors can already work on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sources.documents import document_body_update, document_embargo_set, document_withdraw
from sources.errors import field_messages
from sources.feeds import FeedError, FeedItem, ItemStatus, parse_feed
from sources.ingest import IngestError, document_import
from sources.models import Document, Feed, FeedEntry, IngestRun, Organization, SignalLocation
from sources.site_policy import (
    Observation,
    SignalError,
    header_rule,
    host_of,
    license_terms_apply_signal,
    site_policy_record,
)
from sources.text import decode_raw, normalise

Progress = Callable[[IngestRun], None]


@dataclass(frozen=True)
class Outcome:
    counter: str  # the IngestRun field it counts in
    reason: str = ""
    embargoed: bool = False  # also counted in IngestRun.embargoed: stored under embargo


CREATED, UPDATED, WITHDRAWN = Outcome("created"), Outcome("updated"), Outcome("withdrawn")
UNCHANGED = Outcome("unchanged")


def publisher_named(name: str) -> Organization:
    """The organization a feed is ingested for, by name (any case); never created by a typo."""
    organization = Organization.objects.by_name(name.strip()).first()
    if organization is None:
        raise IngestError(
            f"No organization is named {name.strip()!r}: record the publisher first (or check "
            "the spelling)."
        )
    return organization


def feed_ingest(
    *,
    data: bytes,
    publisher: Organization,
    format: str = "",  # noqa: A002 - the feed format's name
    source: str,
    user,
    feed: Feed | None = None,
    task_id: str = "",
    progress: Progress | None = None,
    now: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> IngestRun:
    """Ingest every item of a feed for `publisher`; return the run with its counts.

    A feed that cannot be read at all is recorded as a failed run and raises FeedError. Each
    item is imported in its own transaction: a failing item is counted with its one-line
    reason and leaves nothing half-written; the others go on.
    """
    run = IngestRun.objects.create(
        feed=feed, source=source, publisher=publisher, started_by=user, task_id=task_id
    )
    try:
        items = parse_feed(data, format=format)
    except FeedError as error:
        _finish(run, status=IngestRun.Status.FAILED, error=str(error))
        raise
    now = now or timezone.now()  # one moment per run: embargoes and kills are judged against it
    signal = _response_signal(headers, publisher=publisher, source=source, run=run)
    for item in items:
        run.seen += 1
        try:
            with transaction.atomic():
                outcome = _ingest_item(
                    item, publisher=publisher, run=run, user=user, now=now, signal=signal
                )
        except (IngestError, ValidationError, FeedError) as error:
            run.failed += 1
            run.failures.append({"item": item.guid, "reason": _one_line(error)})
        else:
            setattr(run, outcome.counter, getattr(run, outcome.counter) + 1)
            run.embargoed += outcome.embargoed
            if outcome.reason:
                run.notes.append({"item": item.guid, "note": outcome.reason})
        run.save()
        if progress is not None:
            progress(run)
    _finish(run, status=IngestRun.Status.DONE)
    if feed is not None:
        Feed.objects.filter(pk=feed.pk).update(last_run_at=run.finished_at)
    return run


def _response_signal(headers, *, publisher: Organization, source: str, run: IngestRun):
    """Record the feed response's tdm-reservation/tdm-policy headers; return them (or None)."""
    if not headers:
        return None
    try:
        rule = header_rule(headers, where=f"headers of {source}")
    except SignalError as error:
        if "carry no" not in str(error):
            run.notes.append({"item": source, "note": f"TDM headers ignored: {error}"})
        return None
    try:
        recorded = site_policy_record(
            publisher=publisher,
            host=host_of(source),
            observations=[
                Observation(SignalLocation.HEADER, source, rules=(rule,), resource_url=source)
            ],
        )
    except SignalError as error:
        run.notes.append({"item": source, "note": f"TDM headers not recorded: {error}"})
    else:
        for warning in recorded.warnings:
            run.notes.append({"item": source, "note": warning})
    return rule


def _ingest_item(
    item: FeedItem, *, publisher: Organization, run: IngestRun, user, now, signal=None
) -> Outcome:
    key = item.replaces or item.guid
    entry = (
        FeedEntry.objects.select_for_update()
        .select_related("document")
        .filter(publisher=publisher, guid__in={key, item.guid})
        .order_by("-version")
        .first()
    )
    if entry is None:
        if item.status == ItemStatus.WITHDRAWN:
            return Outcome("unchanged", "a kill notice for an item never ingested: nothing done")
        return _create(item, publisher=publisher, run=run, user=user, now=now, signal=signal)
    if item.status == ItemStatus.WITHDRAWN:
        return _withdraw(entry, item, run=run, now=now)
    if item.version <= entry.version:
        return UNCHANGED
    return _update(entry, item, run=run)


def _create(
    item: FeedItem, *, publisher: Organization, run: IngestRun, user, now, signal=None
) -> Outcome:
    if not item.body.strip():
        raise IngestError("The item has no body text.")
    raw = item.body
    if item.rights_notice:
        # The sender's rights fields are read exactly as a notice at the end of a text is.
        raw = f"{item.body}\n\n{item.rights_notice}"
    result = document_import(
        raw=raw,
        publisher=publisher.name,
        url=item.url,
        headline=item.headline,
        published_at=item.published_at,
        language=item.language,
        embargo_until=item.embargoed_until,
        obtained_via=Document.ObtainedVia.FEED,
        user=user,
    )
    FeedEntry.objects.create(
        publisher=publisher,
        guid=item.guid,
        version=item.version,
        document=result.document,
        last_run=run,
    )
    if not result.created:
        return UNCHANGED
    warnings: list[str] = []
    if signal is not None and result.document.license is not None:
        license_terms_apply_signal(
            terms=result.document.license,
            rule=signal,
            where=f"HTTP header of {run.source}",
            warnings=warnings,
        )
    if result.document.is_under_embargo(now):
        until = result.document.embargo_until.astimezone(UTC).isoformat()
        warnings.insert(0, f"stored under embargo until {until}")
        return Outcome("created", " ".join(warnings), embargoed=True)
    if warnings:
        return Outcome("created", " ".join(warnings))
    return CREATED


def _update(entry: FeedEntry, item: FeedItem, *, run: IngestRun) -> Outcome:
    paragraphs = normalise(decode_raw(item.body)).paragraphs
    if not paragraphs:
        raise IngestError("The update has no article body.")
    body = "\n\n".join(paragraphs)
    if body != entry.document.body:
        document_body_update(document=entry.document, body=body)
    # The sender's latest word on the embargo stands: moved, lifted early, or newly set.
    document_embargo_set(document=entry.document, embargo_until=item.embargoed_until)
    entry.version = item.version
    entry.last_run = run
    entry.save()
    return UPDATED


def _withdraw(entry: FeedEntry, item: FeedItem, *, run: IngestRun, now) -> Outcome:
    if entry.status == FeedEntry.Status.WITHDRAWN:
        return UNCHANGED
    entry.status = FeedEntry.Status.WITHDRAWN
    entry.version = max(entry.version, item.version)
    entry.last_run = run
    entry.save()
    document_withdraw(
        document=entry.document, reason=f"the sender's kill notice for item {item.guid}", at=now
    )
    return WITHDRAWN


def _finish(run: IngestRun, *, status: str, error: str = "") -> None:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.save()


def _one_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        messages = [message for _, texts in field_messages(error) for message in texts]
        text = " ".join(messages) or str(error)
    else:
        text = str(error)
    return " ".join(text.split())[:500]
