"""Fail closed: a notice the importer cannot classify withholds the text until an editor confirms.

Through the importer (its warnings), `decide()` (mining, quotes, sharing), the consumer API (a
quote withheld with the reason), the admin (confirm action and change form, who and when) and
re-import (the editor's correction stands).
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from claims.models import ClaimStatus
from newsroom.tokens import token_issue
from sources.ingest import document_import
from sources.licensing import Action, Audience, decide
from sources.models import LicenseTerms
from sources.terms import TermsError, license_terms_confirm, license_terms_save
from tests.claims.factories import AppearanceFactory, ClaimFactory
from tests.factories import AgreementFactory, DocumentFactory, LicenseTermsFactory, StaffFactory

pytestmark = pytest.mark.django_db

Status = LicenseTerms.TdmStatus
BODY = (
    "The ministry published its figures on Monday.\n\n"
    "Exports rose by four per cent in the third quarter, the figures show.\n"
)
UNREAD_NOTICE = (
    "© 2025 Päivälehti Oy. Kaikki oikeudet pidätetään. Tekstin- ja tiedonlouhinta kielletty."
)
UNCLASSIFIED_NOTICE = (
    "© 2025 Nordic Wire. Automated collection of our content is governed by our terms."
)
DANISH_NOTICE = (
    "© 2025 Jysk Avis. Tekst- og datamining er ikke tilladt, jf. ophavsretslovens § 11 b."
)
AWAITS = "await an editor's confirmation"


def unknown_document(**terms):
    license = LicenseTermsFactory(
        notice=UNCLASSIFIED_NOTICE,
        tdm_status=Status.UNKNOWN,
        tdm_clause="Automated collection of our content is governed by our terms.",
        max_external_quote_chars=300,
        **terms,
    )
    return DocumentFactory(license=license, publisher=license.holder)


# --- The import says so ---------------------------------------------------------------------------


def test_a_notice_in_an_unknown_language_imports_as_unknown_with_warnings_never_a_crash():
    result = document_import(raw=f"{BODY}{UNREAD_NOTICE}", publisher="Päivälehti Oy")

    terms = result.document.license
    assert result.created is True
    assert terms.tdm_status == Status.UNKNOWN
    assert terms.tdm_reserved is True
    assert terms.notice_language == ""
    assert terms.confirmed_at is None
    assert any("a language the importer does not read" in w for w in result.warnings)
    assert any("TDM status unknown" in w for w in result.warnings)
    assert any(AWAITS in w and "treated as reserved" in w for w in result.warnings)


def test_an_unclassified_english_notice_imports_as_unknown_and_is_not_mined():
    result = document_import(raw=f"{BODY}{UNCLASSIFIED_NOTICE}", publisher="Nordic Wire")

    decision = decide(document=result.document, action=Action.MINE, audience=Audience.STAFF)

    assert result.document.license.tdm_status == Status.UNKNOWN
    assert any("cannot classify" in w for w in result.warnings)
    assert not decision
    assert AWAITS in decision.reason
    assert decision.clause == "Automated collection of our content is governed by our terms."


def test_the_danish_reservation_of_the_issue_imports_as_reserved_and_is_not_mined():
    result = document_import(raw=f"{BODY}{DANISH_NOTICE}", publisher="Jysk Avis")

    terms = result.document.license
    decision = decide(document=result.document, action=Action.MINE, audience=Audience.STAFF)
    assert terms.tdm_status == Status.RESERVED
    assert terms.tdm_legal_basis == "Danish Copyright Act §11b"
    assert terms.notice_language == "da"
    assert not decision
    assert "Danish Copyright Act §11b" in decision.reason


def test_a_partial_reservation_imports_with_its_scope_and_the_document_is_not_mined():
    notice = (
        "© 2025 Nordic Wire. Agency material (Ritzau) on this page may not be used for text "
        "and data mining."
    )

    result = document_import(raw=f"{BODY}{notice}", publisher="Nordic Wire")

    terms = result.document.license
    decision = decide(document=result.document, action=Action.MINE, audience=Audience.STAFF)
    assert terms.tdm_status == Status.PARTIAL
    assert terms.tdm_scope == "Agency material (Ritzau) on this page"
    assert terms.holder.name == "Nordic Wire"
    assert any("only for part of the page" in w for w in result.warnings)
    assert not decision
    assert "for part of the content (“Agency material (Ritzau) on this page”)" in decision.reason
    assert "cannot be told apart" in decision.reason


def test_purposes_and_language_are_recorded_on_the_terms():
    notice = (
        "© 2025 Nordic Wire. Text and data mining is reserved, except for indexing by search "
        "engines."
    )

    terms = document_import(raw=f"{BODY}{notice}", publisher="Nordic Wire").document.license

    assert terms.tdm_status == Status.RESERVED
    assert terms.permitted_purposes == [LicenseTerms.Purpose.SEARCH_INDEXING]
    assert terms.notice_language == "en"


# --- decide() fails closed ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action", [Action.MINE, Action.QUOTE_EXTERNALLY, Action.SHARE_OUTSIDE, Action.VIEW_FULL_TEXT]
)
def test_unknown_terms_withhold_mining_and_everything_outside_with_the_reason(action):
    document = unknown_document(sharing_scope=LicenseTerms.SharingScope.PUBLIC)
    audience = Audience.STAFF if action == Action.MINE else Audience.EXTERNAL

    decision = decide(document=document, action=action, audience=audience, characters=20)

    assert not decision
    assert AWAITS in decision.reason
    assert "treated as reserved" in decision.reason


def test_staff_may_still_read_and_quote_unknown_terms_inside_the_newsroom():
    document = unknown_document()

    for action in (Action.VIEW_FULL_TEXT, Action.QUOTE_EXTERNALLY):
        assert decide(document=document, action=action, audience=Audience.STAFF, characters=20)


def test_an_agreement_granting_mining_applies_even_before_confirmation():
    document = unknown_document()
    AgreementFactory(holder=document.license.holder, grants_tdm=True, reference="TDM-1")

    decision = decide(document=document, action=Action.MINE, audience=Audience.STAFF)

    assert decision
    assert "TDM-1" in decision.reason


def test_conditional_terms_are_not_mined_without_an_agreement_and_say_why():
    license = LicenseTermsFactory(
        tdm_status=Status.CONDITIONAL,
        tdm_clause="Text and data mining requires a separate licence from Acme Media.",
    )
    document = DocumentFactory(license=license, publisher=license.holder)

    decision = decide(document=document, action=Action.MINE, audience=Audience.STAFF)

    assert not decision
    assert "only under a licence or permission" in decision.reason
    assert decision.clause == "Text and data mining requires a separate licence from Acme Media."


# --- The editor confirms or corrects --------------------------------------------------------------


def test_confirming_unknown_terms_is_refused_until_the_editor_chooses_a_status(editor):
    document = unknown_document()

    with pytest.raises(TermsError, match="'unknown' cannot be confirmed"):
        license_terms_confirm(terms=document.license, user=editor)

    document.license.refresh_from_db()
    assert document.license.confirmed_at is None


def test_an_editors_correction_is_what_decide_uses_and_records_who_and_when(editor):
    document = unknown_document()
    terms = document.license

    terms.tdm_status = Status.NOT_RESERVED
    license_terms_save(terms=terms, user=editor, changed=["tdm_status"])

    document.refresh_from_db()
    terms.refresh_from_db()
    assert terms.tdm_reserved is False
    assert terms.confirmed_by == editor
    assert terms.confirmed_at is not None
    assert decide(document=document, action=Action.MINE, audience=Audience.STAFF)
    quote = decide(
        document=document,
        action=Action.QUOTE_EXTERNALLY,
        audience=Audience.EXTERNAL,
        characters=20,
    )
    assert quote
    assert "allow quotes of up to 300 characters" in quote.reason


def test_setting_the_status_back_to_unknown_clears_the_confirmation(editor):
    terms = LicenseTermsFactory(tdm_status=Status.RESERVED)
    license_terms_confirm(terms=terms, user=editor)

    terms.tdm_status = Status.UNKNOWN
    license_terms_save(terms=terms, user=editor, changed=["tdm_status"])

    terms.refresh_from_db()
    assert terms.confirmed_at is None
    assert terms.awaits_confirmation


def test_confirming_needs_the_permission_to_change_terms(factchecker):
    terms = LicenseTermsFactory(tdm_status=Status.RESERVED)

    with pytest.raises(PermissionDenied):
        license_terms_confirm(terms=terms, user=factchecker)


def test_reimporting_the_same_notice_keeps_the_editors_correction(editor):
    first = document_import(raw=f"{BODY}{UNCLASSIFIED_NOTICE}", publisher="Nordic Wire")
    terms = first.document.license
    terms.tdm_status = Status.RESERVED
    terms.tdm_legal_basis = "DSM Directive Art. 4"
    license_terms_save(terms=terms, user=editor, changed=["tdm_status", "tdm_legal_basis"])

    again = document_import(
        raw=f"Another article on the same figures.\n\n{UNCLASSIFIED_NOTICE}",
        publisher="Nordic Wire",
    )

    assert again.document.license == terms
    terms.refresh_from_db()
    assert terms.tdm_status == Status.RESERVED
    assert terms.tdm_legal_basis == "DSM Directive Art. 4"
    assert terms.confirmed_by == editor
    assert not any(AWAITS in w for w in again.warnings)
    decision = decide(document=again.document, action=Action.MINE, audience=Audience.STAFF)
    assert "reserves text and data mining under DSM Directive Art. 4" in decision.reason


def test_reimporting_unconfirmed_terms_warns_again():
    document_import(raw=f"{BODY}{UNCLASSIFIED_NOTICE}", publisher="Nordic Wire")

    again = document_import(
        raw=f"Another article on the same figures.\n\n{UNCLASSIFIED_NOTICE}",
        publisher="Nordic Wire",
    )

    assert any(AWAITS in w for w in again.warnings)


# --- In the admin ---------------------------------------------------------------------------------


def test_the_admin_confirm_action_records_the_editor_and_refuses_unknown(client, editor):
    known = LicenseTermsFactory(tdm_status=Status.RESERVED)
    unknown = unknown_document().license
    client.force_login(editor)

    response = client.post(
        reverse("admin:sources_licenseterms_changelist"),
        {"action": "confirm_terms", "_selected_action": [known.pk, unknown.pk]},
        follow=True,
    )

    known.refresh_from_db()
    unknown.refresh_from_db()
    assert known.confirmed_by == editor
    assert unknown.confirmed_at is None
    shown = [str(m) for m in response.context["messages"]]
    assert "Confirmed 1 licence terms." in shown
    assert any("'unknown' cannot be confirmed" in m for m in shown)


def test_the_admin_form_corrects_and_confirms_through_the_service(client, editor):
    document = unknown_document()
    terms = document.license
    client.force_login(editor)
    url = reverse("admin:sources_licenseterms_change", args=[terms.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data |= {
        "holder": terms.holder_id,
        "tdm_status": Status.CONDITIONAL,
        "permitted_purposes": [LicenseTerms.Purpose.SCIENTIFIC_RESEARCH],
        "confirm": "on",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    terms.refresh_from_db()
    assert terms.tdm_status == Status.CONDITIONAL
    assert terms.tdm_reserved is True
    assert terms.permitted_purposes == [LicenseTerms.Purpose.SCIENTIFIC_RESEARCH]
    assert terms.confirmed_by == editor
    decision = decide(document=document, action=Action.MINE, audience=Audience.STAFF)
    assert "only under a licence or permission" in decision.reason


def test_the_admin_form_refuses_to_confirm_an_unknown_status(client, editor):
    terms = unknown_document().license
    client.force_login(editor)
    url = reverse("admin:sources_licenseterms_change", args=[terms.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data |= {"holder": terms.holder_id, "confirm": "on"}

    response = client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "'unknown' cannot be confirmed" in errors["tdm_status"][0]
    terms.refresh_from_db()
    assert terms.confirmed_at is None


# --- The consumer API -----------------------------------------------------------------------------


def test_the_consumer_api_withholds_a_quote_under_unknown_terms_with_the_reason(consumer, editor):
    document = unknown_document()
    claim = ClaimFactory(status=ClaimStatus.VERIFIED, created_by=StaffFactory())
    AppearanceFactory(claim=claim, document=document)
    _, key = token_issue(user=consumer, name="feed")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    before = api.get(f"/api/v1/claims/{claim.pk}/").json()["appearances"][0]
    terms = document.license
    terms.tdm_status = Status.NOT_RESERVED
    license_terms_save(terms=terms, user=editor, changed=["tdm_status"])
    after = api.get(f"/api/v1/claims/{claim.pk}/").json()["appearances"][0]

    assert before["quote"] is None
    assert AWAITS in before["withheld"]
    assert "governed by our terms" in before["withheld"]
    assert after["quote"] == document.body.split("\n\n")[0]
    assert "withheld" not in after


# --- Finding the notice (sources.text, another module's, uses the table's markers) --------------


def test_a_danish_notice_without_a_copyright_sign_is_found_and_reserved():
    notice = (
        "Tekst- og datamining er ikke tilladt, jf. ophavsretslovens § 11 b.\n\n"
        "Artiklerne må kun deles internt i virksomheden."
    )

    result = document_import(raw=f"{BODY}\n{notice}", publisher="Jysk Avis")

    terms = result.document.license
    assert terms is not None
    assert terms.tdm_status == Status.RESERVED
    assert terms.sharing_scope == LicenseTerms.SharingScope.INTERNAL
    assert "datamining" not in result.document.body
