"""Shared fixtures: users in each role, and the database vendor."""

import functools
import importlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import StaffFactory, UserFactory


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the commit hooks of the writes inside, as their commit would:
    a test's own transaction never commits, and the watermark stamps on commit
    (claims/watermark.py)."""
    return functools.partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def editor(db):
    return StaffFactory(username="t-editor", groups=["Editors"])


@pytest.fixture
def factchecker(db):
    return StaffFactory(username="t-factchecker", groups=["Fact-checkers"])


@pytest.fixture
def factchecker2(db):
    return StaffFactory(username="t-factchecker2", groups=["Fact-checkers"])


@pytest.fixture
def consumer(db):
    return UserFactory(username="t-consumer", groups=["API consumers"])


@pytest.fixture
def superuser(db):
    return StaffFactory(username="t-admin", is_superuser=True)


def pytest_collection_modifyitems(config, items):
    # Browser tests run last: each is transactional (a live server), and the flush after it
    # takes what the data migrations wrote (role groups) from the tests that would follow.
    items.sort(key=lambda item: "tests/browser/" in str(item.fspath))
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL to run it")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


# The logs' BEFORE TRUNCATE triggers (claims/migrations/0005_event_audit,
# newsroom/stories/migrations/0002_storyevent_append_only) would stop pytest-django flushing
# the tables after each transactional test on PostgreSQL. The test database alone has them
# disabled; tests of a trigger enable it inside their own transaction (truncate_refused,
# story_truncate_refused).
NO_TRUNCATE_TRIGGER = "claims_verificationevent_no_truncate"
NO_TRUNCATE_TRIGGERS = {
    "claims_verificationevent": NO_TRUNCATE_TRIGGER,
    "stories_storyevent": "stories_storyevent_no_truncate",
}


def _set_no_truncate_trigger(enabled: bool, tables=tuple(NO_TRUNCATE_TRIGGERS)) -> None:
    verb = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER {NO_TRUNCATE_TRIGGERS[table]}")


# On SQLite flush is DELETE FROM, which the logs' UPDATE/DELETE triggers refuse
# (newsroom/migrations/0005_sqlite_append_only_logs): the test database alone goes without
# them; tests of the refusal create them inside their own transaction (sqlite_append_only).
SQLITE_LOGS = importlib.import_module("newsroom.migrations.0005_sqlite_append_only_logs")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create the test databases, then let the suite empty the append-only logs between tests."""
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            _set_no_truncate_trigger(enabled=False)
        elif connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for sql in SQLITE_LOGS.DROP_SQL:
                    cursor.execute(sql)


@pytest.fixture
def sqlite_append_only(db):
    """Create the SQLite log triggers for this test only: its transaction undoes them."""
    if connection.vendor != "sqlite":
        pytest.skip("these are SQLite's triggers; PostgreSQL has its own (truncate_refused)")
    with connection.cursor() as cursor:
        for sql in SQLITE_LOGS.CREATE_SQL:
            cursor.execute(sql)


@pytest.fixture
def truncate_refused(db):
    """Enable the TRUNCATE trigger for this test only: the test's transaction undoes it."""
    if connection.vendor != "postgresql":
        pytest.skip("the TRUNCATE trigger is PostgreSQL's")
    with connection.cursor() as cursor:
        # ALTER TABLE refuses to run while deferred foreign-key checks are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _set_no_truncate_trigger(enabled=True, tables=["claims_verificationevent"])


@pytest.fixture
def story_truncate_refused(db):
    """Enable the story log's TRUNCATE trigger for this test only (its transaction undoes it)."""
    if connection.vendor != "postgresql":
        pytest.skip("the TRUNCATE trigger is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _set_no_truncate_trigger(enabled=True, tables=["stories_storyevent"])


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test users' passwords cheaply; production keeps Django's default hashers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


EXPORT_BASE = "https://newsroom.test"


def build_url(path: str) -> str:
    """Absolute URLs for exports built outside a request."""
    return EXPORT_BASE + path


def require_standards(folder: Path) -> Path:
    """Return the folder; skip when it is missing, or fail under CI=true (CI must validate)."""
    if not folder.is_dir():
        reason = f"offline standards folder not found at {folder}: cannot validate exports"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return folder


@pytest.fixture
def standards() -> Path:
    """The offline JSON-LD contexts and schemas (../shared/standards)."""
    return require_standards(Path(settings.BASE_DIR).parent / "shared" / "standards")


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_url() -> str:
    """The test Redis (REDIS_URL, else database 15 locally); skip if down, fail under CI=true."""
    import redis

    url = os.environ.get("REDIS_URL") or REDIS_TEST_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis not reachable at {url}: {error}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with no throttle counts: a shared Redis outlives test runs."""
    from django.core.cache import cache

    cache.clear()
