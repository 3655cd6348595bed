"""Stored embargoes: until one passes nothing of its document reaches consumers or the public.

Each boundary is tested one second before and one second after, with the clock frozen
(time-machine), through the API, the public pages and `decide()`.
"""

import datetime
from contextlib import contextmanager

import pytest
import time_machine
from django.test import Client
from django.utils.http import http_date
from rest_framework.test import APIClient

from claims.models import Claim, ClaimStatus
from claims.visibility import (
    claims_visible_to,
    documents_visible_to,
    licenses_visible_to,
    organizations_visible_to,
    people_visible_to,
)
from newsroom.public.views import fact_check_path
from newsroom.tokens import token_issue
from sources.licensing import Action, Audience, decide
from tests.claims.factories import (
    AppearanceFactory,
    AttributionFactory,
    ClaimFactory,
    ExternalCheckFactory,
)
from tests.factories import (
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

EMBARGO = datetime.datetime(2025, 11, 20, 11, 0, tzinfo=datetime.UTC)
BEFORE = EMBARGO - datetime.timedelta(seconds=1)
AFTER = EMBARGO + datetime.timedelta(seconds=1)
SECRET_HEADLINE = "Agency scoop under embargo"


@contextmanager
def at(moment):
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def story(committed):
    """One embargoed document and one free one, with a claim resting only on the embargoed one
    and a claim appearing in both; all concluded, so only the embargo keeps anything back.
    Committed, so the watermark holds its writes (claims/watermark.py)."""
    with at(EMBARGO - datetime.timedelta(days=1)), committed():
        publisher = OrganizationFactory(name="Embargo Agency")
        embargoed = DocumentFactory(
            publisher=publisher,
            headline=SECRET_HEADLINE,
            url="https://agency.example/scoop",
            embargo_until=EMBARGO,
            license=LicenseTermsFactory(holder=publisher),
        )
        free = DocumentFactory(license=LicenseTermsFactory())
        only = ClaimFactory(status=ClaimStatus.VERIFIED, summary="Rests only on the scoop")
        insider = PersonFactory(name="Only In The Scoop")
        AttributionFactory(
            appearance=AppearanceFactory(claim=only, document=embargoed),
            person=insider,
            anonymous_source=None,
        )
        mixed = ClaimFactory(status=ClaimStatus.VERIFIED, summary="Also reported elsewhere")
        AppearanceFactory(claim=mixed, document=embargoed)
        AppearanceFactory(claim=mixed, document=free)
        ExternalCheckFactory(claim=mixed, document=embargoed, organization=OrganizationFactory())
    return {"embargoed": embargoed, "free": free, "only": only, "mixed": mixed, "person": insider}


@pytest.fixture
def consumer_api(consumer):
    _, key = token_issue(user=consumer, name="embargo")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def staff_api(factchecker):
    client = APIClient()
    client.force_login(factchecker)
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- The visibility module -----------------------------------------------------------------


def test_outside_nothing_reaches_the_embargoed_document_until_it_passes(story, consumer):
    embargoed, free = story["embargoed"], story["free"]
    with at(BEFORE):
        assert set(documents_visible_to(consumer)) == {free}
        assert set(claims_visible_to(consumer)) == {story["mixed"]}
        assert story["person"] not in people_visible_to(consumer)
        assert embargoed.publisher not in organizations_visible_to(consumer)
        assert embargoed.license not in licenses_visible_to(consumer)
    with at(AFTER):
        assert set(documents_visible_to(consumer)) == {free, embargoed}
        assert set(claims_visible_to(consumer)) == {story["mixed"], story["only"]}
        assert story["person"] in people_visible_to(consumer)
        assert embargoed.publisher in organizations_visible_to(consumer)
        assert embargoed.license in licenses_visible_to(consumer)


def test_staff_see_embargoed_documents_and_every_appearance(story, factchecker):
    with at(BEFORE):
        assert story["embargoed"] in documents_visible_to(factchecker)
        claim = Claim.objects.with_provenance(factchecker).get(pk=story["mixed"].pk)
        assert len(claim.appearances.all()) == 2
        assert len(claim.external_checks.all()) == 1


def test_a_claim_with_other_appearances_shows_only_those_outside(story):
    with at(BEFORE):
        claim = Claim.objects.published().with_provenance().get(pk=story["mixed"].pk)
        assert [a.document for a in claim.appearances.all()] == [story["free"]]
        assert list(claim.external_checks.all()) == []  # reported by the embargoed document
    with at(AFTER):
        claim = Claim.objects.published().with_provenance().get(pk=story["mixed"].pk)
        assert len(claim.appearances.all()) == 2


def test_a_claim_without_appearances_rests_on_no_embargo(consumer):
    claim = ClaimFactory(status=ClaimStatus.VERIFIED)
    assert claim in claims_visible_to(consumer)


# --- decide() ----------------------------------------------------------------------------------


@pytest.mark.parametrize("action", list(Action))
def test_decide_refuses_every_outside_use_until_the_embargo_passes(story, action):
    document = story["embargoed"]
    with at(BEFORE):
        refused = decide(
            document=document, action=action, audience=Audience.EXTERNAL, characters=10
        )
        assert not refused
        assert "under embargo until 2025-11-20 11:00:00 UTC" in refused.reason
    with at(AFTER):
        after = decide(document=document, action=action, audience=Audience.EXTERNAL, characters=10)
        assert "embargo" not in after.reason


def test_decide_lets_the_licence_speak_once_the_embargo_passed(story):
    document = story["embargoed"]
    with at(BEFORE):
        assert decide(document=document, action=Action.VIEW_FULL_TEXT, audience=Audience.STAFF)
    with at(AFTER):
        assert decide(
            document=document,
            action=Action.QUOTE_EXTERNALLY,
            audience=Audience.EXTERNAL,
            characters=10,
        )


# --- The API -----------------------------------------------------------------------------------


def test_api_documents_list_and_detail_hide_the_document_until_it_passes(story, consumer_api):
    pk = story["embargoed"].pk
    with at(BEFORE):
        assert ids(consumer_api.get("/api/v1/documents/")) == {story["free"].pk}
        assert consumer_api.get(f"/api/v1/documents/{pk}/").status_code == 404
    with at(AFTER):
        assert pk in ids(consumer_api.get("/api/v1/documents/"))
        response = consumer_api.get(f"/api/v1/documents/{pk}/")
        assert response.status_code == 200
        assert response.json()["embargo_until"] == "2025-11-20T11:00:00Z"


def test_api_claims_leave_out_what_rests_only_on_the_embargo(story, consumer_api):
    only, mixed = story["only"].pk, story["mixed"].pk
    with at(BEFORE):
        assert ids(consumer_api.get("/api/v1/claims/")) == {mixed}
        assert consumer_api.get(f"/api/v1/claims/{only}/").status_code == 404
        assert consumer_api.get(f"/api/v1/claims/{only}/provenance/").status_code == 404
        assert consumer_api.get(f"/api/v1/claims/{only}/claimreview/").status_code == 404
        detail = consumer_api.get(f"/api/v1/claims/{mixed}/")
        assert [a["document"]["id"] for a in detail.json()["appearances"]] == [story["free"].pk]
        assert detail.json()["external_checks"] == []  # reported by the embargoed document
        for url in (
            f"/api/v1/claims/{mixed}/",
            f"/api/v1/claims/{mixed}/provenance/",
            f"/api/v1/claims/{mixed}/claimreview/",
            "/api/v1/claims/",
            "/api/v1/claimreview/",
            "/api/v1/people/",
            "/api/v1/organizations/",
        ):
            body = consumer_api.get(url).content.decode()
            assert SECRET_HEADLINE not in body and "agency.example" not in body, url
            assert "Only In The Scoop" not in body and "Embargo Agency" not in body, url
        assert (
            "Rests only on the scoop"
            not in consumer_api.get("/api/v1/claimreview/").content.decode()
        )
    with at(AFTER):
        assert ids(consumer_api.get("/api/v1/claims/")) == {mixed, only}
        assert consumer_api.get(f"/api/v1/claims/{only}/").status_code == 200
        # The same process, the moment moved on: what the page shows is judged now, not when
        # its query was first built (newsroom/api/claim_rows.py compiles it once).
        for claim in (
            consumer_api.get(f"/api/v1/claims/{mixed}/").json(),
            *[c for c in consumer_api.get("/api/v1/claims/").json()["results"] if c["id"] == mixed],
        ):
            documents = {a["document"]["id"] for a in claim["appearances"]}
            assert documents == {story["free"].pk, story["embargoed"].pk}
            assert len(claim["external_checks"]) == 1
        assert (
            SECRET_HEADLINE
            in consumer_api.get(f"/api/v1/claims/{mixed}/provenance/").content.decode()
        )


def test_staff_api_shows_the_embargoed_document_before_it_passes(story, staff_api):
    with at(BEFORE):
        response = staff_api.get(f"/api/v1/documents/{story['embargoed'].pk}/")
        assert response.status_code == 200
        assert response.json()["embargo_until"] == "2025-11-20T11:00:00Z"
        assert story["only"].pk in ids(staff_api.get("/api/v1/claims/"))


def test_the_consumer_list_is_modified_when_the_embargo_passes(story, consumer_api):
    with at(BEFORE):
        first = consumer_api.get("/api/v1/claims/")
        stamp, etag = first["Last-Modified"], first["ETag"]
        assert consumer_api.get("/api/v1/claims/", HTTP_IF_MODIFIED_SINCE=stamp).status_code == 304
    with at(AFTER):
        again = consumer_api.get("/api/v1/claims/", HTTP_IF_MODIFIED_SINCE=stamp)
        assert again.status_code == 200  # the list gained a claim though no row changed
        assert again["Last-Modified"] == http_date(EMBARGO.timestamp())
        assert consumer_api.get("/api/v1/claims/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_claim_detail_is_modified_when_the_embargo_passes(story, consumer_api):
    url = f"/api/v1/claims/{story['mixed'].pk}/"
    with at(BEFORE):
        stamp = consumer_api.get(url)["Last-Modified"]
    with at(AFTER):
        response = consumer_api.get(url, HTTP_IF_MODIFIED_SINCE=stamp)
        assert response.status_code == 200
        assert len(response.json()["appearances"]) == 2


def test_an_api_import_stores_the_embargo(editor):
    client = APIClient()
    client.force_login(editor)
    response = client.post(
        "/api/v1/documents/",
        {
            "text": "An agency story that may not run before eleven.\n\nA second paragraph.",
            "publisher": "Embargo Agency",
            "embargo_until": "2025-11-20T12:00:00+01:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["embargo_until"] == "2025-11-20T11:00:00Z"


def test_an_api_import_refuses_a_malformed_embargo_and_stores_nothing(editor):
    client = APIClient()
    client.force_login(editor)
    response = client.post(
        "/api/v1/documents/",
        {"text": "Some text.", "publisher": "Embargo Agency", "embargo_until": "next tuesday"},
        format="json",
    )
    assert response.status_code == 400
    assert "embargo_until" in response.json()
    from sources.models import Document

    assert not Document.objects.exists()


# --- Public pages ------------------------------------------------------------------------------


def test_the_public_fact_check_page_waits_for_the_embargo(story):
    client = Client()
    only, mixed = story["only"], story["mixed"]
    with at(BEFORE):
        assert client.get(fact_check_path(only)).status_code == 404
        page = client.get(fact_check_path(mixed))
        assert page.status_code == 200
        assert SECRET_HEADLINE not in page.content.decode()
        sitemap = client.get("/sitemap.xml").content.decode()
        assert fact_check_path(only) not in sitemap and fact_check_path(mixed) in sitemap
    with at(AFTER):
        assert client.get(fact_check_path(only)).status_code == 200
        assert SECRET_HEADLINE in client.get(fact_check_path(mixed)).content.decode()
        assert fact_check_path(only) in client.get("/sitemap.xml").content.decode()


def test_a_public_story_citing_an_embargoed_claim_shows_nothing_of_it(story):
    from newsroom.stories.models import StoryStatus
    from tests.stories.factories import CitationFactory

    with at(EMBARGO - datetime.timedelta(days=1)):
        citation = CitationFactory(
            claim=story["only"],
            story__status=StoryStatus.PUBLISHED,
            story__published_at=EMBARGO - datetime.timedelta(hours=1),
        )
    url = f"/stories/{citation.story.slug}/"
    client = Client()
    with at(BEFORE):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert SECRET_HEADLINE not in html and "Only In The Scoop" not in html
    with at(AFTER):
        assert "Only In The Scoop" in client.get(url).content.decode()
