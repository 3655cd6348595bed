"""Fixtures of the adversarial suite: the demo story with one real object per page, no throttles."""

import types

import pytest
from django.urls import reverse

from claims.models import Claim, ClaimStatus
from newsroom.demo import load_demo


@pytest.fixture(autouse=True)
def no_throttling(monkeypatch):
    """The suite sends thousands of requests: lift the rate limits it is not testing."""
    from newsroom.api.base import FailedAuthenticationThrottle, TokenRateThrottle

    rates = {"token": "1000000/hour", "failed_auth": "1000000/hour"}
    monkeypatch.setattr(FailedAuthenticationThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def demo(editor, factchecker, consumer, superuser):
    """The demo story, the five roles, and one real object per endpoint and admin page."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone

    from newsroom.tokens import token_issue
    from sources.models import Agreement
    from tests.factories import AgreementFactory

    load_demo(with_users=False)
    users = {
        "editor": editor,
        "factchecker": factchecker,
        "consumer": consumer,
        "superuser": superuser,
    }
    concluded = Claim.objects.filter(status__in=[ClaimStatus.VERIFIED]).order_by("pk").first()
    appearance = concluded.appearances.order_by("pk").first()
    chain_link = appearance.chain.select_related("organization", "person").exclude(
        organization=None
    )
    o = types.SimpleNamespace(
        users=users,
        claim=concluded,
        open_claim=Claim.objects.filter(status=ClaimStatus.UNVERIFIED).order_by("pk").first()
        or Claim.objects.exclude(pk=concluded.pk).order_by("pk").first(),
        appearance=appearance,
        document=appearance.document,
        organization=chain_link.first().organization,
        person=next(
            link.person
            for c in Claim.objects.filter(status__in=[ClaimStatus.VERIFIED])
            for a in c.appearances.all()
            for link in a.chain.exclude(person=None)
        ),
        license=appearance.document.license,
    )
    token, _ = token_issue(user=consumer, name="an admin row")
    if not Agreement.objects.exists():
        AgreementFactory()  # with a holder of its own: it changes no demo document's terms
    AccessAttempt.objects.create(username="x", ip_address="203.0.113.1", failures_since_start=1)
    AccessLog.objects.create(username="x", ip_address="203.0.113.1", attempt_time=timezone.now())
    AccessFailureLog.objects.create(
        username="x", ip_address="203.0.113.1", attempt_time=timezone.now()
    )
    add_rows_the_demo_lacks(o)
    history = concluded.history.order_by("history_id").first()
    o.claim_history_url = reverse(
        "admin:claims_claim_simple_history", args=[concluded.pk, history.history_id]
    )
    appearance_history = appearance.history.order_by("history_id").first()
    o.appearance_history_url = reverse(
        "admin:claims_appearance_simple_history",
        args=[appearance.pk, appearance_history.history_id],
    )
    return o


def add_rows_the_demo_lacks(o) -> None:
    """One row of each admin-registered model the demo story leaves empty (feeds, corrections)."""
    from claims.models import VerificationEvent
    from newsroom.stories.models import Correction, NeedsCorrection, Story
    from sources.models import Feed, FeedEntry, IngestRun, SitePolicy, SiteSignal, TdmPolicy

    publisher = o.document.publisher
    feed = Feed.objects.create(
        name="Adversarial feed", publisher=publisher, url="https://example.org/feed.xml"
    )
    run = IngestRun.objects.create(feed=feed, source=feed.url, publisher=publisher)
    FeedEntry.objects.create(publisher=publisher, guid="item-1", document=o.document, last_run=run)
    policy = TdmPolicy.objects.create(url="https://example.org/tdm-policy.json", source="test")
    site = SitePolicy.objects.create(publisher=publisher, host="example.org")
    SiteSignal.objects.create(
        site=site, location="tdmrep_json", pattern="/", reservation=1, tdm_policy=policy
    )
    story = Story.objects.order_by("pk").first()
    assert story is not None, "the demo story is gone: create one here"
    correction = Correction.objects.create(
        story=story,
        text="An earlier version misstated the date.",
        published_by=o.users["superuser"],
    )
    NeedsCorrection.objects.create(
        story=story,
        claim=o.claim,
        use="asserts",
        old_status=ClaimStatus.VERIFIED,
        new_status=ClaimStatus.DISPUTED,
        verification_event=VerificationEvent.objects.order_by("pk").first(),
        correction=correction,
    )
    o.story = story
    o.story_history_url = reverse(
        "admin:stories_story_simple_history",
        args=[story.pk, story.history.order_by("history_id").first().history_id],
    )
