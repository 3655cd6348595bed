"""The OpenAPI schema: the committed copy matches the code, and the API honours it."""

from pathlib import Path

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, settings

from newsroom.wsgi import application

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_the_committed_schema_matches_the_generated_one(tmp_path):
    generated = tmp_path / "openapi.yaml"

    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")

    assert generated.read_text() == COMMITTED.read_text(), (
        "docs/openapi.yaml is out of date: run "
        "`DEBUG=true .venv/bin/python manage.py spectacular --file docs/openapi.yaml`"
    )


schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def keep_test_connection():
    """Don't let each request close the test's database connection (as the test client does)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_session(db, keep_test_connection):
    """Cookies and a CSRF header for a superuser's admin session (tokens are for consumers)."""
    from django.conf import settings as django_settings
    from django.test import Client
    from django.utils.crypto import get_random_string

    from newsroom.demo import load_demo
    from tests.factories import StaffFactory

    load_demo(with_users=False)
    client = Client()
    client.force_login(StaffFactory(username="schemathesis", is_superuser=True))
    csrf = get_random_string(32)
    cookies = {
        django_settings.SESSION_COOKIE_NAME: client.cookies[
            django_settings.SESSION_COOKIE_NAME
        ].value,
        django_settings.CSRF_COOKIE_NAME: csrf,
    }
    return {"cookies": cookies, "headers": {"X-CSRFToken": csrf}}


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_never_answers_with_a_server_error(case, staff_session):
    response = case.call(**staff_session)

    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
