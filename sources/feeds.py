"""Read agency and outlet feeds into plain FeedItem records (pure: no database, no network).

RSS and Atom go through feedparser; NewsML-G2 through lxml; ninjs is JSON checked against the
subset of the IPTC ninjs 2.x JSON schema kept offline in `sources/schemas/ninjs.schema.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

import feedparser
import jsonschema
from django.utils.dateparse import parse_datetime
from lxml import etree, html

FORMATS = ("rss", "atom", "newsml", "ninjs")
_NAR = "http://iptc.org/std/nar/2006-10-01/"
_NS = {"nar": _NAR}


class FeedError(Exception):
    """A feed that cannot be read; the message is one user-facing line."""


class ItemStatus:
    USABLE = "usable"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class FeedItem:
    guid: str
    headline: str = ""
    body: str = ""
    url: str = ""
    published_at: datetime | None = None
    language: str = ""
    version: int = 1
    status: str = ItemStatus.USABLE
    replaces: str = ""
    embargoed_until: datetime | None = None
    rights_notice: str = ""


def detect_format(data: bytes) -> str:
    """Return which of FORMATS the data looks like, or raise FeedError."""
    start = data.lstrip()[:2048]
    if start.startswith((b"{", b"[")):
        return "ninjs"
    if _NAR.encode() in start or b"<newsItem" in start:
        return "newsml"
    if b"<feed" in start:
        return "atom"
    if b"<rss" in start or b"<rdf:RDF" in start:
        return "rss"
    raise FeedError("Unrecognised feed: not RSS, Atom, NewsML-G2 or ninjs.")


def parse_feed(data: bytes, *, format: str = "") -> list[FeedItem]:  # noqa: A002
    """Parse feed bytes in the given (or detected) format into items."""
    format = format or detect_format(data)  # noqa: A001
    if format in ("rss", "atom"):
        return parse_syndication(data)
    if format == "newsml":
        return parse_newsml(data)
    if format == "ninjs":
        return parse_ninjs(data)
    raise FeedError(f"Unknown format {format!r}: use one of {', '.join(FORMATS)}.")


# --- RSS and Atom ---------------------------------------------------------------------------------


def parse_syndication(data: bytes) -> list[FeedItem]:
    """Parse an RSS 2.0 or Atom 1.0 feed."""
    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        raise FeedError(f"Unreadable RSS/Atom feed: {parsed.bozo_exception}")
    if not parsed.version:
        raise FeedError("Unreadable RSS/Atom feed: no channel or feed element.")
    feed_rights = parsed.feed.get("rights", "")
    language = parsed.feed.get("language", "")
    items = []
    for number, entry in enumerate(parsed.entries, start=1):
        guid = entry.get("id") or entry.get("link") or ""
        if not guid:
            raise FeedError(f"Entry {number} has neither an id/guid nor a link.")
        content = entry.get("content") or []
        body = content[0].value if content else entry.get("summary", "")
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        items.append(
            FeedItem(
                guid=guid,
                headline=_plain(entry.get("title", "")),
                body=_text_of_html(body),
                url=entry.get("link", ""),
                published_at=datetime(*when[:6], tzinfo=UTC) if when else None,
                language=language,
                rights_notice=_plain(entry.get("rights", "") or feed_rights),
            )
        )
    return items


# --- NewsML-G2 ------------------------------------------------------------------------------------


def parse_newsml(data: bytes) -> list[FeedItem]:
    """Parse a NewsML-G2 newsItem, or a newsMessage holding several."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)  # noqa: S320 - entities and network are off
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"Unreadable NewsML-G2: {exc}") from None
    if root.tag == f"{{{_NAR}}}newsItem":
        news_items = [root]
    else:
        news_items = root.findall(".//nar:newsItem", _NS)
    if not news_items:
        raise FeedError("Unreadable NewsML-G2: no newsItem element.")
    return [_newsml_item(item) for item in news_items]


