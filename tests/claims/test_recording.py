import datetime

import pytest
from django.core.exceptions import ValidationError

from claims import recording
from claims.models import Attribution, Claim, ClaimRelation, ExternalCheck
from claims.recording import (
    ChainLink,
    appearance_create,
    chain_set,
    claim_create,
    external_check_record,
    relation_record,
)
from sources.models import Organization
from tests.claims.factories import (
    ARTICLE_A_BODY,
    ARTICLE_A_SANCTIONS,
    AppearanceFactory,
    ClaimFactory,
    TopicFactory,
    article_a,
)
from tests.factories import (
    AnonymousSourceFactory,
    DocumentFactory,
    OrganizationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

Role = Attribution.Role
Kind = ClaimRelation.Kind


@pytest.fixture
def officials():
    return AnonymousSourceFactory(
        description="current and former US officials",
        anonymity_reason="speaking on condition of anonymity",
    )


@pytest.fixture
def ft():
    return OrganizationFactory(name="Financial Times", kind=Organization.Kind.PUBLICATION)


def test_claim_create_records_text_topics_and_author(editor):
    topics = [TopicFactory(name="Sanctions"), TopicFactory(name="US-China")]

    claim = claim_create(
        text="  The US put sanctions on China's Ministry of State Security on hold.  ",
        summary="US sanctions on MSS on hold",
        topics=topics,
        user=editor,
    )

    claim.refresh_from_db()
    assert claim.text == "The US put sanctions on China's Ministry of State Security on hold."
    assert set(claim.topics.all()) == set(topics)
    assert claim.created_by == editor
    assert claim.status == "unverified"
    assert claim.independent_origins == 0


def test_claim_create_rejects_a_summary_too_long_for_exports(editor):
    with pytest.raises(ValidationError) as raised:
        claim_create(text="A claim.", summary="x" * 76, user=editor)

    assert "summary" in raised.value.message_dict
    assert not Claim.objects.exists()


def test_appearance_create_anchors_the_quote_in_the_document(editor):
    document = article_a()
    claim = ClaimFactory()

    appearance = appearance_create(
        claim=claim, document=document, exact=ARTICLE_A_SANCTIONS, user=editor
    )

    assert ARTICLE_A_BODY[appearance.start : appearance.end] == ARTICLE_A_SANCTIONS
    assert appearance.start == 0
    assert appearance.prefix == ""
    assert appearance.suffix == ARTICLE_A_BODY[appearance.end : appearance.end + 32]
    assert appearance.created_by == editor


def test_appearance_create_refuses_the_same_quote_twice_for_a_claim(editor):
    document = article_a()
    claim = ClaimFactory()
    appearance_create(claim=claim, document=document, exact=ARTICLE_A_SANCTIONS, user=editor)

    with pytest.raises(ValidationError) as raised:
        appearance_create(claim=claim, document=document, exact=ARTICLE_A_SANCTIONS, user=editor)

    assert "already recorded" in raised.value.message_dict["exact"][0]
    assert claim.appearances.count() == 1


def test_chain_set_stores_links_in_order_origin_first(officials, ft):
    appearance = AppearanceFactory()
    reuters = OrganizationFactory(name="Reuters", kind=Organization.Kind.NEWS_AGENCY)
    ritzau = OrganizationFactory(name="Ritzau", kind=Organization.Kind.NEWS_AGENCY)
    title = OrganizationFactory(name="Danish Offshore Industry")

    chain_set(
        appearance=appearance,
        links=[
            ChainLink(Role.ORIGIN, officials, "told"),
            ChainLink(Role.REPORTER, ft, "reported"),
            ChainLink(Role.RELAY, reuters, "reported"),
            ChainLink(Role.RELAY, ritzau),
            ChainLink(Role.PUBLISHER, title, "published"),
        ],
    )

    stored = list(appearance.chain.all())
    assert [link.position for link in stored] == [0, 1, 2, 3, 4]
    assert [link.role for link in stored] == ["origin", "reporter", "relay", "relay", "publisher"]
    assert [link.agent for link in stored] == [officials, ft, reuters, ritzau, title]
    assert [link.agent_kind for link in stored] == ["anonymous"] + ["organization"] * 4
    assert stored[0].verb == "told"


def test_chain_set_replaces_the_previous_chain(officials, ft):
    appearance = AppearanceFactory()
    chain_set(appearance=appearance, links=[ChainLink(Role.ORIGIN, officials, "told")])
    cooper = PersonFactory(name="Zack Cooper")

    chain_set(
        appearance=appearance,
        links=[ChainLink(Role.ORIGIN, cooper, "told"), ChainLink(Role.REPORTER, ft)],
    )

    assert [link.agent for link in appearance.chain.all()] == [cooper, ft]
    assert [link.agent_kind for link in appearance.chain.all()] == ["person", "organization"]


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        (["origin", "origin"], "at most one origin"),
        (["reporter", "origin"], "Link 2: the origin comes first"),
        (["origin", "publisher", "relay"], "Link 2: the publisher comes last"),
        (["publisher", "publisher"], "Link 1: the publisher comes last"),
        (["origin", "relay", "reporter"], "Link 3: a reporter comes before the relays"),
    ],
)
def test_chain_set_rejects_links_out_of_order_and_keeps_the_old_chain(officials, roles, message):
    appearance = AppearanceFactory()
    chain_set(appearance=appearance, links=[ChainLink(Role.ORIGIN, officials, "told")])
    agents = [OrganizationFactory() for _ in roles]

    with pytest.raises(ValidationError) as raised:
        chain_set(
            appearance=appearance,
            links=[ChainLink(role, agent) for role, agent in zip(roles, agents, strict=True)],
        )

    assert any(message in text for text in raised.value.messages)
    assert [link.agent for link in appearance.chain.all()] == [officials]


