"""generate_scale_data writes data the app accepts: anchors, origin counts, events, the API."""

import hashlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from rest_framework.test import APIClient

from claims import origins
from claims.models import (
    CONCLUDED,
    Appearance,
    Attribution,
    Claim,
    ClaimRelation,
    ClaimStatus,
    ExternalCheck,
    VerificationEvent,
)
from claims.origins import count_independent_origins
from newsroom.management.commands import generate_scale_data
from newsroom.tokens import token_issue
from sources.models import Document, DocumentCredit, LicenseTerms

pytestmark = pytest.mark.django_db

CLAIMS = 200


def generate(seed: int = 1, claims: int = CLAIMS, batch: int = 60) -> str:
    out = io.StringIO()
    call_command("generate_scale_data", claims=claims, seed=seed, batch=batch, stdout=out)
    return out.getvalue()


def fingerprint() -> str:
    """A digest over the generated rows that matter to the read paths."""
    digest = hashlib.sha256()
    for queryset in (
        Claim.objects.order_by("pk").values_list(
            "pk", "text", "status", "version", "revision", "updated_at", "independent_origins"
        ),
        Appearance.objects.order_by("pk").values_list("pk", "claim", "document", "start", "end"),
        Attribution.objects.order_by("pk").values_list(
            "appearance", "position", "role", "person", "organization", "anonymous_source"
        ),
        Document.objects.order_by("pk").values_list("pk", "body_sha256", "license"),
        VerificationEvent.objects.order_by("pk").values_list("pk", "hash"),
    ):
        digest.update(repr(list(queryset)).encode())
    return digest.hexdigest()


