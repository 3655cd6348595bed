"""Defences at the door: login lockout, shared throttling, bad tokens throttled, CSP headers."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


# --- Login lockout (django-axes) ----------------------------------------------------------------


# A few honest typos pass; a guessing run does not. The cool-off outlasts a burst of guesses.
FAILURE_LIMIT = 5


def test_lockout_settings_are_sane():
    assert settings.AXES_FAILURE_LIMIT == FAILURE_LIMIT
    assert settings.AXES_COOLOFF_TIME.total_seconds() >= 15 * 60
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def admin_login(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_admin_login_refuses_even_the_right_password_after_repeated_failures(client, editor):
    # Given: as many wrong passwords as the limit allows, from one address.
    codes = [
        admin_login(client, editor.username, "wrong guess").status_code
        for _ in range(FAILURE_LIMIT)
    ]
    assert codes == [200] * (FAILURE_LIMIT - 1) + [429]
    assert not is_logged_in(client)

    # When: the right password comes next from the same address.
    response = admin_login(client, editor.username, PASSWORD)

    # Then: it is refused, and nobody is logged in.
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_lockout_is_per_username_and_address(client, editor, factchecker):
    for _ in range(FAILURE_LIMIT):
        admin_login(client, editor.username, "wrong guess")

    # The same person from another address, and a colleague from the same one, still get in.
    assert admin_login(client, editor.username, PASSWORD, ip="198.51.100.9").status_code == 302
    client.logout()
    assert admin_login(client, factchecker.username, PASSWORD).status_code == 302


def test_a_few_failures_below_the_limit_do_not_lock_out(client, editor):
    for _ in range(FAILURE_LIMIT - 1):
        admin_login(client, editor.username, "wrong guess")

    response = admin_login(client, editor.username, PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)
