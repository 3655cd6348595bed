"""Feed ingestion throughput: one RSS feed of N items, in-process and by one real Celery worker.

    .venv/bin/python bench/feed_throughput.py [--items 1000] [--broker redis://127.0.0.1:6379/5]
    make bench-feed

Uses a fresh SQLite file under /tmp unless DATABASE_URL is set (then it must point at a
scratch database: the script migrates it and fills it). It prints items per second for:
`feed_ingest()` in this process (each item through the one `document_import`, atomically,
recorded on an IngestRun), the same through the `ingest_feed` task run by one Celery worker
(`celery -A newsroom worker --pool solo`, started here as its own process on the broker;
timed from queueing to the run being done), and a baseline that stores the same item bodies
with bulk_create and nothing else. No timing is asserted: the figures are for reading.
"""

import argparse
import os
import subprocess
import sys
import time
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROOT, configure  # noqa: E402  (bench/run.py sets up Django on a throwaway database)

PLACES = ["north quay", "south basin", "ferry terminal", "container yard", "dry dock"]


def paragraphs(i: int, tag: str) -> list[str]:
    place = PLACES[i % len(PLACES)]
    return [
        f"The harbour authority inspected crane {i} at the {place} on Monday ({tag}), after a "
        "collapse elsewhere in the port last week.",
        f"Inspectors found worn brakes on {i % 7 + 1} cranes, the authority said, and ordered "
        "repairs before the cranes are used again.",
        f"Repairs should take {i % 5 + 2} weeks, according to the union.",
    ]


def rss(count: int, *, tag: str) -> bytes:
    """An RSS 2.0 feed of `count` distinct items (ids, links and bodies unique per `tag`)."""
    import datetime

    published = datetime.datetime(2025, 11, 20, 8, 0, tzinfo=datetime.UTC)
    items = []
    for i in range(count):
        body = "".join(f"<p>{text}</p>" for text in paragraphs(i, tag))
        items.append(
            "<item>"
            f"<title>Crane inspection {i} ({tag})</title>"
            f"<link>https://harbour.example/{tag}/{i}</link>"
            f'<guid isPermaLink="false">{tag}-{i}</guid>'
            f"<pubDate>{format_datetime(published + datetime.timedelta(minutes=i))}</pubDate>"
            f"<description>{escape(body)}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Bench Harbour Post ({tag})</title><link>https://harbour.example/</link>"
        "<copyright>© 2025 Bench Harbour Media. All rights reserved.</copyright>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def start_worker(broker: str) -> subprocess.Popen:
    """One Celery worker process (solo pool: one item at a time) on `broker`, same database."""
    env = {**os.environ, "CELERY_BROKER_URL": broker}
    return subprocess.Popen(  # noqa: S603 (our own interpreter running Celery)
        [
            sys.executable,
            *(["-S"] if sys.flags.no_site else []),  # run as this process was run
            "-m",
            "celery",
            "-A",
            "newsroom",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise SystemExit(f"gave up waiting for {what} after {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument(
        "--broker",
        default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/5"),
        help="The Redis the worker listens on (flushed first: use a database of its own).",
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="Seconds to wait for the worker."
    )
    args = parser.parse_args()
    configure()

    from django.core.management import call_command
    from django.db import connection

    from newsroom.celery import app
    from sources.feed_ingest import feed_ingest
    from sources.models import Document, Feed, IngestRun, Organization, sha256_hex
    from sources.system import system_user

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; {args.items} RSS items per run; broker: {args.broker}")

    # In this process: the command's and the admin's "Run now" path.
    data = rss(args.items, tag="inline")
    publisher = Organization.objects.create(name="Bench Inline", kind="publisher")
    start = time.perf_counter()
    run = feed_ingest(data=data, publisher=publisher, source="bench", user=system_user())
    elapsed = time.perf_counter() - start
    assert (run.created, run.failed) == (args.items, 0), (run.created, run.failures[:3])
    print(f"feed_ingest in-process: {args.items / elapsed:.0f} items/s ({elapsed:.1f} s)")

    # One real worker: the task goes through Redis, the worker ingests and records the run.
    app.conf.update(broker_url=args.broker, task_always_eager=False)
    connection.close()  # the worker opens its own connection to the same database
    app.connection_for_write().default_channel.client.flushdb()
    worker = start_worker(args.broker)
    try:
        wait_until(
            lambda: bool(app.control.ping(timeout=0.5)) or worker.poll() is not None,
            timeout=120,
            what="the worker to start",
        )
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited: {worker.stderr.read()[-2000:]}")
        other = Organization.objects.create(name="Bench Worker", kind="publisher")
        feed = Feed.objects.create(
            name="Bench worker feed", publisher=other, upload=rss(args.items, tag="worker")
        )
        from sources.tasks import ingest_feed

        start = time.perf_counter()
        ingest_feed.delay(feed.pk)
        wait_until(
            lambda: IngestRun.objects.filter(feed=feed, status=IngestRun.Status.DONE).exists(),
            timeout=args.timeout,
            what="the worker's run",
        )
        elapsed = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    run = IngestRun.objects.get(feed=feed)
    assert (run.created, run.failed) == (args.items, 0), (run.created, run.failures[:3])
    print(f"ingest_feed by one Celery worker: {args.items / elapsed:.0f} items/s ({elapsed:.1f} s)")

    # The floor: the same bodies stored with bulk_create, no parsing, importing or recording.
    baseline = Organization.objects.create(name="Bench Baseline", kind="publisher")
    bodies = ["\n\n".join(paragraphs(i, "raw")) for i in range(args.items)]
    start = time.perf_counter()
    Document.objects.bulk_create(
        [
            Document(
                publisher=baseline,
                body=body,
                raw_text=body,
                body_sha256=sha256_hex(body),
                obtained_via=Document.ObtainedVia.FEED,
            )
            for body in bodies
        ],
        batch_size=500,
    )
    elapsed = time.perf_counter() - start
    print(f"baseline bulk_create, no parsing or import: {args.items / elapsed:.0f} items/s")


if __name__ == "__main__":
    main()
