"""An embargo set on import (command, admin page) and shown on every admin page of the document."""

import datetime
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from sources.ingest import IngestError, document_import
from sources.models import Document
from tests.claims.factories import AppearanceFactory, ClaimFactory
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

TEXT = "Agency story that may not run before eleven.\n\nA second paragraph of it.\n"
EMBARGO = datetime.datetime(2025, 11, 20, 11, 0, tzinfo=datetime.UTC)
BEFORE = EMBARGO - datetime.timedelta(seconds=1)


def run_import(tmp_path, *args) -> dict:
    path = tmp_path / "article.txt"
    path.write_text(TEXT)
    out = StringIO()
    call_command("import_document", str(path), "--publisher", "Agency", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_stores_the_embargo(tmp_path):
    result = run_import(tmp_path, "--embargo-until", "2025-11-20T12:00:00+01:00")

    assert result["embargo_until"] == "2025-11-20T12:00:00+01:00"
    assert Document.objects.get().embargo_until == EMBARGO


@pytest.mark.parametrize("value", ["tomorrow", "2025-11-20T11:00:00"])
def test_the_command_refuses_a_bad_embargo_and_writes_nothing(tmp_path, value):
    with pytest.raises(CommandError, match="(?i)embargo"):
        run_import(tmp_path, "--embargo-until", value)
    assert not Document.objects.exists()


def test_a_naive_embargo_is_refused_by_the_importer():
    naive = datetime.datetime(2025, 11, 20, 11, 0)  # noqa: DTZ001 - the bad input under test
    with pytest.raises(IngestError, match="embargo time has no time zone"):
        document_import(raw=TEXT, publisher="Agency", embargo_until=naive)
    assert not Document.objects.exists()


def test_reimporting_with_another_embargo_leaves_the_stored_one_and_says_so():
    document_import(raw=TEXT, publisher="Agency", embargo_until=EMBARGO)
    again = document_import(
        raw=TEXT, publisher="Agency", embargo_until=EMBARGO + datetime.timedelta(hours=1)
    )

    assert not again.created and again.document.embargo_until == EMBARGO
    assert "embargo" in again.warnings[0]


def test_the_admin_import_page_stores_the_embargo(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("admin:sources_document_import"),
        {"text": TEXT, "publisher": "Agency", "embargo_until": "2025-11-20 11:00"},
    )

    assert response.status_code == 302
    assert Document.objects.get().embargo_until == EMBARGO


# --- The admin shows the embargo wherever it shows the document -------------------------------


@pytest.fixture
def embargoed():
    return DocumentFactory(headline="Scoop", embargo_until=EMBARGO)


def test_the_document_pages_show_the_embargo(admin_client, embargoed):
    DocumentFactory(headline="Free to run")
    with time_machine.travel(BEFORE, tick=False):
        change = admin_client.get(reverse("admin:sources_document_change", args=[embargoed.pk]))
        assert "Under embargo until 20 Nov 2025, 11:00" in change.content.decode()
        changelist = reverse("admin:sources_document_changelist")
        listed = admin_client.get(changelist).content.decode()
        assert "until 20 Nov 2025, 11:00" in listed
        only = admin_client.get(changelist, {"embargo": "yes"}).content.decode()
        assert "Scoop" in only and "Free to run" not in only
    with time_machine.travel(EMBARGO, tick=False):
        change = admin_client.get(reverse("admin:sources_document_change", args=[embargoed.pk]))
        assert "The embargo passed at 20 Nov 2025, 11:00" in change.content.decode()
        assert "Scoop" not in admin_client.get(changelist, {"embargo": "yes"}).content.decode()


def test_the_claim_pages_and_the_queue_show_the_embargo(admin_client, embargoed):
    from claims.models import ClaimStatus

    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, summary="Rests on the scoop")
    AppearanceFactory(claim=claim, document=embargoed)
    pages = [
        reverse("admin:claims_claim_change", args=[claim.pk]),
        reverse("admin:claims_claim_provenance", args=[claim.pk]),
        reverse("admin:claims_claim_queue"),
    ]
    with time_machine.travel(BEFORE, tick=False):
        for url in pages:
            html = admin_client.get(url).content.decode()
            assert "Under embargo until 20 Nov 2025, 11:00" in html, url
    with time_machine.travel(EMBARGO, tick=False):
        for url in pages:
            assert "Under embargo until" not in admin_client.get(url).content.decode(), url
