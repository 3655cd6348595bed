"""ClaimReview JSON-LD and PROV-JSON exports, checked against offline copies of the standards."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prov.model import ProvDocument

from claims import workflow
from claims.claimreview import (
    BEST_RATING,
    RATING_SCALE,
    WORST_RATING,
    claimreview,
    claimreview_feed,
)
from claims.disclosure import disclosure_for
from claims.models import CONCLUDED, Claim, ClaimStatus
from claims.prov import provenance_document, provenance_json
from newsroom.demo import load_demo
from sources.licensing import Audience
from sources.models import AnonymousSource
from tests.claims.factories import AppearanceFactory, AttributionFactory, ClaimFactory
from tests.conftest import EXPORT_BASE as BASE
from tests.conftest import build_url

CONFIDENTIAL = "Jane Roe"
OFFICIALS = "current and former US officials"
SANCTIONS = "The United States has put plans to sanction"
COOPER = "Zack Cooper of the American Enterprise Institute"
SCHEMA_ORG_URLS = [
    f"{scheme}://schema.org{path}"
    for scheme in ("http", "https")
    for path in ("", "/", "/docs/jsonldcontext.jsonld")
]


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def story(db, factchecker):
    """The reference story, with the officials' identity known and the sanctions claim concluded.

    The demo leaves the sanctions claim (the anonymous-origin one) in review; a second
    fact-checker concludes it here so that it has a review to publish.
    """
    load_demo(with_users=False)
    officials = AnonymousSource.objects.get(description=OFFICIALS)
    officials.confidential_identity = CONFIDENTIAL
    officials.save(update_fields=["confidential_identity"])
    sanctions = Claim.objects.get(text__startswith=SANCTIONS)
    workflow.claim_transition(
        claim=sanctions,
        to=ClaimStatus.UNVERIFIABLE,
        actor=factchecker,
        expected_version=sanctions.version,
        rationale="Only anonymous officials, relayed through the FT; Reuters could not verify.",
    )


def loaded(text_start: str) -> Claim:
    return Claim.objects.with_provenance().get(text__startswith=text_start)


def all_loaded() -> list[Claim]:
    return list(Claim.objects.with_provenance().order_by("pk"))


def schema_org_loader(standards: Path):
    """A pyld document loader that serves schema.org's context from disk and nothing else."""
    context = json.loads((standards / "schemaorg.jsonld").read_text())

    def load(url, options=None):
        if url not in SCHEMA_ORG_URLS:
            raise AssertionError(f"JSON-LD expansion tried to fetch {url}")
        return {"contextUrl": None, "documentUrl": url, "document": context}

    return load, context["@context"]


def properties(node) -> int:
    """Count property keys (not keywords, not the context) anywhere in a JSON-LD tree."""
    if isinstance(node, list):
        return sum(properties(item) for item in node)
    if not isinstance(node, dict):
        return 0
    return sum(
        (0 if key.startswith("@") else 1) + properties(value)
        for key, value in node.items()
        if key != "@context"
    )


