"""The disclosure: licensed text decided once per response, quote limits as per-document budgets."""

import json
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from claims.disclosure import disclosure_for, outside_disclosure, quote_key
from claims.models import Claim, ClaimStatus
from newsroom.tokens import token_issue
from sources.licensing import Audience
from tests.claims.factories import AppearanceFactory, ClaimFactory
from tests.claims.test_admin import add_row, change_url, form_data, prefixes
from tests.factories import DocumentFactory, LicenseTermsFactory

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"


def consumer_client(consumer) -> APIClient:
    _, key = token_issue(user=consumer, name="budget probe")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def paragraphs(n: int, size: int) -> list[str]:
    return [
        f"P{i} " + "".join(chr(97 + (i * 7 + j) % 26) for j in range(size - 3)) for i in range(n)
    ]


def body_of(parts):
    return "\n\n".join(parts) + "\n\nThe end, said nobody in particular at all."


def concluded(**kwargs) -> Claim:
    return ClaimFactory(status=ClaimStatus.VERIFIED, **kwargs)


def obtainable(body: str, responses) -> set[int]:
    """The positions of `body` an outside reader can rebuild from any string in the responses."""
    covered: set[int] = set()
    for response in responses:
        for text in re.findall(r'"((?:[^"\\]|\\.){20,})"', response):
            text = json.loads(f'"{text}"')
            start = body.find(text)
            while start != -1:
                covered |= set(range(start, start + len(text)))
                start = body.find(text, start + 1)
    return covered


def test_four_permitted_quotes_do_not_rebuild_a_document_over_its_budget(consumer):
    # The probe of issue 9: four 230-character appearances of an 861-character document
    # whose terms allow 300 characters outside rebuilt the whole body, quote by quote.
    parts = paragraphs(3, 230) + ["P3 " + "q" * 179]
    terms = LicenseTermsFactory(max_external_quote_chars=300)
    document = DocumentFactory(body=body_of(parts), license=terms)
    claims = [concluded() for _ in parts]
    for claim, part in zip(claims, parts, strict=True):
        AppearanceFactory(claim=claim, document=document, exact=part)
    api = consumer_client(consumer)

    responses = [api.get(CLAIMS).content.decode()]
    for claim in claims:
        responses.append(api.get(f"{CLAIMS}{claim.pk}/").content.decode())
        responses.append(api.get(f"{CLAIMS}{claim.pk}/provenance/").content.decode())

    assert len(obtainable(document.body, responses)) <= 300
    first, *rest = (api.get(f"{CLAIMS}{c.pk}/").json()["appearances"][0] for c in claims)
    assert first["quote"] == parts[0]  # recorded first, quoted first
    for appearance in rest:
        assert appearance["quote"] is None
        assert "300 characters of this document" in appearance["withheld"]
        assert "in all" in appearance["withheld"]
        assert terms.sharing_clause in appearance["withheld"] or "Clause" in appearance["withheld"]


def test_overlapping_quotes_share_the_budget_and_context_comes_only_from_what_is_left():
    parts = paragraphs(2, 150)
    document = DocumentFactory(
        body=body_of(parts), license=LicenseTermsFactory(max_external_quote_chars=300)
    )
    first = AppearanceFactory(claim=concluded(), document=document, exact=parts[0])
    # The same words again, on another claim: no new characters go out, so it is quotable.
    again = AppearanceFactory(claim=concluded(), document=document, exact=parts[0][:100])
    second = AppearanceFactory(claim=concluded(), document=document, exact=parts[1])

    claims = Claim.objects.with_provenance().filter(
        pk__in=[c.claim_id for c in (first, again, second)]
    )
    disclosure = disclosure_for(claims, Audience.EXTERNAL)

    assert disclosure.excerpt(quote_key(first))
    assert disclosure.excerpt(quote_key(again))
    # The first quote with its context covers 0-181; the second (152-301) would make 302.
    assert disclosure.excerpt(("appearance", first.pk, "context"))
    assert disclosure.excerpt(("appearance", again.pk, "context"))
    assert not disclosure.excerpt(quote_key(second))
    staff = disclosure_for(claims, Audience.STAFF)
    assert all(staff.excerpt(quote_key(a)) for a in (first, again, second))


