"""Read received text as plain text or HTML, and tell the editor what the import did with it.

`read_document()` is pure: it picks the format (sniffed, or as given), extracts the article
from HTML (`sources.html`), normalises it (`sources.text`) and says where each piece of
metadata came from. `import_report()` turns that reading and the stored document into the
report the import command's --json output and the admin import page show: what was removed,
what was detected, and what needs a decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sources.html import looks_like_html, read_page
from sources.text import IngestError, Normalised, Removed, normalise

FORMAT_AUTO, FORMAT_TEXT, FORMAT_HTML = "auto", "text", "html"
FORMAT_CHOICES = [
    (FORMAT_AUTO, "Detect (HTML page or plain text)"),
    (FORMAT_TEXT, "Plain text"),
    (FORMAT_HTML, "HTML page"),
]
FORMATS = tuple(value for value, _ in FORMAT_CHOICES)

GIVEN = "given"
HEADLINE_PAGE_TITLE = "page title"
HEADLINE_PROPOSED = "proposed from the first sentence"
BYLINE_PAGE_AUTHOR = "page author"
BYLINE_LINE = "byline"
LANGUAGE_DECLARED = "declared by the page"
LANGUAGE_GUESSED = "guessed from the words of the text"
DATE_METADATA = "page metadata"
DATE_METADATA_DAY = "page metadata (day only)"

_LABELS = {
    "format": "Format",
    "headline": "Headline",
    "byline": "Byline",
    "language": "Language",
    "published_at": "Published",
    "agency_credit": "Agency credit",
    "credits": "Agencies credited",
    "licence": "Licence",
}
# Removed text is shown to the editor cut to this length.
REPORT_TEXT_MAX_CHARS = 160
# The admin page lists this many pieces of each kind (the count says how many there were).
REPORT_TEXTS_PER_KIND = 20


@dataclass(frozen=True)
class Reading:
    """The received text read as one article, with where each piece of metadata came from."""

    normalised: Normalised
    format: str
    format_source: str
    headline: str = ""
    headline_source: str = ""
    headline_in_text: bool = True  # False when the headline is the page title, not body text
    byline: list[str] = field(default_factory=list)
    byline_source: str = ""
    byline_text: str = ""
    language: str = ""
    language_source: str = ""
    published_at: datetime | None = None
    published_at_source: str = ""
    removed: list[Removed] = field(default_factory=list)
    notice_outside_article: str = ""
    tdm_meta: dict[str, str] = field(default_factory=dict)  # the page's TDMRep meta pair
    canonical_url: str = ""


def read_document(text: str, *, input_format: str = FORMAT_AUTO, find_date: bool = True) -> Reading:
    """Read decoded text as the format given (or sniffed) into one normalised article."""
    if input_format not in FORMATS:
        raise IngestError(f"Unknown format {input_format!r}: use one of {', '.join(FORMATS)}.")
    html = input_format == FORMAT_HTML or (input_format == FORMAT_AUTO and looks_like_html(text))
    source = GIVEN if input_format != FORMAT_AUTO else "detected"
    page = read_page(text, find_date=find_date) if html else None
    normalised = normalise(page.text if page else text)

    headline, headline_source = normalised.headline, normalised.headline_source
    headline_in_text = True
    if page and page.title:
        if headline and _same(headline, page.title):
            headline_source = HEADLINE_PAGE_TITLE
        elif not headline:
            headline, headline_source, headline_in_text = page.title, HEADLINE_PAGE_TITLE, False
    byline, byline_source = normalised.byline, BYLINE_LINE if normalised.byline else ""
    if not byline and page and page.author:
        byline = [name.strip() for name in page.author.split(";") if name.strip()]
        byline_source = BYLINE_PAGE_AUTHOR
    language, language_source = "", ""
    if page and page.language:
        language, language_source = page.language, LANGUAGE_DECLARED
    elif normalised.language_guess:
        language, language_source = normalised.language_guess, LANGUAGE_GUESSED
    published_at, published_at_source = None, ""
    if page and page.published_at:
        published_at = page.published_at
        published_at_source = DATE_METADATA_DAY if page.published_date_only else DATE_METADATA
    return Reading(
        normalised=normalised,
        format=FORMAT_HTML if html else FORMAT_TEXT,
        format_source=source,
        headline=headline,
        headline_source=headline_source,
        headline_in_text=headline_in_text,
        byline=byline,
        byline_source=byline_source,
        byline_text=normalised.byline_text or (page.author if page else ""),
        language=language,
        language_source=language_source,
        published_at=published_at,
        published_at_source=published_at_source,
        removed=[*(page.removed if page else []), *normalised.removed],
        notice_outside_article=page.notice_outside_article if page else "",
        tdm_meta=page.tdm_meta if page else {},
        canonical_url=page.canonical_url if page else "",
    )


@dataclass
class ImportReport:
    """What the import removed from the text, what it detected, and what needs a decision."""

    format: str
    removed: list[Removed] = field(default_factory=list)
    detected: dict[str, dict] = field(default_factory=dict)
    decisions: list[str] = field(default_factory=list)

    def removed_by_kind(self) -> list[dict]:
        """The removed text grouped by kind, in the order first seen, each piece truncated and
        at most REPORT_TEXTS_PER_KIND of each kind listed (count says how many there were)."""
        groups: dict[str, list[str]] = {}
        for piece in self.removed:
            groups.setdefault(piece.kind, []).append(piece.text)
        return [
            {
                "kind": kind,
                "count": len(texts),
                "texts": [truncate(text) for text in texts[:REPORT_TEXTS_PER_KIND]],
            }
            for kind, texts in groups.items()
        ]

    def detected_rows(self) -> list[dict]:
        """The detections as rows of what, value and where it came from, for a table."""
        rows = []
        for what, detection in self.detected.items():
            value = detection["value"]
            rows.append(
                {
                    "what": _LABELS.get(what, what.replace("_", " ")),
                    "value": ", ".join(value) if isinstance(value, list) else str(value),
                    "source": detection["source"],
                    "proposed": detection.get("proposed", False)
                    or detection.get("stored") is False,
                }
            )
        return rows

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "removed": [{"kind": r.kind, "text": truncate(r.text)} for r in self.removed],
            "detected": self.detected,
            "decisions": self.decisions,
        }


def truncate(text: str, limit: int = REPORT_TEXT_MAX_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def import_report(
    *,
    reading: Reading,
    document,
    created: bool,
    headline_given: bool,
    headline_proposed: bool,
    language_given: bool,
    published_at_given: bool,
    credits: list | None = None,
) -> ImportReport:
    """Describe the import of this reading as the document (stored now, or already)."""
    from sources.models import Person

    detected: dict[str, dict] = {
        "format": {"value": reading.format, "source": reading.format_source}
    }
    decisions: list[str] = []
    if not created:
        decisions.append(
            f"This text was already imported as document {document.pk}; nothing was changed."
        )

    if document.headline:
        if not created:
            source = "stored document"
        elif headline_given:
            source = GIVEN
        elif headline_proposed:
            source = HEADLINE_PROPOSED
        else:
            source = reading.headline_source
        detected["headline"] = {
            "value": document.headline,
            "source": source,
            "proposed": created and headline_proposed,
        }
        if created and headline_proposed:
            decisions.append(
                f"No headline was given or found; confirm or replace the proposed headline "
                f"“{document.headline}”."
            )

    if reading.byline:
        people = []
        for name in reading.byline:
            known = Person.objects.filter(name__iexact=name).values_list("pk", flat=True).first()
            people.append({"name": name, "person_id": known})
            if not created:
                continue
            if known is None:
                decisions.append(
                    f"The byline names {name}: no Person has that name yet; record one to "
                    "credit the author."
                )
            else:
                decisions.append(
                    f"The byline names {name}: Person {known} has that name; check it is the "
                    "same person."
                )
        detected["byline"] = {
            "value": reading.byline,
            "source": reading.byline_source,
            "text": truncate(reading.byline_text),
            "persons": people,
        }

    if document.language:
        source = GIVEN if language_given else reading.language_source
        detected["language"] = {"value": document.language, "source": source}
    elif reading.language:
        detected["language"] = {
            "value": reading.language,
            "source": reading.language_source,
            "stored": False,
        }
        if created:
            decisions.append(
                f"The text reads as {reading.language!r} (a guess from its words); set the "
                "document's language if that is right."
            )

    if document.published_at is not None:
        source = GIVEN if published_at_given else reading.published_at_source
        moment = document.published_at.astimezone(UTC).isoformat()
        detected["published_at"] = {"value": moment, "source": source}
        if created and source == DATE_METADATA_DAY:
            decisions.append(
                f"The page gives only the day of publication ({document.published_at:%Y-%m-%d}); "
                "it was stored as midnight UTC: set the time if it matters."
            )

    if document.agency_credit:
        detected["agency_credit"] = {"value": document.agency_credit, "source": "credit line"}
    if credits:
        detected["credits"] = {
            "value": list(dict.fromkeys(credit.organization.name for credit in credits)),
            "source": "agency credits in the text",
        }

    terms = document.license
    if terms is not None:
        detected["licence"] = {
            "value": "TDM reserved" if terms.tdm_reserved else "TDM not reserved",
            "holder": terms.holder.name,
            "sharing_scope": terms.sharing_scope,
            "source": "rights notice outside the article (page footer)"
            if reading.notice_outside_article
            else "rights notice in the text",
        }
        if created and reading.notice_outside_article:
            decisions.append(
                "The rights notice was found outside the article text (in the page's footer); "
                "check that its terms govern this article."
            )
    elif created:
        decisions.append("No rights notice was found; record the licence terms by hand.")

    return ImportReport(
        format=reading.format,
        removed=list(reading.removed),
        detected=detected,
        decisions=decisions,
    )


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


__all__ = [
    "FORMAT_CHOICES",
    "FORMATS",
    "ImportReport",
    "Reading",
    "import_report",
    "read_document",
]
