"""Benchmark newsroom's hot paths on a throwaway database and print the figures.

    .venv/bin/python bench/run.py [--claims 2000] [--repeat 20]

Uses a fresh SQLite file under /tmp unless DATABASE_URL is set (then it must point at a
scratch database: the script migrates it and fills it with synthetic rows). It measures:
importing documents, the consumer claims list and detail over the API (time and queries),
the admin claim changelist, and recounting independent origins.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 60)
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtb25seS1rZXktMzItYnl0ZXMtbG9uZyEhISE=")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("API_THROTTLE_RATE", "1000000/hour")
    if "DATABASE_URL" not in os.environ:
        path = Path(tempfile.mkdtemp(prefix="newsroom-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()


def timed(fn, repeat: int) -> tuple[float, float]:
    """Return (median ms, p95 ms) of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        fn()
    return len(context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    configure()

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from rest_framework.test import APIClient

    from claims import recording
    from claims.models import Claim, ClaimStatus
    from claims.origins import refresh_independent_origins
    from newsroom.tokens import token_issue
    from sources.ingest import document_import
    from sources.models import AnonymousSource, LicenseTerms, Organization

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; {args.claims} claims, {args.documents} documents")

    # --- import throughput ---
    raw = (
        "Officials said the plan was put on hold.\nIt was a long line that wraps\n"
        "in the middle of a sentence, as wire copy does.\n\nEnd of Article\n"
    )
    start = time.perf_counter()
    documents = [
        document_import(raw=f"Story {i}\n\n{raw}", publisher="Bench Wire").document
        for i in range(args.documents)
    ]
    elapsed = time.perf_counter() - start
    print(f"import_document: {args.documents / elapsed:.0f} documents/s")

    # --- synthetic claims with appearances and chains ---
    User = get_user_model()
    editor = User.objects.create(username="bench-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    consumer = User.objects.create(username="bench-consumer")
    consumer.groups.add(Group.objects.get(name="API consumers"))
    terms = LicenseTerms.objects.create(
        holder=Organization.objects.get(name="Bench Wire"),
        notice="© Bench Wire.",
        max_external_quote_chars=300,
    )
    for document in documents:
        document.license = terms
        document.save(update_fields=["license"])
    reporter = Organization.objects.create(name="Bench Times", kind="publication")
    officials = AnonymousSource.objects.create(description="officials", count_text="several")
    start = time.perf_counter()
    for i in range(args.claims):
        claim = recording.claim_create(text=f"Claim {i}", summary=f"Claim {i}", user=editor)
        appearance = recording.appearance_create(
            claim=claim, document=documents[i % len(documents)], exact="the plan", user=editor
        )
        recording.chain_set(
            appearance=appearance,
            links=[
                recording.ChainLink("origin", officials, "said"),
                recording.ChainLink("reporter", reporter, "reported"),
            ],
        )
    print(
        f"recording a claim with appearance and chain: "
        f"{(time.perf_counter() - start) / args.claims * 1000:.1f} ms each"
    )
    # Synthetic data for the read paths: marked concluded in bulk (not a workflow figure).
    Claim.objects.update(status=ClaimStatus.VERIFIED)

    # --- recount ---
    ids = list(Claim.objects.values_list("pk", flat=True))
    start = time.perf_counter()
    refresh_independent_origins(ids)
    print(
        f"refresh_independent_origins({len(ids)} claims): "
        f"{(time.perf_counter() - start) * 1000:.0f} ms"
    )

    # --- API ---
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=consumer, name='bench')[1]}")
    list_url = "/api/v1/claims/?page_size=50"
    detail_url = f"/api/v1/claims/{ids[0]}/"
    api.get(list_url)  # warm up
    for label, url in (("claims list (50/page)", list_url), ("claim detail", detail_url)):
        median, p95 = timed(lambda url=url: api.get(url), args.repeat)
        n = queries(lambda url=url: api.get(url))
        print(f"GET {label}: median {median:.1f} ms, p95 {p95:.1f} ms, {n} queries")

    # --- admin changelist ---
    admin = User.objects.create(username="bench-admin", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    url = "/admin/claims/claim/"
    median, p95 = timed(lambda: browser.get(url), args.repeat)
    print(
        f"admin claim changelist (100/page): median {median:.1f} ms, p95 {p95:.1f} ms, "
        f"{queries(lambda: browser.get(url))} queries"
    )


if __name__ == "__main__":
    main()
