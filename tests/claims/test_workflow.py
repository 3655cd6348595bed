"""The verification workflow: transition table, roles, rules, concurrency, audit trail."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction

from claims.models import (
    CONCLUDED,
    AppendOnlyError,
    Claim,
    ClaimStatus,
    VerificationEvent,
)
from claims.workflow import (
    TRANSITIONS,
    Evidence,
    StaleVersion,
    TransitionRefused,
    allowed_targets,
    can_transition,
    claim_assign,
    claim_transition,
)
from tests.claims.factories import ClaimFactory, ExternalCheckFactory
from tests.factories import DocumentFactory, StaffFactory

S = ClaimStatus
ALL = list(S.values)
URL = Evidence(url="https://www.ft.com/content/example")

pytestmark = pytest.mark.django_db


def claim_in(status, **kwargs) -> Claim:
    return ClaimFactory(status=status, **kwargs)


def move(claim, to, actor, **kwargs):
    kwargs.setdefault("rationale", "Checked against the FT report and two other sources.")
    kwargs.setdefault("evidence", [URL])
    kwargs.setdefault("expected_version", claim.version)
    return claim_transition(claim=claim, to=to, actor=actor, **kwargs)


# --- The table ---------------------------------------------------------------------------------


def test_the_table_holds_exactly_the_allowed_moves():
    expected = {(S.UNVERIFIED, S.IN_REVIEW), (S.IN_REVIEW, S.UNVERIFIED)}
    expected |= {(S.IN_REVIEW, c) for c in CONCLUDED}
    expected |= {(c, S.IN_REVIEW) for c in CONCLUDED}

    assert set(TRANSITIONS) == expected


ALLOWED = sorted(TRANSITIONS)
REFUSED = sorted((a, b) for a in ALL for b in ALL if (a, b) not in TRANSITIONS)


@pytest.mark.parametrize(("frm", "to"), ALLOWED)
def test_a_factchecker_may_make_every_allowed_move(frm, to, factchecker):
    claim = claim_in(frm)

    moved = move(claim, to, factchecker)

    assert moved.status == to
    assert moved.version == claim.version + 1
    event = VerificationEvent.objects.get(claim=claim)
    assert (event.from_status, event.to_status, event.actor) == (frm, to, factchecker)
    assert event.actor_role == "fact-checker"
    assert event.version == moved.version


@pytest.mark.parametrize(("frm", "to"), REFUSED)
def test_every_move_outside_the_table_is_refused_for_everyone(frm, to, superuser):
    claim = claim_in(frm)

    with pytest.raises(TransitionRefused, match=S(frm).label) as refused:
        move(claim, to, superuser)

    # The reason names states as users read them, never their stored keys.
    assert refused.value.code == "not_allowed"
    assert "_" not in refused.value.messages[0]

    claim.refresh_from_db()
    assert claim.status == frm
    assert not VerificationEvent.objects.exists()


@pytest.mark.parametrize(("frm", "to"), ALLOWED)
def test_editors_may_only_send_to_review(frm, to, editor):
    claim = claim_in(frm)

    if (frm, to) == (S.UNVERIFIED, S.IN_REVIEW):
        assert move(claim, to, editor).status == S.IN_REVIEW
        assert VerificationEvent.objects.get().actor_role == "editor"
    else:
        with pytest.raises(PermissionDenied):
            move(claim, to, editor)
        assert not VerificationEvent.objects.exists()
    assert can_transition(editor, claim, to) is ((frm, to) == (S.UNVERIFIED, S.IN_REVIEW))


@pytest.mark.parametrize(("frm", "to"), ALLOWED)
def test_api_consumers_and_plain_staff_may_make_no_move(frm, to, consumer):
    for user in (consumer, StaffFactory()):
        with pytest.raises(PermissionDenied):
            move(claim_in(frm), to, user)
    assert not VerificationEvent.objects.exists()


@pytest.mark.parametrize(("frm", "to"), ALLOWED)
def test_superusers_may_make_every_allowed_move(frm, to, superuser):
    assert move(claim_in(frm), to, superuser).status == to


def test_allowed_targets_follow_the_table():
    assert allowed_targets(S.UNVERIFIED) == [S.IN_REVIEW]
    assert set(allowed_targets(S.IN_REVIEW)) == {S.UNVERIFIED, *CONCLUDED}
    assert allowed_targets(S.VERIFIED) == [S.IN_REVIEW]


# --- Rationale and evidence --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frm", "to"),
    [(a, b) for (a, b), m in TRANSITIONS.items() if m.needs_rationale],
)
def test_conclusions_drops_and_reopens_need_a_rationale(frm, to, factchecker):
    claim = claim_in(frm)

    with pytest.raises(TransitionRefused, match="rationale is required"):
        move(claim, to, factchecker, rationale="   ")

    assert not VerificationEvent.objects.exists()


def test_sending_to_review_needs_no_rationale(editor):
    claim = move(claim_in(S.UNVERIFIED), S.IN_REVIEW, editor, rationale="", evidence=[])

    claim.refresh_from_db()
    assert claim.status == S.IN_REVIEW
    event = VerificationEvent.objects.get(claim=claim)
    assert (event.from_status, event.to_status, event.rationale, event.actor) == (
        S.UNVERIFIED,
        S.IN_REVIEW,
        "",
        editor,
    )


@pytest.mark.parametrize("to", [S.VERIFIED, S.FALSE])
def test_verified_and_false_need_evidence(to, factchecker):
    claim = claim_in(S.IN_REVIEW)

    with pytest.raises(TransitionRefused, match="needs at least one piece of evidence"):
        move(claim, to, factchecker, evidence=[])

    claim.refresh_from_db()
    assert claim.status == S.IN_REVIEW


def test_an_external_check_of_another_claim_is_not_evidence(factchecker):
    claim = claim_in(S.IN_REVIEW)
    elsewhere = ExternalCheckFactory()

    with pytest.raises(TransitionRefused, match="recorded on another claim"):
        move(claim, S.VERIFIED, factchecker, evidence=[Evidence(external_check_id=elsewhere.pk)])
    assert not VerificationEvent.objects.exists()


@pytest.mark.parametrize("to", [S.DISPUTED, S.UNVERIFIABLE])
def test_disputed_and_unverifiable_need_no_evidence(to, factchecker):
    assert move(claim_in(S.IN_REVIEW), to, factchecker, evidence=[]).status == to


def test_evidence_of_each_kind_is_stored_with_the_event(factchecker):
    document = DocumentFactory(headline="White House statement")
    claim = claim_in(S.IN_REVIEW)
    check = ExternalCheckFactory(claim=claim)

    move(
        claim,
        S.VERIFIED,
        factchecker,
        evidence=[
            URL,
            Evidence(document_id=document.pk, note="confirms the date"),
            Evidence(external_check_id=check.pk),
        ],
    )

    evidence = VerificationEvent.objects.get().evidence
    assert [e["kind"] for e in evidence] == ["url", "document", "external_check"]
    assert evidence[0]["url"] == URL.url
    assert evidence[1] == {
        "kind": "document",
        "document": document.pk,
        "label": "White House statement",
        "note": "confirms the date",
    }
    assert evidence[2]["external_check"] == check.pk


@pytest.mark.parametrize(
    "bad",
    [
        Evidence(url="not a url"),
        Evidence(url="javascript:alert(1)"),
        Evidence(document_id=999_999),
        Evidence(external_check_id=999_999),
        Evidence(),
        Evidence(url="https://example.org", document_id=1),
    ],
)
def test_invalid_evidence_is_refused_and_nothing_changes(bad, factchecker):
    claim = claim_in(S.IN_REVIEW)

    with pytest.raises(TransitionRefused, match="Evidence 1"):
        move(claim, S.VERIFIED, factchecker, evidence=[bad])

    claim.refresh_from_db()
    assert claim.status == S.IN_REVIEW
    assert not VerificationEvent.objects.exists()


# --- Four eyes ---------------------------------------------------------------------------------


def test_whoever_recorded_a_claim_cannot_conclude_it(factchecker, factchecker2):
    claim = claim_in(S.IN_REVIEW, created_by=factchecker)

    with pytest.raises(PermissionDenied, match="Four-eyes"):
        move(claim, S.VERIFIED, factchecker)
    assert not can_transition(factchecker, claim, S.VERIFIED)

    assert move(claim, S.VERIFIED, factchecker2).status == S.VERIFIED


def test_a_factchecker_who_rewords_a_claim_cannot_conclude_it_alone(
    editor, factchecker, factchecker2
):
    # Found in the adversarial probe: a fact-checker rewrote an editor's claim, then
    # concluded the words they had written themselves.
    from claims.recording import claim_create, claim_update

    claim = claim_create(text="The plan was put on hold.", user=editor)
    claim = move(claim, S.IN_REVIEW, editor)
    claim_update(claim=claim, text="The plan was dropped for good.", user=factchecker)
    claim.refresh_from_db()

    with pytest.raises(PermissionDenied, match="recorded or reworded"):
        move(claim, S.VERIFIED, factchecker)
    assert not can_transition(factchecker, claim, S.VERIFIED)
    assert move(claim, S.VERIFIED, factchecker2).status == S.VERIFIED  # another pair of eyes


def test_an_edit_that_changes_no_words_does_not_make_an_author(editor, factchecker):
    from claims.recording import claim_create, claim_update

    claim = claim_create(text="The plan was put on hold.", user=editor)
    claim = move(claim, S.IN_REVIEW, editor)
    claim_update(claim=claim, summary="", user=factchecker)  # no change to the words

    claim.refresh_from_db()
    assert move(claim, S.VERIFIED, factchecker).status == S.VERIFIED


def test_the_recorder_may_still_send_to_review_and_reopen(factchecker):
    claim = claim_in(S.UNVERIFIED, created_by=factchecker)
    claim = move(claim, S.IN_REVIEW, factchecker)
    concluded = claim_in(S.VERIFIED, created_by=factchecker)

    assert claim.status == S.IN_REVIEW
    assert move(concluded, S.IN_REVIEW, factchecker).status == S.IN_REVIEW


def test_the_four_eyes_rule_can_be_switched_off(settings, factchecker):
    settings.NEWSROOM_FOUR_EYES = False
    claim = claim_in(S.IN_REVIEW, created_by=factchecker)

    assert move(claim, S.VERIFIED, factchecker).status == S.VERIFIED


# --- State kept on the claim -------------------------------------------------------------------


def test_concluded_at_is_set_on_conclusion_and_cleared_on_reopen(factchecker):
    claim = move(claim_in(S.IN_REVIEW), S.DISPUTED, factchecker)
    assert claim.concluded_at is not None

    claim = move(claim, S.IN_REVIEW, factchecker)
    assert claim.concluded_at is None


def test_sending_to_review_assigns_a_factchecker_with_a_due_date(editor, factchecker):
    import datetime

    due = datetime.date(2025, 11, 25)
    claim = move(claim_in(S.UNVERIFIED), S.IN_REVIEW, editor, assignee=factchecker, due_date=due)

    assert (claim.assignee, claim.due_date) == (factchecker, due)


def test_only_factcheckers_can_be_assigned(editor):
    with pytest.raises(TransitionRefused, match="cannot be assigned"):
        move(claim_in(S.UNVERIFIED), S.IN_REVIEW, editor, assignee=editor)


def test_dropping_from_review_clears_the_assignment(factchecker):
    claim = claim_in(S.IN_REVIEW, assignee=factchecker)

    claim = move(claim, S.UNVERIFIED, factchecker)

    assert claim.assignee is None


def test_claim_assign_reassigns_a_claim_in_review(factchecker, factchecker2, editor):
    claim = claim_in(S.IN_REVIEW, assignee=factchecker)

    assert claim_assign(claim=claim, assignee=factchecker2, actor=editor).assignee == factchecker2
    with pytest.raises(TransitionRefused):
        claim_assign(claim=claim_in(S.UNVERIFIED), assignee=factchecker2, actor=editor)


# --- Versions and concurrency ------------------------------------------------------------------


def test_a_stale_version_is_refused(factchecker, factchecker2):
    claim = claim_in(S.IN_REVIEW)
    stale_version = claim.version
    move(claim, S.DISPUTED, factchecker)

    with pytest.raises(StaleVersion, match="version"):
        move(claim, S.VERIFIED, factchecker2, expected_version=stale_version)

    assert VerificationEvent.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_transitions_from_the_same_version_exactly_one_succeeds(factchecker, factchecker2):
    claim = claim_in(S.IN_REVIEW)
    barrier = threading.Barrier(2)
    outcomes = []

    def conclude(actor, to):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                move(claim, to, actor, expected_version=claim.version)
            outcomes.append("ok")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=conclude, args=(factchecker, S.VERIFIED)),
        threading.Thread(target=conclude, args=(factchecker2, S.FALSE)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ok", "stale"]
    assert VerificationEvent.objects.filter(claim=claim).count() == 1
    claim.refresh_from_db()
    assert claim.version == 2


# --- The audit trail is append-only ------------------------------------------------------------


@pytest.fixture
def event(factchecker):
    move(claim_in(S.IN_REVIEW), S.DISPUTED, factchecker)
    return VerificationEvent.objects.get()


def test_events_cannot_be_changed_or_deleted_through_the_model_layer(event):
    event.rationale = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        VerificationEvent.objects.filter(pk=event.pk).update(rationale="rewritten")
    with pytest.raises(AppendOnlyError):
        VerificationEvent.objects.all().delete()

    event.refresh_from_db()
    assert event.rationale != "rewritten"


def test_a_claim_with_events_cannot_be_deleted(event):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        event.claim.delete()


@pytest.mark.postgres
def test_the_postgres_trigger_refuses_update_and_delete(event):
    from django.db import DatabaseError

    for sql in (
        "UPDATE claims_verificationevent SET rationale = 'rewritten' WHERE id = %s",
        "DELETE FROM claims_verificationevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])

    event.refresh_from_db()
    assert event.rationale != "rewritten"


def test_editing_a_stale_copy_neither_undoes_nor_misrecords_a_transition(factchecker, editor):
    from claims.recording import claim_update

    claim = claim_in(S.UNVERIFIED)
    stale_copy = Claim.objects.get(pk=claim.pk)
    move(claim, S.IN_REVIEW, editor)

    claim_update(claim=stale_copy, text="Reworded by an editor with the page still open.")

    claim.refresh_from_db()
    assert claim.status == S.IN_REVIEW
    assert claim.text.startswith("Reworded")
    assert claim.history.first().status == S.IN_REVIEW


def test_a_concluded_claim_cannot_be_rewritten_without_reopening(factchecker, editor):
    from django.core.exceptions import ValidationError

    from claims.recording import appearance_create, claim_update
    from tests.factories import DocumentFactory

    claim = move(claim_in(S.IN_REVIEW), S.DISPUTED, factchecker)
    document = DocumentFactory(body="Officials said the plan was put on hold.")

    with pytest.raises(ValidationError, match="reopen it"):
        claim_update(claim=claim, text="Something else.")
    with pytest.raises(ValidationError, match="reopen it"):
        appearance_create(claim=claim, document=document, exact="the plan", user=editor)

    claim = move(claim, S.IN_REVIEW, factchecker, rationale="New reporting.")
    assert claim_update(claim=claim, text="Something else.").text == "Something else."


def test_a_content_edit_makes_a_transition_decided_on_the_old_text_stale(factchecker, editor):
    from claims.recording import claim_update

    claim = claim_in(S.IN_REVIEW)
    seen_version, seen_revision = claim.version, claim.revision

    claim_update(claim=claim, text="Changed after the fact-checker read it.")

    with pytest.raises(StaleVersion) as stale:
        move(
            claim,
            S.VERIFIED,
            factchecker,
            expected_version=seen_version,
            expected_revision=seen_revision,
        )
    assert stale.value.counter == "revision"
    assert not VerificationEvent.objects.exists()


def test_queue_querysets(factchecker, factchecker2):
    import datetime

    today = datetime.date(2025, 11, 21)
    mine = claim_in(S.IN_REVIEW, assignee=factchecker, due_date=today)
    late = claim_in(S.IN_REVIEW, assignee=factchecker2, due_date=today - datetime.timedelta(1))
    unassigned = claim_in(S.IN_REVIEW)
    claim_in(S.VERIFIED, assignee=factchecker)

    assert list(Claim.objects.assigned_to(factchecker)) == [mine]
    assert list(Claim.objects.overdue(today)) == [late]
    assert list(Claim.objects.unassigned_in_review()) == [unassigned]


def test_reviewers_are_the_users_who_may_conclude(factchecker, editor, superuser):
    from claims.workflow import reviewers

    assert set(reviewers()) == {factchecker, superuser}


def test_a_move_sends_claim_transitioned_inside_its_transaction(factchecker):
    from claims.signals import claim_transitioned

    claim = claim_in(S.UNVERIFIED)
    seen = []

    def receiver(sender, *, claim, event, from_status, to_status, actor, **kwargs):
        # Inside the move's transaction: the event row is already written.
        seen.append(
            (
                claim.pk,
                event.pk,
                from_status,
                to_status,
                actor.pk,
                connection.in_atomic_block,
                VerificationEvent.objects.filter(pk=event.pk).exists(),
            )
        )

    claim_transitioned.connect(receiver, dispatch_uid="test-receiver")
    try:
        move(claim, S.IN_REVIEW, factchecker)
    finally:
        claim_transitioned.disconnect(dispatch_uid="test-receiver")

    event = VerificationEvent.objects.get(claim=claim)
    assert seen == [(claim.pk, event.pk, S.UNVERIFIED, S.IN_REVIEW, factchecker.pk, True, True)]


def test_a_receiver_that_raises_rolls_the_move_back(factchecker):
    from claims.signals import claim_transitioned

    claim = claim_in(S.UNVERIFIED)

    def receiver(sender, **kwargs):
        raise RuntimeError("the floor above refused")

    claim_transitioned.connect(receiver, dispatch_uid="test-raiser")
    try:
        with pytest.raises(RuntimeError):
            move(claim, S.IN_REVIEW, factchecker)
    finally:
        claim_transitioned.disconnect(dispatch_uid="test-raiser")

    claim.refresh_from_db()
    assert claim.status == S.UNVERIFIED
    assert not VerificationEvent.objects.filter(claim=claim).exists()


def test_the_role_on_an_event_follows_permissions_not_group_names(db):
    from django.contrib.auth.models import Group, Permission

    from claims.workflow import role_of

    # A newsroom that names its groups differently still records the right role.
    desk = Group.objects.create(name="Verification desk")
    desk.permissions.add(Permission.objects.get(codename="conclude_claim"))
    checker = StaffFactory(username="renamed-group-checker")
    checker.groups.add(desk)
    plain = StaffFactory(username="plain-staff")

    assert role_of(checker) == "fact-checker"
    assert role_of(plain) == "staff"
