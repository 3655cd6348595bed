"""Sources over the API: fixed query counts whatever the number of rows, read-only for consumers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from newsroom.tokens import token_issue
from tests.factories import (
    AffiliationFactory,
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    ReservedLicenseTermsFactory,
)

pytestmark = pytest.mark.django_db

ROWS = {
    "documents": lambda: DocumentFactory(license=ReservedLicenseTermsFactory()),
    "organizations": lambda: OrganizationFactory(parent=OrganizationFactory()),
    "people": lambda: AffiliationFactory(),
    "licenses": lambda: LicenseTermsFactory(),
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

    assert response.status_code in (403, 405)


def test_licence_terms_carry_their_odrl_link(consumer_api):
    terms = ReservedLicenseTermsFactory()

    body = consumer_api.get(f"/api/v1/licenses/{terms.pk}/").json()
    policy = consumer_api.get(body["odrl"].replace("http://testserver", ""))

    assert body["tdm_reserved"] is True
    assert policy["Content-Type"] == "application/ld+json"
    assert "tdm:mine" in policy.content.decode()
