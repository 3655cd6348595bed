"""Story bodies as HTML: Markdown parsed by markdown-it-py, then sanitised by nh3 (Ammonia).

Pure. Editors may write inline HTML (`<abbr>`, `<sup>`) in the Markdown; everything the parser
emits is then sanitised against an allow-list by nh3, so neither a `<script>` nor an `onerror=`
nor a `javascript:` link reaches a reader. No hand-written HTML filtering.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

# CommonMark plus tables and strikethrough; raw HTML passes to the sanitiser, which decides.
_parser = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
_parser.enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Return `text` (Markdown) as sanitised HTML, safe to mark safe in a template."""
    return nh3.clean(
        _parser.render(text or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
