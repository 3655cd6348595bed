"""Feeds ingested through the one importer: idempotent, atomic per item, updates and kills."""

import datetime
import http.server
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sources.feed_ingest import feed_ingest
from sources.licensing import Action, Audience, decide
from sources.models import Document, Feed, FeedEntry, IngestRun
from sources.system import SYSTEM_USERNAME, system_user
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "feeds"
AFTER_EMBARGO = datetime.datetime(2025, 11, 21, tzinfo=datetime.UTC)


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def outlet():
    return OrganizationFactory(name="Outlet B")


@pytest.fixture
def ritzau():
    return OrganizationFactory(name="Ritzau", kind="news_agency")


def ingest(data: bytes, publisher, **kwargs) -> IngestRun:
    return feed_ingest(data=data, publisher=publisher, source="test", user=system_user(), **kwargs)


def test_a_feed_ingested_twice_gives_each_item_once(outlet):
    first = ingest(read("outlet.rss"), outlet)
    again = ingest(read("outlet.rss"), outlet)

    assert (first.seen, first.created, first.failed) == (2, 2, 0)
    assert (again.seen, again.created, again.unchanged) == (2, 0, 2)
    assert Document.objects.filter(publisher=outlet).count() == 2
    assert FeedEntry.objects.count() == 2
    document = Document.objects.get(url__endswith="/sanctions")
    assert document.obtained_via == Document.ObtainedVia.FEED
    assert document.imported_by.username == SYSTEM_USERNAME  # never a person or a demo login
    # The channel's rights line became licence terms as a notice would.
    assert document.license is not None and "All rights reserved" in document.license.notice


def test_rights_fields_of_a_newsml_item_become_licence_terms(ritzau):
    run = ingest(read("newsml_usable.xml"), ritzau)

    assert run.created == 1
    document = Document.objects.get()
    assert "May only be shared internally" in document.license.notice


def test_an_item_under_embargo_is_stored_with_its_embargo_once(ritzau):
    embargo = datetime.datetime(2025, 11, 20, 11, 0, tzinfo=datetime.UTC)
    before = embargo - datetime.timedelta(seconds=1)

    run = ingest(read("newsml_usable.xml"), ritzau, now=before)

    assert (run.created, run.embargoed) == (1, 1)
    document = Document.objects.get()
    assert document.embargo_until == embargo
    assert "stored under embargo until 2025-11-20T11:00:00+00:00" in run.notes[0]["note"]
    # Re-ingesting after the embargo passed creates nothing twice and changes nothing.
    after = ingest(read("newsml_usable.xml"), ritzau, now=embargo + datetime.timedelta(seconds=1))
    assert (after.created, after.unchanged, after.embargoed) == (0, 1, 0)
    assert Document.objects.count() == 1


def test_an_update_edits_the_document_and_a_kill_withdraws_it(ritzau):
    ingest(read("newsml_usable.xml"), ritzau)
    document = Document.objects.get()
    body = document.body

    update = ingest(read("newsml_update.xml"), ritzau)
    document.refresh_from_db()
    assert update.updated == 1 and document.body != body
    assert Document.objects.count() == 1

    kill = ingest(read("newsml_kill.xml"), ritzau)
    document.refresh_from_db()
    assert kill.withdrawn == 1
    assert document.withdrawn_at is not None
    refused = decide(document=document, action=Action.QUOTE_EXTERNALLY, audience=Audience.EXTERNAL)
    assert not refused and "withdrawn" in refused.reason
    assert decide(document=document, action=Action.VIEW_FULL_TEXT, audience=Audience.STAFF)
    assert ingest(read("newsml_kill.xml"), ritzau).unchanged == 1


def test_a_failing_item_is_recorded_and_the_others_go_on(outlet):
    feed = read("outlet.rss").replace(
        b"The administration is also planning to enact major new export controls against China.",
        b"",
    )

    run = ingest(feed, outlet)

    assert (run.seen, run.created, run.failed) == (2, 1, 1)
    assert run.failures[0]["item"].endswith("/exports")
    assert "\n" not in run.failures[0]["reason"]
    assert Document.objects.count() == 1


def test_an_unreadable_feed_is_a_failed_run_and_changes_nothing(outlet):
    from sources.feeds import FeedError

    with pytest.raises(FeedError):
        ingest(b"plain text, not a feed", outlet)

    run = IngestRun.objects.get()
    assert run.status == IngestRun.Status.FAILED and "Unrecognised" in run.error
    assert not Document.objects.exists()


def test_the_command_reports_progress_and_refuses_an_unknown_publisher(outlet, capsys):
    call_command("ingest_feed", str(DATA / "outlet.rss"), "--publisher", "outlet b")
    out, err = capsys.readouterr()

    assert "created 2" in out and "seen 2" in err

    with pytest.raises(CommandError, match="No organization is named 'Outlt B'"):
        call_command("ingest_feed", str(DATA / "outlet.rss"), "--publisher", "Outlt B")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("ingest_feed", "/nonexistent.rss", "--publisher", "Outlet B")


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(DATA), **kwargs)

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/robots.txt":
            body = b"User-agent: *\nDisallow: /private/\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_feed_from_a_url_and_robots_txt_honoured(outlet, local_server, capsys):
    call_command("ingest_feed", f"{local_server}/outlet.rss", "--publisher", "Outlet B")
    assert Document.objects.count() == 2

    with pytest.raises(CommandError, match="robots.txt does not allow"):
        call_command("ingest_feed", f"{local_server}/private/x.rss", "--publisher", "Outlet B")


def test_the_fetch_is_bounded_in_size(outlet, local_server, settings):
    settings.NEWSROOM_FETCH_MAX_BYTES = 100

    with pytest.raises(CommandError, match="larger than the limit"):
        call_command("ingest_feed", f"{local_server}/outlet.rss", "--publisher", "Outlet B")


def test_the_system_account_cannot_log_in(client):
    user = system_user()

    assert not user.has_usable_password() and not user.is_active
    assert not user.check_password("")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": SYSTEM_USERNAME, "password": ""}
    )
    assert response.status_code == 200  # the form again, not a redirect into the admin


def test_a_feed_task_runs_in_process_without_a_broker_and_polls_due_feeds(outlet, local_server):
    from sources.tasks import due_feeds, poll_due_feeds

    feed = Feed.objects.create(
        name="Outlet B wire", url=f"{local_server}/outlet.rss", publisher=outlet, poll_minutes=5
    )

    assert due_feeds() == [feed]
    assert poll_due_feeds() == 1  # eager: ran here and now
    feed.refresh_from_db()
    assert feed.last_run_at is not None and due_feeds() == []
    run = feed.runs.get()
    assert run.created == 2 and run.started_by.username == SYSTEM_USERNAME


def test_a_transient_fetch_error_asks_for_a_retry_and_writes_nothing(outlet, monkeypatch):
    # The retry itself runs on a real worker (tests/sources/test_feed_worker.py).
    from sources import tasks
    from sources.fetch import TransientFetchError

    def flaky(url):
        raise TransientFetchError("timed out")

    monkeypatch.setattr(tasks, "fetch_response", flaky)
    feed = Feed.objects.create(name="Flaky", url="https://flaky.example/rss", publisher=outlet)

    from celery.exceptions import Retry

    with pytest.raises(Retry, match="timed out"):
        tasks.ingest_feed.apply(args=[feed.pk])

    assert not Document.objects.exists() and not IngestRun.objects.exists()
