"""Leak scan: a canary identity and a canary withheld document, searched for in everything.

Every GET of every URL pattern as every role (also as the browsable API), the canaries' own
pages, exports, error pages, history pages and `dumpdata`. The identity may appear only on
the admin change page of its source, to a user holding the permission; the withheld text
never reaches a consumer or an anonymous caller (30-character sliding windows). Then the
union check: everything consumers can fetch covers at most a document's quote budget.
"""

from __future__ import annotations

import io
import logging
import random
import string

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.urls import reverse

from claims.models import Attribution, ClaimStatus
from tests.claims.factories import AppearanceFactory, AttributionFactory, ClaimFactory
from tests.factories import (
    AnonymousSourceFactory,
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    ReservedLicenseTermsFactory,
)
from tests.security.helpers import ROLES, leaked_windows, obtainable, role_client, walk_urlconf
from tests.security.test_access_matrix import url_for

pytestmark = pytest.mark.django_db

CANARY_IDENTITY = "CANARY-IDENTITY-7f3a9c Jane Quixote, deputy adviser at the NSC"
CANARY_SENTENCE = (
    "CANARY-TEXT-51d2: the deputy minister will resign on Friday before the markets open, "
    "an aide wrote in a memo that no one outside the ministry has seen."
)
CANARY_BODY = (
    "Officials met on Tuesday to discuss the budget and the tariffs on steel.\n\n"
    + CANARY_SENTENCE
    + "\n\nThe ministry declined to comment on the memo or on the timing of any departure."
)
OUTSIDE = ("anonymous", "consumer")


@pytest.fixture
def canaries(demo):
    """A concluded claim quoting a withheld, TDM-reserved document, told by a source whose
    confidential identity is known; every demo source gets the identity too."""
    terms = ReservedLicenseTermsFactory(holder=OrganizationFactory(name="Canary Media"))
    assert terms.max_external_quote_chars == 0 and terms.tdm_reserved
    document = DocumentFactory(
        headline="Canary memo",
        body=CANARY_BODY,
        raw_text=CANARY_BODY,
        license=terms,
        publisher=terms.holder,
    )
    claim = ClaimFactory(text="The deputy minister is said to be leaving.", status="verified")
    appearance = AppearanceFactory(claim=claim, document=document, exact=CANARY_SENTENCE)
    source = AnonymousSourceFactory(description="an aide", confidential_identity=CANARY_IDENTITY)
    AttributionFactory(appearance=appearance, anonymous_source=source, role=Attribution.Role.ORIGIN)
    from sources.models import AnonymousSource

    for other in AnonymousSource.objects.exclude(pk=source.pk):
        other.confidential_identity = CANARY_IDENTITY
        other.save(update_fields=["confidential_identity"])
    # What the admin records when a privileged user sets the identity (security.md D11).
    LogEntry.objects.log_actions(
        user_id=demo.users["superuser"].pk,
        queryset=[source],
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["Confidential identity", "Description"]}}],
        single_object=True,
    )
    demo.canary_claim, demo.canary_document, demo.canary_source = claim, document, source
    demo.canary_appearance = appearance
    return demo


def identity_allowed(role: str, url: str, o) -> bool:
    """Only the source's own change page, and only to a holder of the permission."""
    user = o.users.get(role)
    pages = {
        reverse("admin:sources_anonymoussource_change", args=[s.pk])
        for s in type(o.canary_source).objects.all()
    }
    return (
        url.split("?")[0] in pages
        and user is not None
        and user.has_perm("sources.view_confidential_identity")
    )


