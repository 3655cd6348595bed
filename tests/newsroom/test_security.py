"""Defences at the door: login lockout, shared throttling, bad tokens throttled, CSP headers."""

import json
import os
import secrets
import subprocess
import sys

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


# --- Throttling shared by every worker (Redis) --------------------------------------------------

# One API worker process: it loads the real settings from the environment and asks the API's
# throttle whether each of `count` anonymous requests from `ip` may pass.
WORKER = """
import json, sys

import django

django.setup()
from django.core.cache import caches
from django.test import RequestFactory
from rest_framework.request import Request

from newsroom.api.base import TokenRateThrottle

ip, count = sys.argv[1], int(sys.argv[2])
request = Request(RequestFactory().get("/api/v1/claims/", REMOTE_ADDR=ip))
allowed = [TokenRateThrottle().allow_request(request, None) for _ in range(count)]
print(json.dumps({"cache": type(caches["default"]).__name__, "allowed": allowed}))
"""


def run_worker(ip: str, count: int, **env: str) -> dict:
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    environment.update(API_THROTTLE_RATE="3/min", **env)
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WORKER, ip, str(count)],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def client_ip(redis_url):
    """An address no other run has used, whose throttle counts are removed afterwards."""
    import redis

    ip = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    yield ip
    server = redis.Redis.from_url(redis_url)
    for key in server.scan_iter(f"*throttle_token_{ip}"):
        server.delete(key)


def test_two_workers_share_one_throttle_count_through_redis(redis_url, client_ip):
    # Given: a rate of 3 a minute and two separate worker processes on one Redis.
    first = run_worker(client_ip, 2, REDIS_URL=redis_url)

    # When: the second worker serves the same client twice more.
    second = run_worker(client_ip, 2, REDIS_URL=redis_url)

    # Then: only 3 of the 4 requests pass, not 2 per process.
    assert first == {"cache": "RedisCache", "allowed": [True, True]}
    assert second == {"cache": "RedisCache", "allowed": [True, False]}


def test_without_redis_url_each_process_counts_alone():
    """The one-process default needs no Redis: a per-process memory cache."""
    ip = "192.0.2.1"
    assert run_worker(ip, 2) == {"cache": "LocMemCache", "allowed": [True, True]}
    assert run_worker(ip, 2) == {"cache": "LocMemCache", "allowed": [True, True]}


# --- Refused credentials are throttled too ------------------------------------------------------

API = "/api/v1/organizations/"


@pytest.fixture
def failed_auth_rate(monkeypatch):
    from newsroom.api.base import FailedAuthenticationThrottle

    monkeypatch.setattr(FailedAuthenticationThrottle, "THROTTLE_RATES", {"failed_auth": "3/min"})
    return 3


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-key", "Bearer two parts", "Token not-a-key", None],
    ids=["unknown-token", "malformed", "other-scheme", "no-credentials"],
)
def test_requests_refused_for_their_credentials_are_throttled_by_address(
    authorization, failed_auth_rate
):
    from rest_framework.test import APIClient

    client = APIClient(REMOTE_ADDR="203.0.113.50")
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)

    responses = [client.get(API) for _ in range(failed_auth_rate + 1)]

    assert [r.status_code for r in responses] == [401] * failed_auth_rate + [429]
    assert int(responses[-1]["Retry-After"]) > 0
    # Another address is not held back by this one.
    assert APIClient(REMOTE_ADDR="203.0.113.51").get(API).status_code == 401


def test_a_valid_token_still_works_from_an_address_sending_bad_ones(failed_auth_rate, consumer):
    from rest_framework.test import APIClient

    from newsroom.tokens import token_issue

    guesser = APIClient(REMOTE_ADDR="203.0.113.60")
    guesser.credentials(HTTP_AUTHORIZATION="Bearer not-a-key")
    for _ in range(failed_auth_rate + 1):
        guesser.get(API)
    assert guesser.get(API).status_code == 429

    # Keys are 256-bit random: throttling failures guards the service, not the keys.
    honest = APIClient(REMOTE_ADDR="203.0.113.60")
    honest.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=consumer, name='feed')[1]}")
    assert honest.get(API).status_code == 200
