"""Concurrency on PostgreSQL: content services racing a conclusion, and a soak of edits.

Each race is made deterministic by a held lock: the conclusion commits only once the edit's
connection is seen waiting for the claim's row lock. tests/claims/test_recording.py races
appearance_create, chain_set, external_check_record and a same-as relation_record; these
cover the other content services and kinds.
"""

from __future__ import annotations

import inspect
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from claims import recording
from claims.models import Claim, ClaimRelation, ClaimStatus, ExternalCheck
from claims.workflow import Evidence, StaleVersion, claim_transition
from tests.claims.factories import ClaimFactory, TopicFactory
from tests.factories import DocumentFactory, OrganizationFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BODY = "Officials said the plan was put on hold. Reuters could not verify it. Nothing else."


def waiting_for_a_lock() -> int:
    """How many other connections to this database are waiting for a lock right now."""
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps serving its first snapshot of the view.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def snapshot(claim_id: int) -> dict:
    """Everything a content service could change about a claim."""
    claim = Claim.objects.get(pk=claim_id)
    return {
        "text": claim.text,
        "summary": claim.summary,
        "revision": claim.revision,
        "topics": sorted(claim.topics.values_list("pk", flat=True)),
        "appearances": sorted(claim.appearances.values_list("pk", "start", "end")),
        "chains": sorted(
            (a.pk, link.pk) for a in claim.appearances.all() for link in a.chain.all()
        ),
        "relations": sorted(
            ClaimRelation.objects.filter(from_claim=claim_id).values_list("pk", "kind")
        )
        + sorted(ClaimRelation.objects.filter(to_claim=claim_id).values_list("pk", "kind")),
        "checks": sorted(ExternalCheck.objects.filter(claim=claim_id).values_list("pk")),
    }


EDITS = [
    "claim_text",
    "claim_summary",
    "topics",
    "appearance_delete",
    "chain_clear",
    "check_with_excerpt",
    "corroborates_from_it",
    "contradicts_to_it",
    "relation_delete",
]


