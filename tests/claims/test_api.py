"""The claims API: visibility, licensed quotes, filters, paging, caching, throttling, writes."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from claims.claimreview import claim_reviewed
from claims.models import Claim, ClaimStatus, VerificationEvent
from newsroom.demo import load_demo
from newsroom.tokens import token_issue, token_revoke
from sources.models import AnonymousSource, Document
from tests.claims.factories import AppearanceFactory, AttributionFactory, ClaimFactory
from tests.factories import AnonymousSourceFactory, DocumentFactory, LicenseTermsFactory

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"
SECRET = "Deputy Assistant Secretary Jane Roe"


@pytest.fixture
def story(committed):
    with committed():
        load_demo(with_users=False)
        officials = AnonymousSource.objects.get(description="current and former US officials")
        officials.confidential_identity = SECRET
        officials.save()


def token_client(user) -> APIClient:
    _, key = token_issue(user=user, name="test feed")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def consumer_api(consumer):
    return token_client(consumer)


@pytest.fixture
def staff_api(factchecker):
    client = APIClient()
    client.force_login(factchecker)
    return client


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.force_login(editor)
    return client


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Authentication and visibility -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        CLAIMS,
        "/api/v1/documents/",
        "/api/v1/organizations/",
        "/api/v1/people/",
        "/api/v1/licenses/",
        "/api/v1/claimreview/",
    ],
)
def test_anonymous_callers_get_401_on_data_endpoints(url, client):
    response = client.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/.well-known/tdmrep.json"])
def test_schema_docs_and_tdmrep_stay_public(url, client):
    assert client.get(url).status_code == 200


def test_revoked_expired_and_unknown_tokens_are_refused(consumer):
    token, key = token_issue(user=consumer, name="feed")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(CLAIMS).status_code == 200

    token_revoke(token=token)
    assert client.get(CLAIMS).status_code == 401

    expired, expired_key = token_issue(
        user=consumer, name="old", expires_at=timezone.now() + datetime.timedelta(seconds=1)
    )
    expired.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    expired.save(update_fields=["expires_at"])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {expired_key}")
    assert client.get(CLAIMS).status_code == 401

    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-key")
    assert client.get(CLAIMS).status_code == 401


def test_tokens_are_stored_hashed(consumer):
    token, key = token_issue(user=consumer, name="feed")

    assert key not in token.key_hash
    assert len(token.key_hash) == 64


def test_a_user_without_a_role_gets_403(db):
    from tests.factories import UserFactory

    assert token_client(UserFactory()).get(CLAIMS).status_code == 403


def test_consumers_see_only_concluded_claims_and_staff_see_all(story, consumer_api, staff_api):
    consumer_statuses = {c["status"] for c in results(consumer_api.get(CLAIMS))}
    staff_statuses = {c["status"] for c in results(staff_api.get(CLAIMS, {"page_size": 100}))}

    assert consumer_statuses == {ClaimStatus.VERIFIED, ClaimStatus.DISPUTED}
    assert {ClaimStatus.IN_REVIEW, ClaimStatus.UNVERIFIED} <= staff_statuses
    in_review = Claim.objects.get(status=ClaimStatus.IN_REVIEW)
    assert consumer_api.get(f"{CLAIMS}{in_review.pk}/").status_code == 404
    assert staff_api.get(f"{CLAIMS}{in_review.pk}/").status_code == 200


# --- Provenance and licences --------------------------------------------------------------------


def test_dk_medier_quotes_are_withheld_from_consumers_with_the_clause(story, consumer_api):
    framework = Claim.objects.get(summary__startswith="Oct 30 deal")

    body = consumer_api.get(f"{CLAIMS}{framework.pk}/").json()

    appearance = body["appearances"][0]
    assert appearance["document"]["publication"] == "Danish Offshore Industry"
    assert appearance["quote"] is None
    assert "DK Medier" in appearance["withheld"]
    assert "allow no quotation" in appearance["withheld"]
    assert "internally for the purpose of handling specific cases" in appearance["withheld"]
    assert "prefix" not in appearance["selector"]
    assert [link["role"] for link in appearance["chain"]] == ["reporter", "relay", "publisher"]


def test_staff_get_the_quote_and_the_tdm_reservation_header(story, staff_api):
    framework = Claim.objects.get(summary__startswith="Oct 30 deal")

    response = staff_api.get(f"{CLAIMS}{framework.pk}/")

    assert response.json()["appearances"][0]["quote"].startswith("Under the framework deal")
    assert response["tdm-reservation"] == "1"
    assert "tdm-policy" in response


def test_quotable_content_is_served_with_its_chain_and_verification(story, consumer_api):
    cooper = Claim.objects.get(summary__startswith="Zack Cooper")

    response = consumer_api.get(f"{CLAIMS}{cooper.pk}/")
    body = response.json()

    appearance = body["appearances"][0]
    assert appearance["quote"] == (
        "The administration appears to be giving ground on export controls"
    )
    assert "withheld" not in appearance
    # Quote plus its context fit Outlet B's 300-character limit, so the context goes too.
    assert appearance["selector"]["suffix"].startswith(" ...,' Zack Cooper")
    origin = appearance["chain"][0]
    assert origin["role"] == "origin" and origin["verb"] == "told"
    assert origin["agent"]["type"] == "person"
    assert origin["agent"]["name"] == "Zack Cooper"
    assert origin["agent"]["affiliations"][0]["role"] == "Asia security expert"
    assert body["independent_origins"] == 1
    assert body["verification"]["status"] == "verified"
    assert body["verification"]["rationale"]
    assert "tdm-reservation" not in response  # no reserved content in this response


def test_consumers_see_roles_not_user_names_in_the_history(story, consumer_api, staff_api):
    cooper = Claim.objects.get(summary__startswith="Zack Cooper")

    consumer_events = consumer_api.get(f"{CLAIMS}{cooper.pk}/").json()["verification"]["events"]
    staff_events = staff_api.get(f"{CLAIMS}{cooper.pk}/").json()["verification"]["events"]

    assert [e["by"] for e in consumer_events] == ["editor", "fact-checker"]
    assert [e["by"] for e in staff_events] == ["demo-editor", "demo-factchecker"]


def test_anonymous_agents_show_description_and_count_never_the_identity(
    story, consumer_api, staff_api
):
    staff_claims = json.dumps(results(staff_api.get(CLAIMS, {"page_size": 100})))
    every = [
        consumer_api.get(url).content.decode()
        for url in (
            CLAIMS,
            "/api/v1/documents/",
            "/api/v1/people/",
            "/api/v1/organizations/",
            "/api/v1/claimreview/",
        )
    ]
    for claim in Claim.objects.all():
        every.append(staff_api.get(f"{CLAIMS}{claim.pk}/").content.decode())
        every.append(staff_api.get(f"{CLAIMS}{claim.pk}/provenance/").content.decode())

    assert "current and former US officials" in staff_claims
    assert '"count_text": "several"' in staff_claims
    for body in [staff_claims, *every]:
        assert SECRET not in body
        assert "confidential" not in body


def test_relations_to_claims_a_consumer_cannot_see_are_left_out(story, consumer_api, staff_api):
    disputed = Claim.objects.get(status=ClaimStatus.DISPUTED)

    consumer_view = consumer_api.get(f"{CLAIMS}{disputed.pk}/").json()["relations"]
    staff_view = staff_api.get(f"{CLAIMS}{disputed.pk}/").json()["relations"]

    assert consumer_view == []  # Article A's claim is still unverified
    assert [r["kind"] for r in staff_view] == ["contradicts"]


# --- Filters, ordering and paging ---------------------------------------------------------------


def ids(response):
    return {c["id"] for c in results(response)}


def test_filters(story, staff_api):
    by_summary = {c.summary.split()[0] + c.summary.split()[1]: c.pk for c in Claim.objects.all()}
    disputed = Claim.objects.get(status=ClaimStatus.DISPUTED).pk
    cooper = Claim.objects.get(summary__startswith="Zack Cooper").pk
    sanctions = Claim.objects.get(summary__startswith="US put sanctions").pk
    everyone = set(by_summary.values())

    statuses = staff_api.get(CLAIMS, {"status": ["verified", "disputed"], "page_size": 50})
    assert len(ids(statuses)) == 3 and disputed in ids(statuses)
    assert ids(staff_api.get(CLAIMS, {"topic": "rare earths"})) == set(
        Claim.objects.with_topic("rare earths").values_list("pk", flat=True)
    )
    outlet_b = ids(staff_api.get(CLAIMS, {"publisher": "Outlet B", "page_size": 50}))
    assert cooper in outlet_b and sanctions in outlet_b
    assert ids(staff_api.get(CLAIMS, {"origin_kind": "person"})) == {cooper}
    anonymous = ids(staff_api.get(CLAIMS, {"origin_kind": "anonymous", "page_size": 50}))
    assert sanctions in anonymous and cooper not in anonymous
    assert ids(staff_api.get(CLAIMS, {"min_independent_origins": 2})) == set()
    # Every demo claim has an origin or a first reporter (the wire stories: Reuters).
    assert len(ids(staff_api.get(CLAIMS, {"min_independent_origins": 1, "page_size": 50}))) == 9
    future = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    assert ids(staff_api.get(CLAIMS, {"updated_since": future})) == set()
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert ids(staff_api.get(CLAIMS, {"updated_since": past, "page_size": 50})) == everyone
    assert ids(staff_api.get(CLAIMS, {"q": "Stephen Miller"})) == {
        Claim.objects.get(summary__startswith="Stephen Miller").pk
    }
    assert staff_api.get(CLAIMS, {"status": "nonsense"}).status_code == 400


def test_search_uses_full_text_on_postgresql_and_substring_elsewhere(story):
    found = Claim.objects.search("sanctions")

    assert found.filter(summary__startswith="US put sanctions").exists()
    sql = str(found.query)
    if connection.vendor == "postgresql":
        # The stored vector, not to_tsvector() recomputed for every candidate row.
        assert '"search_vector" @@' in sql and "websearch_to_tsquery" in sql
        assert "to_tsvector" not in sql
    else:
        assert "LIKE" in sql


def test_ordering_by_independent_origins(story, staff_api, factchecker):
    from claims.recording import relation_record

    # Same-as merges origins: the wire story via Reuters and the officials via the FT (both
    # claims open: a concluded claim's relations wait for a reopen).
    relation_record(
        from_claim=Claim.objects.get(summary__startswith="MSS linked"),
        to_claim=Claim.objects.get(summary__startswith="Trump to visit"),
        kind="same_as",
        reason="test",
        user=factchecker,
    )
    ordered = results(staff_api.get(CLAIMS, {"ordering": "independent_origins", "page_size": 50}))

    counts = [c["independent_origins"] for c in ordered]
    assert counts == sorted(counts)
    assert counts[-1] == 2  # the recount above made it the one with most origins


def test_cursor_pagination_walks_every_claim_without_counting(story, staff_api):
    seen = []
    url = CLAIMS + "?page_size=2"
    with CaptureQueriesContext(connection) as queries:
        while url:
            body = staff_api.get(url).json()
            seen += [c["id"] for c in body["results"]]
            url = body["next"]

    assert sorted(seen) == sorted(Claim.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))
    assert "count" not in json.dumps(list(body))
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


# --- Conditional requests and throttling -------------------------------------------------------


@pytest.mark.parametrize("path", ["", "{pk}/"])
def test_etag_and_last_modified_answer_304(path, story, consumer_api, committed):
    cooper = Claim.objects.get(summary__startswith="Zack Cooper")
    url = CLAIMS + path.format(pk=cooper.pk)

    first = consumer_api.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]

    assert consumer_api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert consumer_api.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    # New terms for the document a verified claim quotes change what consumers get.
    terms = cooper.appearances.get().document.license
    terms.max_external_quote_chars = 0
    with committed():
        terms.save()
    again = consumer_api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again["ETag"] != etag


def test_throttling_is_per_token(story, consumer, monkeypatch):
    from newsroom.api.base import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    from django.core.cache import cache

    cache.clear()
    first, second = token_client(consumer), token_client(consumer)

    codes = [first.get(CLAIMS).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
    assert second.get(CLAIMS).status_code == 200


# --- Query counts -------------------------------------------------------------------------------


def make_claims(n, document, editor_user):
    for _ in range(n):
        claim = ClaimFactory(status=ClaimStatus.VERIFIED, created_by=editor_user)
        appearance = AppearanceFactory(claim=claim, document=document)
        AttributionFactory(
            appearance=appearance,
            position=0,
            role="origin",
            organization=None,
            anonymous_source=AnonymousSourceFactory(),
        )


@pytest.mark.parametrize("audience", ["consumer", "staff"])
def test_list_and_detail_run_a_fixed_number_of_queries(
    audience, consumer, factchecker, django_assert_num_queries
):
    client = token_client(consumer) if audience == "consumer" else APIClient()
    if audience == "staff":
        client.force_login(factchecker)
    document = DocumentFactory(license=LicenseTermsFactory())
    make_claims(1, document, factchecker)
    client.get("/api/v1/organizations/")  # the token's first use records last_used_at
    with CaptureQueriesContext(connection) as one:
        assert client.get(CLAIMS, {"page_size": 50}).status_code == 200
    detail_url = f"{CLAIMS}{Claim.objects.first().pk}/"
    with CaptureQueriesContext(connection) as one_detail:
        client.get(detail_url)

    make_claims(49, DocumentFactory(license=LicenseTermsFactory()), factchecker)

    with django_assert_num_queries(len(one)):
        response = client.get(CLAIMS, {"page_size": 50})
    assert len(response.json()["results"]) == 50
    with django_assert_num_queries(len(one_detail)):
        client.get(detail_url)


# --- Transitions --------------------------------------------------------------------------------


def transition(client, claim, **payload):
    payload.setdefault("expected_version", claim.version)
    return client.post(f"{CLAIMS}{claim.pk}/transitions/", payload, format="json")


def test_transition_answers_200_with_the_updated_claim(story, staff_api, factchecker):
    sanctions = Claim.objects.get(summary__startswith="US put sanctions")
    sanctions_check = sanctions.external_checks.get(organization__name="Reuters")

    response = transition(
        staff_api,
        sanctions,
        to="unverifiable",
        rationale="Only anonymous officials via the FT; Reuters could not verify.",
        evidence=[{"external_check": sanctions_check.pk}],
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "unverifiable"
    assert body["version"] == sanctions.version + 1
    assert body["verification"]["events"][-1]["evidence"][0]["kind"] == "external_check"


def test_transition_refusals(story, staff_api, editor_api, consumer_api):
    sanctions = Claim.objects.get(summary__startswith="US put sanctions")
    unverified = Claim.objects.filter(status=ClaimStatus.UNVERIFIED).first()
    before = VerificationEvent.objects.count()

    not_allowed = transition(staff_api, unverified, to="verified", rationale="x")
    no_rationale = transition(staff_api, sanctions, to="disputed", rationale="")
    no_evidence = transition(staff_api, sanctions, to="verified", rationale="Checked.")
    bad_evidence = transition(
        staff_api, sanctions, to="verified", rationale="Checked.", evidence=[{"url": "nope"}]
    )
    editor_concludes = transition(editor_api, sanctions, to="disputed", rationale="x")
    consumer_moves = transition(consumer_api, sanctions, to="disputed", rationale="x")
    stale = transition(
        staff_api, sanctions, to="disputed", rationale="x", expected_version=sanctions.version - 1
    )
    missing_version = staff_api.post(
        f"{CLAIMS}{sanctions.pk}/transitions/", {"to": "disputed"}, format="json"
    )

    assert not_allowed.status_code == 400 and "cannot move" in str(not_allowed.json())
    assert no_rationale.status_code == 400 and "rationale" in str(no_rationale.json())
    assert no_evidence.status_code == 400 and "evidence" in str(no_evidence.json())
    assert bad_evidence.status_code == 400
    assert editor_concludes.status_code == 403
    assert consumer_moves.status_code == 403
    assert stale.status_code == 409 and stale.json()["current_version"] == sanctions.version
    assert missing_version.status_code == 400 and "expected_version" in missing_version.json()
    assert VerificationEvent.objects.count() == before


# --- Writes -------------------------------------------------------------------------------------


def test_editors_create_claims_and_record_appearances_through_the_services(editor_api, editor):
    document = DocumentFactory(body="Officials said the plan was put on hold.\n\nMore text.")

    created = editor_api.post(
        CLAIMS, {"text": "The plan was put on hold.", "topics": ["sanctions"]}, format="json"
    )
    claim_id = created.json()["id"]
    appearance = editor_api.post(
        f"{CLAIMS}{claim_id}/appearances/",
        {"document": document.pk, "exact": "the plan was put on hold"},
        format="json",
    )
    missing = editor_api.post(
        f"{CLAIMS}{claim_id}/appearances/",
        {"document": document.pk, "exact": "words that are not there"},
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["topics"] == ["sanctions"]
    assert Claim.objects.get(pk=claim_id).created_by == editor
    assert appearance.status_code == 201
    assert appearance.json()["appearances"][0]["selector"]["start"] == 15
    assert missing.status_code == 400
    assert "exact" in missing.json()
    assert Claim.objects.get(pk=claim_id).appearances.count() == 1


def test_chain_writes_are_validated_and_update_origins(editor_api, editor):
    from claims.recording import appearance_create, claim_create
    from tests.factories import OrganizationFactory

    document = DocumentFactory(body="Officials told the paper the plan was put on hold.")
    claim = claim_create(text="The plan was put on hold.", user=editor)
    appearance = appearance_create(claim=claim, document=document, exact="the plan", user=editor)
    officials = AnonymousSourceFactory()
    paper = OrganizationFactory(name="The Paper")
    url = f"{CLAIMS}{claim.pk}/appearances/{appearance.pk}/chain/"

    good = editor_api.put(
        url,
        {
            "links": [
                {"role": "origin", "verb": "told", "anonymous_source": officials.pk},
                {"role": "reporter", "organization": paper.pk},
            ]
        },
        format="json",
    )
    bad_order = editor_api.put(
        url,
        {
            "links": [
                {"role": "publisher", "organization": paper.pk},
                {"role": "origin", "anonymous_source": officials.pk},
            ]
        },
        format="json",
    )
    two_agents = editor_api.put(
        url, {"links": [{"role": "origin", "organization": paper.pk, "person": 1}]}, format="json"
    )

    assert good.status_code == 200, good.content
    assert good.json()["independent_origins"] == 1
    assert bad_order.status_code == 400
    assert two_agents.status_code == 400
    assert [a.role for a in appearance.chain.all()] == ["origin", "reporter"]


def test_consumers_cannot_write(consumer_api):
    response = consumer_api.post(CLAIMS, {"text": "A claim."}, format="json")

    assert response.status_code == 403
    assert not Claim.objects.exists()


def test_factcheckers_record_external_checks_and_relations(story, staff_api):
    cooper = Claim.objects.get(summary__startswith="Zack Cooper")
    miller = Claim.objects.get(summary__startswith="Stephen Miller")
    article_b = Document.objects.get(publisher__name="Outlet B")
    from sources.models import Organization

    check = staff_api.post(
        f"{CLAIMS}{miller.pk}/external-checks/",
        {
            "organization": Organization.objects.get(name="White House").pk,
            "outcome": "declined_to_comment",
        },
        format="json",
    )
    relation = staff_api.post(
        f"{CLAIMS}{miller.pk}/relations/",
        {
            "to_claim": Claim.objects.get(summary__startswith="Trump to visit").pk,
            "kind": "corroborates",
            "reason": "Same FT reporting.",
        },
        format="json",
    )
    to_concluded = staff_api.post(
        f"{CLAIMS}{miller.pk}/relations/",
        {"to_claim": cooper.pk, "kind": "corroborates", "reason": "Same FT reporting."},
        format="json",
    )
    unanchored = staff_api.post(
        f"{CLAIMS}{miller.pk}/external-checks/",
        {
            "organization": Organization.objects.get(name="White House").pk,
            "outcome": "denied",
            "document": article_b.pk,
            "exact": "not in the text",
        },
        format="json",
    )

    assert check.status_code == 201
    assert check.json()["external_checks"][-1]["outcome"] == "declined_to_comment"
    assert relation.status_code == 201
    assert relation.json()["relations"][0]["kind"] == "corroborates"
    # Cooper's claim is verified: what its review shows changes only after a reopen.
    assert to_concluded.status_code == 400
    assert to_concluded.json()["code"] == "concluded"
    assert "reopen it before recording or removing" in to_concluded.json()["non_field_errors"][0]
    assert unanchored.status_code == 400 and "exact" in unanchored.json()


def test_topic_names_sharing_a_slug_reuse_one_topic_and_empty_ones_are_refused(editor_api):
    # Found by schemathesis: "A!" and "A?" both slugify to "a" and crashed with a 500.
    shared = editor_api.post(CLAIMS, {"text": "One.", "topics": ["A!", "A?"]}, format="json")
    unusable = editor_api.post(CLAIMS, {"text": "Two.", "topics": ["!!!"]}, format="json")

    assert shared.status_code == 201
    assert len(shared.json()["topics"]) == 1
    assert unusable.status_code == 400 and "topics" in unusable.json()
    assert Claim.objects.count() == 1


def test_an_unknown_http_method_is_405_not_a_server_error(staff_api):
    # Found by schemathesis: the permission check looked the method up without a default.
    response = staff_api.generic("QUERY", CLAIMS)

    assert response.status_code == 405


def test_tdmrep_wellknown_and_policy_are_public_json(client):
    wellknown = client.get("/.well-known/tdmrep.json")
    policy_url = wellknown.json()[0]["tdm-policy"]
    policy = client.get(policy_url.replace("http://testserver", ""))

    assert wellknown.json()[0]["tdm-reservation"] == 1
    assert policy.status_code == 200
    assert policy["Content-Type"] == "application/ld+json"


def test_claimreview_endpoints(story, consumer_api):
    cooper = Claim.objects.get(summary__startswith="Zack Cooper")
    sanctions = Claim.objects.get(summary__startswith="US put sanctions")

    review = consumer_api.get(f"{CLAIMS}{cooper.pk}/claimreview/")
    feed = consumer_api.get("/api/v1/claimreview/")

    assert review.status_code == 200
    assert review["Content-Type"] == "application/ld+json"
    assert review.json()["@type"] == "ClaimReview"
    # claimReviewed is the short form (Google's Fact Check requirements: at most 75 chars).
    assert {item["claimReviewed"] for item in feed.json()["@graph"]} == {
        claim_reviewed(claim) for claim in Claim.objects.concluded()
    }
    assert all(len(item["claimReviewed"]) <= 75 for item in feed.json()["@graph"])
    assert consumer_api.get(f"{CLAIMS}{sanctions.pk}/claimreview/").status_code == 404


def test_document_bodies_only_as_far_as_the_licence_allows(story, consumer_api, staff_api):
    article_a = Document.objects.get(publication__name="Danish Offshore Industry")

    consumer = consumer_api.get(f"/api/v1/documents/{article_a.pk}/")
    staff = staff_api.get(f"/api/v1/documents/{article_a.pk}/")

    assert consumer.json()["body"] is None
    assert "limit sharing to internal use only" in consumer.json()["withheld"]
    assert "tdm-reservation" not in consumer
    assert staff.json()["body"] == article_a.body
    assert staff["tdm-reservation"] == "1"


def test_staff_import_documents_through_the_importer(editor_api):
    text = "A headline\n\nOfficials said the plan was put on hold.\n\nEnd of Article\n"

    created = editor_api.post(
        "/api/v1/documents/", {"text": text, "publisher": "Outlet C"}, format="json"
    )
    again = editor_api.post(
        "/api/v1/documents/", {"text": text, "publisher": "Outlet C"}, format="json"
    )
    empty = editor_api.post(
        "/api/v1/documents/", {"text": "  \n ", "publisher": "Outlet C"}, format="json"
    )

    assert created.status_code == 201 and created.json()["created"] is True
    assert created.json()["headline"] == "A headline"
    assert again.status_code == 200 and again.json()["created"] is False
    assert empty.status_code == 400 and "text" in empty.json()
    assert Document.objects.count() == 1


def test_provenance_export_sends_tdm_headers_only_when_it_carries_reserved_text(
    story, staff_api, consumer_api
):
    framework = Claim.objects.get(summary__startswith="Oct 30 deal")  # Article A, DK Medier
    url = f"{CLAIMS}{framework.pk}/provenance/"

    staff = staff_api.get(url)
    consumer = consumer_api.get(url)

    assert staff["tdm-reservation"] == "1"
    assert "Under the framework deal reached on October 30" in staff.content.decode()
    assert "tdm-reservation" not in consumer
    assert "Under the framework deal reached on October 30" not in consumer.content.decode()


def test_a_verified_claim_cannot_be_rewritten_over_the_api_or_in_the_admin(
    story, editor_api, admin_client
):
    # Found in review: PATCH changed a verified claim's text and kept it "verified".
    cooper = Claim.objects.get(summary__startswith="Zack Cooper")
    appearance = cooper.appearances.get()

    patch = editor_api.patch(
        f"{CLAIMS}{cooper.pk}/",
        {"text": "Other words.", "expected_revision": cooper.revision},
        format="json",
    )
    delete = admin_client.post(f"/admin/claims/appearance/{appearance.pk}/delete/", {"post": "yes"})

    assert patch.status_code == 400
    assert "reopen it" in str(patch.json())
    assert delete.status_code == 403
    cooper.refresh_from_db()
    assert cooper.text.startswith("Zack Cooper of the American Enterprise Institute")
    assert cooper.appearances.count() == 1


def test_an_edit_built_on_an_older_revision_is_a_409_and_changes_nothing(story, editor_api):
    # Found by the adversarial suite: two editors saving one claim overwrote each other.
    miller = Claim.objects.get(summary__startswith="Stephen Miller")
    read = editor_api.get(f"{CLAIMS}{miller.pk}/").json()["revision"]

    first = editor_api.patch(
        f"{CLAIMS}{miller.pk}/",
        {"text": "Miller tasked with the détente.", "expected_revision": read},
        format="json",
    )
    second = editor_api.patch(
        f"{CLAIMS}{miller.pk}/",
        {"text": "Someone else's words.", "expected_revision": read},
        format="json",
    )

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "stale_revision"
    assert second.json()["current_revision"] == first.json()["revision"]
    miller.refresh_from_db()
    assert miller.text == "Miller tasked with the détente."


def test_an_edit_without_the_revision_it_rests_on_is_a_400_and_changes_nothing(story, editor_api):
    miller = Claim.objects.get(summary__startswith="Stephen Miller")

    response = editor_api.patch(
        f"{CLAIMS}{miller.pk}/", {"text": "Words from nowhere."}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["expected_revision"] == ["This field is required."]
    assert Claim.objects.get(pk=miller.pk).text == miller.text


@pytest.mark.parametrize(
    "evidence",
    [[{"url": 5}], [{"note": ["a"]}], [{"document": True}], [{"colour": "red"}], ["just text"]],
)
def test_malformed_evidence_is_a_400_not_a_500(evidence, story, staff_api):
    sanctions = Claim.objects.get(summary__startswith="US put sanctions")

    response = transition(
        staff_api, sanctions, to="disputed", rationale="Checked.", evidence=evidence
    )

    assert response.status_code == 400
    assert "evidence" in response.json()


def test_a_non_ascii_digit_publisher_filter_is_no_match_not_a_500(story, consumer_api):
    # Found in review: "²".isdigit() is true, and the id lookup then failed.
    for url, items in ((CLAIMS, "results"), ("/api/v1/claimreview/", "@graph")):
        response = consumer_api.get(url, {"publisher": "²"})
        assert response.status_code == 200
        assert response.json()[items] == []  # no organization has that name


def test_a_refused_claim_leaves_no_topic_behind_and_only_editors_add_topics(editor_api, staff_api):
    from claims.models import Topic

    refused = editor_api.post(CLAIMS, {"text": "", "topics": ["Orphan topic"]}, format="json")
    bad_topic = editor_api.post(
        CLAIMS, {"text": "A claim.", "topics": ["Orphan topic", "!!!"]}, format="json"
    )
    factchecker_new_topic = staff_api.post(
        CLAIMS, {"text": "A claim.", "topics": ["Brand new"]}, format="json"
    )

    assert refused.status_code == 400
    assert bad_topic.status_code == 400
    assert factchecker_new_topic.status_code in (400, 403)
    assert not Topic.objects.exists()
    assert not Claim.objects.exists()


def test_tightening_a_licence_is_not_answered_304(story, consumer_api, committed):
    # Found in review: If-Modified-Since kept a quote the licence had just withdrawn.
    import time

    from sources.models import LicenseTerms

    cooper = Claim.objects.get(summary__startswith="Zack Cooper")
    url = f"{CLAIMS}{cooper.pk}/"
    first = consumer_api.get(url)
    assert first.json()["appearances"][0]["quote"]
    time.sleep(1.1)  # HTTP dates have one-second resolution
    terms = LicenseTerms.objects.get(holder__name="Outlet B")
    terms.max_external_quote_chars = 0
    with committed():
        terms.save()

    again = consumer_api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 200
    assert again.json()["appearances"][0]["quote"] is None
    assert again["Last-Modified"] != first["Last-Modified"]


def test_hidden_work_does_not_move_a_consumers_list_date(story, consumer_api, editor, committed):
    from claims.recording import claim_update

    before = consumer_api.get(CLAIMS)["Last-Modified"]
    unverified = Claim.objects.filter(status=ClaimStatus.UNVERIFIED).first()
    import time

    time.sleep(1.1)  # HTTP dates have one-second resolution
    with committed():
        claim_update(claim=unverified, text="Reworded while still unverified.")

    assert consumer_api.get(CLAIMS)["Last-Modified"] == before


def test_an_unrelated_import_does_not_move_a_consumers_list_date(
    story, consumer_api, staff_api, committed
):
    # Found in the adversarial probe: Last-Modified on consumer lists moved whenever staff
    # imported any document, which tells outsiders when the newsroom is working on something.
    import time

    before = consumer_api.get(CLAIMS)["Last-Modified"]
    staff_before = staff_api.get(CLAIMS)["Last-Modified"]
    time.sleep(1.1)  # HTTP dates have one-second resolution
    with committed():
        DocumentFactory(license=LicenseTermsFactory(), headline="Not yet quoted by any claim")

    assert consumer_api.get(CLAIMS)["Last-Modified"] == before
    assert staff_api.get(CLAIMS)["Last-Modified"] != staff_before  # staff see the new work


def test_reanchoring_moves_the_claim_revision_on(story):
    from sources.documents import document_body_update

    sanctions = Claim.objects.get(summary__startswith="US put sanctions")
    document = Document.objects.get(publisher__name="Outlet B")

    document_body_update(document=document, body="Correction appended.\n\n" + document.body)

    moved = Claim.objects.get(pk=sanctions.pk)
    assert moved.revision == sanctions.revision + 1  # its selectors changed: new content
    assert moved.version == sanctions.version  # no verification step happened
    assert moved.updated_at > sanctions.updated_at


def test_the_browsable_api_opens_every_list_and_detail_page_for_staff(story, editor):
    from django.test import Client

    from claims.models import Claim as ClaimModel
    from sources.models import Document, LicenseTerms, Organization, Person

    browser = Client()
    browser.force_login(editor)
    pages = ["/api/v1/claims/", "/api/v1/documents/"]
    pages += ["/api/v1/organizations/", "/api/v1/people/", "/api/v1/licenses/"]
    pages += [f"/api/v1/claims/{pk}/" for pk in ClaimModel.objects.values_list("pk", flat=True)]
    pages += [f"/api/v1/documents/{pk}/" for pk in Document.objects.values_list("pk", flat=True)]
    pages += [f"/api/v1/organizations/{Organization.objects.first().pk}/"]
    pages += [f"/api/v1/people/{Person.objects.first().pk}/"]
    pages += [f"/api/v1/licenses/{LicenseTerms.objects.first().pk}/"]

    statuses = {page: browser.get(page, HTTP_ACCEPT="text/html").status_code for page in pages}

    assert statuses == dict.fromkeys(pages, 200)
    # The ClaimReview feed is JSON-LD only: a browser asking for HTML is told so, not a 500.
    assert browser.get("/api/v1/claimreview/", HTTP_ACCEPT="text/html").status_code == 406


@pytest.mark.parametrize("path", ["/.well-known/tdmrep.json", "/tdm-policy.jsonld"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "trace"])
def test_the_tdmrep_files_answer_only_safe_methods(path, method, client):
    assert getattr(client, method)(path).status_code == 405
    assert client.get(path).status_code == 200


def test_an_overlong_chain_is_refused_with_a_clear_400_and_nothing_written(editor_api, editor):
    """security.md D8: 5,000 links were stored; 33,000 ended in a 500 (smallint overflow)."""
    from claims.recording import (
        MAX_CHAIN_LINKS,
        ChainLink,
        appearance_create,
        chain_set,
        claim_create,
    )
    from tests.factories import OrganizationFactory

    document = DocumentFactory(body="Officials told the paper the plan was put on hold.")
    claim = claim_create(text="The plan was put on hold.", user=editor)
    appearance = appearance_create(claim=claim, document=document, exact="the plan", user=editor)
    relay = OrganizationFactory(name="Relay Agency")
    url = f"{CLAIMS}{claim.pk}/appearances/{appearance.pk}/chain/"
    links = [{"role": "relay", "organization": relay.pk}] * (MAX_CHAIN_LINKS + 1)

    response = editor_api.put(url, {"links": links}, format="json")

    assert response.status_code == 400
    assert "links" in response.json()
    assert not appearance.chain.exists()
    # The service refuses it too, for the admin and every other caller.
    with pytest.raises(ValidationError, match=f"at most {MAX_CHAIN_LINKS} links"):
        chain_set(
            appearance=appearance,
            links=[ChainLink(role="relay", agent=relay)] * (MAX_CHAIN_LINKS + 1),
        )


def test_reading_claims_never_loads_a_confidential_identity(story, consumer_api, staff_api):
    """security.md D23: every read decrypted identities it never shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for api in (consumer_api, staff_api):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(CLAIMS).status_code == 200
        assert not [q["sql"] for q in queries if "confidential_identity" in q["sql"]]


