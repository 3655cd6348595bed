"""The admin reads plainly (issue 13, Clarity): the licence panel, status badges, one date
format, no empty sections the user cannot add to, and the way in to importing a document."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from claims.models import Claim, ClaimStatus
from claims.workflow import claim_transition
from sources.models import Document, Organization, OrganizationAlias
from tests.claims.factories import AppearanceFactory, ClaimFactory, ExternalCheckFactory
from tests.claims.test_admin_review import colour, contrast
from tests.factories import (
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    ReservedLicenseTermsFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

ADMIN_CSS = Path(__file__).resolve().parents[2] / "newsroom/static/newsroom/admin.css"
AT = datetime.datetime(2026, 12, 3, 14, 5, tzinfo=datetime.UTC)
SHOWN = "3 Dec 2026, 14:05"


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def licence_panel(html: str) -> str:
    return re.search(r'<table class="licence-panel">.*?</table>', html, re.S).group(0)


def panel_row(panel: str, who: str, what: str) -> str:
    who, what = escape(who), escape(what)
    found = re.search(
        rf"<tr><th scope=\"row\">{re.escape(who)}</th><td>{re.escape(what)}</td>"
        r".*?</tr>",
        panel,
        re.S,
    )
    assert found, f"no row {who} / {what}"
    return found.group(0)


# --- The licence panel ------------------------------------------------------------------------


def test_licence_panel_says_staff_quoting_is_internal_use(client, editor):
    document = DocumentFactory(license=ReservedLicenseTermsFactory())

    panel = licence_panel(
        page(client, editor, reverse("admin:sources_document_change", args=[document.pk]))
    )

    staff_quoting = panel_row(panel, "Newsroom staff", "quote it to each other (internal use)")
    assert "<td>yes</td>" in staff_quoting
    # Staff are never asked whether they may "quote it to outside consumers".
    assert "quote it to outside consumers" not in panel
    outside = panel_row(panel, "Outside consumers", "receive a 200-character quote")
    assert "<td>no</td>" in outside


def test_licence_panel_warns_when_mining_is_reserved(client, editor):
    document = DocumentFactory(license=ReservedLicenseTermsFactory())

    panel = licence_panel(
        page(client, editor, reverse("admin:sources_document_change", args=[document.pk]))
    )

    mining = panel_row(
        panel, "The newsroom's tools", "mine it automatically (text and data mining)"
    )
    assert '<span class="tdm-reserved">⚠ no: mining reserved</span>' in mining
    assert "DK Medier reserves text and data mining under DSM Directive Art. 4" in mining
    # Mining is asked once: it does not depend on who would read the result.
    assert panel.count("mine it automatically") == 1


def test_licence_panel_without_terms_has_no_double_negative_and_no_empty_quotes(client, editor):
    document = DocumentFactory(license=None)

    panel = licence_panel(
        page(client, editor, reverse("admin:sources_document_change", args=[document.pk]))
    )

    assert "no holder has not" not in panel
    assert "not reserved" not in panel.replace("not reserved.", "")  # no "has not reserved"
    assert "No licence terms are recorded, so no reservation of text and data mining" in panel
    assert "<q></q>" not in panel  # an empty clause reads as a dash
    assert "<td>—</td>" in panel


def test_document_list_shows_a_warning_sign_for_reserved_mining_not_a_tick(client, editor):
    DocumentFactory(headline="Reserved one", license=ReservedLicenseTermsFactory())
    DocumentFactory(headline="Open one", license=LicenseTermsFactory())
    DocumentFactory(headline="No terms", license=None)

    html = page(client, editor, reverse("admin:sources_document_changelist"))

    cells = re.findall(r'<td class="field-tdm_reserved">(.*?)</td>', html, re.S)
    assert sorted(cells) == sorted(
        ['<span class="tdm-reserved">⚠ mining reserved</span>', "not reserved", "no terms recorded"]
    )
    assert "icon-yes.svg" not in "".join(cells) and "icon-no.svg" not in "".join(cells)


# --- Status badges ----------------------------------------------------------------------------


def in_review(claim: Claim) -> Claim:
    editor = StaffFactory(groups=["Editors"])
    return claim_transition(
        claim=claim, to=ClaimStatus.IN_REVIEW, actor=editor, expected_version=claim.version
    )


BADGE = '<span class="status-badge status-in_review">In review</span>'


@pytest.mark.parametrize(
    "url",
    [
        lambda claim: reverse("admin:claims_claim_changelist"),
        lambda claim: reverse("admin:claims_claim_change", args=[claim.pk]),
        lambda claim: reverse("admin:claims_claim_queue"),
        lambda claim: reverse("admin:claims_claim_provenance", args=[claim.pk]),
        lambda claim: reverse("admin:claims_claim_transition", args=[claim.pk, "verified"]),
        lambda claim: reverse(
            "admin:sources_document_change", args=[claim.appearances.get().document_id]
        ),
    ],
    ids=["changelist", "claim page", "queue", "provenance", "move form", "document page"],
)
def test_status_shows_as_a_badge_with_its_name(client, factchecker, url):
    claim = in_review(AppearanceFactory().claim)

    assert BADGE in page(client, factchecker, url(claim))


def test_every_status_has_a_badge_colour_that_reads_at_aa_or_better():
    css = ADMIN_CSS.read_text()
    for status in ClaimStatus:
        found = re.search(rf"\.status-badge\.status-{status.value}\s*\{{([^}}]*)\}}", css)
        assert found, f"no badge colour for {status.label}"
        ratio = contrast(colour(found.group(1), "color"), colour(found.group(1), "background"))
        assert ratio >= 4.5, (status.label, ratio)


# --- One date format --------------------------------------------------------------------------


def test_admin_pages_show_dates_in_one_format(client, factchecker):
    # Given a claim whose dates all fall at 14:05 on 3 December 2026.
    with time_machine.travel(AT, tick=False):
        document = DocumentFactory(published_at=AT)
        claim = in_review(AppearanceFactory(document=document).claim)
        ExternalCheckFactory(claim=claim, checked_at=AT)

    pages = {
        "claim list": reverse("admin:claims_claim_changelist"),
        "claim page": reverse("admin:claims_claim_change", args=[claim.pk]),
        "timeline": reverse("admin:claims_claim_timeline", args=[claim.pk]),
        "document list": reverse("admin:sources_document_changelist"),
        "provenance": reverse("admin:claims_claim_provenance", args=[claim.pk]),
    }
    for name, url in pages.items():
        html = page(client, factchecker, url)
        assert SHOWN in html, name
        # None of the other formats the admin used to mix in.
        for other in ("2026-12-03 14:05", "Dec. 3, 2026", "2:05 p.m.", "03/12/2026"):
            assert other not in html, (name, other)


# --- Sections the user cannot add to ----------------------------------------------------------


def sections(client, user, url: str) -> list[str]:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return [str(s.opts.verbose_name_plural) for s in response.context["inline_admin_formsets"]]


def test_an_editor_sees_no_empty_sections_for_checks_or_relations(client, editor):
    claim = ClaimFactory(created_by=editor)

    shown = sections(client, editor, reverse("admin:claims_claim_change", args=[claim.pk]))

    assert shown == ["add appearances"]  # no "add external checks", no "record a relation"


def test_a_factchecker_sees_no_empty_appearance_sections(client, factchecker):
    claim = in_review(ClaimFactory())

    shown = sections(client, factchecker, reverse("admin:claims_claim_change", args=[claim.pk]))

    assert "add appearances" not in shown and "appearances" not in shown
    assert "add external checks" in shown  # a fact-checker records them


def test_sections_with_rows_stay_for_those_who_cannot_add(client, editor, factchecker):
    claim = in_review(AppearanceFactory().claim)
    ExternalCheckFactory(claim=claim)
    url = reverse("admin:claims_claim_change", args=[claim.pk])

    assert "appearances" in sections(client, factchecker, url)
    assert "external checks" in sections(client, editor, url)


def test_read_only_source_pages_hide_their_empty_sections(client, factchecker):
    document = DocumentFactory()
    organization = OrganizationFactory()
    with_alias = OrganizationFactory()
    OrganizationAlias.objects.create(organization=with_alias, name="FT")
    document_url = reverse("admin:sources_document_change", args=[document.pk])

    assert sections(client, factchecker, document_url) == []  # no empty "agency credits"
    org_url = reverse("admin:sources_organization_change", args=[organization.pk])
    assert sections(client, factchecker, org_url) == []
    alias_url = reverse("admin:sources_organization_change", args=[with_alias.pk])
    assert len(sections(client, factchecker, alias_url)) == 1


# --- Import document: the index link and the publisher autocomplete -------------------------


def test_the_index_links_import_document_for_those_who_may_import(client, editor, factchecker):
    link = f'href="{reverse("admin:sources_document_import")}"'

    assert link in page(client, editor, reverse("admin:index"))
    assert link not in page(client, factchecker, reverse("admin:index"))
    assert 'id="import-module"' not in page(client, factchecker, reverse("admin:index"))


def test_the_import_form_offers_the_publisher_as_an_autocomplete(client, editor):
    html = page(client, editor, reverse("admin:sources_document_import"))

    select = re.search(r'<select name="publisher_on_record"[^>]*>', html).group(0)
    assert "admin-autocomplete" in select
    assert 'data-ajax--url="/admin/autocomplete/"' in select
    assert 'data-model-name="document"' in select and 'data-field-name="publisher"' in select


def test_the_publisher_autocomplete_finds_an_organization_by_its_alias(client, editor):
    financial_times = OrganizationFactory(name="Financial Times")
    OrganizationAlias.objects.create(organization=financial_times, name="FT")
    client.force_login(editor)

    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "sources", "model_name": "document", "field_name": "publisher", "term": "FT"},
    ).json()

    assert [r["id"] for r in found["results"]] == [str(financial_times.pk)]


TEXT = "Sanctions put on hold\n\nOfficials told the paper that the plan was put on hold.\n"


def test_importing_with_a_chosen_publisher_records_no_new_organization(client, editor):
    dk_medier = OrganizationFactory(name="DK Medier")
    client.force_login(editor)

    response = client.post(
        reverse("admin:sources_document_import"),
        {"text": TEXT, "publisher_on_record": dk_medier.pk},
    )

    assert response.status_code == 302
    assert Document.objects.get().publisher == dk_medier
    assert Organization.objects.count() == 1
    assert "Recorded anew" not in client.get(response.url).content.decode()


def test_a_new_publisher_is_recorded_and_the_report_says_so(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("admin:sources_document_import"),
        {"text": TEXT, "publisher": "Harbour Post", "publication": "Harbour Post Daily"},
    )

    report = client.get(response.url).content.decode()
    assert Document.objects.get().publisher.name == "Harbour Post"
    assert "New publisher recorded: Harbour Post (Publisher)." in report
    assert "New publication recorded: Harbour Post Daily (Publication)." in report


@pytest.mark.parametrize(
    "publisher",
    [{}, {"publisher_on_record": "chosen", "publisher": "Harbour Post"}],
    ids=["neither", "both"],
)
def test_the_import_needs_exactly_one_publisher_and_writes_nothing_otherwise(
    client, editor, publisher
):
    chosen = OrganizationFactory(name="DK Medier")
    if publisher.get("publisher_on_record") == "chosen":
        publisher = {**publisher, "publisher_on_record": chosen.pk}
    client.force_login(editor)

    response = client.post(reverse("admin:sources_document_import"), {"text": TEXT, **publisher})

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Document.objects.count() == 0
    assert Organization.objects.count() == 1


def test_dates_format_is_set_once_for_the_admin():
    from django.utils.formats import date_format

    assert date_format(timezone.localtime(AT), "DATETIME_FORMAT") == SHOWN
    assert date_format(AT.date(), "DATE_FORMAT") == "3 Dec 2026"
