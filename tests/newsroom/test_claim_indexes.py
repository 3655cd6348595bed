"""Every consumer filter and ordering, and the admin's big lists, are served by an index.

On a small generated dataset the planner would rightly read whole tables, so each page query
is EXPLAINed with sequential scans (and, where the order must come from an index, sorts)
switched off: PostgreSQL then still scans or sorts only when no index can serve the query,
and the plan names the index that does. Plans, not timings: nothing here depends on load.
"""

from __future__ import annotations

import json
from base64 import b64encode
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from claims.models import Claim
from newsroom.tokens import token_issue
from sources.models import LANGUAGES_SKIP_SCAN, Organization

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BIG_TABLES = {
    "claims_claim",
    "claims_appearance",
    "claims_attribution",
    "claims_claim_topics",
    "sources_document",
}


@pytest.fixture
def scale_data():
    call_command("generate_scale_data", claims=400, seed=3, batch=200, verbosity=0)
    # What VACUUM does after a real load, and a test's transaction cannot: move the rows
    # waiting in the GIN indexes' pending lists into the indexes, which the planner shuns
    # while the lists are long.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list(c.oid) FROM pg_class c "
            "JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'gin' AND c.relkind = 'i'"
        )
        cursor.execute("ANALYZE")


@pytest.fixture
def consumer_api(scale_data):
    consumer = get_user_model().objects.get(username="bench-consumer")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=consumer, name='plans')[1]}")
    return api


@pytest.fixture
def admin_browser(scale_data, client):
    client.force_login(get_user_model().objects.create_superuser("plans-admin"))
    return client


