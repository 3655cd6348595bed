"""The read replica: consumer-facing reads go to it, everything else stays on the primary.

With `DATABASE_REPLICA_URL` set, settings add a `replica` database alias (a streaming replica
of the primary). `ReplicaReadsMiddleware` marks a request as replica-eligible when it is a
safe request (GET, HEAD) from someone who is not staff, outside the admin: the consumer API,
the public pages, the feeds. `PrimaryReplicaRouter` then sends that request's reads to the
replica, and keeps on the primary:

- every write, always;
- every read inside a transaction on the primary (a service's `transaction.atomic` block
  reads what it locks and writes);
- every read after the request wrote anything (it reads its own writes);
- staff and admin requests, and unsafe methods (editors see what they just saved);
- everything outside a request: management commands, Celery tasks, the shell, migrations.

Reads from the replica may lag the primary by the replication delay; only readers who cannot
have written anything are sent there. Without the alias the router sends everything to the
primary, so one database needs no configuration.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STAFF_PREFIXES = ("/admin/",)

# Set only for the duration of a replica-eligible request (contextvars: per thread and task).
_reads_from_replica: ContextVar[bool] = ContextVar("newsroom_reads_from_replica", default=False)


def replica_database(url: str, *, conn_max_age: int = 0) -> dict:
    """The `replica` alias for DATABASES, from its URL; a mirror of `default` under test."""
    import dj_database_url

    config = dj_database_url.parse(url, conn_max_age=conn_max_age)
    # The test runner points a mirror at the test copy of `default` instead of creating a
    # database of its own, so tests see one database through both aliases.
    config["TEST"] = {"MIRROR": DEFAULT_DB_ALIAS}
    return config


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_from_replica() -> bool:
    """Whether reads now go to the replica (for tests and diagnostics)."""
    return _reads_from_replica.get() and replica_configured()


class PrimaryReplicaRouter:
    """Reads of consumer-facing requests to the replica; writes and the rest to the primary."""

    def db_for_read(self, model, **hints):
        if not _reads_from_replica.get() or not replica_configured():
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # a read inside a write transaction sees that transaction
        return REPLICA

    def db_for_write(self, model, **hints):
        # Once a request writes, the rest of it reads from the primary: its own writes.
        if _reads_from_replica.get():
            _reads_from_replica.set(False)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # One database seen twice: rows read from either alias relate.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the schema by replication, never by migrate.
        return db == DEFAULT_DB_ALIAS


def replica_eligible(request) -> bool:
    """A safe request outside the admin from someone who is not staff."""
    if request.method not in SAFE_METHODS or request.path.startswith(STAFF_PREFIXES):
        return False
    user = getattr(request, "user", None)  # the session user; API tokens authenticate later
    return not (user is not None and user.is_authenticated and user.is_staff)


class ReplicaReadsMiddleware:
    """Mark replica-eligible requests for the router (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured() or not replica_eligible(request):
            return self.get_response(request)
        token = _reads_from_replica.set(True)
        try:
            return self.get_response(request)
        finally:
            _reads_from_replica.reset(token)
