"""HTML input: sniffed or chosen, read with trafilatura and htmldate, furniture reported.

The pages are written for these tests: small, with the parts real pages carry around an
article (skip link, navigation, banner, byline, figure, related list, comments, footer).
"""

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from sources.html import OUTSIDE_ARTICLE, looks_like_html, read_page
from sources.import_report import read_document
from sources.ingest import IngestError, document_import
from sources.models import Document, LicenseTerms
from sources.text import RELATED_ARTICLES

LEDE = (
    "The harbour authority closed the north quay on Monday after a crane collapsed onto two "
    "moored barges during the night shift."
)
SECOND = (
    "Nobody was hurt, the authority said in a statement, and inspections of every crane in the "
    "port begin this week."
)
THIRD = (
    "Dock workers had warned about the crane's brakes for months, according to the union, which "
    "wants an independent review."
)

DANISH_PAGE = """<!DOCTYPE html>
<html lang="da">
<head>
<title>Kran styrter sammen på nordkajen | Havneposten</title>
<meta property="og:title" content="Kran styrter sammen på nordkajen">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Kran styrter sammen på nordkajen",
 "datePublished": "2025-11-17T06:45:00+01:00",
 "author": {"@type": "Person", "name": "Mette Riis"}}
</script>
</head>
<body>
<a class="skip" href="#main">Gå til indhold</a>
<nav><ul><li><a href="/">Forside</a></li><li><a href="/havn">Havn</a></li>
<li><a href="/erhverv">Erhverv</a></li></ul></nav>
<div class="breaking">Breaking News: Storm lukker tre færgeruter</div>
<main id="main"><article>
<h1>Kran styrter sammen på nordkajen</h1>
<p class="byline">Af Mette Riis</p>
<p>Havnen lukkede mandag den nordlige kaj, efter at en kran var styrtet sammen over to
fortøjede pramme under nattevagten.</p>
<p>Ingen kom til skade, oplyser havnen i en pressemeddelelse, og alle kraner i havnen skal
efterses i denne uge.</p>
<h2>Advarsler om bremserne</h2>
<p>Havnearbejderne havde i månedsvis advaret om kranens bremser, oplyser fagforeningen, der nu
vil have en uafhængig undersøgelse.</p>
<figure><img src="kran.jpg" alt="Kranen på kajen">
<figcaption>Kranen på nordkajen. Foto: Mads Lund/Ritzau Scanpix</figcaption></figure>
</article></main>
<aside><h3>Relaterede artikler</h3><ul>
<li><a href="/a">Færger sejler igen efter stormen</a> 12. nov. 2025</li>
<li><a href="/b">Ny kaj åbner i syd</a> 3. nov. 2025</li></ul></aside>
<div class="comments">Skriv en kommentar</div>
<footer>© 2025 Havneposten. Alle rettigheder forbeholdes.</footer>
</body>
</html>
"""


def english_page(*, date_meta: str = "", extra_article: str = "") -> str:
    return f"""<html lang="en-GB"><head><title>Crane collapse closes north quay</title>
{date_meta}</head>
<body><div><a href="#content">Skip to main content</a></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/ports">Ports</a></li></ul></nav>
</header>
<article id="content"><h1>Crane collapse closes north quay</h1>
<p>{LEDE}</p><p>{SECOND}</p>{extra_article}<p>{THIRD}</p></article>
<section class="share">Share 37</section>
<footer><p>Do you have a story for the Harbour Post? Write to tips@example.org.</p></footer>
</body></html>"""


# --- Sniffing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        DANISH_PAGE,
        "\ufeff  <!-- saved page -->\n<!doctype html><p>x</p>",
        "<html><body><p>A page without a doctype.</p></body></html>",
        "<head><title>t</title></head><body><p>Fragments with head and body.</p></body>",
    ],
    ids=["doctype", "comment-then-doctype", "html-element", "head-and-body"],
)
def test_html_pages_are_sniffed(text):
    assert looks_like_html(text.lstrip("\ufeff"))


@pytest.mark.parametrize(
    "text",
    [
        f"{LEDE}\n\n{SECOND}",
        "The page used a <b>bold</b> tag, the developer said.\n\nNothing else.",
        '[caption id="x"]<img src="a.jpg"> A quay.[/caption]\n\nThe quay closed.',
    ],
)
def test_plain_text_that_mentions_tags_is_not_html(text):
    assert not looks_like_html(text)


