"""PostgreSQL connections bind parameters on the server and prepare repeated statements.

Issue 11: the consumer claim detail spent about half its time parsing and planning the same
few statements on every request; prepared on the connection after five uses, they are planned
once. `DATABASE_PREPARE_THRESHOLD=off` is for poolers that cannot keep prepared statements.
"""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from newsroom.settings import on_postgresql, prepared_statements


def test_statements_are_prepared_after_five_uses_by_default(monkeypatch):
    monkeypatch.delenv("DATABASE_PREPARE_THRESHOLD", raising=False)
    options = prepared_statements({"sslmode": "require"})
    assert options == {"sslmode": "require", "server_side_binding": True, "prepare_threshold": 5}


@pytest.mark.parametrize(
    ("value", "threshold"), [("off", None), ("OFF", None), (" 0 ", 0), ("12", 12)]
)
def test_the_threshold_comes_from_the_environment(monkeypatch, value, threshold):
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", value)
    options = prepared_statements({})
    assert options["prepare_threshold"] == threshold
    assert options["server_side_binding"] is True  # parameters stay bound by the server


def test_a_threshold_that_is_not_a_number_is_refused_with_the_reason(monkeypatch):
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", "-3")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PREPARE_THRESHOLD.*'-3'"):
        prepared_statements({})


def test_only_postgresql_databases_get_the_options():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {"timeout": 20}}
    assert on_postgresql(dict(sqlite)) == sqlite
    postgres = on_postgresql({"ENGINE": "django.db.backends.postgresql"})
    assert postgres["OPTIONS"]["server_side_binding"] is True


@pytest.mark.django_db
def test_a_repeated_query_is_prepared_on_the_connection():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL to run it")
    sql = "SELECT %s::int + 1 AS prepared_statement_probe"
    with connection.cursor() as cursor:
        for value in range(6):
            cursor.execute(sql, [value])
            assert cursor.fetchone() == (value + 1,)
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%prepared_statement_probe%"],
        )
        assert cursor.fetchone() == (1,)
