"""Rights notices: found at the end of the text, read into LicenseTerms, and recorded once."""

import pytest

from sources.ingest import document_import
from sources.models import LicenseTerms, Organization
from sources.notices import parse_notice
from sources.text import normalise
from tests.factories import LicenseTermsFactory, OrganizationFactory

TDM_SENTENCE = (
    "DK Medier reserves all rights to the content, including the right to exploit the content "
    "for the purpose of text and data mining, cf. Section 11b of the Copyright Act and Article 4 "
    "of the DSM Directive."
)
INTERNAL_SENTENCE = (
    "Customers with IP or major-customer agreements may only share Danish Offshore Industry "
    "articles internally for the purpose of handling specific cases."
)
SUBSCRIBERS_SENTENCE = (
    "Personal subscribers may not share Danish Offshore Industry articles with individuals who "
    "do not themselves have a personal subscription."
)
CONSENT_SENTENCE = "Any deviation from the above requires written consent from DK Medier."
DK_MEDIER_NOTICE = "\n\n".join(
    [TDM_SENTENCE, INTERNAL_SENTENCE, SUBSCRIBERS_SENTENCE, CONSENT_SENTENCE]
)
PLAIN_NOTICE = "© 2025 Nordic Wire ApS. All rights reserved."

BODY = (
    "The United States has put plans to sanction China's Ministry of State Security on hold.\n"
    "The Reuters news agency was not immediately able to verify the reports.\n"
)


# --- parse_notice ---------------------------------------------------------------------------------


def test_the_dk_medier_notice_reserves_tdm_under_two_named_legal_bases():
    terms = parse_notice(DK_MEDIER_NOTICE)

    assert terms.holder_name == "DK Medier"
    assert terms.tdm_reserved is True
    assert terms.tdm_legal_basis == "DSM Directive Art. 4; Danish Copyright Act §11b"
    assert terms.tdm_clause == TDM_SENTENCE
    assert terms.tdm_expression == LicenseTerms.TdmExpression.NATURAL_LANGUAGE


def test_the_dk_medier_notice_limits_sharing_to_internal_use_and_quotes_both_clauses():
    terms = parse_notice(DK_MEDIER_NOTICE)

    assert terms.sharing_scope == LicenseTerms.SharingScope.INTERNAL
    assert terms.sharing_clause == f"{INTERNAL_SENTENCE} {SUBSCRIBERS_SENTENCE}"
    assert CONSENT_SENTENCE not in terms.sharing_clause


def test_all_rights_reserved_alone_is_not_a_tdm_reservation_but_keeps_the_text_inside():
    terms = parse_notice(PLAIN_NOTICE)

    assert terms.holder_name == "Nordic Wire ApS"
    assert terms.tdm_reserved is False
    assert terms.tdm_legal_basis == ""
    assert terms.tdm_clause == ""
    assert terms.tdm_expression == LicenseTerms.TdmExpression.NONE
    # Reserving all rights grants no sharing: internal until an editor records more.
    assert terms.sharing_scope == LicenseTerms.SharingScope.INTERNAL
    assert "All rights reserved" in terms.sharing_clause


def test_a_subscription_only_restriction_gives_subscriber_scope():
    terms = parse_notice(f"{PLAIN_NOTICE} {SUBSCRIBERS_SENTENCE}")

    assert terms.sharing_scope == LicenseTerms.SharingScope.SUBSCRIBERS
    assert terms.sharing_clause == SUBSCRIBERS_SENTENCE


def test_an_outright_ban_on_redistribution_keeps_the_text_internal():
    terms = parse_notice(
        "Copyright 2025 The Associated Press. All rights reserved. This material may not be "
        "published, broadcast, rewritten or redistributed."
    )

    assert terms.holder_name == "The Associated Press"
    assert terms.sharing_scope == LicenseTerms.SharingScope.INTERNAL
    assert terms.tdm_reserved is False


def test_a_reservation_under_article_4_3_of_the_directive_is_a_tdm_reservation():
    sentence = (
        "Nordic Wire expressly reserves its rights under Article 4(3) of Directive (EU) 2019/790."
    )

    terms = parse_notice(sentence)

    assert terms.tdm_reserved is True
    assert terms.tdm_legal_basis == "DSM Directive Art. 4"
    assert terms.tdm_clause == sentence


def test_a_notice_that_does_not_reserve_tdm_is_read_as_such():
    terms = parse_notice(
        "© Nordic Wire 2025. Nordic Wire does not reserve text and data mining of its articles."
    )

    assert terms.tdm_reserved is False
    assert terms.holder_name == "Nordic Wire"


@pytest.mark.parametrize(
    ("notice", "holder"),
    [
        ("© 2025 Nordic Wire ApS. All rights reserved.", "Nordic Wire ApS"),
        ("Copyright © 2024-2025 Nordic Wire. All rights reserved.", "Nordic Wire"),
        ("Copyright 2025 Nordic Wire", "Nordic Wire"),
        ("All rights reserved under the Copyright Act.", ""),
    ],
)
def test_the_holder_is_read_from_the_copyright_line(notice, holder):
    assert parse_notice(notice).holder_name == holder


# --- Finding the notice in the text ---------------------------------------------------------------


def test_the_maximal_trailing_run_of_notice_paragraphs_becomes_the_notice():
    result = normalise(f"{BODY}\n{DK_MEDIER_NOTICE}\n")

    assert result.notice == DK_MEDIER_NOTICE
    assert len(result.paragraphs) == 2


