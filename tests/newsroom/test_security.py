"""Defences at the door: login lockout, shared throttling, bad tokens throttled, CSP headers."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
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


# --- Content-Security-Policy ----------------------------------------------------------------------

# Where each kind of element's URL is checked: the directive that governs it.
URL_DIRECTIVES = {
    ("script", "src"): "script-src",
    ("link", "href"): "style-src",  # stylesheets; icons fall under img-src, checked alike
    ("img", "src"): "img-src",
    ("iframe", "src"): "frame-src",
    ("form", "action"): "form-action",
}
JAVASCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


class PageResources(HTMLParser):
    """Collect what an HTML page loads, its inline scripts and inline styles."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []  # (directive, url)
        self.inline_scripts = 0
        self.inline_styles = 0
        self.event_handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for (element, attribute), directive in URL_DIRECTIVES.items():
            if tag == element and attributes.get(attribute):
                if tag == "link" and "icon" in (attributes.get("rel") or ""):
                    directive = "img-src"
                self.urls.append((directive, attributes[attribute]))
        if tag == "script" and not attributes.get("src"):
            self._in_script = (attributes.get("type") or "").lower() in JAVASCRIPT_TYPES
        if tag == "style" or "style" in attributes:
            self.inline_styles += 1
        self.event_handlers += [name for name in attributes if name.startswith("on")]
        self.event_handlers += [
            value for name, value in attrs if value and value.strip().startswith("javascript:")
        ]

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def parse_policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def allowed_by(policy: dict[str, list[str]], directive: str, url: str) -> bool:
    """Tell whether `url` on this page (http://testserver) may load under `directive`."""
    sources = policy.get(directive, policy.get("default-src", []))
    parts = urlsplit(url)
    if parts.scheme in {"", "http", "https"} and parts.netloc in {"", "testserver"}:
        return "'self'" in sources
    return f"{parts.scheme}:" in sources


@pytest.fixture
def pages(superuser):
    """Every kind of HTML page: admin login, admin pages, API docs, the browsable API."""
    from django.test import Client

    from claims.models import Claim
    from newsroom.demo import load_demo

    load_demo(with_users=False)
    claim = Claim.objects.first()
    anonymous, staff = Client(), Client()
    staff.force_login(superuser)
    return [
        (anonymous, reverse("admin:login")),
        (anonymous, reverse("api-docs")),
        (staff, reverse("admin:index")),
        (staff, reverse("admin:claims_claim_changelist")),
        (staff, reverse("admin:claims_claim_change", args=[claim.pk])),
        (staff, reverse("admin:claims_claim_provenance", args=[claim.pk])),
        (staff, reverse("admin:claims_claim_history", args=[claim.pk])),
        (staff, reverse("admin:sources_document_changelist")),
        (staff, reverse("admin:sources_document_add")),
        (staff, reverse("api:claim-list") + "?format=api"),
    ]


def test_the_policy_is_strict(client):
    response_policy = parse_policy(client.get(reverse("admin:login"))["Content-Security-Policy"])

    assert response_policy["default-src"] == ["'self'"]
    assert response_policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert response_policy["object-src"] == ["'none'"]
    assert response_policy["frame-ancestors"] == ["'none'"]
    assert response_policy["base-uri"] == ["'self'"]
    assert response_policy["form-action"] == ["'self'"]


def test_every_html_page_carries_a_policy_that_allows_what_it_loads(pages):
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html"), url
        policy = parse_policy(response["Content-Security-Policy"])
        page = PageResources()
        page.feed(response.content.decode())

        assert page.urls, f"{url} loads nothing: the parser missed its resources"
        refused = [(d, u) for d, u in page.urls if not allowed_by(policy, d, u)]
        assert not refused, f"{url}: the policy refuses {refused}"
        assert page.inline_scripts == 0, f"{url} has inline scripts the policy blocks"
        assert not page.event_handlers, f"{url} has inline handlers: {page.event_handlers}"
        if page.inline_styles:
            assert "'unsafe-inline'" in policy["style-src"], url
        for directive, resource in page.urls:
            path = urlsplit(resource).path
            if directive != "form-action" and path.startswith(settings.STATIC_URL):
                # Served from this origin's static files, not a CDN: the file must exist.
                assert finders.find(path.removeprefix(settings.STATIC_URL)), resource


def test_swagger_ui_loads_its_start_up_script_as_a_file_from_this_origin(client):
    page = PageResources()
    page.feed(client.get(reverse("api-docs")).content.decode())
    scripts = [u for d, u in page.urls if d == "script-src"]
    start_up = next(u for u in scripts if not urlsplit(u).path.startswith(settings.STATIC_URL))

    response = client.get(start_up)

    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert "SwaggerUIBundle(" in response.content.decode()
    # It fetches the schema from this origin too (connect-src falls back to default-src 'self').
    assert f'url: "{reverse("schema")}"' in response.content.decode()
    assert "Content-Security-Policy" in response
