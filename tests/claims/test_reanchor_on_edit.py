"""Editing a document body re-anchors its appearances or flags them; never moves them silently."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.models import Appearance
from claims.recording import appearance_create, claim_create
from sources.documents import document_body_update
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

BODY = "Officials said the plan was put on hold.\n\nReuters could not verify the reports."


@pytest.fixture
def appearance(editor):
    document = DocumentFactory(body=BODY)
    claim = claim_create(text="The plan was put on hold.", user=editor)
    return appearance_create(
        claim=claim, document=document, exact="the plan was put on hold", user=editor
    )


def test_a_quote_that_moved_is_reanchored(appearance):
    document = appearance.document

    document_body_update(document=document, body="Update: " + BODY)

    appearance.refresh_from_db()
    assert appearance.anchor_state == Appearance.AnchorState.REANCHORED
    assert appearance.start == BODY.index("the plan") + len("Update: ")
    assert document.body[appearance.start : appearance.end] == appearance.exact


def test_a_quote_that_is_gone_is_flagged_and_not_moved(appearance):
    before = (appearance.start, appearance.end)

    document_body_update(document=appearance.document, body="Something else entirely.")

    appearance.refresh_from_db()
    assert appearance.anchor_state == Appearance.AnchorState.UNANCHORED
    assert (appearance.start, appearance.end) == before


def test_editing_the_body_in_the_admin_reanchors(appearance, admin_client):
    document = appearance.document
    url = reverse("admin:sources_document_change", args=[document.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(body="New first paragraph.\n\n" + BODY, publisher=document.publisher_id)
    data.pop("license", None)
    data.pop("publication", None)
    data["obtained_at_0"], data["obtained_at_1"] = "2025-11-19", "10:00:00"
    data.pop("obtained_at", None)
    data.pop("published_at", None)
    data.update({"credits-TOTAL_FORMS": "0", "credits-INITIAL_FORMS": "0"})  # no agency credits

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    appearance.refresh_from_db()
    document.refresh_from_db()
    assert appearance.anchor_state == Appearance.AnchorState.REANCHORED
    assert document.body[appearance.start : appearance.end] == appearance.exact


def test_a_body_another_document_of_the_same_title_has_is_refused(appearance):
    # Another title's document with this body would be a copy, which is allowed.
    mine = appearance.document
    other = DocumentFactory(
        body="Another body.", publisher=mine.publisher, publication=mine.publication
    )

    with pytest.raises(ValidationError, match="has exactly this body"):
        document_body_update(document=appearance.document, body=other.body)

    appearance.document.refresh_from_db()
    assert appearance.document.body == BODY


def test_an_external_checks_excerpt_follows_the_text_or_is_flagged(appearance, editor):
    """security.md: check excerpts were not re-anchored, so a lost one went unnoticed."""
    from claims.models import AnchorState, Claim
    from claims.recording import external_check_record
    from tests.factories import OrganizationFactory

    document = appearance.document
    other = claim_create(text="Reuters could not verify it.", user=editor)
    check = external_check_record(
        claim=other,
        organization=OrganizationFactory(name="Reuters"),
        outcome="could_not_verify",
        document=document,
        exact="Reuters could not verify the reports",
        user=editor,
    )
    revision = Claim.objects.get(pk=check.claim_id).revision

    document_body_update(document=document, body="Update: " + BODY)
    check.refresh_from_db()
    assert check.anchor_state == AnchorState.REANCHORED
    assert document.body[check.start : check.end] == check.exact

    document_body_update(document=document, body="Officials said the plan was put on hold.")
    check.refresh_from_db()
    assert check.anchor_state == AnchorState.UNANCHORED
    assert check.exact == "Reuters could not verify the reports"  # kept as recorded
    # A check's excerpt is not what is verified: its moves make no new revision.
    assert Claim.objects.get(pk=other.pk).revision == revision


def test_the_api_tells_staff_a_check_excerpt_was_lost(appearance, editor, client):
    from claims.recording import external_check_record
    from tests.factories import OrganizationFactory

    document = appearance.document
    external_check_record(
        claim=appearance.claim,
        organization=OrganizationFactory(name="Reuters"),
        outcome="could_not_verify",
        document=document,
        exact="Reuters could not verify the reports",
        user=editor,
    )
    document_body_update(document=document, body="Officials said the plan was put on hold.")
    client.force_login(editor)

    body = client.get(f"/api/v1/claims/{appearance.claim_id}/").json()

    assert body["external_checks"][0]["anchor_state"] == "unanchored"
