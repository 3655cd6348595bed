"""Contract: the claims list and detail served from plain rows (newsroom/api/claim_rows.py) are
byte for byte what ClaimSerializer gives, with the same headers, for every role, on the demo,
on a varied fixture and on generated data (PostgreSQL).
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import renderers
from rest_framework.test import APIClient

from claims.models import Claim, ClaimRelation, ClaimStatus, Topic, VerificationEvent
from newsroom.api.claims import ClaimViewSet
from newsroom.demo import load_demo
from newsroom.tokens import token_issue
from tests.claims.factories import (
    AppearanceFactory,
    AttributionFactory,
    ClaimFactory,
    ExternalCheckFactory,
)
from tests.factories import (
    AffiliationFactory,
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    PersonFactory,
    ReservedLicenseTermsFactory,
)

CLAIMS = "/api/v1/claims/"
FAST = ClaimViewSet.renderer_classes
STOCK = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer]
HEADERS = ("ETag", "Last-Modified", "tdm-reservation", "tdm-policy", "TDM-Reserved-Documents")


def varied():
    """Claims the demo lacks: every agent kind with affiliations, withheld and empty excerpts,
    relations to hidden and public claims both ways, topics, a reopened claim."""
    reserved = DocumentFactory(license=ReservedLicenseTermsFactory(max_external_quote_chars=0))
    open_terms = DocumentFactory(license=LicenseTermsFactory(max_external_quote_chars=10_000))
    no_terms = DocumentFactory(license=None)
    person = PersonFactory(name="Ada Expert", description="analyst")
    AffiliationFactory(person=person, role="fellow", start_date=None)
    AffiliationFactory(person=person, role="director", start_date=datetime.date(2020, 1, 1))
    topic_b, topic_a = (
        Topic.objects.create(name="B topic", slug="b"),
        Topic.objects.create(name="A topic", slug="a"),
    )
    public, hidden = [], []
    for index, document in enumerate([reserved, open_terms, no_terms, open_terms]):
        claim = ClaimFactory(
            status=ClaimStatus.VERIFIED if index != 3 else ClaimStatus.UNVERIFIED,
            summary=f"Varied claim {index}",
        )
        claim.topics.set([topic_b, topic_a])
        appearance = AppearanceFactory(claim=claim, document=document)
        AttributionFactory(
            appearance=appearance, position=0, role="origin", anonymous_source=None, person=person
        )
        AttributionFactory(
            appearance=appearance,
            position=1,
            role="relay",
            anonymous_source=None,
            organization=OrganizationFactory(),
        )
        AttributionFactory(appearance=appearance, position=2, role="relay")
        ExternalCheckFactory(claim=claim, document=None)
        ExternalCheckFactory(claim=claim, document=document, exact="")
        (public if index != 3 else hidden).append(claim)
    a, b, c = public
    ClaimRelation.objects.create(from_claim=a, to_claim=b, kind="refines", reason="narrower")
    ClaimRelation.objects.create(from_claim=b, to_claim=a, kind="refines", reason="wider")
    ClaimRelation.objects.create(from_claim=a, to_claim=c, kind="corroborates", reason="same")
    ClaimRelation.objects.create(from_claim=hidden[0], to_claim=c, kind="refines", reason="wip")
    ClaimRelation.objects.create(from_claim=c, to_claim=hidden[0], kind="refines", reason="wip2")


def clients(users) -> dict[str, APIClient]:
    made = {}
    for name, user in users.items():
        client = APIClient()
        if name == "consumer":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user, name='t')[1]}")
        else:
            client.force_login(user)
        made[name] = client
    return made


def urls(client) -> list[str]:
    found = [
        CLAIMS,
        CLAIMS + "?page_size=1",
        CLAIMS + "?status=verified&ordering=independent_origins",
        CLAIMS + "?ordering=-created_at&page_size=3",
        "/api/v1/claims.json?page_size=2",
    ]
    url = CLAIMS + "?page_size=100"
    while url:  # every page and every claim's detail, with its `.json` twin
        found.append(url)
        body = client.get(url).json()
        for claim in body["results"]:
            found += [f"{CLAIMS}{claim['id']}/", f"{CLAIMS}{claim['id']}.json"]
        url = body["next"]
    return found


def assert_same(client, monkeypatch, paths):
    checked = 0
    for path in paths:
        monkeypatch.setattr(ClaimViewSet, "read_rows", True)
        monkeypatch.setattr(ClaimViewSet, "renderer_classes", FAST)
        rows = client.get(path)
        # the reference: ClaimSerializer rendered by DRF's own JSON renderer
        monkeypatch.setattr(ClaimViewSet, "read_rows", False)
        monkeypatch.setattr(ClaimViewSet, "renderer_classes", STOCK)
        reference = client.get(path)
        assert rows.status_code == reference.status_code == 200, path
        assert rows.content == reference.content, path
        for header in HEADERS:
            assert rows.get(header) == reference.get(header), (path, header)
        checked += 1
    return checked


@pytest.fixture
def users(consumer, editor, factchecker, superuser):
    return {
        "consumer": consumer,
        "editor": editor,
        "factchecker": factchecker,
        "superuser": superuser,
    }


def test_rows_and_serializer_agree_for_every_role(users, monkeypatch, factchecker):
    load_demo(with_users=False)
    varied()
    reopened = Claim.objects.filter(status=ClaimStatus.VERIFIED).first()
    from claims.workflow import claim_transition

    claim_transition(
        claim=reopened,
        to=ClaimStatus.IN_REVIEW,
        actor=factchecker,
        expected_version=reopened.version,
        rationale="Reopened to weigh new evidence.",
    )
    assert VerificationEvent.objects.exists()

    for name, client in clients(users).items():
        checked = assert_same(client, monkeypatch, urls(client))
        assert checked > 10, name


def test_a_withheld_quote_is_withheld_on_the_rows_path(consumer, monkeypatch):
    # The rows path applies the same Disclosure: a no-quote licence keeps the quote out.
    varied()
    client = clients({"consumer": consumer})["consumer"]
    body = client.get(CLAIMS + "?page_size=100").json()
    withheld = [a for c in body["results"] for a in c["appearances"] if "withheld" in a]
    assert withheld and all(a["quote"] is None for a in withheld)
    assert not any(c["summary"] == "Varied claim 3" for c in body["results"])  # unverified


def test_the_browsable_api_keeps_the_serializer(consumer, monkeypatch):
    varied()
    client = clients({"consumer": consumer})["consumer"]
    calls = []
    from newsroom.api import claims as module

    monkeypatch.setattr(module, "claims_data", lambda *a, **k: calls.append(1) or ([], None))
    assert client.get(CLAIMS, HTTP_ACCEPT="text/html").status_code == 200
    assert calls == []


def test_the_rows_path_runs_the_same_queries_for_any_page_size(consumer):
    varied()
    for _ in range(60):
        claim = ClaimFactory(status=ClaimStatus.VERIFIED)
        AttributionFactory(appearance=AppearanceFactory(claim=claim))
    client = clients({"consumer": consumer})["consumer"]
    client.get("/api/v1/organizations/")  # the token's first use records last_used_at
    counts = {}
    for page_size in (1, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CLAIMS, {"page_size": page_size, "ordering": "created_at"})
        assert len(response.json()["results"]) == page_size
        counts[page_size] = len(queries)

    # The token (and whether its holder is a consumer), the watermark (two: nothing was stamped
    # in the test's transaction, so the passed embargoes are read alone); then the data. On
    # PostgreSQL three: the page
    # with its provenance as JSON, the documents with their terms and agreements, the recorded
    # excerpts. Elsewhere eleven: the page, topics, appearances, checks, chains, affiliations,
    # documents with terms, agreements, recorded excerpts, relations, events.
    expected = 3 + (3 if connection.vendor == "postgresql" else 11)
    assert counts == {1: expected, 50: expected}


@pytest.mark.postgres
def test_rows_and_serializer_agree_on_generated_data(users, monkeypatch):
    call_command("generate_scale_data", claims=60, seed=3, batch=30, stdout=io.StringIO())
    for client in clients(users).values():
        assert_same(client, monkeypatch, urls(client)[:40])


def test_the_fast_renderer_gives_drfs_bytes():
    from newsroom.api.base import FastJSONRenderer

    data = {
        "text": 'line\u2028separator\u2029paragraph \u00e6\u00f8\u00e5 " \\ \n\t\x01 </script>',
        "n": [1, -2, 0, None, True, False],
        "when": datetime.datetime(2025, 11, 19, 10, 12, 0, 123456, tzinfo=datetime.UTC),
        "nested": {"a": [], "b": {}},
    }
    assert FastJSONRenderer().render(data) == renderers.JSONRenderer().render(data)
    assert FastJSONRenderer().render({"big": 2**70}) == renderers.JSONRenderer().render(
        {"big": 2**70}
    )


@pytest.mark.postgres
def test_the_recorded_excerpts_read_alike_in_one_statement_and_through_the_orm(consumer):
    # claims.disclosure reads the quote budget's rows in one SQL statement on PostgreSQL; the
    # portable ORM query is the reference (same rows, same order: who may quote what depends
    # on it).
    from claims.disclosure import _recorded_rows, _recorded_rows_postgresql
    from claims.models import ServedExcerpt
    from sources.models import Document

    call_command("generate_scale_data", claims=60, seed=5, batch=30, stdout=io.StringIO())
    varied()
    document = Document.objects.order_by("pk").first()
    ServedExcerpt.objects.create(
        document=document, audience="external", key="served:gone", start=0, end=5
    )
    ids = list(Document.objects.values_list("pk", flat=True))

    rows = _recorded_rows_postgresql("default", ids)

    assert rows == _recorded_rows(ids)
    assert {row[0] for row in rows} == {"a", "c", "s"}


def test_an_agreement_applies_to_the_rows_from_the_day_it_comes_into_force(consumer):
    # The agreements in force are read with the page's documents; what is in force is judged
    # on the day of the request, not on the day the query was first built.
    import time_machine
    from django.utils import timezone

    from tests.factories import AgreementFactory

    today = timezone.now()
    terms = ReservedLicenseTermsFactory(max_external_quote_chars=0)
    document = DocumentFactory(license=terms)
    claim = ClaimFactory(status=ClaimStatus.VERIFIED)
    AttributionFactory(appearance=AppearanceFactory(claim=claim, document=document))
    AgreementFactory(
        holder=terms.holder,
        valid_from=(today + datetime.timedelta(days=1)).date(),
        max_external_quote_chars=10_000,
    )
    client = clients({"consumer": consumer})["consumer"]

    def quote():
        [appearance] = client.get(f"{CLAIMS}{claim.pk}/").json()["appearances"]
        return appearance["quote"]

    with time_machine.travel(today, tick=False):
        assert quote() is None
    with time_machine.travel(today + datetime.timedelta(days=1), tick=False):
        assert quote() == claim.appearances.get().exact


def test_a_group_agreement_limits_copy_published_under_another_name(consumer, monkeypatch):
    # Agency copy: the terms' holder belongs to a group with an agreement that lowers the
    # quote limit, and the document is published by another organization. The agreement
    # must be found through the terms, whatever the page's query joins for the publisher.
    from tests.factories import AgreementFactory

    group = OrganizationFactory(name="Media group")
    holder = OrganizationFactory(name="Agency", parent=group)
    terms = LicenseTermsFactory(holder=holder, max_external_quote_chars=500)
    AgreementFactory(holder=group, max_external_quote_chars=20)
    document = DocumentFactory(license=terms, publisher=OrganizationFactory(name="Local title"))
    claim = ClaimFactory(status=ClaimStatus.VERIFIED)
    appearance = AppearanceFactory(claim=claim, document=document)
    assert 20 < len(appearance.exact) <= 500
    client = clients({"consumer": consumer})["consumer"]

    [shown] = client.get(f"{CLAIMS}{claim.pk}/").json()["appearances"]

    assert shown["quote"] is None
    assert "agreement with Media group" in shown["withheld"]
    assert_same(client, monkeypatch, [f"{CLAIMS}{claim.pk}/", CLAIMS])


def test_undated_affiliations_come_in_one_order_on_both_paths(consumer, monkeypatch):
    # Two undated affiliations tie on the ordering; the key breaks the tie for the serializer's
    # prefetch and the rows alike, even after an edit moved one of them on disk.
    person = PersonFactory(name="Tied Expert")
    first = AffiliationFactory(person=person, role="adviser", start_date=None)
    AffiliationFactory(person=person, role="fellow", start_date=None)
    first.role = "senior adviser"
    first.save()
    claim = ClaimFactory(status=ClaimStatus.VERIFIED)
    AttributionFactory(
        appearance=AppearanceFactory(claim=claim), person=person, anonymous_source=None
    )
    client = clients({"consumer": consumer})["consumer"]

    [appearance] = client.get(f"{CLAIMS}{claim.pk}/").json()["appearances"]

    roles = [a["role"] for a in appearance["chain"][0]["agent"]["affiliations"]]
    assert roles == ["senior adviser", "fellow"]
    assert_same(client, monkeypatch, [f"{CLAIMS}{claim.pk}/"])
