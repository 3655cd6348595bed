"""Absolute query budgets for every API list and admin changelist, pinned on the demo story.

Each page runs exactly the pinned number of queries with the reference story loaded, and the
same number again after many more rows are added: the count never grows with rows. A change
that adds a query to a page must change its pin here, in the open, with a reason.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from newsroom.demo import load_demo
from newsroom.tokens import token_issue
from tests.claims.factories import AppearanceFactory, AttributionFactory, ClaimFactory
from tests.factories import DocumentFactory, LicenseTermsFactory

pytestmark = pytest.mark.django_db

# The claims list's data queries: on PostgreSQL the page carries its provenance as JSON, then
# its documents (terms, agreements) and the recorded excerpts (newsroom/api/claim_rows.py);
# elsewhere one query per relation.
CLAIMS_DATA = 3 if connection.vendor == "postgresql" else 11

# Measured on the demo story (`load_demo`); see the module docstring before changing one.
API_LISTS = {
    "consumer": {
        # The token (whether its holder is a consumer comes with it), the watermark (two here:
        # nothing was stamped in the test's transaction, so the passed embargoes are read alone).
        "/api/v1/claims/": 3 + CLAIMS_DATA,
        "/api/v1/claimreview/": 13,
        "/api/v1/documents/": 3,
        "/api/v1/organizations/": 2,
        "/api/v1/people/": 4,
        "/api/v1/licenses/": 2,
    },
    "staff": {
        # Session, user, the watermark; no recorded excerpts (no quote budget inside).
        "/api/v1/claims/": 3 + CLAIMS_DATA - 1,
        "/api/v1/documents/": 4,
        "/api/v1/organizations/": 3,
        "/api/v1/people/": 5,
        "/api/v1/licenses/": 3,
    },
}
CHANGELISTS = {
    "/admin/axes/accessattempt/": 8,
    "/admin/axes/accessfailurelog/": 8,
    "/admin/axes/accesslog/": 8,
    "/admin/auth/group/": 5,
    "/admin/auth/user/": 6,
    "/admin/claims/appearance/": 4,
    "/admin/claims/claim/": 7,
    "/admin/claims/topic/": 5,
    "/admin/claims/verificationevent/": 5,
    "/admin/newsroom/apitoken/": 5,
    "/admin/sources/agreement/": 5,
    "/admin/sources/anonymoussource/": 5,
    "/admin/sources/document/": 5,
    "/admin/sources/feed/": 5,
    "/admin/sources/feedentry/": 5,
    "/admin/sources/ingestrun/": 6,
    "/admin/sources/licenseterms/": 5,
    "/admin/sources/organization/": 5,
    "/admin/sources/person/": 7,
    "/admin/sources/sitepolicy/": 5,
    "/admin/sources/tdmpolicy/": 5,
    "/admin/stories/correction/": 5,
    "/admin/stories/needscorrection/": 5,
    "/admin/stories/story/": 7,
    "/admin/stories/storyevent/": 6,
}


def more_rows(n: int = 30) -> None:
    """Many more claims, documents, licences and agents than the demo has."""
    from claims.models import ClaimStatus

    for index in range(n):
        document = DocumentFactory(license=LicenseTermsFactory())
        claim = ClaimFactory(status=ClaimStatus.VERIFIED if index % 2 else ClaimStatus.UNVERIFIED)
        AttributionFactory(appearance=AppearanceFactory(claim=claim, document=document))
        more_story(claim)


def more_story(claim) -> None:
    """A published story citing `claim`, with an event, a correction and a flag."""
    from claims.models import ClaimStatus, VerificationEvent
    from newsroom.stories.events import story_event_append
    from newsroom.stories.models import Correction, NeedsCorrection, StoryStatus
    from tests.stories.factories import CitationFactory

    citation = CitationFactory(claim=claim, story__status=StoryStatus.PUBLISHED)
    story = citation.story
    story_event_append(
        story=story, actor=story.created_by, kind="moved", from_status=StoryStatus.IN_REVIEW
    )
    correction = Correction.objects.create(
        story=story, text="Fixed.", published_by=story.created_by
    )
    NeedsCorrection.objects.create(
        story=story,
        citation=citation,
        claim=claim,
        use=citation.use,
        old_status=ClaimStatus.VERIFIED,
        new_status=ClaimStatus.IN_REVIEW,
        verification_event=VerificationEvent.objects.first(),
        correction=correction if claim.pk % 2 else None,
    )


def count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.fixture
def demo():
    load_demo(with_users=False)


def api_client(who, consumer, factchecker) -> APIClient:
    client = APIClient()
    if who == "consumer":
        _, key = token_issue(user=consumer, name="budget")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    else:
        client.force_login(factchecker)
    client.get("/api/v1/organizations/")  # a token's first use records last_used_at
    return client


@pytest.mark.parametrize(
    ("who", "url"), [(who, url) for who, urls in API_LISTS.items() for url in urls]
)
def test_api_lists_run_their_pinned_queries_however_many_rows(
    demo, who, url, consumer, factchecker
):
    client = api_client(who, consumer, factchecker)

    on_demo = count(client, url, page_size=100)
    more_rows()
    on_more = count(client, url, page_size=100)

    assert (on_demo, on_more) == (API_LISTS[who][url],) * 2


def changelists():
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    )


@pytest.mark.parametrize("url", changelists())
def test_admin_changelists_run_their_pinned_queries_however_many_rows(demo, url, admin_client):
    on_demo = count(admin_client, url)
    more_rows()
    on_more = count(admin_client, url)

    assert (on_demo, on_more) == (CHANGELISTS.get(url),) * 2  # a new changelist needs a pin


# The review queue: six lists of at most ten rows, each row with its "take" or why not, its
# open review flags and the embargoes it rests on (one query each for all rows).
REVIEW_QUEUE = 19


def test_the_review_queue_runs_its_pinned_queries_however_many_rows(demo, client, factchecker):
    from claims.models import ClaimStatus
    from claims.workflow import claim_transition
    from tests.factories import StaffFactory

    client.force_login(factchecker)
    url = reverse("admin:claims_claim_queue")
    on_demo = count(client, url)
    sender = StaffFactory(is_superuser=True)
    for _ in range(15):
        claim = ClaimFactory(created_by=factchecker)
        AttributionFactory(appearance=AppearanceFactory(claim=claim))
        claim_transition(claim=claim, to=ClaimStatus.IN_REVIEW, actor=sender, expected_version=1)
    more_rows()
    on_more = count(client, url)

    assert (on_demo, on_more) == (REVIEW_QUEUE,) * 2