# --- Reading a page ---------------------------------------------------------------------------


def test_the_article_title_author_language_and_date_come_from_the_page():
    page = read_page(DANISH_PAGE)

    assert page.title == "Kran styrter sammen på nordkajen"
    assert page.author == "Mette Riis"
    assert page.language == "da"
    assert page.published_at == datetime(2025, 11, 17, 5, 45, tzinfo=UTC)
    assert not page.published_date_only
    assert "Havnen lukkede mandag den nordlige kaj" in page.text
    assert "Advarsler om bremserne" in page.text.split("\n\n")


def test_navigation_banner_related_list_and_comments_are_reported_as_removed():
    page = read_page(DANISH_PAGE)

    removed = {piece.text: piece.kind for piece in page.removed}
    assert removed["Gå til indhold"] == "accessibility link"
    assert removed["Breaking News: Storm lukker tre færgeruter"] == "breaking-news banner"
    assert removed["Forside"] == OUTSIDE_ARTICLE
    assert removed["Havn"] == OUTSIDE_ARTICLE
    assert removed["Færger sejler igen efter stormen 12. nov. 2025"] == RELATED_ARTICLES
    assert removed["Skriv en kommentar"] == "comment prompt"
    assert removed["Af Mette Riis"] == "byline"
    for furniture in ("Forside", "Breaking", "Relaterede", "kommentar", "Scanpix"):
        assert furniture not in page.text


def test_a_rights_notice_in_the_footer_is_kept_for_the_licence():
    # Extraction drops the footer; the notice in it must still reach the licence terms.
    page = read_page(DANISH_PAGE)

    assert page.text.endswith("© 2025 Havneposten. Alle rettigheder forbeholdes.")
    assert page.notice_outside_article == "© 2025 Havneposten. Alle rettigheder forbeholdes."


def test_a_date_from_a_meta_tag_without_a_time_is_a_day_at_midnight_utc():
    html = english_page(date_meta='<meta property="article:published_time" content="2025-11-18">')

    page = read_page(html)

    assert page.published_at == datetime(2025, 11, 18, tzinfo=UTC)
    assert page.published_date_only


def test_a_page_without_date_metadata_has_no_date():
    # The dates in a related list are not the article's: only metadata is read.
    related = "<ul><li><a href='/x'>Ferry routes resume</a> 3 Nov 2025</li></ul>"

    page = read_page(english_page(extra_article=related))

    assert page.published_at is None


def test_a_related_list_inside_the_article_is_left_out_by_normalisation():
    related = (
        "<h3>Related</h3><ul><li><a href='/x'>Ferry routes resume after storm</a> 3 Nov 2025</li>"
        "<li><a href='/y'>New quay opens in the south</a> 1 Nov 2025</li></ul>"
    )

    reading = read_document(english_page(extra_article=related))

    assert reading.normalised.paragraphs == [LEDE, SECOND, THIRD]
    assert RELATED_ARTICLES in [piece.kind for piece in reading.removed]


def test_html_chosen_for_plain_text_is_refused_with_one_line():
    with pytest.raises(IngestError, match="^The text is not an HTML page; import it as plain"):
        read_document(f"{LEDE}\n\n{SECOND}", input_format="html")


def test_an_unknown_format_is_refused():
    with pytest.raises(IngestError, match="^Unknown format 'pdf'"):
        read_document(LEDE, input_format="pdf")


def test_a_page_chosen_as_plain_text_is_not_extracted():
    reading = read_document(english_page(), input_format="text")

    assert reading.format == "text"
    assert reading.format_source == "given"
    assert any("<article" in paragraph for paragraph in reading.normalised.paragraphs)