def test_unknown_ids_in_writes_are_400s_naming_the_field_and_change_nothing(
    editor_api, staff_api, editor
):
    from claims.recording import appearance_create, claim_create

    document = DocumentFactory(body="Officials told the paper the plan was put on hold.")
    claim = claim_create(text="The plan was put on hold.", user=editor)
    appearance = appearance_create(claim=claim, document=document, exact="the plan", user=editor)
    url = f"{CLAIMS}{claim.pk}/"

    chain = editor_api.put(
        f"{url}appearances/{appearance.pk}/chain/",
        {"links": [{"role": "origin", "person": 999999}]},
        format="json",
    )
    quote = editor_api.post(
        f"{url}appearances/", {"document": 999999, "exact": "the plan"}, format="json"
    )
    check = staff_api.post(  # fact-checkers record external checks
        f"{url}external-checks/",
        {"organization": 999999, "outcome": "could_not_verify", "document": True, "exact": "x"},
        format="json",
    )
    relation = staff_api.post(
        f"{url}relations/", {"to_claim": 999999, "kind": "refines", "reason": "x"}, format="json"
    )

    assert chain.status_code == 400
    assert chain.json() == {"links": {"0": {"person": ["No person with id 999999."]}}}
    assert quote.json() == {"document": ["No document with id 999999."]}
    assert check.json()["organization"] == ["No organization with id 999999."]
    assert check.json()["document"] == ["Give an id (an integer)."]
    assert relation.json() == {"to_claim": ["No claim with id 999999."]}
    assert not appearance.chain.exists()
    assert claim.appearances.count() == 1
    assert not claim.external_checks.exists()


