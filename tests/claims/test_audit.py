"""The verification log outside the ORM: TRUNCATE, flush and loaddata cannot empty or rewrite it."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from claims.models import AppendOnlyError, ClaimStatus, VerificationEvent
from claims.workflow import Evidence, claim_transition
from tests.claims.factories import ClaimFactory

S = ClaimStatus

pytestmark = pytest.mark.django_db


def move(claim, to, actor, **kwargs):
    kwargs.setdefault("rationale", "Checked against the FT report and two other sources.")
    kwargs.setdefault("evidence", [Evidence(url="https://www.ft.com/content/example")])
    return claim_transition(
        claim=claim, to=to, actor=actor, expected_version=claim.version, **kwargs
    )


@pytest.fixture
def event(factchecker):
    move(ClaimFactory(status=S.IN_REVIEW), S.DISPUTED, factchecker)
    return VerificationEvent.objects.get()


# --- TRUNCATE and flush (PostgreSQL) -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("sql", "refusal"),
    [
        # Correction flags (stories) reference the log, so PostgreSQL refuses a plain TRUNCATE
        # before the trigger runs; with CASCADE the trigger is what refuses it.
        ("TRUNCATE claims_verificationevent", "TRUNCATE refused|referenced in a foreign key"),
        ("TRUNCATE claims_verificationevent CASCADE", "TRUNCATE refused"),
        ("TRUNCATE claims_claim CASCADE", "TRUNCATE refused"),
    ],
)
def test_truncate_is_refused(event, truncate_refused, sql, refusal):
    with pytest.raises(DatabaseError, match=refusal), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)

    assert VerificationEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_flush_is_refused_and_the_log_remains(event, truncate_refused):
    with pytest.raises(CommandError, match="couldn't be flushed") as refused:
        call_command("flush", interactive=False, verbosity=0)

    assert "TRUNCATE refused" in str(refused.value.__cause__)
    assert list(VerificationEvent.objects.values_list("pk", flat=True)) == [event.pk]
    assert event.claim.__class__.objects.filter(pk=event.claim_id).exists()


# --- flush and raw SQL on SQLite ----------------------------------------------------------------
# SQLite's flush is DELETE FROM each table: its triggers refuse it as PostgreSQL's do TRUNCATE.


def test_flush_on_sqlite_is_refused_and_the_log_remains(event, sqlite_append_only):
    with pytest.raises(CommandError, match="couldn't be flushed") as refused:
        call_command("flush", interactive=False, verbosity=0)

    assert "append-only: DELETE refused" in str(refused.value.__cause__)
    assert list(VerificationEvent.objects.values_list("pk", flat=True)) == [event.pk]
    assert event.claim.__class__.objects.filter(pk=event.claim_id).exists()


def test_sqlflush_output_run_on_sqlite_is_refused(event, sqlite_append_only):
    from io import StringIO

    out = StringIO()
    call_command("sqlflush", stdout=out)
    statements = [sql for sql in out.getvalue().split(";\n") if sql.strip().startswith("DELETE")]

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    assert VerificationEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE claims_verificationevent SET rationale = 'forged'",
        "DELETE FROM claims_verificationevent",
    ],
)
def test_raw_sql_on_sqlite_is_refused(event, sqlite_append_only, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)

    assert VerificationEvent.objects.get(pk=event.pk).rationale == event.rationale


# --- loaddata and raw saves (both databases) ---------------------------------------------------


def test_loaddata_cannot_overwrite_an_event(event, tmp_path):
    # Given a fixture that carries an existing event's pk with a rewritten rationale
    fixture = tmp_path / "rewrite.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "claims.verificationevent",
                    "pk": event.pk,
                    "fields": {
                        "claim": event.claim_id,
                        "from_status": event.from_status,
                        "to_status": S.VERIFIED,
                        "actor": event.actor_id,
                        "actor_role": event.actor_role,
                        "rationale": "rewritten",
                        "evidence": [],
                        "version": event.version,
                        "created_at": event.created_at.isoformat(),
                    },
                }
            ]
        )
    )

    # When it is loaded, then it is refused and the event is unchanged
    with pytest.raises(AppendOnlyError, match=f"event {event.pk} already exists"):
        call_command("loaddata", str(fixture), verbosity=0)

    stored = VerificationEvent.objects.get(pk=event.pk)
    assert (stored.rationale, stored.to_status) == (event.rationale, event.to_status)


def test_a_new_instance_with_an_existing_pk_does_not_overwrite_the_event(event):
    from django.db import IntegrityError

    copy = VerificationEvent(
        pk=event.pk,
        claim_id=event.claim_id,
        from_status=event.from_status,
        to_status=S.VERIFIED,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        rationale="rewritten",
        version=event.version,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()

    assert VerificationEvent.objects.get(pk=event.pk).rationale == event.rationale


# --- The hash chain ----------------------------------------------------------------------------


def tamper(sql, params=()):
    """Change the log past the model layer (and, on PostgreSQL, past its trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Undone with the test's transaction; ALTER TABLE needs no pending FK checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE claims_verificationevent "
                "DISABLE TRIGGER claims_verificationevent_append_only"
            )
        cursor.execute(sql, params)


