"""Changelist paging that never counts a large table row by row.

A changelist's COUNT(*) over a million rows costs more than the page it heads. On PostgreSQL
a list is counted only up to COUNT_CAP rows (one query, the same as a plain count of a small
table); past that the count is the planner's: the table's size from its statistics
(pg_class.reltuples) when unfiltered, EXPLAIN's row estimate when filtered. SQLite counts
exactly, as before.
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# A list is counted exactly up to this many rows.
COUNT_CAP = 10_000


def table_estimate(model, using: str) -> int:
    """Return the planner's estimate of the model's table size (-1 when never analysed)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [connections[using].ops.quote_name(model._meta.db_table)],
        )
        row = cursor.fetchone()
    return -1 if row is None else int(row[0])


def planner_estimate(queryset: QuerySet) -> int:
    """Return how many rows the planner expects the queryset to give (EXPLAIN, not run)."""
    plan = json.loads(queryset.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def is_unfiltered(queryset: QuerySet) -> bool:
    query = queryset.query
    return not query.where and not query.distinct and not query.combinator and not query.is_sliced


class EstimatedCountPaginator(Paginator):
    """A Paginator whose count is exact when cheap and estimated past that (`estimated`)."""

    estimated = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet) or connections[rows.db].vendor != "postgresql":
            return super().count
        keys = rows.order_by().values("pk")
        counted = keys[: COUNT_CAP + 1].count()
        if counted <= COUNT_CAP:
            return counted
        self.estimated = True
        if is_unfiltered(rows):
            return max(table_estimate(rows.model, rows.db), counted)
        return max(planner_estimate(keys), counted)


class EstimatedCountAdminMixin:
    """For a ModelAdmin over a table that grows: estimated counts, no second full count."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
