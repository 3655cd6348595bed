"""The chain editor: links in the order shown, dragged into order (django-admin-sortable2),
never typed positions."""

import re

import pytest
from django.urls import reverse

from tests.claims.factories import AppearanceFactory, AttributionFactory
from tests.claims.test_admin import chain_rows, form_data
from tests.factories import AnonymousSourceFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def appearance_url(appearance):
    return reverse("admin:claims_appearance_change", args=[appearance.pk])


def test_the_chain_is_sortable_and_its_positions_are_not_typed(client, editor):
    appearance = AppearanceFactory()
    AttributionFactory(appearance=appearance)
    client.force_login(editor)

    response = client.get(appearance_url(appearance))

    page = response.content.decode()
    formset = response.context["inline_admin_formsets"][0]
    assert "sortable" in formset.classes.split()
    assert formset.formset.forms[0].fields["position"].widget.is_hidden
    assert re.search(r'<input type="hidden" name="chain-0-position" [^>]*class="_reorder_"', page)
    assert "adminsortable2/js/adminsortable2" in page


def test_the_chain_is_saved_in_the_order_the_rows_were_dragged_to(client, editor):
    appearance = AppearanceFactory()
    officials = AnonymousSourceFactory()
    AttributionFactory(appearance=appearance, anonymous_source=officials)
    ft = OrganizationFactory(name="Financial Times")
    outlet = OrganizationFactory(name="Outlet")
    client.force_login(editor)
    page = client.get(appearance_url(appearance))
    # As the drag script leaves them: each row's position is its place on the page; the rows'
    # form order is the order they were added in.
    data = chain_rows(
        form_data(page),
        "chain",
        [
            (1, "origin", "told", "anonymous_source", officials),
            (3, "publisher", "published", "organization", outlet),
            (2, "reporter", "reported", "organization", ft),
        ],
    )

    response = client.post(appearance_url(appearance), data)

    assert response.status_code == 302
    chain = list(appearance.chain.order_by("position"))
    assert [(link.position, link.role, link.agent) for link in chain] == [
        (0, "origin", officials),
        (1, "reporter", ft),
        (2, "publisher", outlet),
    ]


def test_a_new_row_nobody_dragged_goes_after_the_others(client, editor):
    appearance = AppearanceFactory()
    officials = AnonymousSourceFactory()
    AttributionFactory(appearance=appearance, anonymous_source=officials)
    ft = OrganizationFactory(name="Financial Times")
    client.force_login(editor)
    data = chain_rows(
        form_data(client.get(appearance_url(appearance))),
        "chain",
        [
            (0, "origin", "told", "anonymous_source", officials),
            ("", "reporter", "reported", "organization", ft),
        ],
    )

    response = client.post(appearance_url(appearance), data)

    assert response.status_code == 302
    assert [link.role for link in appearance.chain.order_by("position")] == ["origin", "reporter"]
