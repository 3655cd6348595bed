"""Read the article out of an HTML page: pure functions over trafilatura, htmldate and justext.

trafilatura finds the article text and its title and author; htmldate finds the publication
date in the page's metadata (JSON-LD, Open Graph, meta tags); justext splits the whole page
into blocks, so the import can say which blocks were left out, and so a rights notice in the
page footer (which extraction drops with the rest of the footer) still reaches the licence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sources.text import (
    _NOTICE_STRONG,
    PAGE_FURNITURE,
    IngestError,
    Removed,
    block_kind,
)

OUTSIDE_ARTICLE = "outside the article"

# A page, not text that mentions a tag: a doctype, an <html> element, or a <head>/<body>.
_HTML_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<\?xml[^>]*>\s*<)", re.I | re.S
)
_HTML_PARTS = re.compile(r"<(?:head|body)[\s>]|<meta\s|<(?:article|main)[\s>]", re.I)
_SNIFF_CHARS = 2048
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# A shorter block of the page that the article text merely contains (a menu item such as
# "Energy") was still left out.
_MIN_MATCH_CHARS = 40
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


@dataclass(frozen=True)
class Page:
    """What an HTML page holds: the article text for `normalise()` and the page's metadata."""

    text: str  # paragraphs separated by blank lines; a rights notice from the page at the end
    title: str = ""
    author: str = ""
    language: str = ""
    published_at: datetime | None = None
    published_date_only: bool = False  # the page gives a day, not a time
    removed: list[Removed] = field(default_factory=list)
    notice_outside_article: str = ""
    # TDMRep in the page's head: {"tdm-reservation": "1", "tdm-policy": URL}, as written.
    tdm_meta: dict[str, str] = field(default_factory=dict)
    canonical_url: str = ""


def looks_like_html(text: str) -> bool:
    """Return whether text is an HTML page (a doctype or <html> first, or page elements)."""
    head = text[:_SNIFF_CHARS]
    return bool(_HTML_START.match(head)) or len(_HTML_PARTS.findall(head)) >= 2


def read_page(html: str, *, find_date: bool = True) -> Page:
    """Return the article of an HTML page, or raise IngestError if there is none."""
    import justext
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        raise IngestError("The text is not an HTML page; import it as plain text.")
    extracted = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        date_extraction_params={"extensive_search": False},
    )
    lines = [" ".join(line.split()) for line in (extracted.text if extracted else "").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise IngestError("No article text was found in the HTML page.")

    kept = {line.casefold() for line in lines}
    kept_text = " ".join(lines).casefold()
    removed: list[Removed] = []
    notices: list[str] = []
    for block in justext.justext(html.encode("utf-8"), frozenset()):
        text = " ".join(block.text.split())
        folded = text.casefold()
        if not text or folded in kept or (len(text) >= _MIN_MATCH_CHARS and folded in kept_text):
            continue
        if _NOTICE_STRONG.search(text):
            notices.append(text)  # the licence must see it: it goes to the end of the text
            continue
        kind = block_kind(text)
        removed.append(Removed(OUTSIDE_ARTICLE if kind in (None, PAGE_FURNITURE) else kind, text))

    language = _language(tree)
    published_at, date_only = _published_at(tree) if find_date else (None, False)
    return Page(
        text="\n\n".join([*lines, *notices]),
        title=" ".join((extracted.title or "").split()) if extracted else "",
        author=" ".join((extracted.author or "").split()) if extracted else "",
        language=language,
        published_at=published_at,
        published_date_only=date_only,
        removed=removed,
        notice_outside_article="\n\n".join(notices),
        tdm_meta=tdm_meta(tree),
        canonical_url=canonical_url(tree),
    )


TDM_META_NAMES = ("tdm-reservation", "tdm-policy")


def tdm_meta(tree) -> dict[str, str]:
    """The page's TDMRep meta pair (`<meta name="tdm-reservation" content=...>`, `tdm-policy`),
    the first of each, values as written."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        if name in TDM_META_NAMES and name not in found:
            found[name] = (meta.get("content") or "").strip()
    return found


def canonical_url(tree) -> str:
    """The page's `<link rel="canonical">`, or ""."""
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return (link.get("href") or "").strip()
    return ""


def _published_at(tree) -> tuple[datetime | None, bool]:
    """Return the publication time the page's metadata gives, and whether it gave only a day."""
    import htmldate

    found = htmldate.find_date(
        tree, extensive_search=False, original_date=True, outputformat=_DATE_FORMAT
    )
    if not found:
        return None, False
    try:
        moment = datetime.fromisoformat(found)
    except ValueError:
        return None, False
    if moment.tzinfo is None:
        # No offset in the metadata: only the day can be trusted, taken as midnight UTC.
        return moment.replace(hour=0, minute=0, second=0, tzinfo=UTC), True
    return moment, False


def _language(tree) -> str:
    """Return the language the page declares (<html lang>, Content-Language), or ""."""
    declared = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if not declared:
        for meta in tree.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "content-language":
                declared = (meta.get("content") or "").split(",")[0]
                break
    declared = declared.strip().replace("_", "-")
    return declared if _LANGUAGE_TAG.fullmatch(declared) else ""
