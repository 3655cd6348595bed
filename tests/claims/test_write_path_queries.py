"""The write path's absolute query budget: a claim, an appearance and a 3-link chain.

Recording one claim as an editor does (claim_create, appearance_create, chain_set with origin,
reporter and publisher) in one transaction costs exactly the pinned statements, and the same
again on a database with many more claims, chains and same-as relations: the count never grows
with rows. bench/write_path.py times it at scale. A change that adds a statement changes the
pin here, in the open, with a reason.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from claims import recording
from claims.models import Attribution, ClaimRelation
from tests.claims.factories import AppearanceFactory, ClaimFactory, ClaimRelationFactory
from tests.factories import (
    AnonymousSourceFactory,
    DocumentFactory,
    OrganizationFactory,
    PersonFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

Role = Attribution.Role
# Data statements (SELECT, INSERT, UPDATE); savepoints counted apart. Per statement:
#   claim_create: INSERT claim, INSERT its history row (the author is the user at hand, not
#     looked up again);
#   appearance_create: lock + status, duplicate check, touch, INSERT appearance, history row;
#   chain_set: lock + status, lock the appearance, the old chain, INSERT links, history rows,
#     recount (same-as closure, lock + stored counts, chain keys, UPDATE the count), touch.
DATA_STATEMENTS = 17
# SAVEPOINT + RELEASE for the block in record() (the test's transaction is around it), then
# for claim_create, appearance_create and chain_set; the recount inside chain_set takes none.
SAVEPOINT_STATEMENTS = 8


def record(editor, document, *, origin, reporter, publisher):
    with transaction.atomic():
        claim = recording.claim_create(text="The port will close in May.", user=editor)
        appearance = recording.appearance_create(
            claim=claim, document=document, exact=document.body.split("\n\n")[0], user=editor
        )
        recording.chain_set(
            appearance=appearance,
            links=[
                recording.ChainLink(Role.ORIGIN, origin, "said"),
                recording.ChainLink(Role.REPORTER, reporter, "reported"),
                recording.ChainLink(Role.PUBLISHER, publisher),
            ],
        )
    return claim


def counted(editor, **agents):
    document = DocumentFactory()
    with CaptureQueriesContext(connection) as captured:
        claim = record(editor, document, **agents)
    statements = [q["sql"] for q in captured.captured_queries]
    savepoints = [s for s in statements if "SAVEPOINT" in s]
    data = [s for s in statements if "SAVEPOINT" not in s]
    return claim, data, savepoints


def test_recording_a_claim_with_a_chain_costs_the_pinned_statements():
    editor = StaffFactory(username="w-editor", groups=["Editors"])
    agents = {
        "origin": PersonFactory(),
        "reporter": OrganizationFactory(name="Reporter One"),
        "publisher": OrganizationFactory(name="Publisher One"),
    }

    claim, data, savepoints = counted(editor, **agents)

    assert claim.appearances.get().chain.count() == 3
    claim.refresh_from_db()
    assert claim.independent_origins == 1
    assert len(data) == DATA_STATEMENTS, "\n".join(data)
    assert len(savepoints) == SAVEPOINT_STATEMENTS, "\n".join(savepoints)


def test_the_count_does_not_grow_with_rows():
    editor = StaffFactory(username="w-editor", groups=["Editors"])
    for _ in range(15):  # other claims with chains, and same-as links among them
        link = AppearanceFactory(claim=ClaimFactory())
        recording.chain_set(
            appearance=link, links=[recording.ChainLink(Role.ORIGIN, AnonymousSourceFactory())]
        )
    for _ in range(5):
        ClaimRelationFactory(kind=ClaimRelation.Kind.SAME_AS)
    agents = {
        "origin": AnonymousSourceFactory(),
        "reporter": OrganizationFactory(name="Reporter Two"),
        "publisher": OrganizationFactory(name="Publisher Two"),
    }

    _, data, savepoints = counted(editor, **agents)

    assert len(data) == DATA_STATEMENTS, "\n".join(data)
    assert len(savepoints) == SAVEPOINT_STATEMENTS
