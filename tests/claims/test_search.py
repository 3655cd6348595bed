"""Full-text search from the stored tsvector (PostgreSQL), substring search elsewhere; the
admin's ranked claim search, its estimated counts, the documents search and the queue's caps."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import claims.models
from claims.admin import views
from claims.models import Claim, search_query
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


def claims_made(*texts: str) -> list[Claim]:
    """Claims of these texts, oldest first, a minute apart (created_at decides "newest")."""
    start = timezone.now() - timedelta(days=1)
    made = []
    for minutes, text in enumerate(texts):
        claim = ClaimFactory(text=text, summary="")
        Claim.objects.filter(pk=claim.pk).update(created_at=start + timedelta(minutes=minutes))
        made.append(claim)
    return made


def exact_ts_rank_order(term: str) -> list[Claim]:
    """Every match of `term` by ts_rank over the whole match set: the order the bound keeps."""
    from django.contrib.postgres.search import SearchRank

    rank = SearchRank(F("search_vector"), search_query(term))
    return list(Claim.objects.search(term).annotate(r=rank).order_by("-r", "-pk"))


def test_with_fewer_matches_than_the_cap_every_match_comes_in_exact_rank_order():
    made = claims_made(
        "Hydrogen, hydrogen and hydrogen again.",
        "Nothing about fuels here.",
        "The hydrogen plant doubled hydrogen output.",
        "Ministers met; hydrogen came up once in a long list of other subjects.",
        "Wind and solar, not a word of the gas.",
        "Hydrogen.",
    )
    matching = {made[0], made[2], made[3], made[5]}

    ranked = list(Claim.objects.ranked_search("hydrogen").order_by("-search_rank", "-pk"))

    assert set(ranked) == matching  # every match, and only matches
    if connection.vendor == "postgresql":
        assert ranked == exact_ts_rank_order("hydrogen")
        assert ranked[0] == made[0] and ranked[-1] == made[3]
    else:  # SQLite: the simple path, every match ranks alike
        assert {c.search_rank for c in ranked} == {0.0}


@on_postgresql
def test_past_the_cap_only_the_newest_matches_are_ranked(monkeypatch):
    # Given a term matching five claims, the best match the oldest, and a cap of three
    best, _, newer, newest, nearly_newest = claims_made(
        "Quotas, quotas, quotas: quota day.",
        "Quotas were cut.",
        "Quotas rose, quotas fell.",
        "Quotas, they said once.",
        "Quotas.",
    )
    claims_made("Something newer that says nothing of it.")
    monkeypatch.setattr(claims.models, "RANKED_CANDIDATES", 3)

    # When ranked
    ranked = list(Claim.objects.ranked_search("quota").order_by("-search_rank", "-pk"))

    # Then the newest three matches, in ts_rank order among themselves; the older best is not
    assert set(ranked) == {newer, newest, nearly_newest} and best not in ranked
    exact = [c for c in exact_ts_rank_order("quota") if c in ranked]
    assert ranked == exact and ranked[0] == newer
    assert len(Claim.objects.ranked_search("quota", candidates=4)) == 4


def ranked_rows_of(queryset) -> int:
    """How many rows the plan of `queryset` computes ts_rank for (EXPLAIN ANALYZE): the input
    of the sort by rank."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]

    def nodes(node):
        yield node
        for child in node.get("Plans", ()):
            yield from nodes(child)

    sorts = [n for n in nodes(plan) if "ts_rank" in " ".join(n.get("Sort Key", []))]
    assert len(sorts) == 1, json.dumps(plan, indent=1)
    (child,) = sorts[0]["Plans"]
    return child["Actual Rows"] * child["Actual Loops"]


@on_postgresql
@pytest.mark.parametrize("enable_bitmapscan", ["on", "off"])
def test_the_ranked_query_ranks_no_more_rows_than_the_cap(monkeypatch, enable_bitmapscan):
    # Whichever way the planner finds the newest matches (the GIN bitmap, then a top-N sort by
    # date; or the (created_at, id) index walked backwards), it ranks at most the cap.
    ClaimFactory.create_batch(40, text="The grid needs batteries.", summary="")
    ClaimFactory.create_batch(5, text="Unrelated words.", summary="")
    monkeypatch.setattr(claims.models, "RANKED_CANDIDATES", 10)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL enable_bitmapscan = {enable_bitmapscan}")
        cursor.execute("ANALYZE claims_claim")

    top = Claim.objects.ranked_search("batteries").order_by("-search_rank", "-pk")[:5]

    assert ranked_rows_of(top) <= 10
    assert Claim.objects.search("batteries").count() == 40  # the bound, not too few matches


def test_the_admin_search_ranks_and_counts_only_the_newest_matches(admin_client, monkeypatch):
    made = claims_made(*[f"Tariffs, story {i}." for i in range(6)], "Nothing of the kind.")
    monkeypatch.setattr(claims.models, "RANKED_CANDIDATES", 4)

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(CHANGELIST, {"q": "tariffs"})

    cl = response.context["cl"]
    if connection.vendor == "postgresql":
        assert set(cl.result_list) == set(made[2:6]) and cl.result_count == 4
        sqls = [q["sql"] for q in queries.captured_queries]
        counts = [sql for sql in sqls if sql.startswith("SELECT COUNT(")]
        # The count reads the bounded candidates, never the whole match set.
        assert counts and all(" LIMIT 4)" in sql for sql in counts if "@@" in sql), counts
    else:
        assert set(cl.result_list) == set(made[:6])
    # A clicked column lists every match, in its order.
    by_date = admin_client.get(CHANGELIST, {"q": "tariffs", "o": "-9"}).context["cl"]
    assert set(by_date.result_list) == set(made[:6])