@pytest.fixture
def log(factchecker, editor):
    """Five events over two claims, in the order they were written."""
    first, second = ClaimFactory(status=S.UNVERIFIED), ClaimFactory(status=S.UNVERIFIED)
    first = move(first, S.IN_REVIEW, editor)
    second = move(second, S.IN_REVIEW, editor)
    first = move(first, S.VERIFIED, factchecker)
    move(second, S.DISPUTED, factchecker)
    move(first, S.IN_REVIEW, factchecker, rationale="New reporting contradicts it.")
    return list(VerificationEvent.objects.in_chain_order())


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_events", stdout=out)
    return out.getvalue()


def test_each_event_carries_the_hash_of_the_one_before(log):
    from claims.audit import GENESIS_HASH, digest_of

    assert log[0].previous_hash == GENESIS_HASH
    for before, event in zip(log, log[1:], strict=False):
        assert event.previous_hash == before.hash
    for event in log:
        assert event.hash == digest_of(event, previous_hash=event.previous_hash)
    assert len({event.hash for event in log}) == len(log)


def test_a_clean_chain_verifies(log):
    summary = verify()

    assert summary.count("\n") == 1
    assert f"{len(log)} events verified" in summary
    assert f"event {log[-1].pk} with hash {log[-1].hash}" in summary


def test_an_empty_log_verifies(db):
    assert "empty" in verify()


@pytest.mark.parametrize(
    "column, value",
    [
        ("rationale", "Rewritten after the fact."),
        ("to_status", "false"),
        ("actor_role", "administrator"),
        ("evidence", "[]"),
        ("created_at", "2020-01-01T00:00:00+00:00"),
    ],
)
def test_an_event_edited_past_the_app_is_detected(log, column, value):
    edited = log[2]
    tamper(f"UPDATE claims_verificationevent SET {column} = %s WHERE id = %s", [value, edited.pk])  # noqa: S608

    with pytest.raises(CommandError, match=f"Event {edited.pk} .*changed after writing") as broken:
        verify()

    assert "\n" not in str(broken.value)


def test_an_event_edited_with_its_hash_recomputed_breaks_the_next_link(log):
    from claims.audit import digest_of

    edited = log[1]
    edited.rationale = "Rewritten, and its own hash forged to match."
    forged = digest_of(edited, previous_hash=edited.previous_hash)
    tamper(
        "UPDATE claims_verificationevent SET rationale = %s, hash = %s WHERE id = %s",
        [edited.rationale, forged, edited.pk],
    )

    with pytest.raises(CommandError, match=f"Event {log[2].pk} .*previous_hash"):
        verify()


def test_a_removed_event_is_detected_at_the_one_after_it(log):
    tamper("DELETE FROM claims_verificationevent WHERE id = %s", [log[1].pk])

    with pytest.raises(CommandError, match=f"Event {log[2].pk} .*hash of event {log[0].pk}"):
        verify()


def test_a_removed_first_event_is_detected(log):
    tamper("DELETE FROM claims_verificationevent WHERE id = %s", [log[0].pk])

    with pytest.raises(CommandError, match=f"Event {log[1].pk} .*start of the log"):
        verify()


def test_the_migration_chains_events_written_before_it(log):
    import importlib

    migration = importlib.import_module("claims.migrations.0006_event_chain")
    # Given events as they stood before 0006: no chain yet (distinct, for the unique constraint)
    tamper("UPDATE claims_verificationevent SET previous_hash = 'old-' || id, hash = ''")

    class Editor:  # the part of a schema editor the fill uses, inside the test's transaction
        connection = connection

        def execute(self, sql, params=None):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    from django.apps import apps

    migration.fill_chain(apps, Editor())

    refilled = list(VerificationEvent.objects.in_chain_order())
    assert [(e.previous_hash, e.hash) for e in refilled] == [(e.previous_hash, e.hash) for e in log]
    assert f"{len(log)} events verified" in verify()
    if connection.vendor == "postgresql":  # the fill put the append-only trigger back
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE claims_verificationevent SET rationale = 'x'")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_moves_of_different_claims_append_one_unforked_chain(factchecker):
    import threading
    import time

    from django.db import connections

    claims = [ClaimFactory(status=S.IN_REVIEW) for _ in range(4)]
    outcomes = []

    def conclude(claim):
        try:
            move(claim, S.DISPUTED, factchecker)
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    # Hold the log so every move reaches its append before any of them may go on.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE claims_verificationevent IN SHARE ROW EXCLUSIVE MODE")
        threads = [threading.Thread(target=conclude, args=(claim,)) for claim in claims]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        waiting = 0
        while waiting < len(claims) and time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted "
                "AND relation = 'claims_verificationevent'::regclass"
            )
            waiting = cursor.fetchone()[0]
            time.sleep(0.05)
        assert waiting == len(claims)
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == ["ok"] * len(claims)
    assert f"{len(claims)} events verified" in verify()


def test_a_dump_of_the_log_restores_into_an_empty_log_and_verifies(log, tmp_path):
    dump = tmp_path / "log.json"
    call_command("dumpdata", "claims.verificationevent", output=str(dump), verbosity=0)
    # Given a database whose log is empty (as a fresh one restoring a backup)
    tamper("DELETE FROM claims_verificationevent")

    call_command("loaddata", str(dump), verbosity=0)

    restored = list(VerificationEvent.objects.in_chain_order())
    assert [(e.pk, e.rationale, e.hash) for e in restored] == [
        (e.pk, e.rationale, e.hash) for e in log
    ]
    assert f"{len(log)} events verified" in verify()
