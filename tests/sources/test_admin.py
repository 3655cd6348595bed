"""Admin pages for sources: changelists with a fixed query budget, the import page, licences."""

import pytest
from django.urls import reverse

from sources.models import Document, LicenseTerms
from tests.factories import (
    AffiliationFactory,
    AgreementFactory,
    AnonymousSourceFactory,
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    PersonFactory,
    ReservedLicenseTermsFactory,
    StaffFactory,
)
from tests.utils import queries_for_get

pytestmark = pytest.mark.django_db

NOTICE_A = (
    "DK Medier reserves all rights to the content, including the right to exploit the content "
    "for the purpose of text and data mining, cf. Section 11b of the Copyright Act and Article 4 "
    "of the DSM Directive."
)


def make_documents(n: int) -> None:
    terms = ReservedLicenseTermsFactory()
    publication = OrganizationFactory(kind="publication", parent=terms.holder)
    for _ in range(n):
        DocumentFactory(license=terms, publisher=terms.holder, publication=publication)


CHANGELISTS = {
    "document": make_documents,
    "organization": lambda n: OrganizationFactory.create_batch(n, parent=OrganizationFactory()),
    "person": lambda n: [AffiliationFactory() for _ in range(n)],
    "anonymoussource": lambda n: AnonymousSourceFactory.create_batch(n),
    "licenseterms": lambda n: [DocumentFactory(license=LicenseTermsFactory()) for _ in range(n)],
    "agreement": lambda n: AgreementFactory.create_batch(n),
}


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_query_count_does_not_grow_with_rows(
    model, admin_client, django_assert_num_queries
):
    url = reverse(f"admin:sources_{model}_changelist")
    CHANGELISTS[model](1)
    baseline = queries_for_get(admin_client, url)

    CHANGELISTS[model](20)

    with django_assert_num_queries(baseline):
        response = admin_client.get(url)
    assert response.status_code == 200


def test_document_page_shows_what_each_audience_may_do(admin_client):
    document = DocumentFactory(license=ReservedLicenseTermsFactory())

    page = admin_client.get(reverse("admin:sources_document_change", args=[document.pk]))

    html = page.content.decode()
    assert "What each audience may do" in html
    assert "mine it automatically" in html
    assert "DK Medier reserves text and data mining under DSM Directive Art. 4" in html


def test_import_page_imports_pasted_text_through_the_importer(client, editor):
    client.force_login(editor)
    text = (
        "Sanctions put on hold\n\nOfficials told the paper that the plan was put on hold.\n\n"
        f"/ritzau/\n\n{NOTICE_A}\n"
    )

    response = client.post(
        reverse("admin:sources_document_import"),
        {"text": text, "publisher": "DK Medier", "language": "en"},
    )

    document = Document.objects.get()
    assert response.status_code == 302
    # On to the document's page, which shows the import's report above the text, where the
    # editor goes on selecting passages (one page less than a report page of its own).
    page = reverse("admin:sources_document_change", args=[document.pk])
    assert response.url == f"{page}?imported={document.pk}"
    report_page = client.get(response.url).content.decode()
    assert 'id="import-report-title"' in report_page
    assert "New claim from this quote" in report_page
    assert document.agency_credit == "ritzau"
    assert document.obtained_via == Document.ObtainedVia.ADMIN_PASTE
    assert document.imported_by == editor
    assert document.license.tdm_reserved
    assert NOTICE_A not in document.body


def test_import_page_shows_a_bad_input_error_and_writes_nothing(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("admin:sources_document_import"),
        {"text": "   \n\n  ", "publisher": "DK Medier"},
    )

    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert Document.objects.count() == 0
    assert LicenseTerms.objects.count() == 0


def test_import_page_needs_the_add_document_permission(client, factchecker):
    client.force_login(factchecker)

    get = client.get(reverse("admin:sources_document_import"))
    post = client.post(
        reverse("admin:sources_document_import"),
        {"text": "Some text here.", "publisher": "X"},
    )

    assert get.status_code == 403
    assert post.status_code == 403
    assert Document.objects.count() == 0


def test_import_button_only_for_users_who_may_add(client, editor, factchecker):
    DocumentFactory()
    url = reverse("admin:sources_document_changelist")
    import_url = reverse("admin:sources_document_import")

    client.force_login(editor)
    assert import_url in client.get(url).content.decode()
    client.force_login(factchecker)
    assert import_url not in client.get(url).content.decode()


