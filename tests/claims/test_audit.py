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
    "sql",
    [
        "TRUNCATE claims_verificationevent",
        "TRUNCATE claims_claim CASCADE",
    ],
)
def test_truncate_is_refused(event, truncate_refused, sql):
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic():
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


def test_loaddata_still_restores_events_into_an_empty_log(event, tmp_path):
    # A dump of the log is loadable where its events do not exist yet (a restore).
    dump = tmp_path / "log.json"
    call_command("dumpdata", "claims.verificationevent", output=str(dump), verbosity=0)
    [dumped] = json.loads(dump.read_text())
    dumped["pk"] = event.pk + 1000
    dumped["fields"]["version"] = event.version + 1000
    dump.write_text(json.dumps([dumped]))

    call_command("loaddata", str(dump), verbosity=0)

    restored = VerificationEvent.objects.get(pk=event.pk + 1000)
    assert restored.rationale == event.rationale