def test_a_notice_wrapped_over_lines_is_unwrapped_like_the_body():
    wrapped = TDM_SENTENCE.replace(" to exploit", "\nto exploit").replace(" cf.", "\ncf.")

    result = normalise(f"{BODY}{wrapped}")

    assert result.notice == TDM_SENTENCE


def test_notice_like_body_paragraphs_before_the_strong_marker_stay_in_the_body():
    body_end = "The two countries signed a trade agreement in October."

    result = normalise(f"{BODY}{body_end}\n{PLAIN_NOTICE}")

    assert result.paragraphs[-1] == body_end
    assert result.notice == PLAIN_NOTICE


def test_text_mentioning_the_copyright_act_is_not_a_notice():
    text = f"{BODY}The Copyright Act was amended last year, the ministry said."

    result = normalise(text)

    assert result.notice == ""
    assert len(result.paragraphs) == 3


def test_a_rights_sentence_followed_by_more_article_text_is_not_a_trailing_notice():
    result = normalise(f"{BODY}{PLAIN_NOTICE}\nThe talks resume next week.")

    assert result.notice == ""
    assert PLAIN_NOTICE in result.paragraphs


# --- Recording the terms --------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_records_licence_terms_read_from_the_notice():
    result = document_import(raw=f"{BODY}{DK_MEDIER_NOTICE}", publisher="DK Medier")

    terms = result.document.license
    terms.refresh_from_db()
    assert terms.holder == Organization.objects.get(name="DK Medier")
    assert terms.notice == DK_MEDIER_NOTICE
    assert terms.tdm_reserved is True
    assert terms.tdm_legal_basis == "DSM Directive Art. 4; Danish Copyright Act §11b"
    assert terms.tdm_expression == LicenseTerms.TdmExpression.NATURAL_LANGUAGE
    assert terms.tdm_clause == TDM_SENTENCE
    assert terms.sharing_scope == LicenseTerms.SharingScope.INTERNAL
    assert terms.sharing_clause == f"{INTERNAL_SENTENCE} {SUBSCRIBERS_SENTENCE}"
    assert terms.max_external_quote_chars == 0
    assert DK_MEDIER_NOTICE not in result.document.body


@pytest.mark.django_db
def test_import_of_a_plain_copyright_notice_records_no_tdm_reservation():
    result = document_import(raw=f"{BODY}{PLAIN_NOTICE}", publisher="Nordic Wire ApS")

    terms = result.document.license
    assert terms.tdm_reserved is False
    assert terms.tdm_expression == LicenseTerms.TdmExpression.NONE
    assert terms.sharing_scope == LicenseTerms.SharingScope.INTERNAL


@pytest.mark.django_db
def test_a_notice_seen_before_reuses_its_terms_however_it_was_wrapped():
    first = document_import(raw=f"{BODY}{DK_MEDIER_NOTICE}", publisher="DK Medier")
    rewrapped = DK_MEDIER_NOTICE.replace(" to exploit", "\nto exploit")

    second = document_import(raw=f"A different article body.\n{rewrapped}", publisher="DK Medier")

    assert second.created is True
    assert second.document.license == first.document.license
    assert LicenseTerms.objects.count() == 1
    assert "Linked the licence terms already recorded for DK Medier." in second.warnings


@pytest.mark.django_db
def test_existing_terms_are_reused_as_an_editor_left_them():
    editor_terms = LicenseTermsFactory(notice=PLAIN_NOTICE, max_external_quote_chars=300)

    result = document_import(raw=f"{BODY}{PLAIN_NOTICE}", publisher="Nordic Wire ApS")

    assert result.document.license == editor_terms
    editor_terms.refresh_from_db()
    assert editor_terms.max_external_quote_chars == 300


@pytest.mark.django_db
def test_the_holder_is_found_by_name_whatever_its_case():
    holder = OrganizationFactory(name="DK MEDIER")

    result = document_import(raw=f"{BODY}{DK_MEDIER_NOTICE}", publisher="Danish Offshore Industry")

    assert result.document.license.holder == holder
    assert Organization.objects.filter(name__iexact="dk medier").count() == 1


@pytest.mark.django_db
def test_a_holder_not_yet_recorded_is_created_as_a_publisher_with_a_warning():
    result = document_import(raw=f"{BODY}{PLAIN_NOTICE}", publisher="Some Aggregator")

    holder = result.document.license.holder
    assert holder.name == "Nordic Wire ApS"
    assert holder.kind == Organization.Kind.PUBLISHER
    assert "Created the rights holder Nordic Wire ApS (Publisher)." in result.warnings


@pytest.mark.django_db
def test_a_notice_naming_no_holder_falls_back_to_the_publishers_group():
    group = OrganizationFactory(name="DK Medier")
    OrganizationFactory(name="Danish Offshore Industry", parent=group)
    notice = "All rights reserved. Text and data mining is prohibited."

    result = document_import(raw=f"{BODY}{notice}", publisher="Danish Offshore Industry")

    terms = result.document.license
    assert terms.holder == group
    assert terms.tdm_reserved is True
    assert any("names no holder" in warning for warning in result.warnings)


@pytest.mark.django_db
def test_no_notice_means_no_licence_terms_and_a_warning():
    result = document_import(raw=BODY, publisher="DK Medier")

    assert result.document.license is None
    assert LicenseTerms.objects.count() == 0
    assert "No rights notice was found; record the licence terms by hand." in result.warnings