def canary_urls(o) -> list[str]:
    claim, document, source = o.canary_claim, o.canary_document, o.canary_source
    api = [
        f"/api/v1/claims/{claim.pk}/",
        f"/api/v1/claims/{claim.pk}/provenance/",
        f"/api/v1/claims/{claim.pk}/claimreview/",
        f"/api/v1/documents/{document.pk}/",
        f"/api/v1/licenses/{document.license_id}/",
        f"/api/v1/licenses/{document.license_id}/odrl/",
        "/api/v1/claims/?page_size=100",
        "/api/v1/claimreview/?page_size=100",
        "/api/v1/documents/?page_size=100",
        "/api/v1/claims/?q=deputy",
    ]
    admin = [
        reverse("admin:claims_claim_change", args=[claim.pk]),
        reverse("admin:claims_claim_history", args=[claim.pk]),
        reverse("admin:claims_claim_provenance", args=[claim.pk]),
        reverse("admin:claims_appearance_change", args=[o.canary_appearance.pk]),
        reverse("admin:sources_document_change", args=[document.pk]),
        reverse("admin:sources_anonymoussource_change", args=[source.pk]),
        reverse("admin:sources_anonymoussource_history", args=[source.pk]),
        reverse("admin:sources_anonymoussource_changelist") + "?q=CANARY",
        reverse("admin:claims_claim_suggest", args=[document.pk]),
        "/admin/autocomplete/?app_label=claims&model_name=attribution"
        "&field_name=anonymous_source&term=aide",
    ]
    errors = [
        "/api/v1/claims/CANARY-IDENTITY-7f3a9c/",  # 404s with the canary in the URL
        "/no-such-page/CANARY-TEXT-51d2/",
        f"/admin/claims/claim/{claim.pk}/history/CANARY/",
        "/api/v1/claims/?page_size=-1",  # 400s
        "/api/v1/claims/?cursor=CANARY",
    ]
    return api + [f"{url}{'&' if '?' in url else '?'}format=api" for url in api] + admin + errors


def every_get_url(o) -> list[str]:
    urls = []
    for route in walk_urlconf():
        found = url_for(route, o)
        if found is not None and not found[2]:  # not the logout page
            urls.append(found[0])
    extra = canary_urls(o) if hasattr(o, "canary_claim") else []
    return list(dict.fromkeys(urls + extra))


@pytest.mark.parametrize("role", ROLES)
def test_no_response_carries_the_canary_identity_or_withheld_text(role, canaries, caplog):
    caplog.set_level(logging.DEBUG)
    client = role_client(role, canaries.users)
    may_know = role == "superuser"  # holds view_confidential_identity (every permission)
    source_history = reverse(
        "admin:sources_anonymoussource_history", args=[canaries.canary_source.pk]
    )
    leaks = []
    for url in every_get_url(canaries):
        response = client.get(url)
        content = response.content.decode("utf-8", "replace")
        if CANARY_IDENTITY in content or "CANARY-IDENTITY-7f3a9c" in content.replace(
            "CANARY-IDENTITY-7f3a9c/",
            "",  # the 404's own URL may echo the path
        ):
            if not identity_allowed(role, url, canaries):
                leaks.append(f"identity in GET {url} as {role} ({response.status_code})")
        if url == source_history and not may_know and "confidential identity" in content.lower():
            leaks.append(f"GET {url} as {role} tells that the identity was changed")
        if role in OUTSIDE:
            windows = leaked_windows(CANARY_SENTENCE, content)
            if windows:
                leaks.append(f"withheld text in GET {url} as {role}: {windows[0]!r}")
    # (The 404 for /api/v1/claims/CANARY-IDENTITY-7f3a9c/ logs its own path: not the identity.)
    if "Jane Quixote" in caplog.text:
        line = next(line for line in caplog.text.splitlines() if "Jane Quixote" in line)
        leaks.append(f"identity in the log records of {role}'s requests: {line[:200]}")
    assert not leaks, "\n".join(leaks)


def test_the_history_names_the_identity_change_to_a_holder_of_the_permission(canaries):
    # The history check above would pass vacuously if the entry never rendered.
    page = reverse("admin:sources_anonymoussource_history", args=[canaries.canary_source.pk])
    content = role_client("superuser", canaries.users).get(page).content.decode()
    assert "Confidential identity" in content
    editor = role_client("editor", canaries.users).get(page).content.decode()
    assert "Description" in editor and "Confidential identity" not in editor


