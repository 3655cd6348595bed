"""API tokens: issued in the admin with the key shown once, stored hashed, revoked there."""

import re

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from newsroom.models import ApiToken
from newsroom.tokens import hash_key, token_issue
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def issued_key(response) -> str:
    """Return the key shown on the page that answers the token's add form."""
    return re.search(r'id="issued-key"[^>]*value="([^"]+)"', response.content.decode()).group(1)


def test_admin_issues_a_token_showing_the_key_once(admin_client, consumer):
    response = admin_client.post(
        reverse("admin:newsroom_apitoken_add"),
        {"user": consumer.pk, "name": "Aggregator feed", "expires_at_0": "", "expires_at_1": ""},
    )

    assert response.status_code == 200
    token = ApiToken.objects.get()
    key = issued_key(response)
    assert token.key_hash == hash_key(key)
    assert key not in str(token.__dict__)
    assert "no-store" in response["Cache-Control"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/organizations/").status_code == 200
    change_url = reverse("admin:newsroom_apitoken_change", args=[token.pk])
    assert key not in admin_client.get(change_url).content.decode()


def test_the_key_never_travels_in_a_cookie(admin_client, consumer, monkeypatch):
    # The messages cookie is signed, not encrypted: anyone holding it could read the key.
    key = "known-test-key-0123456789abcdefghijklmnopqrstu"
    monkeypatch.setattr("newsroom.tokens.secrets.token_urlsafe", lambda nbytes: key)

    response = admin_client.post(
        reverse("admin:newsroom_apitoken_add"),
        {"user": consumer.pk, "name": "feed", "expires_at_0": "", "expires_at_1": ""},
    )

    assert ApiToken.objects.get().key_hash == hash_key(key)
    assert not any(key in morsel.OutputString() for morsel in response.cookies.values())
    if "messages" in response.cookies:  # compressed and signed: read it as Django does
        stored = CookieStorage(response.wsgi_request)._decode(response.cookies["messages"].value)
        assert not any(key in str(message) for message in stored or [])
    assert issued_key(response) == key  # shown on the page instead


@pytest.mark.parametrize("role", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}])
def test_no_token_is_issued_to_staff(role):
    user = StaffFactory(**role)

    with pytest.raises(ValidationError, match="consumer accounts only"):
        token_issue(user=user, name="feed")
    assert not ApiToken.objects.exists()


def test_the_admin_refuses_a_token_for_staff_with_a_form_error(admin_client, editor):
    response = admin_client.post(
        reverse("admin:newsroom_apitoken_add"),
        {"user": editor.pk, "name": "feed", "expires_at_0": "", "expires_at_1": ""},
    )

    assert response.status_code == 200
    assert "consumer accounts only" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_stops_working_when_its_user_becomes_staff(consumer):
    _, key = token_issue(user=consumer, name="feed")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/organizations/").status_code == 200

    consumer.is_superuser = True
    consumer.save(update_fields=["is_superuser"])

    response = client.get("/api/v1/organizations/")
    assert response.status_code == 401
    assert "staff account" in response.json()["detail"]


def test_admin_revokes_tokens_and_they_stop_working_at_once(admin_client, consumer):
    from newsroom.tokens import token_issue

    token, key = token_issue(user=consumer, name="feed")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/organizations/").status_code == 200

    admin_client.post(
        reverse("admin:newsroom_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/organizations/").status_code == 401


def test_tokens_cannot_be_deleted_only_revoked(admin_client, consumer):
    from newsroom.tokens import token_issue

    token, _ = token_issue(user=consumer, name="feed")

    response = admin_client.post(reverse("admin:newsroom_apitoken_delete", args=[token.pk]))

    assert response.status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_an_expiry_in_the_past_is_refused(consumer):
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from newsroom.tokens import token_issue

    with pytest.raises(ValidationError, match="future"):
        token_issue(user=consumer, name="x", expires_at=timezone.now() - datetime.timedelta(days=1))
    assert not ApiToken.objects.exists()


def test_the_admin_refuses_a_past_expiry_with_a_form_error(admin_client, consumer):
    # Found in review: a past expiry raised inside save_model and answered 500.
    response = admin_client.post(
        reverse("admin:newsroom_apitoken_add"),
        {
            "user": consumer.pk,
            "name": "feed",
            "expires_at_0": "2020-01-01",
            "expires_at_1": "10:00:00",
        },
    )

    assert response.status_code == 200
    assert "must be in the future" in response.content.decode()
    assert not ApiToken.objects.exists()
