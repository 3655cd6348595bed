"""API tokens: issued in the admin with the key shown once, stored hashed, revoked there."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from newsroom.models import ApiToken
from newsroom.tokens import hash_key

pytestmark = pytest.mark.django_db


def test_admin_issues_a_token_showing_the_key_once(admin_client, consumer):
    response = admin_client.post(
        reverse("admin:newsroom_apitoken_add"),
        {"user": consumer.pk, "name": "Aggregator feed", "expires_at_0": "", "expires_at_1": ""},
    )

    assert response.status_code == 302
    token = ApiToken.objects.get()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    key = next(m for m in shown if "copy it now" in m).split(" is ")[1].split(" ")[0]
    assert token.key_hash == hash_key(key)
    assert key not in str(token.__dict__)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/organizations/").status_code == 200
    change_url = reverse("admin:newsroom_apitoken_change", args=[token.pk])
    admin_client.get(change_url)  # the one-time message is shown here
    assert key not in admin_client.get(change_url).content.decode()


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