def _newsml_item(item) -> FeedItem:
    guid = item.get("guid", "")
    if not guid:
        raise FeedError("A NewsML-G2 newsItem has no guid.")
    version = item.get("version", "1")
    if not version.isdigit():
        raise FeedError(f"NewsML-G2 item {guid} has an invalid version {version!r}.")
    meta = item.find("nar:itemMeta", _NS)
    pub_status = _qcode(meta, "nar:pubStatus") if meta is not None else ""
    status = ItemStatus.WITHDRAWN if pub_status.endswith(":canceled") else ItemStatus.USABLE
    signals = [s.get("qcode", "") for s in item.findall("nar:itemMeta/nar:signal", _NS)]
    replaces = ""
    for link in item.findall("nar:itemMeta/nar:link", _NS):
        if link.get("rel", "").endswith(":previousVersion") or link.get("rel") == "replaces":
            replaces = link.get("residref", "")
    if any(s.endswith(":update") or s.endswith(":correction") for s in signals) and not replaces:
        replaces = guid
    embargo = item.findtext("nar:itemMeta/nar:embargoed", default="", namespaces=_NS).strip()
    content_meta = item.find("nar:contentMeta", _NS)
    headline = ""
    language = item.get("{http://www.w3.org/XML/1998/namespace}lang", "")
    published = ""
    if content_meta is not None:
        headline = content_meta.findtext("nar:headline", default="", namespaces=_NS)
        published = content_meta.findtext("nar:contentCreated", default="", namespaces=_NS)
        language_el = content_meta.find("nar:language", _NS)
        if language_el is not None:
            language = language_el.get("tag", language)
    published = published or item.findtext("nar:itemMeta/nar:versionCreated", "", _NS)
    rights = []
    for rights_info in item.findall("nar:rightsInfo", _NS):
        for tag in ("copyrightNotice", "usageTerms"):
            for element in rights_info.findall(f"nar:{tag}", _NS):
                text = _plain(" ".join(element.itertext()))
                if text:
                    rights.append(text)
    body = ""
    inline = item.find("nar:contentSet/nar:inlineXML", _NS)
    if inline is not None:
        paragraphs = [_plain(" ".join(p.itertext())) for p in inline.iter("{*}p")]
        body = "\n\n".join(p for p in paragraphs if p)
    else:
        inline_data = item.findtext("nar:contentSet/nar:inlineData", "", _NS)
        body = inline_data.strip()
    return FeedItem(
        guid=guid,
        headline=_plain(headline),
        body=body,
        published_at=_datetime(published, what=f"item {guid} time"),
        language=language,
        version=int(version),
        status=status,
        replaces=replaces if int(version) > 1 or replaces != guid else "",
        embargoed_until=_datetime(embargo, what=f"item {guid} embargo"),
        rights_notice=" ".join(rights),
    )


def _qcode(parent, path: str) -> str:
    element = parent.find(path, _NS)
    return element.get("qcode", "") if element is not None else ""


# --- ninjs ----------------------------------------------------------------------------------------


def ninjs_schema() -> dict:
    """Return the ninjs JSON schema subset kept in the package (no download)."""
    text = resources.files("sources").joinpath("schemas/ninjs.schema.json").read_text("utf-8")
    return json.loads(text)


def parse_ninjs(data: bytes) -> list[FeedItem]:
    """Parse one ninjs item or a JSON list of them, each validated against the schema."""
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"Unreadable ninjs JSON: {exc}") from None
    values = value if isinstance(value, list) else [value]
    validator = jsonschema.Draft202012Validator(ninjs_schema())
    items = []
    for number, entry in enumerate(values, start=1):
        error = jsonschema.exceptions.best_match(validator.iter_errors(entry))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "item"
            raise FeedError(f"ninjs item {number} is invalid at {where}: {error.message}")
        items.append(_ninjs_item(entry))
    return items


def _ninjs_item(entry: dict) -> FeedItem:
    guid = entry["uri"]
    bodies = entry.get("bodies") or []
    body = ""
    for candidate in bodies:
        if candidate.get("contenttype", "text/plain") == "text/plain":
            body = candidate.get("value", "")
            break
    else:
        if bodies:
            body = _text_of_html(bodies[0].get("value", ""))
    body = body or entry.get("body_text", "") or _text_of_html(entry.get("body_html", ""))
    headlines = entry.get("headlines") or []
    headline = headlines[0]["value"] if headlines else entry.get("headline", "")
    status = entry.get("pubstatus", "usable")
    rights = entry.get("rightsinfo") or {}
    notice = " ".join(
        _plain(part)
        for part in (
            entry.get("copyrightnotice", "") or rights.get("copyrightnotice", ""),
            entry.get("usageterms", "") or rights.get("usageterms", ""),
        )
        if part
    )
    return FeedItem(
        guid=guid,
        headline=_plain(headline),
        body=body.strip(),
        url=entry.get("uri", "") if guid.startswith("http") else "",
        published_at=_datetime(
            entry.get("firstcreated", "") or entry.get("versioncreated", ""), what=f"{guid} time"
        ),
        language=entry.get("language", ""),
        version=int(entry.get("version", "1")),
        status=ItemStatus.WITHDRAWN if status in ("canceled", "withheld") else ItemStatus.USABLE,
        replaces=entry.get("replaces", "") if isinstance(entry.get("replaces"), str) else "",
        embargoed_until=_datetime(entry.get("embargoed", ""), what=f"{guid} embargo"),
        rights_notice=notice,
    )


# --- Helpers --------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    return " ".join(text.split())


def _text_of_html(markup: str) -> str:
    """Return the paragraphs of an HTML fragment as plain text separated by blank lines."""
    if "<" not in markup:
        return markup.strip()
    fragment = html.fragment_fromstring(markup, create_parent="div")
    blocks = [_plain(" ".join(p.itertext())) for p in fragment.iter("p", "h1", "h2", "li")]
    blocks = [b for b in blocks if b]
    return "\n\n".join(blocks) if blocks else _plain(fragment.text_content())


def _datetime(value: str, *, what: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise FeedError(f"Invalid {what} {value!r}: use ISO 8601 with a time zone.")
    return parsed
