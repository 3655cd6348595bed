"""History pages as users read them: a claim's moves and assignments, an appearance's chain."""

import pytest
from django.urls import reverse

from claims import recording
from claims.models import ClaimStatus
from claims.workflow import claim_assign, claim_transition
from tests.claims.factories import AppearanceFactory, ClaimFactory
from tests.factories import AnonymousSourceFactory, OrganizationFactory, StaffFactory

pytestmark = pytest.mark.django_db

S = ClaimStatus


def history_url(claim):
    return reverse("admin:claims_claim_history", args=[claim.pk])


def appearance_history_url(appearance):
    return reverse("admin:claims_appearance_history", args=[appearance.pk])


def test_the_claim_history_names_states_and_people_as_users_read_them(client, editor, factchecker):
    claim = ClaimFactory(created_by=editor)
    claim = claim_transition(claim=claim, to=S.IN_REVIEW, actor=editor, expected_version=1)
    claim_assign(claim=claim, assignee=factchecker, actor=editor)
    client.force_login(factchecker)

    html = client.get(history_url(claim)).content.decode()

    assert "Deleted user" not in html and "pk=None" not in html
    assert "in_review" not in html
    assert "None" not in html.split('id="change-history"')[1].split("</table>")[0]
    assert "Unverified&nbsp;&rarr;&nbsp;In review" in html
    assert "Assignee:</strong> nobody&nbsp;&rarr;&nbsp;t-factchecker" in html
    # The workflow and the assignment service say what happened, and who did it.
    assert "Unverified → In review" in html
    assert "Assigned to t-factchecker by t-editor" in html
    # Names, not links to user pages a fact-checker may not open.
    assert reverse("admin:auth_user_change", args=[editor.pk]) not in html


def test_an_appearance_history_shows_each_chain_edit(client, editor):
    appearance = AppearanceFactory()
    officials = AnonymousSourceFactory(description="officials", count_text="several")
    ft = OrganizationFactory(name="Financial Times")
    reuters = OrganizationFactory(name="Reuters")
    client.force_login(StaffFactory(is_superuser=True))
    recording.chain_set(
        appearance=appearance,
        links=[
            recording.ChainLink("origin", officials, "told"),
            recording.ChainLink("reporter", ft),
        ],
    )
    recording.chain_set(
        appearance=appearance,
        links=[
            recording.ChainLink("origin", officials, "told"),
            recording.ChainLink("reporter", ft),
            recording.ChainLink("relay", reuters),
        ],
    )

    html = client.get(appearance_history_url(appearance)).content.decode()

    edits = html[html.index('id="chain-edits"') :]
    newest, oldest = edits.index("Reuters (relay)"), edits.rindex("no chain")
    assert newest < oldest  # newest first
    assert (
        "<td>officials (several) (origin, told) → Financial Times (reporter)</td>\n"
        "          <td>officials (several) (origin, told) → Financial Times (reporter) → "
        "Reuters (relay)</td>"
    ) in edits


def test_chain_edits_made_on_the_appearance_page_name_who_made_them(client, editor):
    appearance = AppearanceFactory(claim=ClaimFactory(created_by=editor))
    source = AnonymousSourceFactory()
    client.force_login(editor)
    url = reverse("admin:claims_appearance_change", args=[appearance.pk])
    data = {
        "expected_revision": appearance.claim.revision,
        "chain-TOTAL_FORMS": "1",
        "chain-INITIAL_FORMS": "0",
        "chain-MIN_NUM_FORMS": "0",
        "chain-MAX_NUM_FORMS": "1000",
        "chain-0-position": "0",
        "chain-0-role": "origin",
        "chain-0-verb": "told",
        "chain-0-agent": f"anonymous:{source.pk}",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    html = client.get(appearance_history_url(appearance)).content.decode()
    edits = html[html.index('id="chain-edits"') :]
    assert "<td>t-editor</td>" in edits
    assert "(origin, told)" in edits
