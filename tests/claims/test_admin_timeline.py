"""One timeline per claim, newest first; deleting an external check recorded in error."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from claims import recording
from claims.models import ClaimStatus, ExternalCheck
from claims.workflow import Evidence, claim_assign, claim_transition
from tests.claims.factories import ClaimFactory, ExternalCheckFactory
from tests.claims.test_admin import form_data
from tests.factories import AnonymousSourceFactory, DocumentFactory, OrganizationFactory
from tests.utils import queries_for_get

pytestmark = pytest.mark.django_db

S = ClaimStatus
BODY = "Officials told the FT that the plan was put on hold.\n\nReuters could not verify it."


def timeline_url(claim):
    return reverse("admin:claims_claim_timeline", args=[claim.pk])


def change_url(claim):
    return reverse("admin:claims_claim_change", args=[claim.pk])


def storied_claim(editor, factchecker, factchecker2):
    """A claim with one of everything the timeline shows, in a known order."""
    claim = recording.claim_create(text="The plan is on hold.", user=editor)
    recording.claim_update(claim=claim, text="The plan was put on hold.", user=editor)
    document = DocumentFactory(body=BODY, headline="Plan on hold")
    appearance = recording.appearance_create(
        claim=claim, document=document, exact="the plan was put on hold", user=editor
    )
    recording.chain_set(
        appearance=appearance,
        links=[
            recording.ChainLink("origin", AnonymousSourceFactory(description="officials"), "told"),
            recording.ChainLink("reporter", OrganizationFactory(name="Financial Times")),
        ],
    )
    check = recording.external_check_record(
        claim=claim,
        organization=OrganizationFactory(name="Reuters"),
        outcome=ExternalCheck.Outcome.COULD_NOT_VERIFY,
        user=factchecker,
    )
    recording.relation_record(
        from_claim=claim,
        to_claim=ClaimFactory(summary="Other claim"),
        kind="corroborates",
        reason="Same plan.",
        user=factchecker,
    )
    claim.refresh_from_db()
    claim = claim_transition(
        claim=claim, to=S.IN_REVIEW, actor=editor, expected_version=claim.version
    )
    claim = claim_assign(claim=claim, assignee=factchecker, actor=editor)
    claim = claim_transition(
        claim=claim,
        to=S.FALSE,
        actor=factchecker2,
        expected_version=claim.version,
        rationale="Reuters could not verify it and the FT retracted.",
        evidence=[Evidence(external_check_id=check.pk)],
    )
    return claim


def test_the_timeline_shows_everything_newest_first(client, editor, factchecker, factchecker2):
    claim = storied_claim(editor, factchecker, factchecker2)
    client.force_login(factchecker)

    response = client.get(timeline_url(claim))

    assert response.status_code == 200
    whats = [entry["what"] for entry in response.context["entries"]]
    assert whats == [
        "In review → False",
        "Assigned to t-factchecker by t-editor",
        "Unverified → In review",
        "Recorded a relation: corroborates “Other claim”",
        "Recorded an external check: Reuters: Could not verify",
        "Changed the chain of the appearance in “Plan on hold”",
        "Added an appearance in “Plan on hold”",
        "Edited the claim",
        "Recorded the claim",
    ]
    html = response.content.decode()
    assert "Rationale: Reuters could not verify it and the FT retracted." in html
    assert "Evidence: " in html and "Reuters: Could not verify" in html
    assert "Text: The plan is on hold. → The plan was put on hold." in html
    assert "After: officials (several) (origin, told) → Financial Times (reporter)" in html
    assert "t-factchecker2 (fact-checker)" in html
    assert (
        reverse("admin:claims_claim_timeline", args=[claim.pk])
        in client.get(change_url(claim)).content.decode()
    )


def test_the_timeline_runs_a_fixed_number_of_queries(client, editor, factchecker, factchecker2):
    claim = storied_claim(editor, factchecker, factchecker2)
    client.force_login(factchecker)
    baseline = queries_for_get(client, timeline_url(claim))

    claim = claim_transition(
        claim=claim,
        to=S.IN_REVIEW,
        actor=factchecker,
        expected_version=claim.version,
        rationale="New facts.",
    )
    for index in range(3):
        recording.claim_update(claim=claim, text=f"Wording {index}.", user=editor)
        recording.external_check_record(
            claim=claim,
            organization=OrganizationFactory(),
            outcome=ExternalCheck.Outcome.NO_RESPONSE,
            user=factchecker,
        )

    assert queries_for_get(client, timeline_url(claim)) == baseline


# --- Deleting an external check recorded in error -------------------------------------------------


def test_a_factchecker_deletes_an_external_check_and_the_claim_history_says_so(client, factchecker):
    claim = ClaimFactory()
    check = ExternalCheckFactory(claim=claim)
    client.force_login(factchecker)
    page = client.get(change_url(claim))
    assert 'name="external_checks-0-DELETE"' in page.content.decode()

    data = form_data(page)
    data["external_checks-0-DELETE"] = "on"
    response = client.post(change_url(claim), data)

    assert response.status_code == 302
    assert not ExternalCheck.objects.filter(pk=check.pk).exists()
    record = claim.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        factchecker,
        "Deleted external check: Reuters: Could not verify",
    )
    timeline = client.get(timeline_url(claim)).context["entries"]
    assert timeline[0]["what"] == "Deleted external check: Reuters: Could not verify"


def test_an_editor_is_offered_no_delete_for_external_checks(client, editor):
    claim = ClaimFactory()
    ExternalCheckFactory(claim=claim)
    client.force_login(editor)

    assert 'name="external_checks-0-DELETE"' not in client.get(change_url(claim)).content.decode()
    with pytest.raises(PermissionDenied):
        recording.external_check_delete(check=claim.external_checks.get(), user=editor)


def test_a_check_cited_as_evidence_is_not_deleted(client, factchecker, factchecker2):
    claim = ClaimFactory()
    check = ExternalCheckFactory(claim=claim)
    claim = claim_transition(claim=claim, to=S.IN_REVIEW, actor=factchecker, expected_version=1)
    claim_transition(
        claim=claim,
        to=S.FALSE,
        actor=factchecker2,
        expected_version=claim.version,
        rationale="Denied.",
        evidence=[Evidence(external_check_id=check.pk)],
    )

    with pytest.raises(ValidationError, match="is evidence for the conclusion “False”"):
        recording.external_check_delete(check=check, user=factchecker)

    client.force_login(factchecker)
    page = client.get(change_url(claim))
    data = form_data(page)
    data["external_checks-0-DELETE"] = "on"
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "the verification log keeps its evidence" in response.content.decode()
    assert ExternalCheck.objects.filter(pk=check.pk).exists()
