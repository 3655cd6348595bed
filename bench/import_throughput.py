"""Import throughput on mixed documents (web-capture text and HTML pages), beside a raw baseline.

    .venv/bin/python bench/import_throughput.py [--documents 1000]

Uses a fresh SQLite file under /tmp unless DATABASE_URL is set (then it must point at a
scratch database: the script migrates it and fills it). It prints documents per second for:
reading alone (sniffing, HTML extraction, normalisation; no database), the full
document_import() path, and a baseline that stores the same texts with bulk_create and no
normalisation at all. No timing is asserted: the figures are for reading, not for CI.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import configure  # noqa: E402  (bench/run.py sets up Django on a throwaway database)

PLACES = ["north quay", "south basin", "ferry terminal", "container yard", "dry dock"]
NOTICE = (
    "© 2025 Bench Harbour Media. All rights reserved, including text and data mining under "
    "Article 4 of the DSM Directive."
)


def web_capture(i: int) -> str:
    """A plain-text web capture: furniture around a short article, unique per i."""
    place = PLACES[i % len(PLACES)]
    return (
        "Skip to main content\n"
        f"Breaking News: Storm warning number {i} for the coast\n"
        f"Crane inspection {i} at the {place} | Bench Harbour Post\n"
        f"Crane inspection {i} at the {place}\n"
        "By Jane Doe\n"
        f"The harbour authority inspected crane {i} at the {place} on Monday after a\n"
        "collapse elsewhere in the port last week.\n"
        f"Inspectors found worn brakes on {i % 7 + 1} cranes, the authority said in a\n"
        "statement, and ordered repairs before the cranes are used again.\n"
        f"The crane at the {place}. Foto: Mads Lund/Ritzau Scanpix\n"
        "Vis mere\n"
        "What happens next\n"
        f"Repairs at the {place} should take {i % 5 + 2} weeks, according to the union.\n"
        "Related articles\n"
        f"Ferry routes resume after storm {i}\n"
        "3 Nov 2025\n"
        "Do you have a story for the Bench Harbour Post? Write to tips@example.org.\n"
        "Share 37 Facebook Twitter\n"
        f"{NOTICE}\n"
    )


def html_page(i: int) -> str:
    """An HTML page: navigation, banner, article, figure, related list, comments, footer."""
    place = PLACES[i % len(PLACES)]
    return f"""<!DOCTYPE html>
<html lang="en"><head><title>Quay {i} reopens at the {place} | Bench Harbour Post</title>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Quay {i} reopens at the {place}",
"datePublished": "2025-11-{i % 28 + 1:02d}T08:00:00+01:00",
"author": {{"@type": "Person", "name": "Ole Madsen"}}}}</script></head>
<body><div><a href="#main">Skip to main content</a></div>
<nav><ul><li><a href="/">Home</a></li><li><a href="/ports">Ports</a></li></ul></nav>
<div class="banner">Breaking News: Storm warning for the coast</div>
<main id="main"><article><h1>Quay {i} reopens at the {place}</h1>
<p>The {place} reopened quay {i} on Tuesday after repairs that took {i % 5 + 2} weeks, the
harbour authority said in a statement.</p>
<p>Ships that had been diverted to other ports will return from next week, according to the
shipping companies, which had warned of delays.</p>
<figure><img src="q.jpg"><figcaption>Quay {i}. Photo: Ana Ruiz/Reuters</figcaption></figure>
<p>The union said the repairs should have started months earlier.</p></article></main>
<aside><h3>Related</h3><ul><li><a href="/a">Cranes inspected</a> 12 Nov 2025</li>
<li><a href="/b">Storm closes ferry routes</a> 3 Nov 2025</li></ul></aside>
<div>Leave a comment</div><footer><p>{NOTICE}</p></footer></body></html>
"""


def documents(count: int) -> list[tuple[str, str]]:
    """count mixed documents, every other one HTML: (format, text)."""
    return [("html", html_page(i)) if i % 2 else ("text", web_capture(i)) for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    args = parser.parse_args()
    configure()

    from django.core.management import call_command
    from django.db import connection

    from sources.import_report import read_document
    from sources.ingest import document_import
    from sources.models import Document, Organization, sha256_hex

    call_command("migrate", verbosity=0)
    docs = documents(args.documents)
    html_count = sum(1 for kind, _ in docs if kind == "html")
    print(
        f"database: {connection.vendor}; {len(docs)} documents "
        f"({len(docs) - html_count} text, {html_count} HTML)"
    )

    start = time.perf_counter()
    for _, text in docs:
        read_document(text)
    elapsed = time.perf_counter() - start
    print(f"read_document (no database): {len(docs) / elapsed:.0f} documents/s")

    start = time.perf_counter()
    for _, text in docs:
        document_import(raw=text, publisher="Bench Harbour Post")
    elapsed = time.perf_counter() - start
    print(f"document_import: {len(docs) / elapsed:.0f} documents/s ({elapsed:.1f} s)")

    publisher = Organization.objects.create(name="Bench Baseline", kind="publisher")
    start = time.perf_counter()
    Document.objects.bulk_create(
        [
            Document(
                publisher=publisher,
                body=f"baseline {i}\n\n{text}",
                raw_text=text,
                body_sha256=sha256_hex(f"baseline {i}\n\n{text}"),
            )
            for i, (_, text) in enumerate(docs)
        ],
        batch_size=500,
    )
    elapsed = time.perf_counter() - start
    print(f"baseline bulk_create, no normalisation: {len(docs) / elapsed:.0f} documents/s")


if __name__ == "__main__":
    main()