def test_a_write_the_role_lacks_is_refused_saying_so(editor_api, editor):
    from claims.recording import claim_create

    claim = claim_create(text="The plan was put on hold.", user=editor)

    refused = editor_api.post(
        f"{CLAIMS}{claim.pk}/external-checks/",
        {"organization": 1, "outcome": "could_not_verify"},
        format="json",
    )

    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Your role may not do this (it needs claims.add_externalcheck)."
    )


@pytest.mark.parametrize(
    ("since", "code"),
    [
        # Found by the schema fuzzer on PostgreSQL: "time zone displacement out of range".
        # A real moment, so it is compared in UTC and answered.
        ("2025-11-19T00:00:00-16:59", 200),
        ("0001-01-01T00:00:00+14:00", 400),  # before year 1 in UTC
        ("9999-12-31T23:00:00-02:00", 400),  # after year 9999 in UTC
    ],
)
def test_an_updated_since_the_database_cannot_take_is_never_a_500(staff_api, since, code):
    response = staff_api.get(CLAIMS, {"updated_since": since})

    assert response.status_code == code
    if code == 400:
        assert "updated_since" in response.json()


def test_updated_since_compares_in_utc(staff_api, editor):
    from claims.recording import claim_create

    claim = claim_create(text="The plan was put on hold.", user=editor)
    stamp = claim.updated_at.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))

    before = staff_api.get(CLAIMS, {"updated_since": (stamp - datetime.timedelta(1)).isoformat()})
    after = staff_api.get(CLAIMS, {"updated_since": (stamp + datetime.timedelta(1)).isoformat()})

    assert [c["id"] for c in before.json()["results"]] == [claim.pk]
    assert after.json()["results"] == []
