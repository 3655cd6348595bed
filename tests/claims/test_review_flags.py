"""A withdrawn document flags the claims resting on it for review, in the same transaction."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from claims import review_flags
from claims.models import Claim, ReviewFlag
from sources.documents import document_withdraw
from sources.feed_ingest import feed_ingest
from sources.models import Document
from sources.system import system_user
from tests.claims.factories import AppearanceFactory, ClaimFactory
from tests.factories import DocumentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

FEEDS = Path(__file__).parents[1] / "sources" / "data" / "feeds"


def test_withdrawing_a_document_flags_every_claim_appearing_in_it():
    document = DocumentFactory()
    first, second = AppearanceFactory(document=document), AppearanceFactory(document=document)
    elsewhere = AppearanceFactory()

    assert document_withdraw(document=document, reason="the sender's kill notice: legal")

    flagged = Claim.objects.flagged(ReviewFlag.Reason.WITHDRAWN_DOCUMENT)
    assert set(flagged) == {first.claim, second.claim}
    assert elsewhere.claim not in flagged
    flag = ReviewFlag.objects.get(claim=first.claim)
    assert flag.document == document and "legal" in flag.note
    # Withdrawing again changes nothing and raises no second flag.
    assert not document_withdraw(document=document, reason="again")
    assert ReviewFlag.objects.count() == 2


def test_a_withdrawal_without_a_reason_is_refused_and_changes_nothing():
    from django.core.exceptions import ValidationError

    document = AppearanceFactory().document
    with pytest.raises(ValidationError):
        document_withdraw(document=document, reason="  ")
    document.refresh_from_db()
    assert document.withdrawn_at is None and not ReviewFlag.objects.exists()


def test_the_withdrawal_and_its_flags_land_together_or_not_at_all(monkeypatch):
    document = AppearanceFactory().document

    def broken(**kwargs):
        raise RuntimeError("flagging failed")

    monkeypatch.setattr(review_flags, "claims_flag_for_withdrawn_document", broken)
    with pytest.raises(RuntimeError):
        document_withdraw(document=document, reason="kill notice")
    document.refresh_from_db()
    assert document.withdrawn_at is None


def test_a_feed_kill_flags_the_claims_resting_on_the_item():
    ritzau = OrganizationFactory(name="Ritzau", kind="news_agency")
    after = datetime.datetime(2025, 11, 21, tzinfo=datetime.UTC)
    ingest = {"publisher": ritzau, "source": "test", "user": system_user(), "now": after}
    feed_ingest(data=(FEEDS / "newsml_usable.xml").read_bytes(), **ingest)
    appearance = AppearanceFactory(document=Document.objects.get())

    run = feed_ingest(data=(FEEDS / "newsml_kill.xml").read_bytes(), **ingest)

    assert run.withdrawn == 1
    assert list(Claim.objects.flagged()) == [appearance.claim]
    assert "kill notice" in ReviewFlag.objects.get().note


def test_the_review_queue_lists_claims_resting_on_a_withdrawn_document(client, factchecker):
    appearance = AppearanceFactory(claim=ClaimFactory(summary="Rests on the killed story"))
    document_withdraw(document=appearance.document, reason="the sender's kill notice")
    client.force_login(factchecker)

    html = client.get(reverse("admin:claims_claim_queue")).content.decode()

    section = html[html.index('id="queue-withdrawn_document"') :]
    assert "Rests on a withdrawn document" in section
    assert "Rests on the killed story" in section
    change = client.get(reverse("admin:claims_claim_change", args=[appearance.claim_id]))
    assert "Open review flags" in change.content.decode()
    assert "the sender&#x27;s kill notice" in change.content.decode()
    changelist = client.get(
        reverse("admin:claims_claim_changelist"), {"queue": "withdrawn_document"}
    )
    assert "Rests on the killed story" in changelist.content.decode()


def test_resolving_a_flag_takes_a_fact_checker_and_records_who(editor, factchecker):
    appearance = AppearanceFactory()
    document_withdraw(document=appearance.document, reason="kill notice")
    with pytest.raises(PermissionDenied):
        review_flags.review_flags_resolve(claim_ids=[appearance.claim_id], user=editor)

    assert review_flags.review_flags_resolve(claim_ids=[appearance.claim_id], user=factchecker) == 1

    flag = ReviewFlag.objects.get()
    assert flag.resolved_by == factchecker and flag.resolved_at is not None
    assert not Claim.objects.flagged().exists()