def test_chain_set_rejects_an_unknown_role_and_a_non_agent(ft):
    appearance = AppearanceFactory()

    with pytest.raises(ValidationError, match="'author' is not a role"):
        chain_set(appearance=appearance, links=[ChainLink("author", ft)])
    with pytest.raises(ValidationError, match="must be a person, an organization or an anon"):
        chain_set(appearance=appearance, links=[ChainLink(Role.ORIGIN, appearance.document)])
    assert not appearance.chain.exists()


def test_external_check_record_anchors_its_excerpt_in_the_reporting_document(editor):
    document = article_a()
    reuters = OrganizationFactory(name="Reuters", kind=Organization.Kind.NEWS_AGENCY)
    when = datetime.datetime(2025, 11, 21, 9, 0, tzinfo=datetime.UTC)
    excerpt = "The Reuters news agency was not immediately able to verify the reports."

    check = external_check_record(
        claim=ClaimFactory(),
        organization=reuters,
        outcome=ExternalCheck.Outcome.COULD_NOT_VERIFY,
        document=document,
        exact=excerpt,
        checked_at=when,
        user=editor,
    )

    check.refresh_from_db()
    assert document.body[check.start : check.end] == excerpt
    assert check.suffix == document.body[check.end : check.end + 32]
    assert check.checked_at == when
    assert str(check) == "Reuters: Could not verify"


def test_external_check_record_without_a_document_has_no_excerpt(editor):
    check = external_check_record(
        claim=ClaimFactory(),
        organization=OrganizationFactory(name="The White House"),
        outcome=ExternalCheck.Outcome.NO_RESPONSE,
        user=editor,
    )

    assert (check.document, check.exact, check.start, check.end) == (None, "", None, None)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"exact": "an excerpt"}, "document"),
        ({"document": "article"}, "exact"),
        ({"document": "article", "exact": "not in the article"}, "exact"),
        ({"checked_at": datetime.datetime(2025, 11, 21, 9, 0)}, "checked_at"),  # noqa: DTZ001
        ({"outcome": "maybe"}, "outcome"),
    ],
)
def test_external_check_record_rejects_bad_input(editor, kwargs, field):
    if kwargs.get("document") == "article":
        kwargs["document"] = article_a()
    arguments = {"outcome": ExternalCheck.Outcome.COULD_NOT_VERIFY, **kwargs}

    with pytest.raises(ValidationError) as raised:
        external_check_record(
            claim=ClaimFactory(), organization=OrganizationFactory(), user=editor, **arguments
        )

    assert field in raised.value.message_dict
    assert not ExternalCheck.objects.exists()


