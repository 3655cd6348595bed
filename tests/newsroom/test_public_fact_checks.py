"""Public fact-check pages: no login, the outside audience's licence, ClaimReview, validators."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims.claimreview import CLAIM_REVIEWED_MAX
from claims.models import Attribution, ClaimStatus
from claims.words import chain_in_words
from newsroom.public.views import fact_check_path
from newsroom.tokens import token_issue
from tests.claims.factories import (
    AppearanceFactory,
    AttributionFactory,
    ClaimFactory,
    ExternalCheckFactory,
)
from tests.factories import (
    AnonymousSourceFactory,
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    ReservedLicenseTermsFactory,
)

pytestmark = pytest.mark.django_db


def concluded(status=ClaimStatus.VERIFIED, **kwargs):
    return ClaimFactory(
        status=status,
        concluded_at=datetime.datetime(2025, 11, 21, 9, tzinfo=datetime.UTC),
        **kwargs,
    )


def page(client, claim, **headers):
    response = client.get(fact_check_path(claim), **headers)
    assert response.status_code == 200, response.status_code
    return response


def json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block, "the page embeds no JSON-LD"
    return json.loads(block.group(1))


def reference_chain(appearance):
    """officials → Financial Times (reporter) → Reuters, Ritzau (relays) → publisher."""
    officials = AnonymousSourceFactory(
        description="current and former US officials",
        anonymity_reason="speaking on condition of anonymity",
        confidential_identity="Deputy Secretary Jane Roe",
    )
    AttributionFactory(appearance=appearance, anonymous_source=officials, verb="told")
    for position, (name, role) in enumerate(
        [("Financial Times", "reporter"), ("Reuters", "relay"), ("Ritzau", "relay")], start=1
    ):
        AttributionFactory(
            appearance=appearance,
            position=position,
            role=role,
            anonymous_source=None,
            organization=OrganizationFactory(name=name),
            verb="",
        )


def test_a_concluded_claim_has_a_public_page_telling_who_said_it_and_through_whom(client):
    publisher = OrganizationFactory(name="Danish Offshore Industry")
    document = DocumentFactory(publisher=publisher, license=LicenseTermsFactory())
    claim = concluded()
    appearance = AppearanceFactory(claim=claim, document=document)
    reference_chain(appearance)
    ExternalCheckFactory(
        claim=claim, checked_at=datetime.datetime(2025, 11, 19, 12, tzinfo=datetime.UTC)
    )

    html = page(client, claim).content.decode()

    assert (
        "Current and former US officials, speaking on condition of anonymity, told Financial "
        "Times; relayed by Reuters and Ritzau; published by Danish Offshore Industry"
    ) in html
    assert "Reuters: not immediately able to verify, 19 Nov 2025" in html
    assert 'class="badge badge-verified">Verified<' in html
    assert "Independent origins:" in html
    assert appearance.exact in html  # terms allow 300 characters outside
    assert "Jane Roe" not in html  # the confidential identity never reaches a public page


def test_the_page_embeds_the_claims_review_with_the_public_url(client):
    claim = concluded(summary="")
    claim.text = "A long claim " + "that keeps going " * 10
    claim.save()
    AppearanceFactory(claim=claim, document=DocumentFactory(license=LicenseTermsFactory()))

    response = page(client, claim)
    review = json_ld(response.content.decode())

    assert review["@type"] == "ClaimReview"
    assert review["url"] == f"http://testserver{fact_check_path(claim)}"
    assert len(review["claimReviewed"]) <= CLAIM_REVIEWED_MAX
    assert review["reviewRating"]["alternateName"] == "Verified"
    assert review["itemReviewed"]["appearance"]


@pytest.mark.parametrize("status", [ClaimStatus.UNVERIFIED, ClaimStatus.IN_REVIEW])
def test_work_in_progress_has_no_public_page(client, status, editor):
    claim = ClaimFactory(status=status)
    client.force_login(editor)  # staff included: the public site publishes only conclusions

    response = client.get(fact_check_path(claim))

    assert response.status_code == 404


def test_an_old_or_wrong_slug_redirects_to_the_canonical_address(client):
    claim = concluded()

    response = client.get(f"/fact-checks/{claim.pk}-something-else/")

    assert response.status_code == 301
    assert response["Location"] == fact_check_path(claim)


def test_a_quote_the_terms_withhold_is_withheld_with_its_clause_even_for_staff(client, editor):
    terms = ReservedLicenseTermsFactory()
    document = DocumentFactory(license=terms)
    claim = concluded()
    appearance = AppearanceFactory(claim=claim, document=document)
    client.force_login(editor)

    response = page(client, claim)
    html = response.content.decode()

    assert appearance.exact not in html
    assert "Quotation withheld" in html
    assert "Danish Offshore" in html  # the clause, verbatim
    # No reserved text went out, so the page claims no reservation over its own content.
    assert "tdm-reservation" not in response


def test_a_page_carrying_reserved_text_sends_the_tdmrep_signals(client):
    terms = LicenseTermsFactory(
        tdm_reserved=True, tdm_expression="natural_language", max_external_quote_chars=300
    )
    claim = concluded()
    appearance = AppearanceFactory(claim=claim, document=DocumentFactory(license=terms))

    response = page(client, claim)
    html = response.content.decode()

    assert appearance.exact in html
    assert response["tdm-reservation"] == "1"
    assert response["tdm-policy"]
    assert '<meta name="tdm-reservation" content="1">' in html


def test_the_quote_budget_is_shared_with_the_api(client, consumer):
    parts = [f"P{i} " + "x" * 200 for i in range(2)]
    document = DocumentFactory(
        body="\n\n".join(parts) + "\n\nEnd.",
        license=LicenseTermsFactory(max_external_quote_chars=300),
    )
    first, second = concluded(), concluded()
    AppearanceFactory(claim=first, document=document, exact=parts[0])
    AppearanceFactory(claim=second, document=document, exact=parts[1])
    _, key = token_issue(user=consumer, name="budget")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    assert parts[0] in page(client, first).content.decode()
    second_page = page(client, second).content.decode()
    assert parts[1] not in second_page
    assert "300 characters" in second_page
    assert api.get(f"/api/v1/claims/{second.pk}/").json()["appearances"][0]["quote"] is None


def test_conditional_get_answers_304_for_a_current_copy(client):
    claim = concluded()
    AppearanceFactory(claim=claim)

    first = page(client, claim)
    assert first["Last-Modified"]
    again = client.get(fact_check_path(claim), HTTP_IF_NONE_MATCH=first["ETag"])
    since = client.get(fact_check_path(claim), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304
    assert since.status_code == 304


def test_the_page_costs_the_same_queries_with_one_or_thirty_appearances(client):
    def queries_for(n: int) -> int:
        claim = concluded()
        for _ in range(n):
            appearance = AppearanceFactory(
                claim=claim, document=DocumentFactory(license=LicenseTermsFactory())
            )
            reference_chain(appearance)
            ExternalCheckFactory(claim=claim)
        with CaptureQueriesContext(connection) as captured:
            page(client, claim)
        return len(captured)

    one, thirty = queries_for(1), queries_for(30)

    assert one == thirty
    assert thirty <= 14


def test_chain_words_for_a_named_expert_and_a_reporter_without_a_source():
    expert_doc = DocumentFactory(publisher=OrganizationFactory(name="Outlet B"))
    appearance = AppearanceFactory(document=expert_doc)
    reuters = OrganizationFactory(name="Reuters")
    AttributionFactory(
        appearance=appearance,
        position=0,
        role=Attribution.Role.REPORTER,
        anonymous_source=None,
        organization=reuters,
        verb="",
    )

    assert chain_in_words(appearance) == "reported by Reuters; published by Outlet B"


def test_public_pages_need_no_login_and_refuse_writes():
    claim = concluded()

    assert Client().get(fact_check_path(claim)).status_code == 200
    assert Client().post(fact_check_path(claim)).status_code == 405
