"""The licensing decisions for each action, audience and sharing scope."""

import datetime

import pytest
from django.utils import timezone

from sources.licensing import Action, Audience, audience_for, decide, summary
from sources.models import LicenseTerms
from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    LicenseTermsFactory,
    ReservedLicenseTermsFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reserved_document():
    return DocumentFactory(license=ReservedLicenseTermsFactory())


@pytest.fixture
def public_document():
    return DocumentFactory(
        license=LicenseTermsFactory(
            sharing_scope=LicenseTerms.SharingScope.PUBLIC, max_external_quote_chars=300
        )
    )


def test_mining_a_tdm_reserved_document_is_refused_naming_the_legal_basis(reserved_document):
    decision = decide(document=reserved_document, action=Action.MINE, audience=Audience.STAFF)

    assert not decision.allowed
    assert "DK Medier reserves text and data mining" in decision.reason
    assert "DSM Directive Art. 4; Danish Copyright Act §11b" in decision.reason
    assert "Section 11b of the Copyright Act" in decision.clause


def test_an_agreement_in_force_granting_tdm_allows_mining(reserved_document):
    holder = reserved_document.license.holder
    AgreementFactory(holder=holder, reference="IP agreement 2025", grants_tdm=True)

    decision = decide(document=reserved_document, action=Action.MINE, audience=Audience.STAFF)

    assert decision.allowed
    assert "IP agreement 2025" in decision.reason


def test_an_expired_agreement_grants_nothing(reserved_document):
    today = timezone.now().date()
    AgreementFactory(
        holder=reserved_document.license.holder,
        grants_tdm=True,
        valid_from=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=1),
    )

    assert not decide(document=reserved_document, action=Action.MINE, audience=Audience.STAFF)


def test_an_agreement_with_the_holders_group_applies_to_its_publication(reserved_document):
    # Terms held by a publication; the contract is with the group it belongs to.
    terms = reserved_document.license
    group = AgreementFactory(grants_tdm=True).holder
    terms.holder.parent = group
    terms.holder.save()

    assert decide(document=reserved_document, action=Action.MINE, audience=Audience.STAFF)


def test_mining_is_allowed_where_no_reservation_is_recorded(public_document):
    assert decide(document=public_document, action=Action.MINE, audience=Audience.STAFF)
    assert decide(
        document=DocumentFactory(license=None), action=Action.MINE, audience=Audience.STAFF
    )


@pytest.mark.parametrize(
    ("scope", "external_allowed"),
    [
        (LicenseTerms.SharingScope.PUBLIC, True),
        (LicenseTerms.SharingScope.SUBSCRIBERS, False),
        (LicenseTerms.SharingScope.INTERNAL, False),
    ],
)
def test_sharing_outside_and_full_text_follow_the_sharing_scope(scope, external_allowed):
    document = DocumentFactory(license=LicenseTermsFactory(sharing_scope=scope))

    share = decide(document=document, action=Action.SHARE_OUTSIDE, audience=Audience.EXTERNAL)
    full_text = decide(document=document, action=Action.VIEW_FULL_TEXT, audience=Audience.EXTERNAL)
    staff_view = decide(document=document, action=Action.VIEW_FULL_TEXT, audience=Audience.STAFF)

    assert share.allowed is external_allowed
    assert full_text.allowed is external_allowed
    assert staff_view.allowed
    if not external_allowed:
        assert document.license.get_sharing_scope_display().lower() in share.reason


def test_an_agreement_granting_external_sharing_overrides_an_internal_scope(reserved_document):
    AgreementFactory(holder=reserved_document.license.holder, grants_external_sharing=True)

    assert decide(
        document=reserved_document, action=Action.SHARE_OUTSIDE, audience=Audience.EXTERNAL
    )


def test_external_quotes_are_limited_to_the_terms_length(public_document):
    within = decide(
        document=public_document,
        action=Action.QUOTE_EXTERNALLY,
        audience=Audience.EXTERNAL,
        characters=300,
    )
    beyond = decide(
        document=public_document,
        action=Action.QUOTE_EXTERNALLY,
        audience=Audience.EXTERNAL,
        characters=301,
    )

    assert within.allowed
    assert not beyond.allowed
    assert "at most 300 characters" in beyond.reason