def terms_used(node) -> set[str]:
    """Every property key and every @type value used anywhere in a compact JSON-LD tree."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= terms_used(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            if key == "@type":
                found |= set(value if isinstance(value, list) else [value])
            elif not key.startswith("@"):
                found.add(key)
            found |= terms_used(value)
    return found


# --- ClaimReview -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", sorted(CONCLUDED))
def test_each_concluded_state_has_its_rating(status):
    claim = ClaimFactory(status=status, concluded_at=timezone.now())

    rating = claimreview(claim, build_url=build_url)["reviewRating"]

    expected = {
        ClaimStatus.FALSE: (1, "False"),
        ClaimStatus.DISPUTED: (2, "Disputed"),
        ClaimStatus.UNVERIFIABLE: (3, "Unverifiable"),
        ClaimStatus.VERIFIED: (4, "Verified"),
    }[status]
    assert (rating["ratingValue"], rating["alternateName"]) == expected
    assert (rating["bestRating"], rating["worstRating"]) == (4, 1)


def test_rating_scale_covers_exactly_the_concluded_states():
    assert set(RATING_SCALE) == CONCLUDED
    values = sorted(rating.value for rating in RATING_SCALE.values())
    assert values == list(range(WORST_RATING, BEST_RATING + 1))


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ClaimStatus.UNVERIFIED, ClaimStatus.IN_REVIEW])
def test_an_unconcluded_claim_cannot_be_reviewed(status):
    claim = ClaimFactory(status=status)

    with pytest.raises(ValueError, match="only a concluded claim"):
        claimreview(claim, build_url=build_url)
    # The feed leaves it out instead of failing.
    assert claimreview_feed([claim], build_url=build_url)["@graph"] == []


def test_cooper_is_a_person_with_his_role_at_aei(story):
    claim = loaded(COOPER)

    review = claimreview(claim, build_url=build_url)

    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["url"] == f"{BASE}/api/v1/claims/{claim.pk}/claimreview/"
    assert review["claimReviewed"] == claim.summary  # the short form, at most 75 characters
    assert review["datePublished"] == claim.concluded_at.isoformat()
    assert review["author"] == {
        "@type": "Organization",
        "name": settings.NEWSROOM_NAME,
        "url": f"{BASE}/",
    }
    author = review["itemReviewed"]["author"]
    assert author["@type"] == "Person"
    assert author["name"] == "Zack Cooper"
    assert author["jobTitle"] == "Asia security expert"
    assert author["affiliation"] == {
        "@type": "Organization",
        "name": "American Enterprise Institute",
    }


def test_an_anonymous_origin_is_described_not_named(story):
    review = claimreview(loaded(SANCTIONS), build_url=build_url)

    author = review["itemReviewed"]["author"]
    assert author["@type"] == "Person"
    assert author["description"] == OFFICIALS
    assert "name" not in author
    assert "several" in author["disambiguatingDescription"]
    assert "speaking on condition of anonymity" in author["disambiguatingDescription"]
    assert review["reviewRating"]["alternateName"] == "Unverifiable"
    assert review["reviewBody"].startswith("Only anonymous officials")


def test_appearances_carry_metadata_and_the_earliest_is_the_first(story):
    claim = loaded(SANCTIONS)

    reviewed = claimreview(claim, build_url=build_url)["itemReviewed"]

    # Article A (10:12 UTC) came out before Article B (14:40 UTC) on 19 November 2025.
    headlines = [work["headline"] for work in reviewed["appearance"]]
    article_a, article_b = (a.document for a in claim.appearances.order_by("document__pk"))
    assert headlines == [article_a.headline, article_b.headline]
    first = reviewed["firstAppearance"]
    assert first["headline"] == article_a.headline
    assert first["datePublished"] == "2025-11-19T10:12:00+00:00"
    assert first["@type"] == "NewsArticle"
    # A trade title of DK Medier's: named as the title, part of its publisher.
    assert first["publisher"] == {
        "@type": "Organization",
        "name": "Danish Offshore Industry",
        "parentOrganization": {"@type": "Organization", "name": "DK Medier"},
    }
    # Metadata only: the licence may forbid quoting, so no quote is included.
    text = json.dumps(reviewed)
    for appearance in claim.appearances.all():
        assert appearance.exact not in text


def test_a_reporter_without_a_source_is_the_author(story):
    # The framework deal reached us as Reuters' own reporting, relayed by Ritzau.
    review = claimreview(loaded("Under the framework deal"), build_url=build_url)

    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "Reuters"}


def test_feed_holds_the_concluded_claims_as_a_graph(story):
    claims = all_loaded()

    feed = claimreview_feed(claims, build_url=build_url)

    concluded = [claim for claim in claims if claim.status in CONCLUDED]
    assert len(concluded) == 4  # cooper, framework deal, new export controls, sanctions
    assert feed["@context"] == "https://schema.org"
    single = [claimreview(claim, build_url=build_url) for claim in concluded]
    assert feed["@graph"] == [
        {key: value for key, value in review.items() if key != "@context"} for review in single
    ]


def test_exports_run_on_prefetched_claims_without_queries(story, django_assert_num_queries):
    from claims.disclosure import disclosure_for

    claims = all_loaded()
    # The caller builds each response's disclosure once, as the API view does.
    disclosures = {
        (claim.pk, audience): disclosure_for([claim], audience)
        for claim in claims
        for audience in Audience
    }

    with django_assert_num_queries(0):
        claimreview_feed(claims, build_url=build_url)
        for claim in claims:
            for audience in Audience:
                provenance_json(
                    claim, build_url=build_url, disclosure=disclosures[claim.pk, audience]
                )


def test_feed_query_count_does_not_grow_with_claims(story, django_assert_num_queries):
    with CaptureQueriesContext(connection) as baseline:
        claimreview_feed(Claim.objects.with_provenance(), build_url=build_url)
    claim = ClaimFactory(status=ClaimStatus.FALSE, concluded_at=timezone.now())
    AttributionFactory(appearance=AppearanceFactory(claim=claim))

    with django_assert_num_queries(len(baseline.captured_queries)):
        feed = claimreview_feed(Claim.objects.with_provenance(), build_url=build_url)

    assert len(feed["@graph"]) == 5


def test_claimreview_expands_with_schema_org_and_uses_only_its_terms(story, standards):
    from pyld import jsonld

    loader, context = schema_org_loader(standards)
    feed = claimreview_feed(all_loaded(), build_url=build_url)
    documents = [feed, *({"@context": feed["@context"], **node} for node in feed["@graph"])]

    for document in documents:
        expanded = jsonld.expand(document, {"documentLoader": loader})
        # Nothing dropped on expansion...
        assert properties(expanded) == properties(document)
        # ...and, since the context's @vocab would keep a misspelt term, every term is
        # one schema.org defines.
        assert terms_used(document) <= set(context), terms_used(document) - set(context)
    assert {"ClaimReview", "Rating", "Claim", "Person", "Organization"} <= terms_used(feed)


# --- PROV ---------------------------------------------------------------------------------------


def prov_records(data: dict, kind: str) -> list[dict]:
    return list(data.get(kind, {}).values())


def qualified(value):
    """The value of a PROV-JSON attribute, unwrapped from its typed literal."""
    return value["$"] if isinstance(value, dict) else value


def node_id(data: dict, kind: str, **attributes) -> str:
    (found,) = [
        identifier
        for identifier, record in data[kind].items()
        if all(qualified(record.get(name)) == value for name, value in attributes.items())
    ]
    return found


def quotations(data: dict) -> set[tuple[str, str]]:
    return {
        (record["prov:generatedEntity"], record["prov:usedEntity"])
        for record in prov_records(data, "wasDerivedFrom")
        if qualified(record.get("prov:type")) == "prov:Quotation"
    }


@pytest.mark.parametrize("audience", list(Audience))
def test_provenance_is_valid_prov_json_and_reads_back_the_same(story, standards, audience):
    from jsonschema import Draft4Validator

    schema = json.loads((standards / "prov-json.schema.json").read_text())
    validator = Draft4Validator(schema)  # the schema is draft-04
    for claim in all_loaded():
        original = provenance_document(claim, build_url=build_url, audience=audience)
        data = provenance_json(claim, build_url=build_url, audience=audience)

        errors = [error.message for error in validator.iter_errors(data)]
        assert errors == []
        # The schema spells the end relation `wasEndedby` and forbids other top-level keys, so a
        # `wasEndedBy` would fail it; verification steps are instants and need no end relation.
        assert "wasEndedBy" not in data
        assert data["prefix"]["nr"] == f"{BASE}/api/v1/"

        read_back = ProvDocument.deserialize(content=json.dumps(data), format="json")
        assert read_back == original
        assert len(read_back.get_records()) == len(original.get_records())


def test_provenance_traces_the_chain_through_each_relay(story):
    claim = loaded(SANCTIONS)

    data = provenance_json(claim, build_url=build_url, audience=Audience.EXTERNAL)

    agents = data["agent"]
    officials = node_id(data, "agent", **{"nrv:description": OFFICIALS})
    assert qualified(agents[officials]["prov:type"]) == "nrv:AnonymousSource"
    assert agents[officials]["nrv:countAsWritten"] == "several"
    ft, reuters, ritzau = (
        node_id(data, "agent", **{"schema:name": name})
        for name in ("Financial Times", "Reuters", "Ritzau")
    )
    for organization in (ft, reuters, ritzau):
        assert qualified(agents[organization]["prov:type"]) == "prov:Organization"

    def report_of(agent):
        (report,) = [
            record["prov:entity"]
            for record in prov_records(data, "wasAttributedTo")
            if record["prov:agent"] == agent and "/reports/" in record["prov:entity"]
        ]
        return report

    article_a, article_b = (
        f"nr:documents/{a.document_id}" for a in claim.appearances.order_by("document__pk")
    )
    # Article A ← Ritzau ← Reuters ← FT; Article B ← the same FT report: one origin, two relays.
    assert {
        (article_a, report_of(ritzau)),
        (report_of(ritzau), report_of(reuters)),
        (report_of(reuters), report_of(ft)),
        (article_b, report_of(ft)),
    } <= quotations(data)
    # Each quote is the newsroom's quotation of its document, and the officials' statement.
    for appearance in claim.appearances.all():
        quote = f"nr:appearances/{appearance.pk}"
        assert (quote, f"nr:documents/{appearance.document_id}") in quotations(data)
        assert {"prov:entity": quote, "prov:agent": officials, "nrv:verb": "told"} in (
            prov_records(data, "wasAttributedTo")
        )
        assert {"prov:generatedEntity": f"nr:claims/{claim.pk}", "prov:usedEntity": quote} in (
            prov_records(data, "wasDerivedFrom")
        )
    documents = data["entity"]
    assert (
        documents[article_a]["schema:headline"]
        == claim.appearances.get(document_id=int(article_a.rsplit("/", 1)[1])).document.headline
    )
    assert qualified(documents[article_a]["schema:datePublished"]) == "2025-11-19T10:12:00+00:00"
    assert documents[article_a]["nrv:tdmReserved"] is True


def test_a_person_acts_on_behalf_of_their_organization(story):
    data = provenance_json(loaded(COOPER), build_url=build_url, audience=Audience.EXTERNAL)

    cooper = node_id(data, "agent", **{"schema:name": "Zack Cooper"})
    aei = node_id(data, "agent", **{"schema:name": "American Enterprise Institute"})
    assert qualified(data["agent"][cooper]["prov:type"]) == "prov:Person"
    assert {
        "prov:delegate": cooper,
        "prov:responsible": aei,
        "prov:role": "Asia security expert",
    } in prov_records(data, "actedOnBehalfOf")


def test_verification_steps_show_roles_to_consumers_and_usernames_to_staff(story):
    claim = loaded(COOPER)
    events = list(claim.events.all())
    usernames = {event.actor.username for event in events}

    external = provenance_json(claim, build_url=build_url, audience=Audience.EXTERNAL)
    staff = provenance_json(claim, build_url=build_url, audience=Audience.STAFF)

    conclusion = external["activity"][f"nr:verification-events/{events[-1].pk}"]
    assert (conclusion["nrv:fromStatus"], conclusion["nrv:toStatus"]) == ("in_review", "verified")
    assert conclusion["nrv:rationale"] == events[-1].rationale
    assert conclusion["prov:startTime"] == events[-1].created_at.isoformat()
    associations = prov_records(external, "wasAssociatedWith")
    assert {
        "prov:activity": f"nr:verification-events/{events[-1].pk}",
        "prov:agent": "nr:newsroom",
        "prov:role": "fact-checker",
    } in associations
    assert {
        "prov:entity": f"nr:claims/{claim.pk}/versions/{events[-1].version}",
        "prov:activity": f"nr:verification-events/{events[-1].pk}",
        "prov:time": events[-1].created_at.isoformat(),
    } in prov_records(external, "wasGeneratedBy")
    assert not any(name in json.dumps(external) for name in usernames)
    assert usernames <= {record.get("nrv:username") for record in staff["agent"].values()}, (
        "staff see who made each move"
    )


def test_quoted_text_is_for_staff_only(story):
    claim = loaded(SANCTIONS)
    quotes = [appearance.exact for appearance in claim.appearances.all()]

    external = json.dumps(provenance_json(claim, build_url=build_url, audience=Audience.EXTERNAL))
    staff = json.dumps(provenance_json(claim, build_url=build_url, audience=Audience.STAFF))

    assert not any(quote in external for quote in quotes)
    assert all(json.dumps(quote)[1:-1] in staff for quote in quotes)


def test_the_confidential_identity_appears_in_no_export(story):
    assert AnonymousSource.objects.get(description=OFFICIALS).confidential_identity == CONFIDENTIAL
    claims = all_loaded()

    exports = [claimreview_feed(claims, build_url=build_url)]
    for claim in claims:
        if claim.status in CONCLUDED:
            exports.append(claimreview(claim, build_url=build_url))
        for audience in Audience:
            exports.append(provenance_json(claim, build_url=build_url, audience=audience))
            exports.append(
                provenance_document(claim, build_url=build_url, audience=audience).get_provn()
            )

    text = json.dumps(exports)
    assert OFFICIALS in text  # the source is there, described
    assert CONFIDENTIAL not in text


def test_prov_quotes_follow_the_licence_for_outside_consumers(story):
    # Quotes go out as far as sources.licensing allows: Outlet B's (300 characters) do,
    # DK Medier's (no external quotation) do not.
    cooper = next(c for c in all_loaded() if c.summary.startswith("Zack Cooper"))
    framework = next(c for c in all_loaded() if c.summary.startswith("Oct 30 deal"))
    disclosure = disclosure_for([cooper], Audience.EXTERNAL)

    cooper_prov = json.dumps(provenance_json(cooper, build_url=build_url, disclosure=disclosure))
    served = disclosure.served
    framework_prov = json.dumps(
        provenance_json(framework, build_url=build_url, audience=Audience.EXTERNAL)
    )

    assert "The administration appears to be giving ground on export controls" in cooper_prov
    assert [d.publisher.name for d in served] == ["Outlet B"]
    assert "Under the framework deal reached on October 30" not in framework_prov


@pytest.mark.parametrize(
    ("summary", "text", "expected"),
    [
        ("US put sanctions on hold", "A long text " * 20, "US put sanctions on hold"),
        ("", "Short text.", "Short text."),
        ("", "word " * 40, ("word " * 15).strip() + "…"),
    ],
)
def test_claim_reviewed_is_the_summary_or_the_text_cut_at_a_word(summary, text, expected):
    from claims.claimreview import claim_reviewed

    claim = Claim(summary=summary, text=text)

    assert claim_reviewed(claim) == expected
    assert len(claim_reviewed(claim)) <= 75


def test_a_claimreview_can_point_at_a_public_page(factchecker):
    claim = ClaimFactory(status=ClaimStatus.DISPUTED, summary="Short")
    loaded = Claim.objects.with_provenance().get(pk=claim.pk)

    review = claimreview(loaded, build_url=build_url, url="https://news.example/fact-checks/1-x/")

    assert review["url"] == review["@id"] == "https://news.example/fact-checks/1-x/"
    assert review["claimReviewed"] == "Short"