def test_a_claim_concluded_later_never_displaces_text_already_given_out(factchecker):
    from claims.workflow import Evidence, claim_transition

    parts = paragraphs(2, 200)
    document = DocumentFactory(
        body=body_of(parts), license=LicenseTermsFactory(max_external_quote_chars=300)
    )
    # Recorded first, but still in review while the other claim is concluded and published.
    early = AppearanceFactory(
        claim=ClaimFactory(status=ClaimStatus.IN_REVIEW), document=document, exact=parts[0]
    )
    late = AppearanceFactory(
        claim=ClaimFactory(status=ClaimStatus.IN_REVIEW), document=document, exact=parts[1]
    )
    for claim in (late.claim, early.claim):
        # Through the workflow: the log is a hash chain only it appends to.
        claim.refresh_from_db()
        claim_transition(
            claim=claim,
            to=ClaimStatus.VERIFIED,
            actor=factchecker,
            expected_version=claim.version,
            rationale="Checked against the original report.",
            evidence=[Evidence(url="https://www.ft.com/content/example")],
        )

    claims = Claim.objects.with_provenance().filter(pk__in=[early.claim_id, late.claim_id])
    disclosure = disclosure_for(claims, Audience.EXTERNAL)

    assert disclosure.excerpt(quote_key(late))  # concluded first: it keeps its quote
    assert not disclosure.excerpt(quote_key(early))


def test_the_editor_is_told_when_a_new_quote_will_not_go_outside(admin_client):
    parts = paragraphs(2, 250)
    document = DocumentFactory(
        body=body_of(parts), license=LicenseTermsFactory(max_external_quote_chars=300)
    )
    AppearanceFactory(claim=concluded(), document=document, exact=parts[0])
    claim = ClaimFactory()
    page = admin_client.get(change_url(claim))
    data = add_row(
        form_data(page), prefixes(page)["NewAppearanceInline"], document=document.pk, exact=parts[1]
    )

    response = admin_client.post(change_url(claim), data, follow=True)

    warnings = [str(m) for m in response.context["messages"]]
    assert any("will not go to outside consumers" in m and "in all" in m for m in warnings)
    assert not outside_disclosure(Claim.objects.with_provenance().get(pk=claim.pk)).excerpt(
        quote_key(claim.appearances.get())
    )


def test_a_quote_that_fits_raises_no_warning(admin_client):
    document = DocumentFactory(license=LicenseTermsFactory(max_external_quote_chars=300))
    claim = ClaimFactory()
    page = admin_client.get(change_url(claim))
    data = add_row(
        form_data(page),
        prefixes(page)["NewAppearanceInline"],
        document=document.pk,
        exact=document.body.split("\n\n")[0],
    )

    response = admin_client.post(change_url(claim), data, follow=True)

    assert not [m for m in response.context["messages"] if "outside consumers" in str(m)]


# --- TDMRep headers name exactly the reserved documents whose text went out ------------------


@pytest.fixture
def reserved_mix():
    """One concluded claim quoting three documents: two reserve TDM, one of those allows quotes."""
    claim = concluded()
    quotable = DocumentFactory(
        body="Reserved but quotable text, short enough to go out whole.",
        license=LicenseTermsFactory(tdm_reserved=True, max_external_quote_chars=300),
    )
    closed = DocumentFactory(
        body="Reserved and closed text that never leaves the newsroom.",
        license=LicenseTermsFactory(tdm_reserved=True, max_external_quote_chars=0),
    )
    open_ = DocumentFactory(
        body="Open text from a holder that reserves nothing at all here.",
        license=LicenseTermsFactory(max_external_quote_chars=300),
    )
    for document in (quotable, closed, open_):
        AppearanceFactory(claim=claim, document=document, exact=document.body, prefix="", suffix="")
    return claim, quotable, closed, open_


def reserved_header(response) -> set[int]:
    value = response.get("TDM-Reserved-Documents")
    return {int(pk) for pk in value.split(", ")} if value else set()