def test_the_change_page_shows_the_identity_to_a_holder_of_the_permission(canaries):
    # The scan above would pass vacuously if the identity never rendered anywhere.
    page = reverse("admin:sources_anonymoussource_change", args=[canaries.canary_source.pk])
    response = role_client("superuser", canaries.users).get(page)
    assert CANARY_IDENTITY in response.content.decode()
    editor = role_client("editor", canaries.users)
    assert CANARY_IDENTITY not in editor.get(page).content.decode()
    # Staff may read the withheld text, and the window search finds it where it is.
    document = reverse("admin:sources_document_change", args=[canaries.canary_document.pk])
    assert leaked_windows(CANARY_SENTENCE, editor.get(document).content.decode())


def test_a_bad_host_gets_a_bare_400_without_the_canaries(canaries):
    response = role_client("consumer", canaries.users).get(
        f"/api/v1/claims/{canaries.canary_claim.pk}/", HTTP_HOST="evil.example"
    )
    assert response.status_code == 400
    assert CANARY_IDENTITY not in response.content.decode()
    assert not leaked_windows(CANARY_SENTENCE, response.content.decode())


def test_dumpdata_keeps_identities_out(canaries):
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()
    assert canaries.canary_document.body[:30] in dump  # it is a full dump
    assert "CANARY-IDENTITY" not in dump and "Jane Quixote" not in dump


# ---- the union check: what consumers can fetch, across every response, within the budget ----

BUDGET = 300


def part(i: int, size: int = 230) -> str:
    """Text without repeats: every 20-character run of the body stands in one place only."""
    rng = random.Random(i)
    return f"P{i} " + "".join(rng.choice(string.ascii_lowercase + " ") for _ in range(size - 3))


@pytest.fixture
def budgeted(demo):
    """A document allowing 300 characters outside, quoted 230 characters at a time by four
    concluded claims, one of which also cites a check whose excerpt comes from it."""
    from claims.models import ExternalCheck

    parts = [part(i) for i in range(4)]
    body = "\n\n".join(parts) + "\n\nThe end, said nobody in particular at all."
    terms = LicenseTermsFactory(max_external_quote_chars=BUDGET)
    document = DocumentFactory(body=body, raw_text=body, license=terms, publisher=terms.holder)
    claims = [ClaimFactory(status=ClaimStatus.VERIFIED) for _ in parts]
    for claim, text in zip(claims, parts, strict=True):
        AppearanceFactory(claim=claim, document=document, exact=text)
    excerpt = parts[3][:120]
    start = body.index(excerpt)
    ExternalCheck.objects.create(
        claim=claims[0],
        organization=OrganizationFactory(name="Reuters"),
        outcome=ExternalCheck._meta.get_field("outcome").choices[0][0],
        document=document,
        exact=excerpt,
        start=start,
        end=start + len(excerpt),
        prefix=body[max(0, start - 32) : start],
        suffix=body[start + len(excerpt) : start + len(excerpt) + 32],
    )
    demo.budget_document, demo.budget_claims = document, claims
    return demo


@pytest.mark.parametrize("role", OUTSIDE)
def test_consumers_obtain_no_more_of_a_document_than_its_budget_in_all(role, budgeted):
    client = role_client(role, budgeted.users)
    document = budgeted.budget_document
    urls = every_get_url(budgeted) + [
        "/api/v1/claims/?page_size=100",
        "/api/v1/claimreview/?page_size=100",
        "/api/v1/documents/?page_size=100",
        f"/api/v1/documents/{document.pk}/",
    ]
    for claim in budgeted.budget_claims:
        urls += [
            f"/api/v1/claims/{claim.pk}/",
            f"/api/v1/claims/{claim.pk}/provenance/",
            f"/api/v1/claims/{claim.pk}/claimreview/",
            f"/api/v1/claims/{claim.pk}/?format=api",
        ]
    responses = [client.get(url).content.decode("utf-8", "replace") for url in urls]

    covered = obtainable(document.body, responses)
    assert len(covered) <= BUDGET, (
        f"{len(covered)} of the document's {len(document.body)} characters are obtainable "
        f"outside; its terms allow {BUDGET}"
    )
    if role == "consumer":
        assert covered, "the check would pass vacuously: nothing of the document went out"
