"""The project's PostgreSQL backend prepares only the statements of the read paths that ask.

Issue 11: the consumer claim detail spent about a third of its time parsing and planning the
same statements on every request. Preparing every statement (Django's server-side binding with
psycopg's threshold) broke statements with more than 65,535 values and let PostgreSQL keep
generic plans that cannot use partial indexes (the overdue review queue: 2 ms to 2.5 s). So
newsroom/postgresql keeps Django's text queries everywhere except inside
`prepared_statements()`, which the token lookup and the unfiltered consumer list and detail use.
"""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims.origins import same_as_components
from claims.review_flags import review_flags_resolve
from newsroom.postgresql import prepared_statements
from newsroom.settings import on_postgresql
from newsroom.tokens import token_issue
from tests.claims.factories import AppearanceFactory, ClaimFactory

PG = "django.db.backends.postgresql"


def test_postgresql_goes_through_the_project_backend_and_prepares_by_default(monkeypatch):
    monkeypatch.delenv("DATABASE_PREPARE", raising=False)
    database = on_postgresql({"ENGINE": PG, "OPTIONS": {"sslmode": "require"}})
    assert database["ENGINE"] == "newsroom.postgresql"
    assert database["OPTIONS"] == {"sslmode": "require", "prepare": True}


def test_prepare_off_is_for_poolers_that_cannot_keep_prepared_statements(monkeypatch):
    monkeypatch.setenv("DATABASE_PREPARE", " OFF ")
    assert on_postgresql({"ENGINE": PG})["OPTIONS"] == {"prepare": False}


def test_an_unknown_prepare_setting_is_refused_with_the_reason(monkeypatch):
    monkeypatch.setenv("DATABASE_PREPARE", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PREPARE.*'sometimes'"):
        on_postgresql({"ENGINE": PG})


def test_sqlite_is_left_alone():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {"timeout": 20}}
    assert on_postgresql(dict(sqlite)) == sqlite


# --- on PostgreSQL -----------------------------------------------------------------------------


def prepared(marker: str) -> int:
    """How many statements this connection holds prepared whose text contains `marker`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{marker}%"],
        )
        return cursor.fetchone()[0]


def run(sql: str, params, times: int = 1):
    with connection.cursor() as cursor:
        for _ in range(times):
            cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.postgres
@pytest.mark.django_db
def test_queries_stay_text_outside_the_prepared_paths():
    assert run("SELECT %s::int + 1 AS probe_outside", [1], times=12) == [(2,)]
    assert prepared("probe_outside") == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_inside_a_statement_is_prepared_at_its_first_run_and_logged_with_its_values():
    with prepared_statements(), CaptureQueriesContext(connection) as captured:
        assert run("SELECT %s::int + 1 AS probe_inside", [41]) == [(42,)]
    assert prepared("probe_inside") == 1
    assert captured.captured_queries[-1]["sql"] == "SELECT 41::int + 1 AS probe_inside"


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_with_a_long_list_of_values_is_not_prepared():
    from newsroom.postgresql.base import MAX_PREPARED_PARAMETERS

    values = list(range(MAX_PREPARED_PARAMETERS + 1))
    placeholders = ", ".join(["%s"] * len(values))
    with prepared_statements():
        run(f"SELECT 1 AS probe_long WHERE 0 IN ({placeholders})", values)
    assert prepared("probe_long") == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_with_prepare_off_nothing_is_prepared_even_inside():
    from newsroom.postgresql.base import DatabaseWrapper

    options = {**connection.settings_dict["OPTIONS"], "prepare": False}
    off = DatabaseWrapper({**connection.settings_dict, "OPTIONS": options})
    cursor = off.get_connection_params()["cursor_factory"](connection.connection)
    with prepared_statements():
        cursor.execute("SELECT %s::int AS probe_off", [1])
    assert cursor.fetchall() == [(1,)]
    assert prepared("probe_off") == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_more_than_65535_values_still_work_where_statements_are_text(superuser):
    # Server-side binding takes at most 65,535 values per statement: an admin action over a
    # large selection (review_flags_resolve) and a large recount batch (same_as_components)
    # passed more, and must keep working.
    many = range(1, 70_001)
    assert review_flags_resolve(claim_ids=many, user=superuser) == 0
    assert same_as_components(many) == {}


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_unfiltered_consumer_list_and_detail_are_prepared_and_a_filtered_list_is_not(
    consumer,
):
    claim = ClaimFactory(status="verified")
    AppearanceFactory(claim=claim)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=consumer, name='t')[1]}")

    assert api.get("/api/v1/claims/?page_size=5").status_code == 200
    page_statements = prepared('FROM "claims_claim"')
    assert page_statements >= 1
    assert prepared('FROM "sources_document"') >= 1  # the page's documents, as one array
    assert prepared('FROM "newsroom_apitoken"') == 1
    everything = prepared("")

    assert api.get("/api/v1/claims/?page_size=5&status=verified").status_code == 200
    assert prepared("") == everything  # its page plans anew: the token was prepared already

    assert api.get(f"/api/v1/claims/{claim.pk}/").status_code == 200
    assert prepared('FROM "claims_claim"') > page_statements


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_api_records_a_claim_through_prepared_statements(superuser):
    api = APIClient()
    api.force_authenticate(superuser)
    before = prepared('INSERT INTO "claims_claim"')
    response = api.post("/api/v1/claims/", {"text": "The port will close in May."}, format="json")
    assert response.status_code == 201, response.content
    assert prepared('INSERT INTO "claims_claim"') == before + 1