def test_tdm_headers_name_exactly_the_reserved_documents_served_to_consumers(
    reserved_mix, consumer
):
    claim, quotable, closed, _ = reserved_mix
    api = consumer_client(consumer)
    documents = "/api/v1/documents/"

    for url in (
        CLAIMS,
        f"{CLAIMS}{claim.pk}/",
        f"{CLAIMS}{claim.pk}/provenance/",
        documents,
        f"{documents}{quotable.pk}/",
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        assert reserved_header(response) == {quotable.pk}, url
        assert response["tdm-reservation"] == "1", url
        assert str(quotable.license_id) in response["tdm-policy"], url
    closed_only = api.get(f"{documents}{closed.pk}/")
    assert closed_only.json()["body"] is None
    assert "tdm-reservation" not in closed_only
    assert not reserved_header(closed_only)


def test_tdm_headers_name_every_reserved_document_served_to_staff(reserved_mix, editor):
    claim, quotable, closed, _ = reserved_mix
    staff = APIClient()
    staff.force_login(editor)

    for url in (CLAIMS, f"{CLAIMS}{claim.pk}/", f"{CLAIMS}{claim.pk}/provenance/"):
        assert reserved_header(staff.get(url)) == {quotable.pk, closed.pk}, url


def test_the_browsable_form_default_carries_no_licensed_text(reserved_mix, editor):
    # Where no disclosure was built, the serializer context withholds everything.
    from newsroom.api.claim_serializers import AppearanceSerializer
    from sources.licensing import Disclosure

    claim, *_ = reserved_mix
    appearance = Claim.objects.with_provenance().get(pk=claim.pk).appearances.all()[0]
    data = AppearanceSerializer(
        appearance,
        context={"audience": Audience.STAFF, "disclosure": Disclosure.nothing(Audience.STAFF)},
    ).data

    assert data["quote"] is None and "not prepared" in data["withheld"]
    assert reverse("api:claim-detail", args=[claim.pk])


def test_evidence_never_names_a_document_consumers_cannot_see(consumer, editor, factchecker):
    # Found in the adversarial probe: a hidden document's headline reached consumers through
    # the label of the evidence that cited it.
    from claims.recording import claim_create
    from claims.workflow import Evidence, claim_transition

    hidden = DocumentFactory(headline="Internal memo: the minister resigns on Friday")
    quoted = DocumentFactory(license=LicenseTermsFactory())
    claim = claim_create(text="The plan was put on hold.", user=editor)
    AppearanceFactory(claim=claim, document=quoted)
    claim_transition(claim=claim, to=ClaimStatus.IN_REVIEW, actor=editor, expected_version=1)
    claim_transition(
        claim=claim,
        to=ClaimStatus.VERIFIED,
        actor=factchecker,
        expected_version=2,
        rationale="Matches the memo and the article.",
        evidence=[Evidence(document_id=hidden.pk), Evidence(document_id=quoted.pk)],
    )
    api = consumer_client(consumer)
    staff = APIClient()
    staff.force_login(editor)

    for url in (f"{CLAIMS}{claim.pk}/", f"{CLAIMS}{claim.pk}/provenance/", CLAIMS):
        body = api.get(url).content.decode()
        assert "Internal memo" not in body, url
        assert f"documents/{hidden.pk}" not in body, url
    evidence = api.get(f"{CLAIMS}{claim.pk}/").json()["verification"]["events"][-1]["evidence"]
    assert evidence[0] == {"kind": "document", "withheld": evidence[0]["withheld"]}
    assert evidence[1]["document"] == quoted.pk  # the claim's own document stays named
    assert "Internal memo" in staff.get(f"{CLAIMS}{claim.pk}/").content.decode()


def test_only_a_conclusions_rationale_is_published(consumer, editor, factchecker, factchecker2):
    # Found in the adversarial probe: the send-to-review note and reopen rationales, written
    # as internal working, were published to consumers.
    from claims.recording import claim_create
    from claims.workflow import Evidence, claim_transition

    claim = claim_create(text="The plan was put on hold.", user=editor)
    url = Evidence(url="https://example.org/statement")

    def move(to, actor, version, rationale, evidence=()):
        claim_transition(
            claim=claim,
            to=to,
            actor=actor,
            expected_version=version,
            rationale=rationale,
            evidence=list(evidence),
        )

    move(ClaimStatus.IN_REVIEW, editor, 1, "Internal: call the ministry's press desk first")
    move(ClaimStatus.VERIFIED, factchecker, 2, "Matches the ministry statement.", [url])
    move(ClaimStatus.IN_REVIEW, factchecker2, 3, "Internal: a source says it may be reversed")
    move(ClaimStatus.VERIFIED, factchecker, 4, "Confirmed again by the ministry.", [url])
    api = consumer_client(consumer)

    for path in (f"{CLAIMS}{claim.pk}/", f"{CLAIMS}{claim.pk}/provenance/"):
        body = api.get(path).content.decode()
        assert "Internal:" not in body, path
        assert "Matches the ministry statement." in body, path
    staff = APIClient()
    staff.force_login(editor)
    assert "Internal: a source says" in staff.get(f"{CLAIMS}{claim.pk}/").content.decode()


def test_the_move_forms_say_what_is_published(admin_client, editor):
    from django.contrib import admin as django_admin

    from claims.admin.workflow import ConcludeForm, SendToReviewForm

    claim = ClaimFactory()
    send = SendToReviewForm(claims=[claim], admin_site=django_admin.site)
    conclude = ConcludeForm(claims=[claim], admin_site=django_admin.site)

    assert "never published" in send.fields["rationale"].help_text
    assert "readers and API consumers see" in conclude.fields["rationale"].help_text


def test_a_deleted_quote_does_not_free_budget_already_given_out(consumer, factchecker):
    # Found in issue 9: deleting an appearance (of a reopened claim) freed budget that outside
    # consumers had already been given, so a new quote extended what they obtained past it.
    from claims import recording
    from claims.models import ServedExcerpt
    from claims.workflow import Evidence, claim_transition

    def move(claim, to):
        claim.refresh_from_db()
        claim_transition(
            claim=claim,
            to=to,
            actor=factchecker,
            expected_version=claim.version,
            rationale="Checked against the original report.",
            evidence=[Evidence(url="https://www.ft.com/content/example")],
        )

    parts = paragraphs(2, 200)
    document = DocumentFactory(
        body=body_of(parts), license=LicenseTermsFactory(max_external_quote_chars=300)
    )
    api = consumer_client(consumer)
    # Given a quote concluded and served to a consumer ...
    first = AppearanceFactory(
        claim=ClaimFactory(status=ClaimStatus.IN_REVIEW), document=document, exact=parts[0]
    )
    move(first.claim, ClaimStatus.VERIFIED)
    served = [api.get(f"{CLAIMS}{first.claim_id}/").content.decode()]
    assert api.get(f"{CLAIMS}{first.claim_id}/").json()["appearances"][0]["quote"] == parts[0]
    # ... then its claim reopened and the appearance deleted
    move(first.claim, ClaimStatus.IN_REVIEW)
    recording.appearance_delete(appearance=first)

    # When a new quote of other text is recorded and concluded
    second = AppearanceFactory(
        claim=ClaimFactory(status=ClaimStatus.IN_REVIEW), document=document, exact=parts[1]
    )
    move(second.claim, ClaimStatus.VERIFIED)

    # Then it is withheld with the budget's reason, and what went out stays within budget
    shown = api.get(f"{CLAIMS}{second.claim_id}/").json()["appearances"][0]
    assert shown["quote"] is None
    assert "300 characters of this document" in shown["withheld"]
    assert "already given out" in shown["withheld"]
    served += [api.get(f"{CLAIMS}{c}/").content.decode() for c in (first.claim_id, second.claim_id)]
    served.append(api.get(CLAIMS).content.decode())
    assert len(obtainable(document.body, served)) <= 300
    ledger = set()
    for start, end in ServedExcerpt.objects.filter(document=document).values_list("start", "end"):
        ledger |= set(range(start, end))
    assert 200 <= len(ledger) <= 300
