"""Feeds in the admin: add one by upload, run it now, read the run."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sources.models import Document, Feed, IngestRun
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "feeds"


def test_an_editor_uploads_a_feed_runs_it_and_reads_the_run(admin_client):
    outlet = OrganizationFactory(name="Outlet B")
    upload = SimpleUploadedFile("outlet.rss", (DATA / "outlet.rss").read_bytes())

    added = admin_client.post(
        "/admin/sources/feed/add/",
        {
            "name": "Outlet B file",
            "publisher": outlet.pk,
            "format": "",
            "poll_minutes": 0,
            "active": "on",
            "upload_file": upload,
        },
    )
    assert added.status_code == 302, added.context["adminform"].form.errors
    feed = Feed.objects.get()
    ran = admin_client.post(
        "/admin/sources/feed/",
        {"action": "run_now", "_selected_action": [feed.pk]},
        follow=True,
    )

    assert "run started" in ran.content.decode()
    run = IngestRun.objects.get()
    assert run.created == 2 and Document.objects.count() == 2
    page = admin_client.get(f"/admin/sources/ingestrun/{run.pk}/change/").content.decode()
    assert "Outlet B" in page and "upload for Outlet B file" in page


def test_a_feed_needs_a_url_or_an_upload_and_only_a_url_is_polled(admin_client):
    outlet = OrganizationFactory(name="Outlet B")

    response = admin_client.post(
        "/admin/sources/feed/add/",
        {"name": "Nothing", "publisher": outlet.pk, "format": "", "poll_minutes": 5},
    )

    errors = response.context["adminform"].form.errors
    assert "Give the feed's URL or upload a feed file." in errors["url"]
    assert "Only a feed with a URL can be polled." in errors["poll_minutes"]
    assert not Feed.objects.exists()
