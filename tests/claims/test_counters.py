"""Two counters with two names: `version` (the workflow step) and `revision` (the content)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from claims import recording
from claims.models import Claim, ClaimRelation, ClaimStatus, ExternalCheck
from claims.prov import provenance_json
from claims.workflow import StaleVersion, claim_transition
from sources.licensing import Audience
from tests.claims.factories import AppearanceFactory, ClaimFactory
from tests.conftest import SQLITE_LOGS, _set_no_truncate_trigger
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_recording_an_external_check_or_a_relation_bumps_neither_counter(editor, factchecker):
    claim = ClaimFactory(created_by=editor)
    other = ClaimFactory(created_by=editor)
    claim_transition(
        claim=claim, to=ClaimStatus.IN_REVIEW, actor=editor, expected_version=1, rationale="go"
    )
    claim.refresh_from_db()
    before = (claim.version, claim.revision, claim.updated_at)

    recording.external_check_record(
        claim=claim,
        organization=OrganizationFactory(name="Reuters"),
        outcome=ExternalCheck.Outcome.COULD_NOT_VERIFY,
        user=editor,
    )
    recording.relation_record(
        from_claim=claim,
        to_claim=other,
        kind=ClaimRelation.Kind.REFINES,
        reason="Narrower.",
        user=editor,
    )
    claim.refresh_from_db()

    assert (claim.version, claim.revision) == before[:2]
    assert claim.updated_at > before[2]  # still a change for syncing clients
    # So the fact-checker's move, decided on version 2 and revision 1, still goes through.
    claim_transition(
        claim=claim,
        to=ClaimStatus.UNVERIFIED,
        actor=factchecker,
        expected_version=before[0],
        expected_revision=before[1],
        rationale="Out of scope.",
    )


def test_a_content_change_bumps_the_revision_and_stales_a_move_that_gives_it(editor):
    claim = ClaimFactory(created_by=editor)

    recording.claim_update(claim=claim, text="New wording of the claim.", user=editor)
    claim.refresh_from_db()

    assert (claim.version, claim.revision) == (1, 2)
    with pytest.raises(StaleVersion) as stale:
        claim_transition(
            claim=claim,
            to=ClaimStatus.IN_REVIEW,
            actor=editor,
            expected_version=1,
            expected_revision=1,
            rationale="go",
        )
    assert stale.value.counter == "revision" and stale.value.current == 2


def test_event_versions_are_contiguous_steps_whatever_changed_between(editor, factchecker):
    claim = ClaimFactory(created_by=editor)
    claim_transition(
        claim=claim, to=ClaimStatus.IN_REVIEW, actor=editor, expected_version=1, rationale="a"
    )
    AppearanceFactory(claim=claim)
    recording.claim_update(claim=claim, summary="Shorter", user=editor)
    claim_transition(
        claim=claim, to=ClaimStatus.UNVERIFIED, actor=factchecker, expected_version=2, rationale="b"
    )
    claim_transition(
        claim=claim, to=ClaimStatus.IN_REVIEW, actor=editor, expected_version=3, rationale="c"
    )
    claim.refresh_from_db()

    assert [e.version for e in claim.events.order_by("created_at", "pk")] == [2, 3, 4]
    assert claim.version == 4
    prov = provenance_json(
        Claim.objects.with_provenance().get(pk=claim.pk),
        build_url=lambda path: f"https://newsroom.example{path}",
        audience=Audience.EXTERNAL,
    )
    versions = sorted(int(key.rsplit("/", 1)[1]) for key in prov["entity"] if "/versions/" in key)
    assert versions == [1, 2, 3, 4]  # the PROV version chain has no gaps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_the_old_counter_as_revision_and_renumbers_the_steps(editor):
    executor = MigrationExecutor(connection)
    before, after = [("claims", "0003_search_and_sync_indexes")], [("claims", "0004_two_counters")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Claim = apps.get_model("claims", "Claim")
    Event = apps.get_model("claims", "VerificationEvent")
    now = timezone.now()
    # Old data: one counter for everything, so the events' versions have gaps.
    claim = Claim.objects.create(text="A claim.", status="in_review", version=7)
    untouched = Claim.objects.create(text="Another.", version=3)
    for offset, (version, to) in enumerate([(3, "in_review"), (5, "unverified"), (7, "in_review")]):
        Event.objects.create(
            claim=claim,
            from_status="unverified",
            to_status=to,
            actor_id=editor.pk,
            actor_role="editor",
            version=version,
            created_at=now + datetime.timedelta(seconds=offset),
        )

    executor = MigrationExecutor(connection)
    try:
        executor.migrate(after)
        apps = executor.loader.project_state(after).apps
        Claim = apps.get_model("claims", "Claim")
        Event = apps.get_model("claims", "VerificationEvent")
        migrated = Claim.objects.get(pk=claim.pk)
        steps = list(
            Event.objects.filter(claim_id=claim.pk)
            .order_by("created_at")
            .values_list("version", flat=True)
        )
        untouched_counters = (
            Claim.objects.filter(pk=untouched.pk).values_list("version", "revision").get()
        )
    finally:
        # Leave the test database as the rest of the suite expects it: fully migrated, and
        # on PostgreSQL with the TRUNCATE trigger off again, on SQLite without the logs'
        # DELETE/UPDATE triggers (tests/conftest.py): the runner flushes after this test.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        if connection.vendor == "postgresql":
            _set_no_truncate_trigger(enabled=False)
        else:
            with connection.cursor() as cursor:
                for sql in SQLITE_LOGS.DROP_SQL:
                    cursor.execute(sql)

    assert (migrated.version, migrated.revision) == (4, 7)
    assert steps == [2, 3, 4]
    assert untouched_counters == (1, 3)
