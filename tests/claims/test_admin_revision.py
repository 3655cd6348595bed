"""Two editors open one claim: the second save, built on the older revision, is refused.

The admin's change forms send back the revision they showed (claims.admin.revision); a stale
one gets the admin's own message and nothing is written — the words, the inlines, the chain.
"""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from claims.admin.claim import ClaimChangeForm
from claims.admin.revision import STALE_REVISION
from claims.models import Appearance, Claim
from sources.models import Organization
from tests.claims.test_admin import (
    ARTICLE_A_EXPORT_CONTROLS,
    add_row,
    chain_rows,
    change_url,
    form_data,
    organization,
    prefixes,
    story_claim,
)
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors():
    first, second = Client(), Client()
    first.force_login(StaffFactory(username="t-editor-a", groups=["Editors"]))
    second.force_login(StaffFactory(username="t-editor-b", groups=["Editors"]))
    return first, second


def appearance_url(appearance):
    return reverse("admin:claims_appearance_change", args=[appearance.pk])


def refused(response) -> bool:
    return response.status_code == 200 and STALE_REVISION in response.content.decode()


def test_the_second_save_of_the_words_is_refused_and_the_first_stands(two_editors):
    first, second = two_editors
    claim = story_claim()
    # Given both editors opened the claim at the same revision
    page_a, page_b = first.get(change_url(claim)), second.get(change_url(claim))
    assert form_data(page_b)["expected_revision"] == claim.revision

    # When the first saves and then the second saves over the page it loaded
    saved = first.post(change_url(claim), form_data(page_a, text="Editor A's wording."))
    assert saved.status_code == 302
    after_first = Claim.objects.get(pk=claim.pk)
    response = second.post(change_url(claim), form_data(page_b, text="Editor B's wording."))

    # Then the second is told to reload, and nothing of it is written
    assert refused(response)
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.text, stored.revision) == ("Editor A's wording.", after_first.revision)
    assert stored.history.count() == after_first.history.count()


def test_a_new_appearance_from_an_older_page_is_refused_too(two_editors):
    first, second = two_editors
    claim = story_claim()
    page_a, page_b = first.get(change_url(claim)), second.get(change_url(claim))
    first.post(change_url(claim), form_data(page_a, text="Editor A's wording."))
    data = add_row(
        form_data(page_b),
        prefixes(page_b)["NewAppearanceInline"],
        document=claim.appearances.get().document_id,
        exact=ARTICLE_A_EXPORT_CONTROLS,
    )

    response = second.post(change_url(claim), data)

    assert refused(response)
    assert Appearance.objects.filter(claim=claim).count() == 1


def test_a_chain_saved_from_an_older_page_is_refused(two_editors):
    first, second = two_editors
    claim = story_claim()
    appearance = claim.appearances.get()
    ft = Organization.objects.get(name="Financial Times")
    outlet = organization("Outlet X")
    page_a, page_b = first.get(appearance_url(appearance)), second.get(appearance_url(appearance))
    origin = appearance.chain.get(position=0).anonymous_source
    links_a = [
        (0, "origin", "told", "anonymous_source", origin),
        (1, "reporter", "", "organization", ft),
    ]
    links_b = [
        (0, "origin", "told", "anonymous_source", origin),
        (1, "publisher", "", "organization", outlet),
    ]

    assert (
        first.post(
            appearance_url(appearance), chain_rows(form_data(page_a), "chain", links_a)
        ).status_code
        == 302
    )
    response = second.post(
        appearance_url(appearance), chain_rows(form_data(page_b), "chain", links_b)
    )

    assert refused(response)
    assert [link.agent for link in appearance.chain.order_by("position")] == [origin, ft]


def test_an_edit_landing_between_the_forms_check_and_the_save_is_refused_by_the_service(
    two_editors, monkeypatch
):
    # Given the form's own check is passed (the other edit lands after it ran) ...
    first, _ = two_editors
    claim = story_claim()
    page = first.get(change_url(claim))
    Claim.objects.filter(pk=claim.pk).update(text="Changed meanwhile.", revision=claim.revision + 1)
    monkeypatch.setattr(ClaimChangeForm, "loaded_revision", lambda form: claim.revision)

    # When the page is saved, then the service's check under the row lock refuses it
    response = first.post(change_url(claim), form_data(page, text="Built on the old text."))

    assert response.status_code == 302, response.context["errors"]
    assert response.url == change_url(claim)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert STALE_REVISION in messages
    assert Claim.objects.get(pk=claim.pk).text == "Changed meanwhile."


def test_a_change_page_without_the_revision_is_refused(two_editors):
    first, _ = two_editors
    claim = story_claim()
    data = form_data(first.get(change_url(claim)), text="No revision sent.")
    del data["expected_revision"]

    response = first.post(change_url(claim), data)

    assert response.status_code == 200
    assert Claim.objects.get(pk=claim.pk).text == claim.text
