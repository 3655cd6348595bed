"""Migration 0005: terms recorded before TDM statuses keep what they said."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import SQLITE_LOGS

BEFORE = [("sources", "0004_document_copies_and_credits")]
AFTER = [("sources", "0005_notice_tdm_status_and_confirmation")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_terms_get_the_status_their_reserved_flag_said():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    holder = old.get_model("sources", "Organization").objects.create(name="Nordic Wire")
    terms = old.get_model("sources", "LicenseTerms").objects
    reserved = terms.create(holder=holder, notice="a", notice_sha256="a" * 64, tdm_reserved=True)
    plain = terms.create(holder=holder, notice="b", notice_sha256="b" * 64, tdm_reserved=False)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("sources", "LicenseTerms")

    assert new.objects.get(pk=reserved.pk).tdm_status == "reserved"
    assert new.objects.get(pk=reserved.pk).tdm_reserved is True
    assert new.objects.get(pk=plain.pk).tdm_status == "not_expressed"
    assert new.objects.get(pk=plain.pk).confirmed_at is None
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    if connection.vendor == "sqlite":  # as tests/conftest.py leaves it: the runner flushes next
        with connection.cursor() as cursor:
            for sql in SQLITE_LOGS.DROP_SQL:
                cursor.execute(sql)