# --- Importing a page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_a_page_stores_the_article_keeps_the_html_as_received_and_reads_the_notice():
    result = document_import(raw=DANISH_PAGE.encode(), publisher="Havneposten")

    document = result.document
    assert document.raw_text == DANISH_PAGE
    assert document.headline == "Kran styrter sammen på nordkajen"
    assert document.language == "da"
    assert document.published_at == datetime(2025, 11, 17, 5, 45, tzinfo=UTC)
    assert document.paragraphs[0].startswith("Havnen lukkede mandag")
    assert "Advarsler om bremserne" in document.paragraphs
    assert "<" not in document.body
    assert document.license is not None
    assert document.license.notice == "© 2025 Havneposten. Alle rettigheder forbeholdes."

    report = result.report.as_dict()
    assert report["format"] == "html"
    assert report["detected"]["format"] == {"value": "html", "source": "detected"}
    assert report["detected"]["headline"]["source"] == "page title"
    assert report["detected"]["byline"]["value"] == ["Mette Riis"]
    assert report["detected"]["published_at"] == {
        "value": "2025-11-17T05:45:00+00:00",
        "source": "page metadata",
    }
    assert report["detected"]["language"] == {"value": "da", "source": "declared by the page"}
    assert {"kind": "outside the article", "text": "Forside"} in report["removed"]
    assert any("outside the article text" in decision for decision in report["decisions"])
    assert any("Mette Riis" in decision for decision in report["decisions"])


@pytest.mark.django_db
def test_a_given_publication_time_wins_and_the_page_date_is_not_looked_for(monkeypatch):
    import htmldate

    def fail(*args, **kwargs):
        raise AssertionError("htmldate was asked although a time was given")

    monkeypatch.setattr(htmldate, "find_date", fail)
    given = datetime(2025, 11, 17, 9, 0, tzinfo=UTC)

    result = document_import(raw=DANISH_PAGE, publisher="Havneposten", published_at=given)

    assert result.document.published_at == given
    assert result.report.detected["published_at"]["source"] == "given"


@pytest.mark.django_db
def test_a_page_with_only_a_day_asks_for_the_time():
    html = english_page(date_meta='<meta property="article:published_time" content="2025-11-18">')

    result = document_import(raw=html, publisher="Harbour Post")

    assert result.document.published_at == datetime(2025, 11, 18, tzinfo=UTC)
    assert any("only the day of publication" in d for d in result.report.decisions)


@pytest.mark.django_db
def test_a_page_with_no_article_text_is_refused_and_writes_nothing():
    html = "<html><head><title>Harbour Post</title></head><body><div></div></body></html>"

    with pytest.raises(IngestError, match="^No article text was found in the HTML page"):
        document_import(raw=html, publisher="Harbour Post")

    assert Document.objects.count() == 0
    assert LicenseTerms.objects.count() == 0


@pytest.mark.django_db
def test_the_command_reads_html_with_format_html_and_prints_the_report(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(english_page(), encoding="utf-8")
    out = StringIO()

    call_command(
        "import_document",
        str(path),
        "--format",
        "html",
        "--json",
        publisher="Harbour Post",
        stdout=out,
    )

    payload = json.loads(out.getvalue())
    report = payload["report"]
    assert report["format"] == "html"
    assert report["detected"]["format"] == {"value": "html", "source": "given"}
    assert report["detected"]["language"] == {"value": "en-GB", "source": "declared by the page"}
    assert {"kind": "accessibility link", "text": "Skip to main content"} in report["removed"]
    assert {"kind": "share counter", "text": "Share 37"} in report["removed"]
    assert {
        "kind": "reader call-out",
        "text": "Do you have a story for the Harbour Post? Write to tips@example.org.",
    } in report["removed"]
    assert Document.objects.get().paragraphs == [LEDE, SECOND, THIRD]


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_format(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(english_page(), encoding="utf-8")

    with pytest.raises(CommandError, match="invalid choice: 'pdf'"):
        call_command("import_document", str(path), "--format", "pdf", publisher="Harbour Post")


def test_the_admin_import_page_offers_the_format_choice(admin_client):
    page = admin_client.get(reverse("admin:sources_document_import")).content.decode()

    assert 'name="input_format"' in page
    assert "HTML page" in page


@pytest.mark.django_db
def test_the_admin_import_page_imports_html_chosen_as_html(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("admin:sources_document_import"),
        {"text": english_page(), "publisher": "Harbour Post", "input_format": "html"},
        follow=True,
    )

    document = Document.objects.get()
    assert document.paragraphs == [LEDE, SECOND, THIRD]
    html = response.content.decode()
    assert "Skip to main content" in html  # listed as removed
    assert "Accessibility link" in html
