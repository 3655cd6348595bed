"""Measure newsroom at scale, in one run on one database: the project against a raw psycopg +
orjson baseline (same JSON bytes, asserted) and a plain DRF nested ModelSerializer.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nr_scale \\
        .venv/bin/python bench/scale.py [--claims 100000] [--repeat 10] [--seed 1]

The database must be PostgreSQL and is written to: `--claims N` migrates it and fills it with
`manage.py generate_scale_data` when it holds no claims (otherwise the data already there is
measured). Prints median and p95 (ms, in-process, after warm-up), query counts, the SQL time
of a request, the growing tables its queries scan whole (EXPLAIN), and each variant's ratio to
the project. Times are never asserted; the JSON equality is.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from base64 import b64encode
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtb25seS1rZXktMzItYnl0ZXMtbG9uZyEhISE=")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("API_THROTTLE_RATE", "100000000/hour")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("bench/scale.py needs PostgreSQL: set DATABASE_URL to a scratch database.")
    import django

    django.setup()


# Tables that grow with the data: a sequential scan over one of them is a cost that grows too.
BIG_TABLES = {
    "claims_claim",
    "claims_appearance",
    "claims_attribution",
    "claims_externalcheck",
    "claims_verificationevent",
    "claims_claim_topics",
    "sources_document",
    "sources_person",
}


class Row:
    def __init__(self, group, name, queries, samples, sql=None):
        samples = sorted(samples)
        self.group, self.name = group, name
        self.queries, self.sql_ms, self.seq_scans = (
            (queries, None, "") if sql is None else (len(queries), sql[0], sql[1])
        )
        self.median = statistics.median(samples)
        self.p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def measure(fn, *, repeat: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def capture(fn) -> list[dict]:
    """Run fn once and return the queries it ran (sql, time)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        fn()
    return context.captured_queries


def count_queries(fn) -> int:
    return len(capture(fn))


def sql_profile(queries: list[dict], *, explain: bool) -> tuple[float, str]:
    """Return (captured SQL ms, the big tables some query scans sequentially per EXPLAIN)."""
    from django.db import connection

    total = sum(float(q["time"]) for q in queries) * 1000
    scanned = set()
    if explain:
        with connection.cursor() as cursor:
            for query in queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                scanned |= _seq_scans(plan[0]["Plan"])
    return total, ", ".join(sorted(scanned & BIG_TABLES))


def _seq_scans(node: dict) -> set[str]:
    found = {node["Relation Name"]} if node.get("Node Type") == "Seq Scan" else set()
    for child in node.get("Plans", ()):
        found |= _seq_scans(child)
    return found


