"""Django's PostgreSQL backend, with prepared statements for the read path that asks for them.

Issue 11: the consumer claim detail spent about a third of its time parsing and planning the
same few statements on every request. Django binds parameters on the client by default, so
each query reaches PostgreSQL as new text and nothing can be prepared; binding every query on
the server instead (Django's `server_side_binding`) and letting psycopg prepare whatever runs
five times broke two things a review found: a statement may carry at most 65,535 parameters
(an admin action over every claim, a large recount batch), and after five runs PostgreSQL may
keep one generic plan per statement, which cannot use a partial index whose condition is a
parameter (the overdue review queue went from about 2 ms to 2.5 s).

So this backend keeps Django's behaviour for every query (parameters merged on the client,
the same text psycopg's client cursor sends), except inside
`newsroom.postgresql.prepared_statements()`: there a query with at most
`MAX_PREPARED_PARAMETERS` parameters is bound on the server and prepared on the connection at
its first run, and PostgreSQL keeps one plan for it once it has seen it five times. The views
use it only for statements whose shape and plan do not depend on the values: the token lookup
by its key, the consumer claims list and detail without filters (walks of the
`(updated_at, id)` index, lookups by key, the page's documents and excerpts by id), and the
API's recording of a claim, an appearance and a chain (inserts, locks and lookups by key).

`DATABASE_PREPARE=off` (settings) turns it off, for a pooler in transaction mode that cannot
keep prepared statements. It pays with persistent connections (`CONN_MAX_AGE`).
"""

from __future__ import annotations

import psycopg
from django.db.backends.postgresql import base, operations

from newsroom.postgresql import preparing

# Statements with more parameters are not prepared: long IN lists change their text with their
# length, so preparing them would only fill the connection's cache (pass such ids as one array,
# `= ANY(%s)`). The claims page query has about 70, whatever the page size.
MAX_PREPARED_PARAMETERS = 100
# psycopg prepares nothing when the threshold is None, not even on request; this high one
# means "only on request" (every other query is sent as text, and never counted).
_ONLY_ON_REQUEST = 2**31 - 1


class Cursor(base.CursorMixin, psycopg.Cursor):
    """psycopg's cursor that merges parameters on the client, as Django's own does, unless
    the statement is to be prepared."""

    bound_on_server = False

    def execute(self, query, params=None, *, prepare=None, binary=None):
        self.bound_on_server = (
            params is not None and len(params) <= MAX_PREPARED_PARAMETERS and preparing()
        )
        if self.bound_on_server:
            return super().execute(query, params, prepare=True, binary=binary)
        if params is not None:
            query = psycopg.ClientCursor(self.connection).mogrify(query, params)
        return super().execute(query, None, prepare=False, binary=binary)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # A statement bound on the server was sent with $1 placeholders: log its values.
        if getattr(cursor, "bound_on_server", False):
            return self.compose_sql(sql, params)
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self):
        params = super().get_connection_params()
        # With prepare off, Django's own cursor: text always, nothing prepared.
        params["cursor_factory"] = Cursor if params.pop("prepare", True) else base.Cursor
        params["prepare_threshold"] = _ONLY_ON_REQUEST
        return params