@pytest.mark.postgres
def test_generated_data_keeps_the_apps_invariants():
    # Given a database generated at a small size
    generate()
    claims = Claim.objects.all()
    assert claims.count() == CLAIMS
    assert Document.objects.count() == CLAIMS // 5

    # then every quote is anchored in its document's body (code-point offsets) ...
    appearances = list(Appearance.objects.select_related("document"))
    assert appearances and all(appearance.matches_body() for appearance in appearances)
    assert any(len(a.document.body.encode("utf-8")) != len(a.document.body) for a in appearances)
    for check in ExternalCheck.objects.exclude(exact="").select_related("document"):
        assert check.matches_body()

    # ... each document's agency line is recorded where it stands in the text as received,
    # and some documents are syndicated copies of another's text in another title ...
    credits = list(DocumentCredit.objects.select_related("document"))
    assert len(credits) == Document.objects.count()
    for credit in credits:
        assert credit.document.raw_text[credit.start : credit.end] == credit.text
    copies = (
        Document.objects.order_by().values("body_sha256").annotate(n=Count("pk")).filter(n__gt=1)
    )
    assert copies.exists()

    # ... every chain has 2-5 links, origin first, publisher (when any) last ...
    chains: dict[int, list[str]] = {}
    for appearance_id, role in Attribution.objects.order_by("appearance", "position").values_list(
        "appearance", "role"
    ):
        chains.setdefault(appearance_id, []).append(role)
    assert set(chains) == {a.pk for a in appearances}
    for roles in chains.values():
        assert 2 <= len(roles) <= 5 and roles[0] == "origin" and roles.count("origin") == 1
        assert "publisher" not in roles[:-1]
    origin_kinds = {
        kind
        for p, o, a in Attribution.objects.filter(role="origin").values_list(
            "person", "organization", "anonymous_source"
        )
        for kind, agent in (("person", p), ("organization", o), ("anonymous", a))
        if agent
    }
    assert origin_kinds == {"person", "organization", "anonymous"}

    # ... the stored origin counts are the project's own count ...
    stored = dict(claims.values_list("pk", "independent_origins"))
    assert count_independent_origins(stored) == stored
    assert max(stored.values()) >= 2
    assert ClaimRelation.objects.filter(kind="same_as").exists()

    # ... versions and events agree with the status, and the hash chain holds ...
    concluded = claims.filter(status__in=CONCLUDED).count()
    assert 0.7 * CLAIMS <= concluded <= 0.9 * CLAIMS
    for claim in claims.prefetch_related("events"):
        events = sorted(claim.events.all(), key=lambda e: e.version)
        assert claim.version == 1 + len(events)
        assert [e.version for e in events] == list(range(2, claim.version + 1))
        if events:
            assert events[-1].to_status == claim.status
            assert events[0].from_status == ClaimStatus.UNVERIFIED
            for before, after in zip(events, events[1:], strict=False):
                assert after.from_status == before.to_status
        assert (claim.concluded_at is not None) == (claim.status in CONCLUDED)
    out = io.StringIO()
    call_command("verify_events", stdout=out)
    assert "the chain is intact" in out.getvalue()

    # ... the licences include TDM-reserved and no-external-quote holders ...
    terms = list(LicenseTerms.objects.all())
    assert all(t.tdm_reserved == (t.tdm_status in t.RESERVING_STATUSES) for t in terms)
    assert any(t.tdm_reserved for t in terms) and any(t.awaits_confirmation for t in terms)
    assert LicenseTerms.objects.filter(max_external_quote_chars=0).exists()

    # ... and the consumer API serves it, withholding some quotes.
    consumer = get_user_model().objects.get(username="bench-consumer")
    _, key = token_issue(user=consumer, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = client.get("/api/v1/claims/?page_size=100")
    assert listed.status_code == 200
    results = listed.json()["results"]
    assert len(results) == 100
    assert any("withheld" in a for claim in results for a in claim["appearances"])
    assert any(a["quote"] for claim in results for a in claim["appearances"])
    assert client.get(results[0]["url"]).status_code == 200
    assert listed.json()["next"]


@pytest.mark.postgres
def test_same_seed_same_rows_and_a_filled_database_is_refused():
    generate(seed=7)
    first = fingerprint()

    # A second run into the filled database is refused, writing nothing.
    with pytest.raises(CommandError, match="already holds"):
        generate(seed=7)
    assert fingerprint() == first

    # Emptied again (users stay, as they would in a fresh database), the same seed gives the
    # same rows; another seed gives others.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "TRUNCATE claims_claim, sources_organization, sources_document, claims_topic, "
            "sources_person, sources_anonymoussource, sources_licenseterms CASCADE"
        )
    generate(seed=7)
    assert fingerprint() == first
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "TRUNCATE claims_claim, sources_organization, sources_document, claims_topic, "
            "sources_person, sources_anonymoussource, sources_licenseterms CASCADE"
        )
    generate(seed=8)
    assert fingerprint() != first


@pytest.mark.postgres
def test_one_passage_quoted_in_two_copies_of_a_text_is_one_origin(monkeypatch, tmp_path):
    # Given many syndicated copies (one document in two instead of one in twenty), so that at
    # this size some claims quote the same sentence of one agency story in two titles with
    # otherwise unrelated chains: at 1M claims four did (912707, 437216, 898333, 673657), and
    # recount_origins corrected their counts ...
    monkeypatch.setattr(generate_scale_data, "COPY_SHARE", 0.5)
    generate(seed=1, claims=600, batch=100)
    claims = Claim.objects.all()
    stored = dict(claims.values_list("pk", "independent_origins"))
    with monkeypatch.context() as without_copies:
        without_copies.setattr(origins, "_same_passage_of_copies", lambda keyed: iter(()))
        counted_apart = count_independent_origins(stored)
    folded = [pk for pk, n in count_independent_origins(stored).items() if n < counted_apart[pk]]
    assert folded  # ... the case is there ...

    # then the stored counts are the app's, copies folded, and the recount corrects nothing.
    assert count_independent_origins(stored) == stored
    out = io.StringIO()
    call_command("recount_origins", checkpoint=tmp_path / "checkpoint", stdout=out)
    assert "600 claims recounted, 0 counts corrected" in out.getvalue()


def test_sqlite_is_refused_with_a_reason(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        generate()