def cursor_at(position) -> str:
    """A DRF cursor (keyset position) starting after the claim with this `updated_at`."""
    return b64encode(urlencode({"p": str(position)}).encode("ascii")).decode("ascii")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, help="Generate this many claims if none exist.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=10, help="Timed calls per row.")
    parser.add_argument(
        "--slow-repeat", type=int, default=3, help="Timed calls for rows slower than a second."
    )
    parser.add_argument(
        "--no-explain",
        dest="explain",
        action="store_false",
        help="Skip EXPLAIN of each project request's queries (the seq scans column).",
    )
    parser.add_argument(
        "--only",
        default="",
        help="Comma-separated groups to measure (list, detail, filter, export, search, admin); "
        "all by default.",
    )
    args = parser.parse_args()
    groups = set(filter(None, args.only.split(","))) or {
        "list", "detail", "filter", "export", "search", "admin"
    }  # fmt: skip
    configure()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIClient

    from bench.plain_drf import PlainClaimSerializer
    from bench.raw_baseline import RawClaims, connect
    from claims.models import Claim
    from newsroom.tokens import token_issue
    from sources.models import Document, Organization

    call_command("migrate", verbosity=0)
    if not Claim.objects.exists():
        if not args.claims:
            sys.exit("The database holds no claims: give --claims N to generate them first.")
        started = time.perf_counter()
        call_command("generate_scale_data", claims=args.claims, seed=args.seed, verbosity=0)
        print(f"generate_scale_data --claims {args.claims}: {time.perf_counter() - started:.1f} s")
    n_claims = Claim.objects.count()
    n_documents = Document.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg_version = cursor.fetchone()[0].split(",")[0]
    print(f"{n_claims:,} claims, {n_documents:,} documents on {pg_version}; repeat {args.repeat}")

    User = get_user_model()
    consumer = User.objects.get(username="bench-consumer")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=consumer, name='bench')[1]}")
    admin_user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    browser = Client()
    browser.force_login(admin_user)
    raw = RawClaims(connect(settings.DATABASES["default"]))

    rows: list[Row] = []
    bodies: dict[str, bytes] = {}

    def project(group, name, url, client=api):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            bodies[name] = response.content

        first = time.perf_counter()
        call()
        slow = time.perf_counter() - first > 1.0
        repeat = args.slow_repeat if slow else args.repeat
        queries = capture(call)
        sql = sql_profile(queries, explain=args.explain)
        samples = measure(call, repeat=repeat, warmup=0 if slow else 2)
        rows.append(Row(group, name, queries, samples, sql))

    def baseline(group, name, fn):
        before = raw.queries
        body = fn()
        queries = raw.queries - before
        bodies[name] = body
        rows.append(Row(group, name, queries, measure(fn, repeat=args.repeat)))

    consumer_claims = Claim.objects.concluded().order_by("-updated_at", "-id")
    first_claim = consumer_claims.values_list("pk", flat=True).first()
    detail_claim = (
        consumer_claims.filter(appearances__isnull=False)
        .order_by("-updated_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    deep = consumer_claims.values_list("updated_at", flat=True)[int(consumer_claims.count() * 0.9)]
    publication = Organization.objects.filter(kind="publication").order_by("pk").first()
    group = Organization.objects.filter(kind="publisher").order_by("pk").first()

    # --- the consumer list and detail, three ways ---------------------------------------------
    for size in (1, 50, 100) if "list" in groups else ():
        url = f"/api/v1/claims/?page_size={size}"
        project("list", f"project list page_size={size}", url)
        baseline("list", f"raw list page_size={size}", lambda s=size: raw.list_page(
            page_size=s, query=f"page_size={s}"
        ))  # fmt: skip
        assert bodies[f"project list page_size={size}"] == bodies[f"raw list page_size={size}"], (
            f"raw JSON differs from the project's for page_size={size}"
        )

    def plain_list(size=50):
        page = list(
            Claim.objects.concluded().with_provenance().order_by("-updated_at", "-id")[:size]
        )
        return JSONRenderer().render(PlainClaimSerializer(page, many=True).data)

    def plain_detail():
        claim = Claim.objects.concluded().with_provenance().get(pk=detail_claim)
        return JSONRenderer().render(PlainClaimSerializer(claim).data)

    for size in (1, 50, 100) if "list" in groups else ():
        queries = count_queries(lambda s=size: plain_list(s))
        rows.append(
            Row("list", f"plain DRF list {size}", queries, measure(lambda s=size: plain_list(s),
                repeat=args.repeat))
        )  # fmt: skip
    if "detail" in groups:
        project("detail", "project detail", f"/api/v1/claims/{detail_claim}/")
        baseline("detail", "raw detail", lambda: raw.detail(detail_claim))
        assert bodies["project detail"] == bodies["raw detail"], "raw detail JSON differs"
        rows.append(
            Row("detail", "plain DRF detail", count_queries(plain_detail),
                measure(plain_detail, repeat=args.repeat))
        )  # fmt: skip
        # The floor under every consumer request: an authenticated DRF request reading no data
        # (middleware, token, throttle, negotiation, rendering), for reading the ratios above.
        project("detail", "floor: API root, authenticated, no data", "/api/v1/")

    # --- every filter and ordering of the consumer API, a deep page, search -------------------
    filters = {
        "status=verified": "status=verified",
        "status=verified&disputed": "status=verified&status=disputed",
        "publisher=<publication id>": f"publisher={publication.pk}",
        "publisher=<group id>": f"publisher={group.pk}",
        "publisher=<name>": f"publisher={publication.name.replace(' ', '+')}",
        "origin_kind=anonymous": "origin_kind=anonymous",
        "origin_kind=person": "origin_kind=person",
        "min_independent_origins=2": "min_independent_origins=2",
        "topic=energy": "topic=energy",
        "updated_since=<90% depth>": f"updated_since={deep.isoformat().replace('+', '%2B')}",
        "q=<rare term>": "q=Zephyrine",
        "q=<common term>": "q=energy",
        "q=<two terms>": "q=grid+batteries",
    }
    for field in ("updated_at", "created_at", "independent_origins", "id"):
        for sign in ("", "-"):
            filters[f"ordering={sign}{field}"] = f"ordering={sign}{field}"
    for name, query in filters.items() if "filter" in groups else ():
        project("filter", name, f"/api/v1/claims/?page_size=50&{query}")
    if "filter" in groups:
        deep_page = f"/api/v1/claims/?page_size=50&cursor={cursor_at(deep)}"
        project("filter", "deep cursor page (90%)", deep_page)

    # --- exports ----------------------------------------------------------------------------
    if "export" in groups:
        project("export", "ClaimReview of a claim", f"/api/v1/claims/{first_claim}/claimreview/")
        project("export", "PROV-JSON of a claim", f"/api/v1/claims/{detail_claim}/provenance/")
        project("export", "ClaimReview feed page_size=50", "/api/v1/claimreview/?page_size=50")

    # --- ranked full-text search: the top 50 by ts_rank, and how many match (at 100k, "export"
    # matches about 25k claims, a quarter; at 1M "grid 2024" matches about 21k) ---------------
    def ranked_top_50(term):
        found = Claim.objects.ranked_search(term).order_by("-search_rank", "-id")
        return list(found.values_list("id", flat=True)[:50])

    for term in (
        ("Zephyrine", "grid 2024", "energy Hamburg", "energy", "export")
        if "search" in groups
        else ()
    ):
        matches = Claim.objects.search(term).count()
        queries = capture(lambda t=term: ranked_top_50(t))
        sql = sql_profile(queries, explain=args.explain)
        samples = measure(lambda t=term: ranked_top_50(t), repeat=args.repeat)
        name = f"ranked top 50 q={term!r} ({matches:,} matches)"
        rows.append(Row("search", name, queries, samples, sql))

    # --- admin (superuser) ------------------------------------------------------------------
    admin_pages = {
        "claims changelist": "/admin/claims/claim/",
        "claims changelist ?q=<rare term>": "/admin/claims/claim/?q=Zephyrine",
        "claims changelist ?q=energy": "/admin/claims/claim/?q=energy",
        "claims changelist ?status=in_review": "/admin/claims/claim/?status__exact=in_review",
        "claims changelist ?queue=anonymous_only": "/admin/claims/claim/?queue=anonymous_only",
        "claims changelist ?queue=unassigned": "/admin/claims/claim/?queue=unassigned",
        "claims changelist ?queue=overdue": "/admin/claims/claim/?queue=overdue",
        "claims changelist ?queue=conflicted": "/admin/claims/claim/?queue=conflicted",
        "documents changelist": "/admin/sources/document/",
        "documents changelist ?q=Herald": "/admin/sources/document/?q=Herald",
        "documents changelist ?q=story-123": "/admin/sources/document/?q=story-123",
        "review queue dashboard": "/admin/claims/claim/queue/",
    }
    for name, url in admin_pages.items() if "admin" in groups else ():
        project("admin", name, url, client=browser)

    report(rows, n_claims)


def report(rows: list[Row], n_claims: int) -> None:
    by_name = {row.name: row for row in rows}
    print()
    print(
        "| group | request | queries | SQL ms | median ms | p95 ms | project ÷ raw "
        "| project ÷ plain DRF | seq scan of |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        versus_raw = versus_drf = ""
        if row.name.startswith("project "):
            tail = row.name.removeprefix("project ")
            raw = by_name.get(f"raw {tail}")
            drf = by_name.get(f"plain DRF {tail.replace('page_size=', '')}")
            versus_raw = f"{row.median / raw.median:.1f}×" if raw else ""
            versus_drf = f"{row.median / drf.median:.1f}×" if drf else ""
        sql_ms = "" if row.sql_ms is None else f"{row.sql_ms:.1f}"
        print(
            f"| {row.group} | {row.name} | {row.queries} | {sql_ms} | {row.median:.1f} | "
            f"{row.p95:.1f} | {versus_raw} | {versus_drf} | {row.seq_scans} |"
        )
    print(
        f"\n{n_claims:,} claims; the raw JSON equals the project's for every list and detail row. "
        "SQL ms: the captured time of the request's queries (one extra call); seq scan of: the "
        "growing tables some query of the request scans whole, per EXPLAIN."
    )


if __name__ == "__main__":
    main()
