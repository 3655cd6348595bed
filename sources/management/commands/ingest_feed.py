"""Ingest an RSS, Atom, NewsML-G2 or ninjs feed from a file or a URL."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sources.feed_ingest import feed_ingest, publisher_named
from sources.feeds import FORMATS, FeedError
from sources.fetch import FetchError, fetch_response
from sources.ingest import IngestError
from sources.models import IngestRun
from sources.system import system_user


class Command(BaseCommand):
    help = "Ingest every item of a feed (file or URL) for a publisher; each item is atomic."

    def add_arguments(self, parser):
        parser.add_argument("source", help="A feed file, or an http(s) URL.")
        parser.add_argument("--publisher", required=True, help="Who publishes the feed.")
        parser.add_argument("--format", choices=FORMATS, default="", help="Default: detect.")
        parser.add_argument(
            "--no-progress", action="store_true", help="Print only the summary at the end."
        )

    def handle(self, *args, **options):
        source = options["source"]
        try:
            publisher = publisher_named(options["publisher"])
            remote = source.startswith(("http://", "https://"))
            response = fetch_response(source) if remote else None
            run = feed_ingest(
                data=response.body if response else self._read(source),
                headers=response.headers if response else None,
                publisher=publisher,
                format=options["format"],
                source=source,
                user=system_user(),
                progress=None if options["no_progress"] else self._progress,
            )
        except (FeedError, FetchError, IngestError) as error:
            raise CommandError(str(error)) from None
        if not options["no_progress"]:
            self.stderr.write("")
        self.stdout.write(summary(run))
        for failure in run.failures:
            self.stdout.write(f"  failed {failure['item']}: {failure['reason']}")
        for note in run.notes:
            self.stdout.write(f"  {note['item']}: {note['note']}")
        if run.failed:
            raise CommandError(f"{run.failed} of {run.seen} items failed (run {run.pk}).")

    def _read(self, path: str) -> bytes:
        try:
            return Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None

    def _progress(self, run: IngestRun) -> None:
        sys.stderr.write(f"\r{progress_line(run)}")
        sys.stderr.flush()


def progress_line(run: IngestRun) -> str:
    return (
        f"seen {run.seen} · created {run.created} · updated {run.updated} · "
        f"withdrawn {run.withdrawn} · unchanged {run.unchanged} · embargoed {run.embargoed} · "
        f"failed {run.failed}"
    )


def summary(run: IngestRun) -> str:
    return f"Run {run.pk}: {progress_line(run)}."
