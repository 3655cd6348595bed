"""Malformed admin URLs answer a client error, never a 500, on SQLite and PostgreSQL.

Found by the adversarial probe of issue 9: a NUL in a query string reached PostgreSQL
("text fields cannot contain NUL"), and a key that is not a number reached `int()`.
"""

import pytest

from newsroom.models import ApiToken
from tests.claims.factories import ClaimFactory
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "/admin/autocomplete/?app_label={app}&model_name={model}&field_name={field}&term="

MALFORMED_GETS = [
    # (url, expected status); {claim} is a real claim's key.
    (AUTOCOMPLETE.format(app="claims", model="appearance", field="claim") + "%00", 400),
    (AUTOCOMPLETE.format(app="claims", model="claim", field="topics") + "a%00b", 400),
    (AUTOCOMPLETE.format(app="claims", model="externalcheck", field="organization") + "%00", 400),
    (AUTOCOMPLETE.format(app="sources", model="document", field="publisher") + "%00", 400),
    ("/admin/claims/claim/?status=%00", 400),
    ("/admin/claims/claim/?q=%00", 400),
    ("/admin/claims/verificationevent/?to_status=%00", 400),
    ("/admin/sources/document/?q=%00", 400),
    ("/admin/claims/claim/abc/provenance/", 404),
    ("/admin/claims/claim/%00/provenance/", 400),
    ("/admin/claims/claim/99999999999999999999999/provenance/", 404),
    ("/admin/claims/claim/abc/transition/verified/", 404),
    ("/admin/claims/claim/abc/history/", 404),
    ("/admin/claims/claim/{claim}/history/abc/", 404),
    ("/admin/claims/claim/abc/history/1/", 404),
    ("/admin/claims/claim/99999999999999999999999/history/", 404),
    ("/admin/claims/claim/suggest/?document=abc", 200),  # the picker shows its own error
    ("/admin/claims/claim/suggest/?document=99999999999999999999999", 200),
    ("/admin/claims/claim/{claim}/suggest/?document=abc", 302),  # no such page: admin redirect
]


@pytest.mark.parametrize(("url", "expected"), MALFORMED_GETS)
def test_a_malformed_admin_url_answers_a_client_error(client, superuser, url, expected):
    # given a superuser, who passes every permission check, and a claim and a document
    client.force_login(superuser)
    claim = ClaimFactory()
    DocumentFactory()

    # when the URL is malformed
    response = client.get(url.format(claim=claim.pk))

    # then the answer is the expected client error, not a server error
    assert response.status_code != 500
    assert response.status_code == expected


def test_the_document_picker_says_the_choice_is_invalid(client, superuser):
    client.force_login(superuser)

    response = client.get("/admin/claims/claim/suggest/", {"document": "abc"})

    assert "Select a valid choice" in response.content.decode()


def test_an_autocomplete_field_posted_with_a_non_key_shows_the_form_error(client, superuser):
    # Every admin autocomplete widget looked the posted value up to redisplay it.
    client.force_login(superuser)
    claim = ClaimFactory(text="Sanctions are on hold.")

    token = client.post("/admin/newsroom/apitoken/add/", {"user": "abc", "name": "feed"})
    claim_page = client.post(
        f"/admin/claims/claim/{claim.pk}/change/", {"text": "Reworded.", "topics": ["abc"]}
    )

    assert token.status_code == 200
    assert "Select a valid choice" in token.content.decode()
    assert not ApiToken.objects.exists()
    assert claim_page.status_code == 200
    claim.refresh_from_db()
    assert claim.text == "Sanctions are on hold."


def test_a_nul_in_an_api_query_answers_json(client, consumer):
    from newsroom.tokens import token_issue

    _, key = token_issue(user=consumer, name="feed")

    response = client.get("/api/v1/claims/?q=%00", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