def test_people_list_shows_affiliations(admin_client):
    person = PersonFactory(name="Zack Cooper")
    AffiliationFactory(
        person=person,
        organization=OrganizationFactory(name="American Enterprise Institute"),
        role="Asia security expert",
    )

    html = admin_client.get(reverse("admin:sources_person_changelist")).content.decode()

    assert "Asia security expert, American Enterprise Institute" in html


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("admin:sources_document_changelist"))
    assert response.status_code == 302
    assert "/login/" in response.url


def test_staff_without_permissions_cannot_see_documents(client):
    client.force_login(StaffFactory())
    response = client.get(reverse("admin:sources_document_changelist"))
    assert response.status_code == 403


def test_document_page_links_to_the_suggester_which_refuses_reserved_text(admin_client):
    document = DocumentFactory(license=ReservedLicenseTermsFactory())

    page = admin_client.get(reverse("admin:sources_document_change", args=[document.pk]))
    link = reverse("admin:claims_claim_suggest", args=[document.pk])
    suggester = admin_client.get(link)

    assert link in page.content.decode()
    assert "reserves text and data mining" in suggester.content.decode()


def test_a_document_cannot_carry_another_holders_terms_without_a_recorded_reason():
    # Found in the adversarial probe: an editor attached Outlet B's terms to a DK Medier
    # document; its withheld quote then went out under Outlet B's terms, with no TDM header.
    from django.core.exceptions import ValidationError

    from tests.factories import DocumentFactory, LicenseTermsFactory, OrganizationFactory

    dk_medier = OrganizationFactory(name="DK Medier")
    title = OrganizationFactory(name="Danish Offshore Industry", parent=dk_medier)
    document = DocumentFactory(publisher=title)
    outlet_b_terms = LicenseTermsFactory(holder=OrganizationFactory(name="Outlet B"))

    document.license = outlet_b_terms
    with pytest.raises(ValidationError) as refused:
        document.full_clean()
    assert "Outlet B's terms" in str(refused.value.message_dict["license"])

    document.license_override = "Syndicated under Outlet B's partner agreement of 2025."
    document.full_clean()  # an explicit, recorded override is accepted
    document.license = LicenseTermsFactory(holder=dk_medier)
    document.license_override = ""
    document.full_clean()  # the group's terms need no reason


def test_the_language_filter_offers_the_languages_documents_have_and_filters_by_one(admin_client):
    # given documents in English and Danish, and one whose language nobody recorded
    english = DocumentFactory(language="en")
    danish = DocumentFactory(language="da")
    DocumentFactory(language="")
    url = reverse("admin:sources_document_changelist")

    # when the list is opened, and then filtered to Danish
    html = admin_client.get(url).content.decode()
    danish_only = admin_client.get(url, {"language": "da"})

    # then the filter names both languages (no blank choice), and Danish lists only Danish
    assert "Danish (da)" in html and "English (en)" in html
    assert '?language=da"' in html and '?language="' not in html
    assert list(danish_only.context["cl"].result_list) == [danish]
    assert english not in danish_only.context["cl"].result_list


def test_languages_are_the_distinct_non_blank_codes_in_order_filtered_or_not():
    DocumentFactory(language="en")
    DocumentFactory(language="en")
    DocumentFactory(language="da")
    DocumentFactory(language="")
    publisher = DocumentFactory(language="fr-CA").publisher

    # the whole table (a skip scan on PostgreSQL) and a filtered list (a DISTINCT)
    assert Document.objects.languages() == ["da", "en", "fr-CA"]
    assert Document.objects.filter(publisher=publisher).languages() == ["fr-CA"]
    assert Document.objects.none().languages() == []


def test_the_documents_list_filters_by_recent_publication_dates_without_a_date_hierarchy(
    admin_client,
):
    from datetime import timedelta

    from django.utils import timezone

    # given a document published yesterday and one three months ago
    recent = DocumentFactory(published_at=timezone.now() - timedelta(days=1))
    DocumentFactory(published_at=timezone.now() - timedelta(days=90))
    url = reverse("admin:sources_document_changelist")

    # when the list is opened, then filtered to the past seven days as its link says
    response = admin_client.get(url)
    past_week = next(
        choice
        for spec in response.context["cl"].filter_specs
        for choice in spec.choices(response.context["cl"])
        if choice["display"] == "Past 7 days"
    )
    filtered = admin_client.get(url + past_week["query_string"])

    # then there are no year links aggregating the list, and the range lists only the recent one
    assert response.context["cl"].date_hierarchy is None
    assert 'class="toplinks"' not in response.content.decode()
    assert list(filtered.context["cl"].result_list) == [recent]
