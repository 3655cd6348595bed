"""The per-audience watermark behind the list validators (claims/watermark.py, issue 11).

Consumers' `Last-Modified` moves when anything they can see changes and never for hidden work
(issue 9 D12); staff's moves for every change; reading it is one query, whatever the data.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from claims.models import ChangeStamp, Claim, ClaimStatus
from claims.recording import claim_update
from claims.watermark import latest_change
from claims.workflow import Evidence, claim_transition
from newsroom.demo import load_demo
from sources.licensing import Audience
from tests.claims.factories import AppearanceFactory, AttributionFactory, ClaimFactory
from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    LicenseTermsFactory,
    PersonFactory,
)

CLAIMS = "/api/v1/claims/"
OUTSIDE, STAFF = Audience.EXTERNAL, Audience.STAFF


@pytest.fixture
def demo(db, committed):
    with committed():
        load_demo(with_users=False)


def stamps():
    return latest_change(OUTSIDE), latest_change(STAFF)


def published_claim() -> Claim:
    return Claim.objects.filter(status=ClaimStatus.VERIFIED).first()


def moved(before, after) -> tuple[bool, bool]:
    return after[0] != before[0], after[1] != before[1]


def test_the_demo_leaves_both_audiences_a_watermark(demo):
    outside, staff = stamps()
    assert outside is not None and staff is not None
    assert staff >= outside


@pytest.mark.parametrize(
    "change",
    [
        "document edited",
        "terms edited",
        "agreement with the holder",
        "publisher renamed",
        "person renamed",
    ],
)
def test_what_a_consumer_sees_moves_both_watermarks(change, demo, committed):
    claim = published_claim()
    appearance = claim.appearances.select_related("document__license__holder").first()
    document = appearance.document
    before = stamps()

    with committed():
        if change == "document edited":
            document.headline = "A corrected headline"
            document.save()
        elif change == "terms edited":
            document.license.max_external_quote_chars = 0
            document.license.save()
        elif change == "agreement with the holder":
            AgreementFactory(holder=document.license.holder)
        elif change == "publisher renamed":
            document.publisher.name += " (renamed)"
            document.publisher.save()
        else:
            person = PersonFactory()
            AttributionFactory(
                appearance=appearance,
                position=9,
                role="relay",
                anonymous_source=None,
                person=person,
            )
    if change == "person renamed":
        before = stamps()
        with committed():
            person.name = "Renamed Person"
            person.save()

    assert moved(before, stamps()) == (True, True)


def test_concluding_a_claim_moves_the_consumers_watermark(demo, factchecker, committed):
    claim = Claim.objects.filter(status=ClaimStatus.IN_REVIEW).first()
    before = stamps()

    with committed():
        claim_transition(
            claim=claim,
            to=ClaimStatus.VERIFIED,
            actor=factchecker,
            expected_version=claim.version,
            rationale="Confirmed on the record.",
            evidence=[Evidence(url="https://example.org/on-the-record")],
        )

    assert moved(before, stamps()) == (True, True)
    claim.refresh_from_db()
    assert latest_change(OUTSIDE) == claim.updated_at


@pytest.mark.parametrize(
    "change", ["unrelated import", "hidden claim reworded", "unrelated terms", "new claim"]
)
def test_hidden_work_moves_only_the_staff_watermark(change, demo, committed):
    before = stamps()

    with committed():
        if change == "unrelated import":
            DocumentFactory(license=LicenseTermsFactory(), headline="Not yet quoted by any claim")
        elif change == "hidden claim reworded":
            claim_update(
                claim=Claim.objects.filter(status=ClaimStatus.UNVERIFIED).first(),
                text="Reworded while still unverified.",
            )
        elif change == "unrelated terms":
            AgreementFactory(holder=LicenseTermsFactory().holder)
        else:
            claim = ClaimFactory(status=ClaimStatus.UNVERIFIED)
            AttributionFactory(appearance=AppearanceFactory(claim=claim))

    assert moved(before, stamps()) == (False, True)


def test_a_reopened_claim_still_moves_the_consumers_watermark(demo, factchecker, committed):
    # Its readers had it: reopening takes it off their lists, which is a change to them.
    claim = published_claim()
    before = stamps()

    with committed():
        claim_transition(
            claim=claim,
            to=ClaimStatus.IN_REVIEW,
            actor=factchecker,
            expected_version=claim.version,
            rationale="New evidence to weigh.",
        )

    assert moved(before, stamps()) == (True, True)


def test_the_list_reads_the_watermark_in_one_query(demo, consumer, editor):
    from newsroom.api.claims import list_last_modified

    lifted = timezone.now() - datetime.timedelta(hours=1)
    AppearanceFactory(
        claim=ClaimFactory(status=ClaimStatus.VERIFIED),
        document=DocumentFactory(embargo_until=lifted),
    )
    assert newest_lifted_embargo() is not None
    ChangeStamp.objects.all().delete()
    # Before anything was ever stamped: the newest passed embargo alone, in a second query.
    with CaptureQueriesContext(connection) as unstamped:
        unstamped_answer = list_last_modified(consumer)
    assert unstamped_answer == newest_lifted_embargo()
    assert len(unstamped) == 2
    ChangeStamp.objects.create(audience=Audience.STAFF, at=timezone.now())
    ChangeStamp.objects.create(audience=Audience.EXTERNAL, at=timezone.now())

    with CaptureQueriesContext(connection) as staff_queries:
        list_last_modified(editor)
    with CaptureQueriesContext(connection) as queries:
        stamp = list_last_modified(consumer)

    assert stamp == max(ChangeStamp.objects.latest_for(Audience.EXTERNAL), newest_lifted_embargo())
    # Staff: the stamp alone. Outside: the stamp, and the newest embargo that has passed on a
    # document consumers can see (no write marks that moment), read from embargo_until's index
    # in the same statement.
    assert len(staff_queries) == 1
    assert len(queries) == 1
    sql = queries.captured_queries[0]["sql"].lower()
    assert "changestamp" in sql and "embargo_until" in sql and "max(" not in sql


def newest_lifted_embargo():
    from django.contrib.auth.models import AnonymousUser

    from claims.visibility import documents_visible_to

    return (
        documents_visible_to(AnonymousUser())
        .filter(embargo_until__lte=timezone.now())
        .aggregate(newest=Max("embargo_until"))["newest"]
    )


def test_the_consumer_list_date_is_the_outside_watermark(demo, consumer):
    from tests.claims.test_api import token_client

    response = token_client(consumer).get(CLAIMS)

    assert response["Last-Modified"] == http_date(latest_change(OUTSIDE).timestamp())


def test_each_change_inserts_rows_and_moves_no_shared_row(demo, committed):
    # Concurrent writers never wait on one another's watermark: no row is ever updated.
    count = ChangeStamp.objects.count()
    claim = published_claim()
    document = claim.appearances.first().document
    document.headline = "Edited"

    with CaptureQueriesContext(connection) as queries, committed():
        document.save()

    assert ChangeStamp.objects.count() == count + 2
    assert not any(
        "changestamp" in q["sql"].lower() and q["sql"].upper().startswith("UPDATE")
        for q in queries.captured_queries
    )


def test_a_transaction_stamps_once_per_audience_after_its_commit(demo, committed):
    # Stamping waits for the commit, out of the services' row locks, and a transaction that
    # saves many rows (here through a service's own nested transaction too) writes one row
    # per audience, dated by its newest change (the publisher's save: it has no updated_at).
    count = ChangeStamp.objects.count()
    document = published_claim().appearances.first().document
    hidden = Claim.objects.filter(status=ClaimStatus.UNVERIFIED).first()

    with committed() as callbacks, transaction.atomic():
        claim_update(claim=hidden, text="Reworded while still unverified.")
        document.headline = "Edited"
        document.save()
        document.license.save()
        document.publisher.save()
        assert ChangeStamp.objects.count() == count  # nothing before the commit

    assert len(callbacks) == 1
    assert ChangeStamp.objects.count() == count + 2
    assert latest_change(OUTSIDE) == latest_change(STAFF) >= document.updated_at


def test_work_that_rolls_back_stamps_nothing(demo, committed):
    # Neither a savepoint rolled back inside a committed transaction nor a whole one: the
    # public edits below are undone, so consumers' date stays, and staff's moves once.
    count, before = ChangeStamp.objects.count(), stamps()
    document = published_claim().appearances.first().document
    document.headline = "Undone"

    with committed():
        with transaction.atomic():
            LicenseTermsFactory()  # hidden work, kept
            try:
                with transaction.atomic():  # a savepoint: its batch goes with it
                    document.save()
                    raise RuntimeError
            except RuntimeError:
                pass
        with pytest.raises(RuntimeError), transaction.atomic():
            document.save()
            raise RuntimeError

    assert ChangeStamp.objects.count() == count + 1
    assert moved(before, stamps()) == (False, True)


def test_pruning_keeps_only_the_newest_stamp_of_each_audience(demo, committed):
    from claims.tasks import prune_change_stamps

    for round_ in range(3):
        with committed():
            claim = published_claim()
            claim.summary = f"Edited, round {round_}"  # summaries are at most 75 characters
            claim.save()
    before = latest_change(Audience.EXTERNAL), latest_change(Audience.STAFF)
    assert ChangeStamp.objects.filter(audience=Audience.STAFF).count() > 1

    deleted = prune_change_stamps.delay().get()

    assert deleted > 0
    assert (latest_change(Audience.EXTERNAL), latest_change(Audience.STAFF)) == before
    for audience in Audience:  # only the newest is left (ties at that moment are kept)
        left = set(ChangeStamp.objects.filter(audience=audience).values_list("at", flat=True))
        assert left <= {latest_change(audience)}, (audience, left)
    assert prune_change_stamps.delay().get() == 0  # nothing left to prune


def test_the_prune_runs_on_the_beat():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "claims.tasks.prune_change_stamps" in tasks
