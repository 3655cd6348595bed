"""The read-replica router: consumer reads to `replica`, writes and staff to `default`.

The `replica` alias is a second connection to the test database, configured as Django's test
runner configures a `TEST: {"MIRROR": "default"}` alias (settings add one from
`DATABASE_REPLICA_URL`): the same settings as `default`, so both aliases see one database and
the test observes which connection each query went through. The tests are transactional, so
what one connection commits the other reads, as on a real replica.
"""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims import recording
from claims.models import Claim
from newsroom import routers
from newsroom.tokens import token_issue
from tests.claims.factories import ClaimFactory
from tests.factories import UserFactory

CLAIMS = "/api/v1/claims/"

# Committed writes (a replica sees only those); the role groups are restored after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def replica(db):
    connections.settings["replica"] = {
        **connections["default"].settings_dict,
        "TEST": {"MIRROR": "default"},
    }
    # Connect at once: Django's per-test guard refuses a first connection through an alias the
    # test case did not declare, and this one is added after the test case was set up.
    connections["replica"].connect()
    try:
        yield connections["replica"]
    finally:
        connections["replica"].close()
        del connections["replica"]
        del connections.settings["replica"]


@pytest.fixture
def consumer_api(db):
    consumer = UserFactory(username="t-consumer", groups=["API consumers"])
    _, key = token_issue(user=consumer, name="feed")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.get(CLAIMS)  # the token's first use writes last_used_at; later reads do not
    return client


class Counted:
    """Queries through each alias while the block runs."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in
                         ("default", "replica")}  # fmt: skip
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def sql(self, alias) -> list[str]:
        return [q["sql"] for q in self.contexts[alias].captured_queries]


def test_settings_build_the_replica_alias_as_a_test_mirror():
    config = routers.replica_database("postgres://reader@10.0.0.2:5432/newsroom", conn_max_age=60)

    assert config["HOST"] == "10.0.0.2"
    assert config["USER"] == "reader"
    assert config["CONN_MAX_AGE"] == 60
    assert config["TEST"] == {"MIRROR": "default"}


def test_consumer_reads_go_to_the_replica(replica, consumer_api):
    ClaimFactory(status="verified")

    with Counted() as counted:
        response = consumer_api.get(CLAIMS)

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert counted.sql("replica"), "the consumer list read nothing from the replica"
    assert counted.sql("default") == []


def test_consumer_detail_reads_go_to_the_replica(replica, consumer_api):
    claim = ClaimFactory(status="verified")

    with Counted() as counted:
        response = consumer_api.get(f"{CLAIMS}{claim.pk}/")

    assert response.status_code == 200
    assert counted.sql("replica")
    assert counted.sql("default") == []


def test_public_pages_read_from_the_replica(replica, client):
    with Counted() as counted:
        response = client.get("/stories/")

    assert response.status_code == 200
    assert counted.sql("replica")
    assert counted.sql("default") == []


def test_writes_go_to_the_primary(replica):
    editor = UserFactory(username="t-editor", groups=["Editors"], is_staff=True)
    client = APIClient()
    client.force_login(editor)

    with Counted() as counted:
        response = client.post(CLAIMS, {"text": "The grid holds.", "summary": "Grid"})

    assert response.status_code == 201, response.content
    assert any(sql.startswith("INSERT") for sql in counted.sql("default"))
    assert counted.sql("replica") == []
    assert Claim.objects.filter(text="The grid holds.").exists()


def test_staff_reads_stay_on_the_primary(replica):
    factchecker = UserFactory(username="t-fc", groups=["Fact-checkers"], is_staff=True)
    ClaimFactory(status="verified")
    client = APIClient()
    client.force_login(factchecker)

    with Counted() as counted:
        assert client.get(CLAIMS).status_code == 200
        assert client.get("/admin/claims/claim/").status_code == 200

    assert counted.sql("default")
    assert counted.sql("replica") == []


def test_a_token_first_use_writes_then_reads_its_own_write_from_the_primary(replica):
    consumer = UserFactory(username="t-consumer2", groups=["API consumers"])
    _, key = token_issue(user=consumer, name="feed")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    with Counted() as counted:
        assert client.get(CLAIMS).status_code == 200

    replica_sql, default_sql = counted.sql("replica"), counted.sql("default")
    assert any("newsroom_apitoken" in sql for sql in replica_sql)  # authenticated from it
    assert any(sql.startswith("UPDATE") for sql in default_sql)  # last_used_at, on the primary
    # after the write, the claims list itself came from the primary
    assert any("claims_claim" in sql for sql in default_sql)
    assert not any("claims_claim" in sql for sql in replica_sql)


def test_reads_inside_a_write_transaction_stay_on_the_primary(replica):
    claim = ClaimFactory()
    routed = routers._reads_from_replica.set(True)  # as inside a consumer request
    try:
        with Counted() as counted:
            assert Claim.objects.filter(pk=claim.pk).exists()  # outside: the replica
            with transaction.atomic():
                assert Claim.objects.filter(pk=claim.pk).exists()  # inside: the primary
                recording.claim_touch([claim.pk])
    finally:
        routers._reads_from_replica.reset(routed)

    assert len(counted.sql("replica")) == 1
    assert any(sql.startswith("SELECT") for sql in counted.sql("default"))
    assert any(sql.startswith("UPDATE") for sql in counted.sql("default"))


def test_outside_requests_everything_uses_the_primary(replica):
    ClaimFactory()

    with Counted() as counted:
        assert Claim.objects.count() == 1

    assert counted.sql("replica") == []
    assert counted.sql("default")


def test_without_a_replica_everything_uses_default(consumer_api):
    assert "replica" not in connections.settings
    with CaptureQueriesContext(connections["default"]) as captured:
        assert consumer_api.get(CLAIMS).status_code == 200
    assert captured.captured_queries
