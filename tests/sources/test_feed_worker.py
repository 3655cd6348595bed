"""A real Celery worker on the local Redis: ingesting a feed twice gives its items once.

PostgreSQL only: the worker runs in a thread of this process with its own database
connection, so it must see the test's committed rows (transaction=True).
"""

import time

import pytest

from sources.models import Document, Feed, IngestRun
from tests.factories import OrganizationFactory
from tests.sources.test_feed_ingest import local_server, read  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker(redis_url, settings):
    from celery.contrib.testing.worker import start_worker

    from newsroom.celery import app

    broker = redis_url.rsplit("/", 1)[0] + "/14"  # its own database: never the cache's
    app.conf.update(broker_url=broker, task_always_eager=False, result_backend=None)
    # Connection pools made earlier in this process point at the old (default) broker.
    app.close()
    app._pool = None
    app.amqp._producer_pool = None
    app.connection_for_write().default_channel.client.flushdb()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(task_always_eager=True)


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_feed_ingested_twice_by_a_worker_gives_n_documents(worker, local_server):  # noqa: F811
    from sources.tasks import ingest_feed

    outlet = OrganizationFactory(name="Outlet B")
    feed = Feed.objects.create(name="Outlet B", url=f"{local_server}/outlet.rss", publisher=outlet)

    ingest_feed.delay(feed.pk)
    ingest_feed.delay(feed.pk)  # a duplicate, as a redelivery or a double click would send

    assert wait_for(lambda: IngestRun.objects.filter(status="done").count() == 2)
    assert Document.objects.count() == 2
    assert sorted(IngestRun.objects.values_list("created", flat=True)) == [0, 2]


def test_a_worker_retries_a_transient_failure_with_backoff(worker, monkeypatch):
    from sources import tasks
    from sources.fetch import Fetched, TransientFetchError

    calls = []

    def flaky(url):
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise TransientFetchError("timed out")
        return Fetched(url=url, body=read("outlet.rss"))

    monkeypatch.setattr(tasks, "fetch_response", flaky)
    monkeypatch.setattr(tasks.ingest_feed, "retry_backoff_max", 2)
    outlet = OrganizationFactory(name="Outlet B")
    feed = Feed.objects.create(name="Flaky", url="https://flaky.example/rss", publisher=outlet)

    tasks.ingest_feed.delay(feed.pk)

    assert wait_for(lambda: IngestRun.objects.filter(status="done").exists())
    assert len(calls) == 3
    assert Document.objects.count() == 2
