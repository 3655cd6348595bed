"""Background work on Celery: ingesting feeds and polling the ones that are due.

Tasks are idempotent (feed items are known by their ids, so a retried or duplicated task
creates nothing twice), retried with backoff on transient fetch errors, and atomic per item.
They act as the system account, never as a person.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from sources.feed_ingest import feed_ingest
from sources.fetch import TransientFetchError, fetch_response
from sources.models import Feed, IngestRun
from sources.system import system_user


@shared_task(
    bind=True,
    autoretry_for=(TransientFetchError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def ingest_feed(self, feed_id: int) -> int | None:
    """Fetch (or read the upload of) one feed and ingest it; return the IngestRun's id."""
    task_id = self.request.id or ""
    if task_id and IngestRun.objects.filter(task_id=task_id, status="done").exists():
        return None  # a redelivered task that already ran to the end
    feed = Feed.objects.select_related("publisher").get(pk=feed_id)
    response = fetch_response(feed.url) if feed.url else None
    run = feed_ingest(
        data=response.body if response else bytes(feed.upload),
        headers=response.headers if response else None,
        publisher=feed.publisher,
        format=feed.format,
        source=feed.url or f"upload for {feed.name}",
        user=system_user(),
        feed=feed,
        task_id=task_id,
    )
    return run.pk


def due_feeds(now=None) -> list[Feed]:
    """Active polled feeds whose last run is older than their interval (or never ran)."""
    now = now or timezone.now()
    polled = Feed.objects.filter(active=True, poll_minutes__gt=0).only(
        "last_run_at", "poll_minutes"
    )
    return [
        feed
        for feed in polled
        if feed.last_run_at is None
        or feed.last_run_at <= now - timedelta(minutes=feed.poll_minutes)
    ]


@shared_task
def poll_due_feeds() -> int:
    """Queue an ingest for every feed that is due (run by celery beat every minute)."""
    feed_ids = [feed.pk for feed in due_feeds()]
    for feed_id in feed_ids:
        ingest_feed.delay(feed_id)
    return len(feed_ids)
