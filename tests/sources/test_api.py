"""Sources over the API: fixed query counts whatever the number of rows, read-only for consumers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims.models import ClaimStatus
from newsroom.tokens import token_issue
from tests.claims.factories import AppearanceFactory, AttributionFactory, ClaimFactory
from tests.factories import (
    AffiliationFactory,
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    PersonFactory,
    ReservedLicenseTermsFactory,
)

pytestmark = pytest.mark.django_db


def published(document=None, **agent):
    """Make what a verified claim rests on: its document and, optionally, a chain agent."""
    appearance = AppearanceFactory(
        claim=ClaimFactory(status=ClaimStatus.VERIFIED),
        document=document or DocumentFactory(),
    )
    if agent:
        AttributionFactory(appearance=appearance, anonymous_source=None, **agent)
    return appearance


ROWS = {
    "documents": lambda: published(DocumentFactory(license=ReservedLicenseTermsFactory())),
    "organizations": lambda: published(
        organization=OrganizationFactory(parent=OrganizationFactory())
    ),
    "people": lambda: published(person=AffiliationFactory().person),
    "licenses": lambda: published(DocumentFactory(license=LicenseTermsFactory())),
}


@pytest.fixture
def consumer_api(consumer):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=consumer, name='t')[1]}")
    client.get("/api/v1/organizations/")  # first use records last_used_at
    return client


@pytest.mark.parametrize("resource", ROWS)
def test_list_query_count_does_not_grow_with_rows(
    resource, consumer_api, django_assert_num_queries
):
    url = f"/api/v1/{resource}/?page_size=50"
    ROWS[resource]()
    with CaptureQueriesContext(connection) as one:
        assert consumer_api.get(url).status_code == 200

    for _ in range(30):
        ROWS[resource]()

    with django_assert_num_queries(len(one)):
        response = consumer_api.get(url)
    assert len(response.json()["results"]) >= 31


@pytest.mark.parametrize("resource", ROWS)
def test_consumers_cannot_write(resource, consumer_api):
    response = consumer_api.post(f"/api/v1/{resource}/", {"name": "x"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "API consumers have read-only access."}


def test_licence_terms_carry_their_odrl_link(consumer_api):
    terms = ReservedLicenseTermsFactory()
    published(DocumentFactory(license=terms))

    body = consumer_api.get(f"/api/v1/licenses/{terms.pk}/").json()
    policy = consumer_api.get(body["odrl"].replace("http://testserver", ""))

    assert body["tdm_reserved"] is True
    assert policy["Content-Type"] == "application/ld+json"
    assert "tdm:mine" in policy.content.decode()


def test_consumers_see_only_what_concluded_claims_rest_on(consumer_api, editor):
    # Found in review: a document quoted only by an unverified claim was listed to consumers.
    shown = published(
        DocumentFactory(headline="Verified story"), person=PersonFactory(name="On record")
    )
    hidden_document = DocumentFactory(headline="Secret investigation into minister")
    hidden = AppearanceFactory(claim=ClaimFactory(), document=hidden_document)
    AttributionFactory(appearance=hidden, anonymous_source=None, person=PersonFactory(name="Mole"))
    staff = APIClient()
    staff.force_login(editor)

    def names(client, resource, field):
        return {row[field] for row in client.get(f"/api/v1/{resource}/").json()["results"]}

    assert names(consumer_api, "documents", "headline") == {"Verified story"}
    assert names(consumer_api, "people", "name") == {"On record"}
    assert shown.document.publisher.name in names(consumer_api, "organizations", "name")
    assert hidden_document.publisher.name not in names(consumer_api, "organizations", "name")
    assert consumer_api.get(f"/api/v1/documents/{hidden_document.pk}/").status_code == 404
    assert "Secret investigation into minister" in names(staff, "documents", "headline")
    assert "Mole" in names(staff, "people", "name")