@pytest.mark.parametrize("edit", EDITS)
def test_a_content_service_racing_a_conclusion_waits_for_it_and_is_then_refused(
    edit, editor, factchecker
):
    # Given a claim in review with two appearances, a chain, a relation and a topic
    document = DocumentFactory(body=BODY)
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, created_by=editor)
    first = recording.appearance_create(
        claim=claim, document=document, exact="the plan was put on hold", user=editor
    )
    recording.chain_set(
        appearance=first, links=[recording.ChainLink(role="origin", agent=OrganizationFactory())]
    )
    second = recording.appearance_create(
        claim=claim, document=document, exact="Nothing else", user=editor
    )
    other = ClaimFactory()
    relation = recording.relation_record(
        from_claim=other, to_claim=claim, kind="refines", reason="narrower", user=factchecker
    )
    claim.topics.add(TopicFactory(name="Sanctions"))
    version = Claim.objects.get(pk=claim.pk).version
    new_topic = TopicFactory(name="Trade")
    concluding, outcome = threading.Event(), {}

    def conclude():
        try:
            with transaction.atomic():
                claim_transition(
                    claim=claim.pk,
                    to=ClaimStatus.VERIFIED,
                    actor=factchecker,
                    expected_version=version,
                    rationale="Matches the statement.",
                    evidence=[Evidence(url="https://example.org/statement")],
                )
                concluding.set()
                # Hold the row lock until the edit is seen waiting for it (at most 10 s).
                deadline = time.monotonic() + 10
                while not waiting_for_a_lock() and time.monotonic() < deadline:
                    time.sleep(0.02)
                outcome["edit_waited"] = waiting_for_a_lock() > 0
        finally:
            connections.close_all()

    def change():
        concluding.wait(timeout=10)
        try:
            if edit == "claim_text":
                recording.claim_update(claim=claim, text="Reworded after all.", user=editor)
            elif edit == "claim_summary":
                recording.claim_update(claim=claim, summary="Another summary", user=editor)
            elif edit == "topics":
                recording.claim_update(claim=claim, topics=[new_topic], user=editor)
            elif edit == "appearance_delete":
                recording.appearance_delete(appearance=second)
            elif edit == "chain_clear":
                recording.chain_set(appearance=first, links=[])
            elif edit == "check_with_excerpt":
                recording.external_check_record(
                    claim=claim,
                    organization=OrganizationFactory(name="Reuters"),
                    outcome="could_not_verify",
                    document=document,
                    exact="Reuters could not verify it",
                    user=factchecker,
                )
            elif edit == "corroborates_from_it":
                recording.relation_record(
                    from_claim=claim, to_claim=other, kind="corroborates", reason="x", user=editor
                )
            elif edit == "contradicts_to_it":
                recording.relation_record(
                    from_claim=other, to_claim=claim, kind="contradicts", reason="x", user=editor
                )
            else:
                recording.relation_delete(relation=relation)
            outcome["edit"] = "written"
        except ValidationError as error:
            outcome["edit"] = error.messages[0]
        finally:
            connections.close_all()

    before = snapshot(claim.pk)
    # When the edit starts while the conclusion holds the claim's row lock
    threads = [threading.Thread(target=conclude), threading.Thread(target=change)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then it waited for the lock, saw the concluded claim, and changed nothing
    assert outcome.get("edit_waited"), "the edit never waited for the conclusion's lock"
    assert "concluded" in outcome["edit"], outcome["edit"]
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.VERIFIED
    assert snapshot(claim.pk) == before


THREADS, ROUNDS = 20, 50


def run_threads(target, count: int) -> list:
    errors = []

    def guarded(index):
        try:
            target(index)
        except Exception as error:  # reported below, with the thread that raised it
            errors.append(f"thread {index}: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_soak_parallel_edits_lose_no_revision_and_no_history(editor):
    # Given one open claim, and 20 editors each saving 50 edits of it as fast as they can
    claim = ClaimFactory(created_by=editor)
    start_revision = Claim.objects.get(pk=claim.pk).revision
    start_history = claim.history.count()
    saved: list[tuple[int, str]] = []
    lock = threading.Lock()
    started = time.monotonic()

    def edit(index):
        for round_ in range(ROUNDS):
            text = f"Edit {index}-{round_} of the claim."
            updated = recording.claim_update(claim=claim, text=text, user=editor)
            with lock:
                saved.append((updated.revision, text))

    errors = run_threads(edit, THREADS)

    # Then every edit was saved once, got a revision of its own, and left its history row;
    # the claim reads as the edit with the highest revision
    assert not errors, errors
    assert time.monotonic() - started < 60
    revisions = sorted(revision for revision, _ in saved)
    assert revisions == list(range(start_revision + 1, start_revision + 1 + THREADS * ROUNDS))
    final = Claim.objects.get(pk=claim.pk)
    assert final.revision == revisions[-1]
    assert final.text == max(saved)[1]
    assert claim.history.count() - start_history == THREADS * ROUNDS


READERS, READ_ROUNDS = 10, 5


def test_soak_read_modify_write_edits_with_expected_revisions_lose_nothing(editor):
    # Given 10 editors who each, 5 times, read the claim and append a sentence of their own
    claim = ClaimFactory(text="Start.", created_by=editor)
    guarded = "expected_revision" in inspect.signature(recording.claim_update).parameters
    barrier = threading.Barrier(READERS, timeout=30)
    refused = []

    def edit(index):
        for round_ in range(READ_ROUNDS):
            first_try = True
            for _attempt in range(READERS * 4):
                current = Claim.objects.values("text", "revision").get(pk=claim.pk)
                if first_try:
                    barrier.wait()  # all read the same revision before anyone saves
                    first_try = False
                text = f"{current['text']} [{index}-{round_}]"
                try:
                    if guarded:
                        recording.claim_update(
                            claim=claim,
                            text=text,
                            user=editor,
                            expected_revision=current["revision"],
                        )
                    else:
                        recording.claim_update(claim=claim, text=text, user=editor)
                    break
                except StaleVersion:
                    refused.append(index)  # reload and try again, as a client should

    errors = run_threads(edit, READERS)

    # Then no editor's sentence is lost: each saved edit either built on the others or was
    # refused as stale and redone
    assert not errors, errors
    final = Claim.objects.get(pk=claim.pk).text
    lost = [
        f"[{i}-{r}]"
        for i in range(READERS)
        for r in range(READ_ROUNDS)
        if f"[{i}-{r}]" not in final
    ]
    assert not lost, f"{len(lost)} of {READERS * READ_ROUNDS} edits were lost: {lost[:5]}..."