def test_relation_record_stores_symmetric_kinds_once_in_canonical_order(editor):
    first, second = ClaimFactory(), ClaimFactory()

    relation = relation_record(
        from_claim=second,
        to_claim=first,
        kind=Kind.CONTRADICTS,
        reason="Export controls.",
        user=editor,
    )

    assert (relation.from_claim, relation.to_claim) == (first, second)
    assert relation.recorded_by == editor


def test_a_symmetric_relation_reads_the_same_from_both_ends(editor):
    first, second = ClaimFactory(), ClaimFactory()
    relation_record(
        from_claim=first, to_claim=second, kind=Kind.CONTRADICTS, reason="Opposite.", user=editor
    )

    from_first = ClaimRelation.objects.involving(first).get()
    from_second = ClaimRelation.objects.involving(second).get()

    assert from_first == from_second
    assert from_first.other(first) == second
    assert from_second.other(second) == first
    assert from_first.label_from(first) == from_second.label_from(second) == "contradicts"


def test_recording_a_symmetric_relation_again_the_other_way_is_a_duplicate(editor):
    first, second = ClaimFactory(), ClaimFactory()
    relation_record(
        from_claim=first, to_claim=second, kind=Kind.SAME_AS, reason="Same statement.", user=editor
    )

    with pytest.raises(ValidationError, match="already recorded as “same as”"):
        relation_record(
            from_claim=second, to_claim=first, kind=Kind.SAME_AS, reason="Again.", user=editor
        )

    assert ClaimRelation.objects.count() == 1


def test_refines_keeps_its_direction(editor):
    first, second = ClaimFactory(), ClaimFactory()

    relation = relation_record(
        from_claim=second, to_claim=first, kind=Kind.REFINES, reason="Adds a date.", user=editor
    )
    relation_record(
        from_claim=first, to_claim=second, kind=Kind.REFINES, reason="Adds a place.", user=editor
    )

    assert (relation.from_claim, relation.to_claim) == (second, first)
    assert relation.label_from(second) == "refines"
    assert relation.label_from(first) == "refined by"
    assert ClaimRelation.objects.involving(first).count() == 2


@pytest.mark.parametrize(
    ("same_claim", "reason", "kind", "field"),
    [
        (True, "Because.", Kind.SAME_AS, "to_claim"),
        (False, "   ", Kind.CORROBORATES, "reason"),
        (False, "Because.", "resembles", "kind"),
    ],
)
def test_relation_record_rejects_bad_input(editor, same_claim, reason, kind, field):
    first = ClaimFactory()
    second = first if same_claim else ClaimFactory()

    with pytest.raises(ValidationError) as raised:
        relation_record(from_claim=first, to_claim=second, kind=kind, reason=reason, user=editor)

    assert field in raised.value.message_dict
    assert not ClaimRelation.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("edit", ["appearance", "chain", "check", "same_as"])
