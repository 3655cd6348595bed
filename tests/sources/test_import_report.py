"""The import report: what was removed, what was detected, what needs a decision — in the
service's result, the command's --json and human output, and the admin import page."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from sources.ingest import document_import
from sources.models import Document
from tests.factories import DocumentFactory, PersonFactory

LEDE = "The harbour authority closed the north quay on Monday after a crane collapsed."
SECOND = "Nobody was hurt, the authority said in a statement."
WEB_CAPTURE = (
    "Skip to main content\n"
    "Crane collapse closes north quay\n"
    "By Jane Doe\n"
    f"{LEDE}\n"
    "The collapsed crane. Foto: Mads Lund/Ritzau Scanpix\n"
    f"{SECOND}\n"
    "Do you have a story for the Harbour Post? Write to tips@example.org.\n"
    "Share 37 Facebook Twitter\n"
)


@pytest.mark.django_db
def test_the_result_reports_each_removed_piece_with_its_kind():
    result = document_import(raw=WEB_CAPTURE, publisher="Harbour Post")

    assert result.document.paragraphs == [LEDE, SECOND]
    assert result.report.as_dict()["removed"] == [
        # In the order they stand in the text.
        {"kind": "accessibility link", "text": "Skip to main content"},
        {"kind": "photo caption", "text": "The collapsed crane. Foto: Mads Lund/Ritzau Scanpix"},
        {
            "kind": "reader call-out",
            "text": "Do you have a story for the Harbour Post? Write to tips@example.org.",
        },
        {"kind": "share counter", "text": "Share 37 Facebook Twitter"},
    ]


@pytest.mark.django_db
def test_the_raw_text_is_kept_as_received_whatever_was_removed():
    raw = WEB_CAPTURE.replace("\n", "\r\n")

    result = document_import(raw=raw.encode(), publisher="Harbour Post")

    assert Document.objects.get().raw_text == raw
    assert "Skip to main content" not in result.document.body


@pytest.mark.django_db
def test_removed_text_is_truncated_in_the_report():
    callout = "Do you have a story for the Harbour Post? " + "Write to us any time. " * 10

    result = document_import(raw=f"{LEDE}\n\n{SECOND}\n\n{callout}", publisher="Harbour Post")

    (removed,) = result.report.as_dict()["removed"]
    assert removed["kind"] == "reader call-out"
    assert len(removed["text"]) <= 160
    assert removed["text"].endswith("…")


@pytest.mark.django_db
def test_the_byline_is_offered_as_a_person_naming_one_already_recorded():
    known = PersonFactory(name="Jane Doe")

    result = document_import(raw=WEB_CAPTURE, publisher="Harbour Post")

    byline = result.report.detected["byline"]
    assert byline["value"] == ["Jane Doe"]
    assert byline["source"] == "byline"
    assert byline["text"] == "By Jane Doe"
    assert byline["persons"] == [{"name": "Jane Doe", "person_id": known.pk}]
    assert (
        f"The byline names Jane Doe: Person {known.pk} has that name; check it is the same person."
        in result.report.decisions
    )
    assert "Jane Doe" not in result.document.body


@pytest.mark.django_db
def test_a_byline_naming_nobody_recorded_asks_for_a_person():
    result = document_import(raw=WEB_CAPTURE, publisher="Harbour Post")

    assert result.report.detected["byline"]["persons"] == [{"name": "Jane Doe", "person_id": None}]
    assert any("no Person has that name yet" in d for d in result.report.decisions)


@pytest.mark.django_db
def test_the_headline_source_and_a_missing_notice_are_reported():
    result = document_import(raw=WEB_CAPTURE, publisher="Harbour Post")

    assert result.report.detected["headline"] == {
        "value": "Crane collapse closes north quay",
        "source": "first line",
        "proposed": False,
    }
    assert "No rights notice was found; record the licence terms by hand." in (
        result.report.decisions
    )


@pytest.mark.django_db
def test_a_language_guess_is_reported_for_a_decision_not_stored():
    danish = (
        "Havnen lukkede mandag den nordlige kaj, efter at en kran var styrtet sammen.\n\n"
        "Ingen kom til skade, oplyser havnen i en pressemeddelelse, og arbejdet skal genoptages."
    )

    result = document_import(raw=danish, publisher="Havneposten")

    assert result.document.language == ""
    assert result.report.detected["language"] == {
        "value": "da",
        "source": "guessed from the words of the text",
        "stored": False,
    }
    assert any("reads as 'da'" in decision for decision in result.report.decisions)


@pytest.mark.django_db
def test_a_proposed_headline_is_marked_and_asks_for_confirmation():
    result = document_import(raw=f"{LEDE}\n\n{SECOND}", publisher="Harbour Post")

    assert result.document.headline == LEDE.rstrip(".")
    assert result.report.detected["headline"]["proposed"] is True
    assert any("confirm or replace the proposed headline" in d for d in result.report.decisions)


@pytest.mark.django_db
def test_reimporting_says_already_imported_and_not_that_a_headline_is_missing():
    # Issue 13: the second import said "No headline was found" of a document that has one.
    document_import(raw=f"{LEDE}\n\n{SECOND}", publisher="Harbour Post")

    again = document_import(raw=f"{LEDE}\n\n{SECOND}", publisher="Harbour Post")

    assert again.created is False
    assert not any("headline" in warning.lower() for warning in again.warnings)
    assert again.report.decisions == [
        f"This text was already imported as document {again.document.pk}; nothing was changed."
    ]
    assert again.report.detected["headline"]["source"] == "stored document"


@pytest.mark.django_db
def test_a_document_without_a_headline_is_named_by_its_opening_words():
    document = DocumentFactory(
        headline="",
        body="Cranes at three ports will be inspected after the collapse on the north quay "
        "on Monday.\n\nMore.",
    )

    assert str(document) == "Cranes at three ports will be inspected after the collapse…"
    empty = DocumentFactory(headline="", body="")
    assert str(empty) == f"Document {empty.pk}"


@pytest.mark.django_db
def test_the_human_summary_lists_removed_detected_and_decisions(tmp_path):
    path = tmp_path / "capture.txt"
    path.write_text(WEB_CAPTURE, encoding="utf-8")
    out = StringIO()

    call_command("import_document", str(path), publisher="Harbour Post", stdout=out)

    lines = out.getvalue().splitlines()
    assert "Removed 1 × accessibility link: Skip to main content" in lines
    assert "Detected byline: Jane Doe (byline)." in lines
    assert "Detected headline: Crane collapse closes north quay (first line)." in lines
    assert "To decide: No rights notice was found; record the licence terms by hand." in lines


@pytest.mark.django_db
def test_the_json_output_carries_the_report(tmp_path):
    path = tmp_path / "capture.txt"
    path.write_text(WEB_CAPTURE, encoding="utf-8")
    out = StringIO()

    call_command("import_document", str(path), "--json", publisher="Harbour Post", stdout=out)

    report = json.loads(out.getvalue())["report"]
    assert report["format"] == "text"
    assert report["detected"]["byline"]["value"] == ["Jane Doe"]
    assert {"kind": "accessibility link", "text": "Skip to main content"} in report["removed"]
    assert report["decisions"]


@pytest.mark.django_db
def test_the_admin_import_page_shows_the_report_once_after_the_redirect(client, editor):
    client.force_login(editor)
    url = reverse("admin:sources_document_import")

    response = client.post(url, {"text": WEB_CAPTURE, "publisher": "Harbour Post"})
    page = client.get(response.url).content.decode()

    document = Document.objects.get()
    assert response.url.startswith(reverse("admin:sources_document_change", args=[document.pk]))
    assert "Needs a decision" in page
    assert "Accessibility link (1)" in page
    assert "Skip to main content" in page
    assert "Jane Doe" in page
    assert "Crane collapse closes north quay" in page
    # Shown once: a reload shows the empty form, not the old report.
    assert "Needs a decision" not in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_the_admin_shows_no_report_for_another_users_document_number(client, editor):
    client.force_login(editor)
    url = reverse("admin:sources_document_import")
    client.post(url, {"text": WEB_CAPTURE, "publisher": "Harbour Post"})
    other = DocumentFactory()
    page_of = reverse("admin:sources_document_change", args=[other.pk])

    page = client.get(f"{page_of}?imported={other.pk}").content.decode()

    assert "Needs a decision" not in page


@pytest.mark.django_db
def test_the_admin_lists_at_most_twenty_pieces_of_one_kind_and_counts_them_all(client, editor):
    client.force_login(editor)
    url = reverse("admin:sources_document_import")
    toggles = "\n".join(f"{LEDE[:-1]} number {n}.\nVis mere" for n in range(30))

    response = client.post(url, {"text": toggles, "publisher": "Harbour Post"})
    page = client.get(response.url).content.decode()

    assert "Show-more toggle (30)" in page
    assert page.count("<q>Vis mere</q>") == 20
    assert "… and 30 in all." in page
