"""The write path at scale: recording a claim with an appearance and a 3-link chain.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nr_scale \\
        .venv/bin/python bench/write_path.py [--writes 200]

Each write is what one editor's recording does, through the one service
(claims/recording.py): `claim_create`, `appearance_create` (anchoring the quote in the
document's body) and `chain_set` with origin → reporter → publisher (history rows, the
independent-origin recount, the claim touched), committed in one transaction. Beside it, a raw
baseline: the same five data rows (claim, appearance, three links) by plain INSERTs through
psycopg in one transaction, without validation, anchoring, history or recount: the floor. The
database must be PostgreSQL with generated data (`manage.py generate_scale_data`), and is
written to (the new claims stay, as drafts no consumer sees). Prints median and p95 (ms),
queries per write, and the ratio; the target is a median of at most 20 ms. Never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
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
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("bench/write_path.py needs PostgreSQL: set DATABASE_URL to a generated database.")
    import django

    django.setup()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    configure()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench.raw_baseline import connect
    from claims import recording
    from claims.models import Attribution, Claim
    from newsroom.postgresql import prepared_statements
    from sources.models import AnonymousSource, Document, Organization, Person

    Role = Attribution.Role
    editor = get_user_model().objects.filter(is_staff=True).order_by("pk").first()
    if editor is None or not Claim.objects.exists():
        sys.exit("No generated data here: run manage.py generate_scale_data --claims N first.")
    documents = list(
        Document.objects.filter(withdrawn_at__isnull=True)
        .exclude(body="")
        .order_by("-pk")
        .only("pk", "body")[: args.writes + args.warmup]
    )
    person = Person.objects.order_by("pk").first()
    anonymous = AnonymousSource.objects.order_by("pk").first()
    outlets = list(Organization.objects.order_by("pk")[:2])
    n_claims = Claim.objects.count()

    def passage(document) -> str:
        return next(p for p in document.body.split("\n\n") if len(p) > 40)[:200]

    def record(i: int, document) -> None:
        # As the API's recording endpoints run the services (newsroom/api/claims.py).
        with prepared_statements():
            return _record(i, document)

    def _record(i: int, document) -> None:
        origin = person if i % 2 else anonymous
        with transaction.atomic():
            claim = recording.claim_create(
                text=f"Write-path benchmark claim {i} at {time.time_ns()}.", user=editor
            )
            appearance = recording.appearance_create(
                claim=claim, document=document, exact=passage(document), user=editor
            )
            recording.chain_set(
                appearance=appearance,
                links=[
                    recording.ChainLink(Role.ORIGIN, origin, "told"),
                    recording.ChainLink(Role.REPORTER, outlets[0], "reported"),
                    recording.ChainLink(Role.PUBLISHER, outlets[1]),
                ],
            )

    raw_conn = connect(settings.DATABASES["default"])
    raw_conn.autocommit = False

    def raw_insert(i: int, document) -> None:
        exact = passage(document)
        start = document.body.index(exact)
        with raw_conn.cursor() as cursor:
            cursor.execute(
                "INSERT INTO claims_claim (text, summary, status, version, created_at, updated_at,"
                " independent_origins, only_anonymous_origins, created_by_id, revision) VALUES (%s,"
                " '', 'draft', 1, now(), now(), 1, %s, %s, 1) RETURNING id",
                (f"Raw baseline claim {i} at {time.time_ns()}.", not i % 2, editor.pk),
            )
            claim_id = cursor.fetchone()["id"]
            cursor.execute(
                'INSERT INTO claims_appearance (exact, prefix, suffix, start, "end", anchor_state,'
                " created_at, created_by_id, document_id, claim_id) VALUES (%s, '', '', %s, %s,"
                " 'anchored', now(), %s, %s, %s) RETURNING id",
                (exact, start, start + len(exact), editor.pk, document.pk, claim_id),
            )
            appearance_id = cursor.fetchone()["id"]
            origin = ("person_id", person.pk) if i % 2 else ("anonymous_source_id", anonymous.pk)
            cursor.executemany(
                "INSERT INTO claims_attribution (position, role, verb, appearance_id, person_id,"
                " organization_id, anonymous_source_id) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (0, "origin", "told", appearance_id,
                     origin[1] if origin[0] == "person_id" else None, None,
                     origin[1] if origin[0] == "anonymous_source_id" else None),
                    (1, "reporter", "reported", appearance_id, None, outlets[0].pk, None),
                    (2, "publisher", "", appearance_id, None, outlets[1].pk, None),
                ],
            )  # fmt: skip
        raw_conn.commit()

    def timed(fn) -> tuple[list[float], list[float]]:
        """Wall time per write, and this process's CPU time per write (ms)."""
        samples, cpu = [], []
        for i, document in enumerate(documents):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn(i, document)
            if i >= args.warmup:
                samples.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
        return samples, cpu

    with CaptureQueriesContext(connection) as captured:
        record(-1, documents[0])
    queries = [q["sql"] for q in captured.captured_queries]
    data_queries = [q for q in queries if "SAVEPOINT" not in q]
    project, project_cpu = timed(record)
    raw, raw_cpu = timed(raw_insert)
    raw_conn.close()

    print(f"{n_claims:,} claims; {args.writes} writes each after {args.warmup} warm-up.\n")
    print("| write | statements | median ms | p95 ms | ÷ raw | client CPU ms (median) |")
    print("|---|---|---|---|---|---|")
    p_med, r_med = statistics.median(project), statistics.median(raw)
    print(
        f"| claim + appearance + 3-link chain, recording.py | {len(data_queries)} "
        f"(+{len(queries) - len(data_queries)} savepoints) | {p_med:.1f} | "
        f"{percentile(project, 0.95):.1f} | {p_med / r_med:.1f}× | "
        f"{statistics.median(project_cpu):.1f} |"
    )
    print(
        f"| same five rows, raw INSERTs | 5 (+commit) | {r_med:.1f} | {percentile(raw, 0.95):.1f} "
        f"| 1× | {statistics.median(raw_cpu):.1f} |"
    )
    print(
        "\nstatements: as captured for one write, BEGIN and COMMIT included. client CPU: this "
        "process's CPU time per write (Python and the driver), apart from waiting on the database."
    )
    print(f"\nTarget: median ≤ 20 ms: {'met' if p_med <= 20 else 'NOT met'}.")
    if os.environ.get("WRITE_PATH_SQL"):
        print("\n".join(queries))


if __name__ == "__main__":
    main()
