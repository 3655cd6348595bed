"""Full-text search from the stored tsvector (PostgreSQL), substring search elsewhere; the
admin's ranked claim search, its estimated counts, the documents search and the queue's caps."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.admin import views
from claims.models import Claim
from claims.recording import claim_create, claim_update
from sources import admin_paging
from tests.claims.factories import ClaimFactory
from tests.factories import DocumentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:claims_claim_changelist")
DOCUMENTS = reverse("admin:sources_document_changelist")
on_postgresql = pytest.mark.postgres


def test_a_claim_is_found_by_its_words_and_no_longer_by_words_it_lost(editor):
    claim = claim_create(text="The ministry put sanctions on hold.", user=editor)

    assert list(Claim.objects.search("sanctions")) == [claim]
    claim_update(claim=Claim.objects.get(pk=claim.pk), text="The ministry lifted tariffs.")

    assert list(Claim.objects.search("sanctions")) == []
    assert list(Claim.objects.search("tariffs")) == [claim]


@on_postgresql
def test_the_stored_vector_follows_every_write_even_past_the_services():
    # A factory and a queryset update write past the recording services: the database still
    # keeps the vector, as it is a generated column.
    claim = ClaimFactory(text="Pipelines were halved.", summary="")
    Claim.objects.filter(pk=claim.pk).update(text="Quotas were tripled.")

    vector = Claim.objects.values_list("search_vector", flat=True).get(pk=claim.pk)
    assert "quota" in vector and "pipelin" not in vector
    # Stemmed: "tripling" finds "tripled"; the stored vector is matched, never recomputed.
    found = Claim.objects.search("tripling")
    assert list(found) == [claim]
    assert '"search_vector" @@' in str(found.query) and "to_tsvector" not in str(found.query)


def test_sqlite_keeps_no_vector_and_matches_substrings():
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite path")
    claim = ClaimFactory(text="Export controls were shelved.")

    assert Claim.objects.values_list("search_vector", flat=True).get(pk=claim.pk) is None
    assert list(Claim.objects.search("xport contr")) == [claim]
    assert [c.search_rank for c in Claim.objects.ranked_search("shelved")] == [0.0]


@on_postgresql
def test_ranked_search_puts_the_better_match_first():
    passing = ClaimFactory(text="Ministers met; hydrogen came up once.", summary="")
    about = ClaimFactory(text="Hydrogen plant doubles hydrogen output.", summary="Hydrogen plant")

    ranked = list(Claim.objects.ranked_search("hydrogen").order_by("-search_rank", "-pk"))

    assert ranked == [about, passing]
    assert ranked[0].search_rank > ranked[1].search_rank > 0


def test_the_admin_search_lists_the_best_match_first(admin_client):
    once = ClaimFactory(text="The grid operator spoke of batteries.", summary="")
    twice = ClaimFactory(text="Grid batteries: the grid gets batteries.", summary="Grid batteries")
    ClaimFactory(text="Nothing to see.", summary="")

    response = admin_client.get(CHANGELIST, {"q": "batteries"})

    listed = list(response.context["cl"].result_list)
    assert set(listed) == {once, twice}
    if connection.vendor == "postgresql":
        assert listed == [twice, once]  # by rank, not by date
    # A clicked column wins over the rank.
    by_date = admin_client.get(CHANGELIST, {"q": "batteries", "o": "-8"})
    assert by_date.status_code == 200


@on_postgresql
def test_an_unfiltered_big_changelist_takes_the_estimate_and_runs_no_full_count(
    admin_client, monkeypatch
):
    ClaimFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    monkeypatch.setattr(admin_paging, "COUNT_CAP", 10)

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(CHANGELIST)

    paginator = response.context["cl"].paginator
    assert paginator.estimated and paginator.count == 30  # ANALYZE counted 30 rows
    assert "about 30" in response.content.decode()
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    # Only a count that stops at the cap, never one over the whole table.
    assert counts and all(" LIMIT 11" in sql for sql in counts), counts


@on_postgresql
def test_a_filtered_changelist_counts_up_to_the_cap_then_estimates(admin_client, monkeypatch):
    ClaimFactory.create_batch(8, status="verified")
    ClaimFactory.create_batch(3, status="false")
    monkeypatch.setattr(admin_paging, "COUNT_CAP", 5)

    many = admin_client.get(CHANGELIST, {"status__exact": "verified"}).context["cl"]
    few = admin_client.get(CHANGELIST, {"status__exact": "false"}).context["cl"]

    assert many.paginator.estimated and many.paginator.count >= 6
    assert (few.paginator.estimated, few.paginator.count) == (False, 3)


def test_small_lists_and_sqlite_are_counted_exactly(admin_client):
    ClaimFactory.create_batch(4)

    cl = admin_client.get(CHANGELIST).context["cl"]

    assert (cl.paginator.estimated, cl.result_count) == (False, 4)
    assert cl.show_full_result_count is False


def test_the_documents_search_matches_headline_url_publisher_and_publication(admin_client):
    herald = OrganizationFactory(name="The Nordwind Herald", kind="publication")
    by_title = DocumentFactory(publication=herald, headline="Quotas")
    by_publisher = DocumentFactory(publisher=OrganizationFactory(name="Nordwind Media"))
    by_headline = DocumentFactory(headline="Nordwind pipeline halved")
    by_url = DocumentFactory(url="https://example.org/nordwind-story-7")
    DocumentFactory(headline="Unrelated")

    def found(term):
        response = admin_client.get(DOCUMENTS, {"q": term})
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert found("nordwind") == {by_title, by_publisher, by_headline, by_url}
    assert found("nordwind pipeline") == {by_headline}  # every word must match
    assert found("story-7") == {by_url}
    assert found('"pipeline halved"') == {by_headline}


def test_the_queue_counts_each_list_only_as_far_as_its_cap(client, factchecker, monkeypatch):
    from tests.claims.test_admin_workflow import in_review

    for _ in range(4):
        in_review()
    monkeypatch.setattr(views, "QUEUE_COUNT_CAP", 2)
    client.force_login(factchecker)

    response = client.get(reverse("admin:claims_claim_queue"))

    unassigned = next(q for q in response.context["queues"] if q["key"] == "unassigned")
    assert (unassigned["count"], unassigned["count_label"]) == (3, "2+")
    assert "(2+)" in response.content.decode()