def page_queries(client, url: str) -> list[str]:
    """The SQL of the claim or document list queries a GET runs (the ordered ones; a list
    shorter than a page has no LIMIT)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(('SELECT "claims_claim"."id"', 'SELECT "sources_document"."id"'))
        and " ORDER BY " in q["sql"]
        # Not the fetch of a page's documents by id (the rows path, newsroom/api/claim_rows.py,
        # as one array on PostgreSQL): it sorts the few rows it reads, whatever the table's size.
        and 'WHERE "sources_document"."id" IN (' not in q["sql"]
        and '"sources_document"."id" = ANY(' not in q["sql"]
    ]
    assert found, f"{url} ran no page query"
    return found


def plan_of(sql: str, *, sorts: bool) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"SET LOCAL enable_sort = {'on' if sorts else 'off'}")
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")
            cursor.execute("SET LOCAL enable_sort = on")
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def nodes(plan: dict, *, subplans: bool = True):
    """The plan's nodes; without `subplans`, only the statement's own (not those of the
    correlated subqueries that run per row it returns)."""
    yield plan
    for child in plan.get("Plans", ()):
        if subplans or child.get("Parent Relationship") not in ("SubPlan", "InitPlan"):
            yield from nodes(child, subplans=subplans)


def assert_served_by_index(sql: str, *, index: str | None = None, sorts: bool = False):
    plan = plan_of(sql, sorts=sorts)
    every = list(nodes(plan))
    scanned_whole = {n["Relation Name"] for n in every if n["Node Type"] == "Seq Scan"}
    assert not scanned_whole & BIG_TABLES, (scanned_whole, json.dumps(plan, indent=1))
    if not sorts:
        # The rows path's JSON columns sort one claim's own rows each (its appearances, its
        # events): only a sort of the statement's own rows would grow with the table.
        own = nodes(plan, subplans=False)
        assert not [n for n in own if "Sort" in n["Node Type"]], json.dumps(plan, indent=1)
    if index:
        used = {n.get("Index Name") for n in every}
        assert index in used, (index, used)


def cursor_after(claim: Claim) -> str:
    return b64encode(urlencode({"p": str(claim.updated_at)}).encode()).decode()


ORDERINGS = {
    "updated_at": "claim_updated_id_idx",
    "-updated_at": "claim_updated_id_idx",
    "created_at": "claim_created_id_idx",
    "-created_at": "claim_created_id_idx",
    "independent_origins": "claims_claim_independent_origins_8eeec1ef",
    "-independent_origins": "claims_claim_independent_origins_8eeec1ef",
    "id": "claims_claim_pkey",
    "-id": "claims_claim_pkey",
}


@pytest.mark.parametrize(("ordering", "index"), ORDERINGS.items())
def test_each_ordering_reads_its_index_in_order(consumer_api, ordering, index):
    for sql in page_queries(consumer_api, f"/api/v1/claims/?page_size=50&ordering={ordering}"):
        assert_served_by_index(sql, index=index)


def filters() -> dict[str, str]:
    publication = Organization.objects.filter(kind="publication").order_by("pk").first()
    group = Organization.objects.filter(kind="publisher").order_by("pk").first()
    middle = Claim.objects.concluded().order_by("-updated_at", "-id")[150]
    since = middle.updated_at.isoformat().replace("+", "%2B")
    return {
        "none": "",
        "status": "status=verified",
        "two statuses": "status=verified&status=disputed",
        "publication": f"publisher={publication.pk}",
        "publisher group": f"publisher={group.pk}",
        "publisher by name": f"publisher={publication.name.replace(' ', '+')}",
        "min_independent_origins": "min_independent_origins=2",
        "updated_since": f"updated_since={since}",
        "cursor": f"cursor={cursor_after(middle)}",
        "topic": "topic=energy",
        "origin_kind": "origin_kind=anonymous",
    }


@pytest.mark.parametrize(
    "name",
    [
        "none",
        "status",
        "two statuses",
        "publication",
        "publisher group",
        "publisher by name",
        "min_independent_origins",
        "updated_since",
        "cursor",
        "topic",
        "origin_kind",
    ],
)
def test_each_filter_pages_through_an_index_without_sorting(consumer_api, name):
    query = filters()[name]
    for sql in page_queries(consumer_api, f"/api/v1/claims/?page_size=50&{query}"):
        assert_served_by_index(sql, index="claim_updated_id_idx")


def test_text_search_reads_the_stored_vectors_gin_index(consumer_api):
    for sql in page_queries(consumer_api, "/api/v1/claims/?page_size=50&q=energy"):
        assert "search_vector" in sql and "to_tsvector" not in sql
        assert_served_by_index(sql, index="claim_search_vector_gin", sorts=True)


ADMIN_PAGES = {
    "claims changelist": ("/admin/claims/claim/", "claim_created_id_idx", False),
    "claims search": ("/admin/claims/claim/?q=energy", "claim_search_vector_gin", True),
    "anonymous-only queue": (
        "/admin/claims/claim/?queue=anonymous_only",
        "claim_anonymous_only_idx",
        False,
    ),
    "unassigned queue": (
        "/admin/claims/claim/?queue=unassigned",
        "claim_unassigned_review_idx",
        False,
    ),
    "my queue": ("/admin/claims/claim/?queue=mine", "claim_assignee_review_idx", False),
    "documents changelist": ("/admin/sources/document/", None, True),
    "documents by headline": (
        "/admin/sources/document/?q=story-12",
        "document_headline_trgm",
        True,
    ),
    "documents by publisher": ("/admin/sources/document/?q=Herald", None, True),
}


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_the_admins_big_lists_are_served_by_indexes(admin_browser, page):
    url, index, sorts = ADMIN_PAGES[page]
    for sql in page_queries(admin_browser, url):
        assert_served_by_index(sql, index=index, sorts=sorts)


def test_each_review_queue_list_and_its_count_read_their_own_index(admin_browser):
    admin = get_user_model().objects.get(username="plans-admin")
    with CaptureQueriesContext(connection) as captured:
        response = admin_browser.get(reverse("admin:claims_claim_queue"))
    assert response.status_code == 200
    lists = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(
            ('SELECT "claims_claim"."id"', 'SELECT COUNT(*) FROM (SELECT "claims_claim"."id"')
        )
    ]
    assert len(lists) == 12  # six lists, each counted and its first rows shown
    # The list a fragment of its WHERE names, and the index that serves it. "With conflicts"
    # reads its claims by key from the contradictions, then sorts those few.
    served_by = {
        f'"claims_claim"."assignee_id" = {admin.pk})': ("claim_assignee_review_idx", False),
        '"claims_claim"."assignee_id" IS NULL': ("claim_unassigned_review_idx", False),
        '"claims_claim"."due_date" < ': ("claim_due_review_idx", False),
        'WHERE "claims_claim"."only_anonymous_origins"': ("claim_anonymous_only_idx", False),
        "= ANY(ARRAY(": ("claims_claim_pkey", True),
    }
    for fragment, (index, sorts) in served_by.items():
        matching = [sql for sql in lists if fragment in sql]
        assert len(matching) == 2, (fragment, matching)
        for sql in matching:
            assert_served_by_index(sql, index=index, sorts=sorts)
    for sql in lists:  # none of the six, flagged claims included, reads the table whole
        assert_served_by_index(sql, sorts=True)


def test_the_documents_changelist_neither_lists_languages_nor_dates_over_the_table(
    admin_browser,
):
    with CaptureQueriesContext(connection) as captured:
        response = admin_browser.get("/admin/sources/document/")
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    assert not [q for q in sql if "DISTINCT" in q or "DATE_TRUNC" in q or "MIN(" in q], sql
    assert [q for q in sql if q.lstrip().startswith("WITH RECURSIVE")]  # the languages
    assert_served_by_index(LANGUAGES_SKIP_SCAN, index="document_language_idx")


@pytest.mark.parametrize(
    ("url", "table", "index"),
    [
        ("/api/v1/people/", "sources_person", "person_updated_id_idx"),
        ("/api/v1/organizations/", "sources_organization", "organization_updated_id_idx"),
        ("/api/v1/documents/", "sources_document", "document_updated_id_idx"),
    ],
)
def test_the_consumer_resource_lists_walk_their_cursor_order(consumer_api, url, table, index):
    # Each page tests visibility row by row in the cursor's order and stops when it is full;
    # without the index PostgreSQL tests every row of the table, then sorts (3.3 s for the
    # people list at 1M claims).
    with CaptureQueriesContext(connection) as captured:
        response = consumer_api.get(url, {"page_size": 25})
    assert response.status_code == 200
    [sql] = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(f'SELECT "{table}"."id"') and " ORDER BY " in q["sql"]
    ]
    assert_served_by_index(sql, index=index)
