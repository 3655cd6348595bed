"""One agency story in many titles: a document per title, linked as copies of one text."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from sources.documents import document_body_update
from sources.ingest import document_import
from sources.models import Document, DocumentCredit, Organization
from tests.factories import DocumentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

STORY = """Ferry service to Læsø resumes after storm

The ferry service to Læsø resumed on Wednesday morning after two days of storm, the operator said.

Harbour officials said the quay had been inspected overnight, according to Reuters.

/ritzau/

"""
HARBOUR_NOTICE = (
    "DK Medier reserves all rights to the content of Harbour Weekly, including the right to "
    "text and data mining, cf. Section 11b of the Copyright Act."
)
ENERGY_NOTICE = (
    "DK Medier reserves all rights to the content of Energy Supply DK, including the right to "
    "text and data mining, cf. Section 11b of the Copyright Act. Subscribers may share "
    "articles internally only."
)


def carried_by(publication: str, notice: str, **kwargs):
    return document_import(
        raw=STORY + notice, publisher="DK Medier", publication=publication, **kwargs
    )


def test_one_agency_story_in_two_titles_is_two_documents_with_their_own_terms():
    harbour = carried_by("Harbour Weekly", HARBOUR_NOTICE)

    energy = carried_by("Energy Supply DK", ENERGY_NOTICE)

    assert harbour.created and energy.created
    first, second = harbour.document, energy.document
    assert first.pk != second.pk
    assert (first.publication.name, second.publication.name) == (
        "Harbour Weekly",
        "Energy Supply DK",
    )
    assert first.license != second.license
    assert second.license.notice == ENERGY_NOTICE
    assert first.body == second.body and first.body_sha256 == second.body_sha256
    assert list(Document.objects.copies_of(first)) == [second]
    assert list(Document.objects.copies_of(second)) == [first]
    assert any(
        f"The same text is stored for Harbour Weekly (document {first.pk})" in w
        for w in energy.warnings
    )


def test_the_same_story_from_the_same_title_twice_is_one_document():
    first = carried_by("Harbour Weekly", HARBOUR_NOTICE)

    again = carried_by("harbour weekly", HARBOUR_NOTICE)

    assert again.created is False
    assert again.document.pk == first.document.pk
    assert Document.objects.count() == 1
    assert DocumentCredit.objects.count() == len(first.credits)


def test_a_second_publisher_gets_its_own_document_and_publisher():
    first = document_import(raw=STORY, publisher="DK Medier")

    second = document_import(raw=STORY, publisher="Nordic Wire Reader")

    assert second.created is True
    assert second.document.publisher.name == "Nordic Wire Reader"
    assert first.document.publisher.name == "DK Medier"
    assert list(Document.objects.copies_of(first.document)) == [second.document]


def test_with_a_url_the_document_at_that_url_is_the_one_whatever_the_text():
    first = carried_by("Harbour Weekly", HARBOUR_NOTICE, url="https://example.org/ferry")

    # The page was updated after we stored it: the same URL is still the same document.
    updated = document_import(
        raw=STORY.replace("Wednesday", "Thursday") + HARBOUR_NOTICE,
        publisher="DK Medier",
        publication="Harbour Weekly",
        url="https://example.org/ferry",
    )

    assert updated.created is False
    assert updated.document.pk == first.document.pk
    assert "its text differ from this import" in updated.warnings[0]
    assert Document.objects.count() == 1


def test_the_database_keeps_one_text_per_title():
    title = OrganizationFactory(name="Harbour Weekly", kind=Organization.Kind.PUBLICATION)
    stored = DocumentFactory(publication=title, body="One paragraph of wire copy.")

    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentFactory(publisher=stored.publisher, publication=title, body=stored.body)
    with pytest.raises(IntegrityError), transaction.atomic():
        bare = DocumentFactory(publication=None, body="Another paragraph.")
        DocumentFactory(publisher=bare.publisher, publication=None, body=bare.body)

    copy = DocumentFactory(body=stored.body)  # another title: a copy, allowed
    assert list(Document.objects.copies_of(stored)) == [copy]


def test_editing_a_body_to_another_titles_text_is_allowed_but_not_to_its_own():
    harbour = carried_by("Harbour Weekly", HARBOUR_NOTICE).document
    energy = carried_by("Energy Supply DK", ENERGY_NOTICE).document
    document_body_update(document=energy, body="A corrected paragraph.")

    document_body_update(document=energy, body=harbour.body)  # back to being a copy

    assert list(Document.objects.copies_of(harbour)) == [energy]


def test_credits_are_recorded_and_linked_to_news_agencies():
    ritzau = OrganizationFactory(name="Ritzau", kind=Organization.Kind.NEWS_AGENCY)

    result = carried_by("Harbour Weekly", HARBOUR_NOTICE)

    credits = list(result.document.credits.select_related("organization"))
    assert [(c.organization.name, c.shape, c.text) for c in credits] == [
        ("Reuters", DocumentCredit.Shape.ACCORDING_TO, "according to Reuters"),
        ("Ritzau", DocumentCredit.Shape.AGENCY_LINE, "/ritzau/"),
    ]
    assert credits[1].organization == ritzau  # found, not created again
    assert Organization.objects.get(name="Reuters").kind == Organization.Kind.NEWS_AGENCY
    raw = result.document.raw_text
    assert all(raw[c.start : c.end] == c.text for c in credits)
    assert "Created the news agency Reuters (News agency)." in result.warnings
    summary = "Agency credits: Reuters (in-text attribution"
    assert any(warning.startswith(summary) for warning in result.warnings)
    assert result.credits == credits


def test_a_credit_finds_an_agency_recorded_under_its_alias():
    afp = OrganizationFactory(name="AFP", kind=Organization.Kind.NEWS_AGENCY)

    result = document_import(
        raw="PARIS (AFP) — The ferry service resumed on Wednesday.\n", publisher="Le Port"
    )

    assert [c.organization for c in result.credits] == [afp]


def test_a_closing_line_names_several_agencies_and_reports_what_it_does_not_know():
    result = document_import(
        raw="Ferry service resumes\n\nThe ferry service resumed on Wednesday.\n\n"
        "Some information for this report was provided by AP, AFP and The Harbour Gazette.\n",
        publisher="Outlet C",
    )

    assert [c.organization.name for c in result.credits] == [
        "Associated Press",
        "Agence France-Presse",
    ]
    assert (
        "The credit line names The Harbour Gazette, which is not a known news agency; "
        "not credited." in result.warnings
    )


def test_reimporting_a_known_text_describes_the_stored_document_not_the_new_text():
    # Issue 13: the answer said "Already imported" and "No headline was found" at once.
    text = "The ferry service resumed on Wednesday, the operator said.\n"
    first = document_import(raw=text, publisher="Outlet C", headline="Ferry service resumes")

    again = document_import(raw=text, publisher="Outlet C")

    assert again.created is False and again.document.pk == first.document.pk
    assert again.document.headline == "Ferry service resumes"
    assert not any("headline" in warning for warning in again.warnings)
    assert again.warnings == [
        f"Document {first.document.pk} has no licence terms; record them by hand."
    ]


def test_reimporting_a_document_without_a_headline_says_the_stored_one_has_none():
    text = "The ferry service resumed on Wednesday, the operator said.\n"
    first = document_import(raw=text, publisher="Outlet C")
    # Imports now propose a headline; documents stored before that may have none.
    Document.objects.filter(pk=first.document.pk).update(headline="")

    again = document_import(raw=text, publisher="Outlet C")

    assert f"Document {first.document.pk} has no headline." in again.warnings


def test_the_migration_turns_existing_agency_credits_into_credit_rows():
    migration = importlib.import_module("sources.migrations.0004_document_copies_and_credits")
    document = DocumentFactory(agency_credit="ritzau", raw_text="Copy.\n\n/ritzau/\n")
    other = DocumentFactory(agency_credit="NewAgency", raw_text="Copy without the line.")

    migration.credits_from_agency_credit(apps, None)
    migration.credits_from_agency_credit(apps, None)  # safe to run twice

    credit = DocumentCredit.objects.get(document=document)
    assert (credit.organization.name, credit.organization.kind) == ("Ritzau", "news_agency")
    assert (credit.text, document.raw_text[credit.start : credit.end]) == ("/ritzau/", "/ritzau/")
    fallback = DocumentCredit.objects.get(document=other)
    assert (fallback.organization.name, fallback.start, fallback.end) == ("NewAgency", 0, 0)


def test_the_document_page_lists_the_other_copies_and_the_credits(admin_client):
    from django.urls import reverse

    harbour = carried_by("Harbour Weekly", HARBOUR_NOTICE).document
    energy = carried_by("Energy Supply DK", ENERGY_NOTICE).document
    alone = document_import(raw="A text of its own, the operator said.\n", publisher="Outlet C")

    page = admin_client.get(reverse("admin:sources_document_change", args=[harbour.pk]))
    alone_page = admin_client.get(
        reverse("admin:sources_document_change", args=[alone.document.pk])
    )

    html = page.content.decode()
    assert reverse("admin:sources_document_change", args=[energy.pk]) in html
    assert "Energy Supply DK" in html
    assert "/ritzau/" in html and "according to Reuters" in html  # the credits inline
    assert "None: no other title" in alone_page.content.decode()