def test_an_edit_racing_a_conclusion_waits_for_it_and_is_then_refused(edit, factchecker, editor):
    """security.md D1/D22: the open-check read the status without a lock (check-then-act);
    external checks and relations change a concluded claim's review too."""
    import threading
    import time

    from django.db import connections, transaction

    from claims.models import ClaimStatus
    from claims.workflow import Evidence, claim_transition

    # Given a claim in review with one appearance (so a chain can be replaced)
    document = DocumentFactory(body="Officials said the plan was put on hold. Nothing else.")
    claim = ClaimFactory(status=ClaimStatus.IN_REVIEW, created_by=editor)
    appearance = recording.appearance_create(
        claim=claim, document=document, exact="the plan was put on hold", user=editor
    )
    version = Claim.objects.get(pk=claim.pk).version
    other = ClaimFactory()
    concluding = threading.Event()
    outcome = {}

    def conclude():
        # The conclusion holds the claim's row lock until the editor's edit is under way.
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
                time.sleep(1.0)
        finally:
            connections.close_all()

    def change():
        concluding.wait(timeout=10)
        try:
            if edit == "appearance":
                recording.appearance_create(
                    claim=claim, document=document, exact="Nothing else", user=editor
                )
            elif edit == "chain":
                recording.chain_set(
                    appearance=appearance,
                    links=[recording.ChainLink(role="origin", agent=OrganizationFactory())],
                )
            elif edit == "check":
                recording.external_check_record(
                    claim=claim,
                    organization=OrganizationFactory(),
                    outcome="could_not_verify",
                    user=editor,
                )
            else:
                relation_record(
                    from_claim=other, to_claim=claim, kind=Kind.SAME_AS, reason="x", user=editor
                )
            outcome["edit"] = "written"
        except ValidationError as error:
            outcome["edit"] = error.messages[0]
        finally:
            connections.close_all()

    # When the edit starts while the conclusion holds the lock
    threads = [threading.Thread(target=conclude), threading.Thread(target=change)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then it waited, saw the concluded claim and changed nothing
    assert "concluded" in outcome["edit"]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED
    assert claim.appearances.count() == 1
    assert not appearance.chain.exists()
    assert not claim.external_checks.exists()
    assert not ClaimRelation.objects.exists()


@pytest.mark.parametrize("end", ["from", "to"])
def test_a_concluded_claims_checks_and_relations_wait_for_a_reopen(end, editor, factchecker):
    from claims.models import ClaimStatus
    from claims.workflow import claim_transition

    verified = ClaimFactory(status=ClaimStatus.VERIFIED)
    open_claim = ClaimFactory()
    ends = (verified, open_claim) if end == "from" else (open_claim, verified)

    with pytest.raises(ValidationError, match="reopen it before recording or removing"):
        relation_record(
            from_claim=ends[0], to_claim=ends[1], kind=Kind.SAME_AS, reason="x", user=editor
        )
    with pytest.raises(ValidationError, match="reopen it before recording or removing"):
        recording.external_check_record(
            claim=verified, organization=OrganizationFactory(), outcome="denied", user=editor
        )
    assert not ClaimRelation.objects.exists() and not verified.external_checks.exists()

    # Once reopened (a recorded event, with its reason) the fact-checker may add both.
    claim_transition(
        claim=verified,
        to=ClaimStatus.IN_REVIEW,
        actor=factchecker,
        expected_version=verified.version,
        rationale="Reuters now reports a denial.",
    )
    recording.external_check_record(
        claim=verified, organization=OrganizationFactory(), outcome="denied", user=editor
    )
    relation_record(
        from_claim=ends[0], to_claim=ends[1], kind=Kind.SAME_AS, reason="x", user=editor
    )
    assert verified.external_checks.count() == 1
    assert ClaimRelation.objects.count() == 1


def test_removing_a_relation_of_a_concluded_claim_waits_for_a_reopen(editor):
    from claims.models import ClaimStatus

    first, second = ClaimFactory(), ClaimFactory()
    relation = relation_record(
        from_claim=first, to_claim=second, kind=Kind.SAME_AS, reason="x", user=editor
    )
    Claim.objects.filter(pk=second.pk).update(status=ClaimStatus.FALSE)

    with pytest.raises(ValidationError, match="reopen it"):
        recording.relation_delete(relation=relation)
    assert ClaimRelation.objects.filter(pk=relation.pk).exists()