def test_a_zero_quote_limit_withholds_every_external_quote_but_not_internal_ones(reserved_document):
    external = decide(
        document=reserved_document,
        action=Action.QUOTE_EXTERNALLY,
        audience=Audience.EXTERNAL,
        characters=10,
    )
    internal = decide(
        document=reserved_document,
        action=Action.QUOTE_EXTERNALLY,
        audience=Audience.STAFF,
        characters=10_000,
    )

    assert not external.allowed
    assert "allow no quotation" in external.reason
    assert "internally" in external.clause
    assert internal.allowed


def test_an_agreement_quote_limit_overrides_the_terms(reserved_document):
    AgreementFactory(holder=reserved_document.license.holder, max_external_quote_chars=120)

    decision = decide(
        document=reserved_document,
        action=Action.QUOTE_EXTERNALLY,
        audience=Audience.EXTERNAL,
        characters=100,
    )

    assert decision.allowed
    assert "agreement" in decision.reason


def test_documents_without_terms_are_not_quoted_or_shared_outside():
    document = DocumentFactory(license=None)

    for action in (Action.QUOTE_EXTERNALLY, Action.SHARE_OUTSIDE, Action.VIEW_FULL_TEXT):
        decision = decide(
            document=document, action=action, audience=Audience.EXTERNAL, characters=1
        )
        assert not decision.allowed
        assert "No licence terms" in decision.reason


def test_audience_for_users():
    assert audience_for(StaffFactory()) == Audience.STAFF
    assert audience_for(UserFactory()) == Audience.EXTERNAL
    assert audience_for(None) == Audience.EXTERNAL


def test_summary_answers_every_audience_and_action_with_one_agreement_lookup(
    reserved_document, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = summary(reserved_document)

    assert len(rows) == len(Audience) * len(Action)
    assert all(decision.reason for _, _, decision in rows)


def test_full_text_to_outside_consumers_respects_the_quote_limit_too():
    # Found in review: public sharing alone let a 1,000-character body out past a 50 limit.
    terms = LicenseTermsFactory(
        sharing_scope=LicenseTerms.SharingScope.PUBLIC, max_external_quote_chars=50
    )
    long_document = DocumentFactory(license=terms, body="x" * 1000)
    short_document = DocumentFactory(license=terms, body="A short public notice.")

    long = decide(document=long_document, action=Action.VIEW_FULL_TEXT, audience=Audience.EXTERNAL)
    short = decide(
        document=short_document, action=Action.VIEW_FULL_TEXT, audience=Audience.EXTERNAL
    )

    assert not long.allowed
    assert "at most 50 characters" in long.reason
    assert short.allowed


def test_agreement_details_are_not_given_to_outside_consumers(reserved_document):
    AgreementFactory(
        holder=reserved_document.license.holder,
        reference="DKM-2025-SECRET-77",
        max_external_quote_chars=20,
        clause="Confidential: the newsroom pays EUR 40k a year.",
    )

    decision = decide(
        document=reserved_document,
        action=Action.QUOTE_EXTERNALLY,
        audience=Audience.EXTERNAL,
        characters=100,
    )

    assert not decision.allowed
    assert "DKM-2025-SECRET-77" not in decision.reason + decision.clause
    assert "EUR" not in decision.reason + decision.clause
    assert "agreement with DK Medier" in decision.reason


def test_one_rule_says_who_is_inside_for_licensing_and_visibility_alike(db):
    from claims.models import Claim, ClaimStatus
    from sources.licensing import Audience, audience_for
    from tests.claims.factories import ClaimFactory
    from tests.factories import UserFactory

    ClaimFactory(status=ClaimStatus.UNVERIFIED)
    # A superuser without a staff account used to get staff licensing but consumer visibility.
    not_staff_superuser = UserFactory(username="root-no-staff", is_superuser=True)
    inactive_staff = UserFactory(username="gone", is_staff=True, is_active=False)
    staff = UserFactory(username="desk", is_staff=True)

    for user in (not_staff_superuser, inactive_staff):
        assert audience_for(user) == Audience.EXTERNAL
        assert not Claim.objects.visible_to(user).exists()
    assert audience_for(staff) == Audience.STAFF
    assert Claim.objects.visible_to(staff).count() == 1


def test_no_agreement_given_is_looked_up_while_none_means_no_agreement(reserved_document):
    AgreementFactory(holder=reserved_document.license.holder, grants_tdm=True)

    looked_up = decide(document=reserved_document, action=Action.MINE, audience=Audience.STAFF)
    without = decide(
        document=reserved_document, action=Action.MINE, audience=Audience.STAFF, agreement=None
    )

    assert looked_up.allowed
    assert not without.allowed
