"""Decode raw article bytes and normalise the text into paragraphs: pure functions.

`decode_raw()` refuses what cannot be text; `normalise()` splits the text into clean paragraphs
and pulls out the agency credit, the headline and the trailing rights notice.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings

from sources.notice_table import NOTICE_CONTINUATION_MARKERS, NOTICE_MARKERS


class IngestError(Exception):
    """Input that cannot be imported; the message is one user-facing line."""


@dataclass(frozen=True)
class Removed:
    """One piece of the received text that normalisation left out of the body, and why."""

    kind: str
    text: str


@dataclass(frozen=True)
class Normalised:
    paragraphs: list[str]
    agency_credit: str = ""
    notice: str = ""
    headline: str = ""
    warnings: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    # Names from a byline ("By Jane Doe", "Af Jane Doe"): proposed Persons, not yet recorded.
    byline: list[str] = field(default_factory=list)
    byline_text: str = ""
    # How the headline was found: "" (none), HEADLINE_FIRST_LINE or HEADLINE_REPEATED.
    headline_source: str = ""
    # A BCP 47 code guessed from the words of the body, or "" when the guess is not clear.
    language_guess: str = ""


# --- Decoding -------------------------------------------------------------------------------------

# Plain text never has this share of control characters; binary data usually has far more.
_MAX_CONTROL_SHARE = 0.1
# Unicode category Cc, except the layout characters \t \n \v \f \r.
_STRAY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def decode_raw(data: bytes | str) -> str:
    """Return data as text, or raise IngestError if it is empty, binary, too large or not UTF-8."""
    limit = settings.NEWSROOM_MAX_IMPORT_BYTES
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise IngestError(f"The text is larger than the import limit of {_size(limit)}.")
    if not data:
        raise IngestError("The text is empty.")
    if isinstance(data, bytes):
        if _looks_like_utf16(data):
            raise IngestError("The text is UTF-16, not UTF-8; save it as UTF-8 and try again.")
        if b"\x00" in data:
            raise IngestError("The data is binary (it contains NUL bytes), not text.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise IngestError(
                f"The text is not valid UTF-8 (undecodable byte 0x{data[exc.start]:02x} at "
                f"position {exc.start}); save it as UTF-8 and try again."
            ) from None
    else:
        text = data
        if "\x00" in text:
            raise IngestError("The data is binary (it contains NUL characters), not text.")
    if not text.replace("\ufeff", "").strip():
        raise IngestError("The text contains only whitespace.")
    if len(_STRAY_CONTROL.findall(text)) > len(text) * _MAX_CONTROL_SHARE:
        raise IngestError("The data is mostly control characters, not text.")
    return text


def _size(n: int) -> str:
    megabytes = f"{n / 1024 / 1024:g} MB ({n:,} bytes)"
    return megabytes if n >= 1024 * 1024 else f"{n:,} bytes"


def _looks_like_utf16(data: bytes) -> bool:
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) or len(data) % 2:
        return False
    try:
        data.decode("utf-16")
    except UnicodeDecodeError:
        return False
    return True


# --- Normalisation --------------------------------------------------------------------------------

# Page furniture: whole paragraphs that are part of the web page, not of the article.
FURNITURE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"end of (?:the )?article\.?",
        r"advertisement:?",
        r"share (?:this|the) (?:article|story)\.?",
        r"read more:.*",
    )
)
AGENCY_CREDIT = re.compile(r"/\s*(?P<agency>[^\W\d_][\w .&+-]{0,60}?)\s*/")

_OPEN_QUOTES = "“‘«\"'"
_CLOSERS = "”’»\"')]"
_SENTENCE_END = (".", "!", "?", "…")
# A line ending like this is mid-sentence whatever follows, even across a blank line.
_MID_CLAUSE_END = (",", ";", "-", "–", "—", "(")
# Headlines and subheadings do not end on these; a line that does was wrapped mid-sentence.
_FUNCTION_WORDS = frozenset(
    """a an the and or but nor of to in on at by for with from as than that which who whom
    whose is are was were be been being has have had will would could should may might must
    can its their his her our your my this these those into onto over under about after before
    between against during without within while if because so told said says according also
    not no very""".split()
)
# A headline (the first line) may run long; a subheading inside the text is short, which is
# what tells it from a line hard-wrapped at 60-80 characters.
_HEADLINE_MAX_WORDS = 20
_HEADLINE_MAX_CHARS = 140
_SUBHEADING_MAX_WORDS = 8
_SUBHEADING_MAX_CHARS = 60
# How far into the text a repeated lede is looked for.
_LEDE_WINDOW = 3
# Notice paragraphs: a strong marker starts a notice; any marker keeps it going.
_NOTICE_STRONG = re.compile(
    r"reserves?\s+all\s+(?:its\s+)?rights|all\s+rights\s+reserved|©|\bcopyright\b(?!\s+act)"
    r"|text[\s-]+and[\s-]+data[\s-]+mining",
    re.IGNORECASE,
)
_NOTICE_WEAK = re.compile(
    r"\brights?\b|copyright|©|licen[cs]|subscri|\bshar(?:e|ed|ing)\b|consent|permission"
    r"|permitted|reproduc|distribut|data[\s-]+mining|\btdm\b|\bterms\b|agreement|prohibit"
    r"|infring|directive",
    re.IGNORECASE,
)


# Passes over the normalised text itself before normalise gives up looking for a fixed point.
_MAX_PASSES = 4


def normalise(text: str) -> Normalised:
    """Split raw article text into clean paragraphs, pulling out credit, notice and headline.

    Web-capture furniture (skip links, banners, captions and credits, toggles, related lists,
    comment prompts, reader call-outs, share counters) is left out and listed in `removed`.
    Normalising the result again (headline above the paragraphs) changes nothing.
    """
    result = _normalise_once(text)
    # Each rule reads its neighbours (a short line beside a lowercase one, a repeat in the
    # opening window), and taking out one piece can give a rule new neighbours. Rather than
    # make every rule foresee every other, the text is normalised again until it stands still:
    # a pass only joins, drops or trims paragraphs, so it settles in a pass or two.
    for _ in range(_MAX_PASSES - 1):
        again = _normalise_once(rejoin(result))
        if (again.headline, again.paragraphs) == (result.headline, result.paragraphs):
            break
        result = _merged(result, again)
    return result


def rejoin(result: Normalised) -> str:
    """The normalised text as one string: the headline (if any) above the paragraphs."""
    return "\n\n".join(([result.headline] if result.headline else []) + list(result.paragraphs))


def _merged(first: Normalised, again: Normalised) -> Normalised:
    """What a further pass found, added to what the first pass over the raw text found."""
    headline_source = again.headline_source
    if again.headline and again.headline == first.headline:
        headline_source = first.headline_source  # how it was found in the raw text
    return Normalised(
        paragraphs=again.paragraphs,
        agency_credit=first.agency_credit or again.agency_credit,
        notice="\n\n".join(part for part in (again.notice, first.notice) if part),
        headline=again.headline,
        warnings=first.warnings + [w for w in again.warnings if w not in first.warnings],
        removed=first.removed + again.removed,
        byline=first.byline or again.byline,
        byline_text=first.byline_text or again.byline_text,
        headline_source=headline_source,
        language_guess=again.language_guess,
    )


def _normalise_once(text: str) -> Normalised:
    warnings: list[str] = []
    removed: list[Removed] = []
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text, controls = _STRAY_CONTROL.subn("", text)
    if controls:
        warnings.append(f"Removed {controls} stray control character(s).")
    text = _drop_caption_shortcodes(text, removed)

    agency_credit = ""
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        credit = AGENCY_CREDIT.fullmatch(line)
        if credit:
            agency_credit = agency_credit or credit["agency"]
            line = ""  # the credit stands between paragraphs
        lines.append(line)
    lines = _drop_related_lists(lines, removed)
    byline, byline_text = _take_byline(lines)
    lines = [_drop_line_furniture(line, removed, warnings) for line in lines]
    paragraphs = _unwrap(lines)

    kept = []
    for paragraph in paragraphs:
        kind = _paragraph_furniture(paragraph)
        if kind is None:
            paragraph = _drop_trailing_toggle(paragraph, removed)
        if kind is None:
            kept.append(paragraph)
        elif kind == PAGE_FURNITURE:
            warnings.append(f'Removed page furniture "{paragraph}".')
            removed.append(Removed(kind, paragraph))
        else:
            removed.append(Removed(kind, paragraph))
    kept = _drop_captions(kept, removed)
    kept, headline_repeated = _drop_repeated_headline(kept, removed)
    paragraphs = _drop_repeated_lede(kept, warnings, removed)
    paragraphs = _drop_adjacent_repeats(paragraphs, removed)

    start = _notice_start(paragraphs)
    notice = "\n\n".join(paragraphs[start:])
    paragraphs = paragraphs[:start]

    headline = headline_source = ""
    if len(paragraphs) > 1 and _headline_like(paragraphs[0]):
        headline = paragraphs.pop(0)
        headline_source = HEADLINE_REPEATED if headline_repeated else HEADLINE_FIRST_LINE
    # Reported in the order the pieces stand in the text, as the editor would read them (each
    # is looked up in the text: past a few hundred, the order found is kept).
    if len(removed) <= _SORT_REMOVED_MAX:
        removed.sort(key=lambda piece: _position(text, piece.text))
    return Normalised(
        paragraphs=paragraphs,
        agency_credit=agency_credit,
        notice=notice,
        headline=headline,
        warnings=warnings,
        removed=removed,
        byline=byline,
        byline_text=byline_text,
        headline_source=headline_source,
        language_guess=guess_language("\n".join(paragraphs)),
    )


_SORT_REMOVED_MAX = 300


def _position(text: str, piece: str) -> int:
    """Where piece (or its first line, as it may have been unwrapped) starts in text."""
    found = text.find(piece.split("\n", 1)[0].split(" · ", 1)[0][:40])
    return found if found >= 0 else len(text)


@dataclass
class _Paragraph:
    lines: list[str]
    quotes: list[str] = field(default_factory=list)  # closing marks of the quotes still open
    first: bool = False  # the text's first paragraph, where a headline may stand


def _unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines into paragraphs; blank lines or sentence ends separate them."""
    paragraphs: list[_Paragraph] = []
    after_blank = True
    for line in lines:
        if not line:
            after_blank = True
            continue
        if paragraphs and _continues(paragraphs[-1], line, after_blank=after_blank):
            paragraphs[-1].lines.append(line)
        else:
            paragraphs.append(_Paragraph(lines=[line], first=not paragraphs))
        _track_quotes(line, paragraphs[-1].quotes)
        after_blank = False
    return [_join_lines(p.lines) for p in paragraphs]


def _continues(paragraph: _Paragraph, line: str, *, after_blank: bool) -> bool:
    """Return whether line continues the paragraph rather than starting a new one."""
    previous = paragraph.lines[-1]
    if _is_furniture(line) or _PHOTO_CREDIT_LINE.fullmatch(line):
        return False
    if _CAPTION_WITH_CREDIT.fullmatch(previous):
        return False  # a caption ends where its credit does
    if previous.rstrip(_CLOSERS).endswith(_MID_CLAUSE_END):
        return True
    if not _ends_sentence(previous) and line[0].islower():
        return True
    if after_blank:
        return False
    if paragraph.quotes:
        # Inside a quotation the sentence runs on, unless the quote spans paragraphs: then
        # each paragraph reopens it.
        return not (_ends_sentence(previous) and line[0] == _OPENER[paragraph.quotes[-1]])
    if _ends_sentence(previous):
        return line[0].islower()
    # No closing punctuation: a headline or subheading stands alone, anything else was wrapped.
    if len(paragraph.lines) != 1:
        return True
    if paragraph.first:
        return not _headline_like(previous)
    return not _headline_like(
        previous, max_words=_SUBHEADING_MAX_WORDS, max_chars=_SUBHEADING_MAX_CHARS
    )


def _join_lines(lines: list[str]) -> str:
    pieces = [lines[0]]
    for line in lines[1:]:
        previous = pieces[-1]
        if previous.endswith("\u00ad"):
            pieces[-1] = previous[:-1]  # a soft hyphen marks a word split across lines
        elif not _joins_without_space("".join(pieces), line):
            pieces.append(" ")
        pieces.append(line)
    return re.sub(r"[ \t\v\f]+", " ", "".join(pieces))


def _joins_without_space(text: str, line: str) -> bool:
    """Tell whether a line break inside `text` + `line` stands for no space at all."""
    if text.endswith("-") and text[-2:-1].isalpha() and line[0].isalpha():
        return True  # a compound split at its hyphen: "US-" / "China"
    # A break just inside a quotation: “ / Salt Typhoon” or Salt Typhoon / ”
    return _opens_at_end(text) or (line[0] in "”’»" and _open_quote(text))


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS).endswith(_SENTENCE_END)


_OPENER = {"”": "“", "’": "‘", "»": "«", '"': '"', "'": "'"}


def _opens_at_end(text: str) -> bool:
    """Return whether text ends with the mark that opens a quotation still open."""
    if not text or text[-1] not in _OPEN_QUOTES:
        return False
    if text[-1] in "“‘«":
        return True
    # A straight mark opens only if it is not closing one: count the quotes still open.
    return _open_quote(text) == text[-1] and _open_quote(text[:-1]) != text[-1]


def _open_quote(text: str) -> str:
    """Return the closing mark of the innermost quotation still open at the end, or ""."""
    stack: list[str] = []
    _track_quotes(text, stack)
    return stack[-1] if stack else ""


def _track_quotes(text: str, stack: list[str]) -> None:
    """Push the closing mark of each quotation text opens onto stack; pop those it closes."""

    def close(mark: str) -> None:
        del stack[len(stack) - 1 - stack[::-1].index(mark) :]

    for i, ch in enumerate(text):
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if ch in "“‘«":
            stack.append({"“": "”", "‘": "’", "«": "»"}[ch])
        elif ch in "”»" and ch in stack:
            close(ch)
        elif ch == "’" and stack and stack[-1] == "’" and not after.isalnum():
            stack.pop()  # otherwise an apostrophe: don’t, Reuters’
        elif ch == '"':
            if '"' in stack:
                close('"')
            else:
                stack.append('"')
        elif ch == "'":
            if stack and stack[-1] == "'" and not after.isalnum() and not before.isspace():
                stack.pop()
            elif (before.isspace() or before in '([{“‘"—–-') and (
                after.isalnum() or after in '“‘"'
            ):
                stack.append("'")


def _headline_like(
    line: str, *, max_words: int = _HEADLINE_MAX_WORDS, max_chars: int = _HEADLINE_MAX_CHARS
) -> bool:
    """Return whether line reads as a headline or subheading: short, no closing punctuation."""
    words = line.split()
    return (
        0 < len(words) <= max_words
        and len(line) <= max_chars
        and not _ends_sentence(line)
        and not line.endswith((*_MID_CLAUSE_END, ":"))
        and (line[0].isupper() or line[0].isdigit() or line[0] in _OPEN_QUOTES)
        and words[-1].strip(_CLOSERS).lower() not in _FUNCTION_WORDS
        and not _open_quote(line)
    )


def _is_furniture(paragraph: str) -> bool:
    return any(pattern.fullmatch(paragraph) for pattern in FURNITURE_PATTERNS)


def _drop_repeated_lede(
    paragraphs: list[str], warnings: list[str], removed: list[Removed]
) -> list[str]:
    """Drop every earlier copy of an opening paragraph that the text repeats straight after.

    The repeat may be the whole next paragraph or its beginning (a lede that the next, longer
    paragraph starts with): the longer one is kept. A lede printed three times loses both
    extra copies in one pass, so normalising again changes nothing.
    """
    # Bounded: only the opening window is searched, and each pass drops one paragraph of it.
    for _ in range(_LEDE_WINDOW):
        at = _repeated_lede_at(paragraphs[: 2 * _LEDE_WINDOW + 1])
        if at is None:
            break
        warnings.append("Dropped a repeated copy of the opening paragraph.")
        removed.append(Removed(REPEATED_LEDE, paragraphs[at]))
        paragraphs = paragraphs[:at] + paragraphs[at + 1 :]
    return paragraphs


def _repeated_lede_at(opening: list[str]) -> int | None:
    collapsed = [" ".join(p.split()) for p in opening]
    for i in range(min(_LEDE_WINDOW, len(opening))):
        lede = collapsed[i]
        for later in collapsed[i + 1 : i + 1 + _LEDE_WINDOW]:
            if later == lede or (
                _ends_sentence(lede) and later.startswith(lede) and later[len(lede)] == " "
            ):
                return i
    return None


def _notice_start(paragraphs: list[str]) -> int:
    """Return where the trailing rights notice begins (len(paragraphs) when there is none)."""
    run_start = len(paragraphs)
    while run_start > 1 and _continues_notice(paragraphs[run_start - 1]):
        run_start -= 1
    for i in range(run_start, len(paragraphs)):
        if _NOTICE_STRONG.search(paragraphs[i]) or NOTICE_MARKERS.search(paragraphs[i]):
            return i
    return len(paragraphs)


def _continues_notice(paragraph: str) -> bool:
    """Rights wording in any language the notice table knows (sources.notice_table)."""
    return bool(_NOTICE_WEAK.search(paragraph) or NOTICE_CONTINUATION_MARKERS.search(paragraph))


# --- Web-capture furniture ------------------------------------------------------------------------
# Each kind names what an editor sees in the import report; each pattern is whole-line (or
# whole-paragraph) so that the same words inside a sentence are kept.

PAGE_FURNITURE = "page furniture"
ACCESSIBILITY_LINK = "accessibility link"
BREAKING_BANNER = "breaking-news banner"
PHOTO_CAPTION = "photo caption"
PHOTO_CREDIT = "photographer credit"
SHOW_MORE_TOGGLE = "show-more toggle"
CAPTION_SHORTCODE = "caption shortcode"
RELATED_ARTICLES = "related-article list"
COMMENT_PROMPT = "comment prompt"
READER_CALLOUT = "reader call-out"
SHARE_COUNTER = "share counter"
REPEATED_LEDE = "repeated lede"
REPEATED_HEADLINE = "repeated headline"
REPEATED_PARAGRAPH = "repeated paragraph"
BYLINE = "byline"

HEADLINE_FIRST_LINE = "first line"
HEADLINE_REPEATED = "first line, repeated as the page title"

_TRAILING_MARKS = " .:…!›»→▼▾▸▲▴+-–—|"


def _whole(*alternatives: str) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


_ACCESSIBILITY = _whole(
    r"(?:skip|jump)\s+(?:to\s+)?(?:the\s+)?(?:main\s+)?(?:content|navigation|search|article|menu)",
    r"skip\s+navigation",
    r"(?:gå|spring|hopp|hoppa)\s+(?:direkte\s+)?til{1,2}\s+(?:hoved|huvud)?(?:indhold|innhold|"
    r"innehåll|indholdet|innholdet|innehållet|navigation|navigasjon|menu|menyen|søgning|søk)",
    r"(?:direkt\s+)?zum\s+(?:haupt)?inhalt(?:\s+springen)?",
    r"(?:ga\s+)?(?:direct\s+)?naar\s+(?:de\s+)?(?:hoofd)?inhoud",
    r"(?:aller|passer|accéder)\s+au\s+contenu(?:\s+principal)?",
)
_BANNER = re.compile(
    r"(?:breaking(?:\s+news)?|seneste\s+nyt|eilmeldung|just\s+in)(?:\s*[:!|–—-]\s*.{0,160})?",
    re.IGNORECASE,
)
_TOGGLE = _whole(
    r"(?:vis|show|see|load|se|visa|mehr|meer|voir|view)\s+(?:mere|more|mindre|less|mer|"
    r"anzeigen|weergeven|plus|moins|all|alle|alt)",
    r"(?:læs|read|lees|läs|les|lire)\s+(?:mere|more|meer|mer|la\s+suite|plus)",
    r"weiterlesen|fold\s+ud|udvid|expand|collapse",
)
_GLUED_TOGGLE = re.compile(r"(?P<head>.*[.!?…”’\"»)])\s*(?P<toggle>\S+(?:\s+\S+)?)", re.DOTALL)
_COMMENTS = _whole(
    r"(?:\d+\s+)?(?:comments?|kommentarer|kommentar|kommentare|reacties|reactie|kommentarer|"
    r"commentaires?)(?:\s*\(\d+\))?",
    r"(?:leave|add|post|write|join|show|read|view|see|load)\s+(?:a\s+|the\s+|all\s+)?"
    r"(?:\d+\s+)?(?:comments?|reply|conversation|discussion)",
    r"(?:skriv|tilføj|læs|se)\s+(?:en\s+|alle\s+)?kommentar(?:er)?",
    r"(?:log\s+(?:ind|in|på)|sign\s+in|login|logg\s+inn)\s+(?:for\s+at|to|og|and|för\s+att)\s+"
    r"(?:kommentere|comment|kommentera|debattere)",
    r"be\s+the\s+first\s+to\s+comment|jetzt\s+kommentieren|kommentieren|diskutieren\s+sie\s+mit",
    r"(?:plaats\s+een\s+)?reageer|kommentera|commenter|laisser\s+un\s+commentaire",
)
# A call-out starts the paragraph; what follows (an address, a phone number) goes with it.
_CALLOUT = re.compile(
    r"(?:do|did)\s+you\s+(?:have|know)\s+(?:a\s+|any\s+)?(?:story|tip|news\s+tip|information)"
    r"|(?:got|have\s+you\s+got)\s+a\s+(?:story|tip|news\s+tip)|send\s+us\s+your\s+(?:story|tips?)"
    r"|har\s+du\s+(?:et\s+|en\s+)?(?:tip|tips|historie|nyhed|input|en\s+god\s+historie)\b"
    r"|kontakt\s+(?:redaktionen|journalisten)|tip\s+(?:os|redaktionen)\b"
    r"|haben\s+sie\s+(?:einen\s+)?(?:hinweis|tipp)|heb\s+(?:je|jij|u)\s+(?:een\s+)?tip"
    r"|tipsa\s+oss|vous\s+avez\s+une\s+info",
    re.IGNORECASE,
)
_CALLOUT_MAX_WORDS = 60
_SHARE_WORD = r"(?:share[sd]?|del(?:t|inger|ing)?|del\s+artiklen|teilen|delen|dela|partager|tweet)"
_SHARE_NETWORK = (
    r"(?:facebook|twitter|x|linkedin|e-?mail|mail|whatsapp|messenger|print|udskriv|drucken|"
    r"pinterest|reddit|threads|bluesky|copy\s+link|kopi[eé]r\s+link|link|sms)"
)
_SHARE_TOKEN = rf"(?:\d[\d.,]*\s?[km]?|{_SHARE_WORD}|{_SHARE_NETWORK}|gange|times|on|på|via)"
_SHARE_LINE = re.compile(rf"{_SHARE_TOKEN}(?:[\s|·•,/:]+{_SHARE_TOKEN})*", re.IGNORECASE)
_HAS_SHARE_WORD = re.compile(rf"\b{_SHARE_WORD}\b", re.IGNORECASE)
_NETWORK = re.compile(rf"\b{_SHARE_NETWORK}\b", re.IGNORECASE)

_CREDIT_WORD = r"(?:foto|fotos|photo|photos|photograph|billede|bild|bilde|image|picture|kilde)"
# Credited names and agencies: capitalised words, joined by slashes, "og", "and", "/".
_CREDIT_WORD_NAME = r"[A-ZÆØÅÄÖÜÉ][\w.'’-]*"
_CREDIT_NAME = (
    rf"{_CREDIT_WORD_NAME}(?:(?:\s*[/&,]\s*|\s+(?:(?:van|von|de|der|af|og|and|for)\s+)*)"
    rf"{_CREDIT_WORD_NAME}){{0,8}}"
)
_CREDITED = rf"(?i:{_CREDIT_WORD}\s*:\s*|photo(?:graph)?\s+by\s+|foto\s+af\s+)"
_PHOTO_CREDIT_LINE = re.compile(rf"\(?{_CREDITED}{_CREDIT_NAME}\)?")
# A caption: text that ends with a photographer credit, glued on or not.
_CAPTION_WITH_CREDIT = re.compile(
    rf"(?P<caption>.+?)\s*\(?(?P<credit>{_CREDITED}{_CREDIT_NAME})\)?"
)
# News agencies whose name a capture glues onto the end of a caption shortcode.
_GLUED_AGENCY = r"/?(?:(?i:ritzau|reuters|ap|afp|dpa|ntb|tt|anp|belga|apa|epa|bloomberg))\b/?"
_SHORTCODE = re.compile(
    r"(?i:\[caption\b[^\]]*\](?P<inner>.*?)\[/caption\])"
    rf"(?:[ \t]*(?P<agency>{_GLUED_AGENCY})(?=[ \t]*[:—–-]?[ \t]*(?:[^\W\d_]|\n|$)))?",
    re.DOTALL,
)
_SHORTCODE_TAIL = re.compile(r"^[^\n]*?\[/caption\]", re.IGNORECASE | re.MULTILINE)
_SHORTCODE_HEAD = re.compile(r"\[caption\b[^\]\n]*\][^\n]*", re.IGNORECASE)

_MONTH = (
    r"(?:jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|févr(?:ier)?|mar(?:ch|ts|s)?|märz|maart|"
    r"apr(?:il)?|avril|maj|may|mai|mei|jun[ei]?|juin|jul[yi]?|juillet|aug(?:ust)?|août|"
    r"sep(?:t|tember|tembre)?|o[ck]t(?:ober|obre)?|nov(?:ember|embre)?|de[csz](?:ember|"
    r"embre)?|décembre)"
)
_DATE = re.compile(
    rf"\b\d{{1,2}}\.?\s*{_MONTH}\.?,?\s*\d{{4}}\b|\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?"
    r"\s+\d{4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b"
    r"|\b\d+\s+(?:hours?|minutes?|days?|timer?|minutter|dage?|stunden|tagen)\s+(?:ago|siden)\b"
    r"|\b(?:for|vor)\s+\d+\s+(?:timer?|minutter|dage?|stunden|tagen|minuten)(?:\s+siden)?\b"
    r"|\bkl\.?\s*\d{1,2}[:.]\d{2}\b",
    re.IGNORECASE,
)
_RELATED_HEADING = _whole(
    r"related(?:\s+(?:articles?|stories|news|content|coverage))?",
    r"(?:read|see)\s+(?:also|more)(?:\s+(?:about|on)\s+.{1,40})?",
    r"more\s+(?:on|from|about|in)\s+.{1,40}|you\s+(?:may|might)\s+also\s+like|recommended",
    r"(?:most\s+)?(?:read|popular)(?:\s+(?:now|today|stories))?|latest(?:\s+news)?",
    r"relaterede?\s+(?:artikler|nyheder|historier)|læs\s+(?:også|mere)(?:\s+om\s+.{1,40})?",
    r"mere\s+om(?:\s+emnet|\s+.{1,40})?|se\s+også|mest\s+læste|seneste\s+nyheder|anbefalet",
    r"verwandte\s+artikel|mehr\s+zum\s+thema|das\s+könnte\s+sie\s+auch\s+interessieren",
    r"lees\s+ook|meer\s+over\s+.{1,40}|gerelateerde\s+artikelen",
    r"läs\s+(?:också|mer)|relaterade\s+artiklar|les\s+(?:også|mer)|relaterte\s+saker",
    r"(?:à\s+)?lire\s+aussi|sur\s+le\s+même\s+sujet|articles\s+liés",
)
_RELATED_ITEM_MAX_WORDS = 25

_NAME_WORD = r"[A-ZÆØÅÄÖÜÉÈ][\w'’.-]*"
_PARTICLE = r"(?:van|von|de|der|den|la|le|du|da|di|bin|al|el|ten|ter)"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+){{0,2}}{_NAME_WORD}){{0,3}}"
_BYLINE = re.compile(
    r"(?i:by|af|von|door|par|av|text|tekst|texte|written\s+by|skrevet\s+af|reporting\s+by)"
    rf"\s*:?\s+(?P<names>{_NAME}(?:\s*(?:,|(?i:and|og|und|en|et|och|&))\s*{_NAME})*)"
    r"(?:\s*[,|–—-]\s*(?P<rest>[^.!?]{1,80}))?"
)
_BYLINE_SPLIT = re.compile(r"\s*(?:,|\b(?:and|og|und|en|et|och)\b|&)\s*", re.IGNORECASE)
_BYLINE_MAX_WORDS = 14
_BYLINE_WINDOW = 6  # lines from the top of the text where a byline stands
_NOT_A_NAME = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday mandag tirsdag onsdag torsdag
    fredag lørdag søndag january february march april may june july august september october
    november december januar februar marts juni juli oktober the this that""".split()
)
_SITE_SUFFIX = re.compile(r"(?P<title>.+?)\s+[|–—-]\s+(?P<site>[^|–—]{1,60})")


def furniture_kind(block: str) -> str | None:
    """Return the kind of web-page furniture a whole line or paragraph is, or None."""
    block = " ".join(block.split())
    if not block:
        return None
    if _is_furniture(block):
        return PAGE_FURNITURE
    bare = block.strip(_TRAILING_MARKS)
    if _ACCESSIBILITY.fullmatch(bare):
        return ACCESSIBILITY_LINK
    if _BANNER.fullmatch(block) and len(block.split()) <= 25:
        return BREAKING_BANNER
    if _TOGGLE.fullmatch(bare):
        return SHOW_MORE_TOGGLE
    if _COMMENTS.fullmatch(bare):
        return COMMENT_PROMPT
    if _CALLOUT.match(block) and len(block.split()) <= _CALLOUT_MAX_WORDS:
        return READER_CALLOUT
    if _SHARE_LINE.fullmatch(bare) and (_HAS_SHARE_WORD.search(bare) or _NETWORK.search(bare)):
        return SHARE_COUNTER
    if _PHOTO_CREDIT_LINE.fullmatch(block):
        return PHOTO_CREDIT
    return None


def block_kind(block: str) -> str | None:
    """Return what a block of a web page is when it is not article text (or None): furniture,
    a caption, a byline, a related-article heading or item."""
    kind = _paragraph_furniture(block)
    if kind is not None:
        return kind
    block = " ".join(block.split())
    if _RELATED_HEADING.fullmatch(block.strip(_TRAILING_MARKS)) or _related_item(block):
        return RELATED_ARTICLES
    if _take_byline([block])[0]:
        return BYLINE
    return None


def _drop_line_furniture(line: str, removed: list[Removed], warnings: list[str]) -> str:
    """Return "" for a furniture line (recording it), else the line unchanged."""
    kind = furniture_kind(line)
    if kind is None or kind in (READER_CALLOUT, PHOTO_CREDIT):
        # Call-outs run over several wrapped lines and credits end captions: both are judged
        # on the whole paragraph.
        return line
    removed.append(Removed(kind, line))
    if kind == PAGE_FURNITURE:
        warnings.append(f'Removed page furniture "{line}".')
    return ""


def _paragraph_furniture(paragraph: str) -> str | None:
    kind = furniture_kind(paragraph)
    if kind is None and _CAPTION_WITH_CREDIT.fullmatch(paragraph):
        return PHOTO_CAPTION
    return kind


def _drop_trailing_toggle(paragraph: str, removed: list[Removed]) -> str:
    """Cut a "Show more" toggle glued to the end of a paragraph, after its last sentence."""
    match = _GLUED_TOGGLE.fullmatch(paragraph)
    if match is None or not _TOGGLE.fullmatch(match["toggle"].strip(_TRAILING_MARKS)):
        return paragraph
    removed.append(Removed(SHOW_MORE_TOGGLE, match["toggle"]))
    return match["head"]


def _drop_caption_shortcodes(text: str, removed: list[Removed]) -> str:
    """Cut WordPress [caption]...[/caption] blocks; what was glued after one starts a paragraph."""

    def cut(match: re.Match[str]) -> str:
        removed.append(Removed(CAPTION_SHORTCODE, " ".join(match[0].split())))
        return "\n\n"

    def cut_with_agency(match: re.Match[str]) -> str:
        agency = match["agency"]
        shortcode = match[0][: match.start("agency") - match.start()] if agency else match[0]
        removed.append(Removed(CAPTION_SHORTCODE, " ".join(shortcode.split())))
        # An agency name glued onto the closing tag is the story's credit: its own line.
        return f"\n\n/{agency.strip('/')}/\n\n" if agency else "\n\n"

    text = _SHORTCODE.sub(cut_with_agency, text)
    # A capture that starts or ends inside a caption leaves half a shortcode.
    text = _SHORTCODE_TAIL.sub(cut, text)
    return _SHORTCODE_HEAD.sub(cut, text)


def _strip_dates(line: str) -> str:
    return _DATE.sub(" ", line).strip(" |·•,–—-:()")


def _related_item(line: str) -> bool:
    """A short link title with a date (or a date alone), as related-article lists print them."""
    if not _DATE.search(line) or len(line.split()) > _RELATED_ITEM_MAX_WORDS:
        return False
    rest = _strip_dates(line)
    return not rest or not _ends_sentence(rest)


def _title_line(line: str) -> bool:
    return 0 < len(line.split()) <= _RELATED_ITEM_MAX_WORDS and not _ends_sentence(line)


def _drop_related_lists(lines: list[str], removed: list[Removed]) -> list[str]:
    """Blank out related-article lists: a heading and dated items, or two dated items or more."""
    filled = [i for i, line in enumerate(lines) if line]
    drop: set[int] = set()
    k = 0
    while k < len(filled):
        heading = bool(_RELATED_HEADING.fullmatch(lines[filled[k]].strip(_TRAILING_MARKS)))
        j = k + 1 if heading else k
        items = 0
        while j < len(filled):
            line = lines[filled[j]]
            if _related_item(line):
                j, items = j + 1, items + 1
            elif (
                j + 1 < len(filled)
                and _title_line(line)
                and _related_item(lines[filled[j + 1]])
                and not _strip_dates(lines[filled[j + 1]])
            ):
                j, items = j + 2, items + 1  # a title with its date on the next line
            else:
                break
        if items >= (1 if heading else 2):
            block = [lines[filled[m]] for m in range(k, j)]
            removed.append(Removed(RELATED_ARTICLES, " · ".join(block)))
            drop.update(filled[m] for m in range(k, j))
            k = j
        else:
            k += 1
    return ["" if i in drop else line for i, line in enumerate(lines)]


def _take_byline(lines: list[str]) -> tuple[list[str], str]:
    """Blank out a byline near the top and return the names it gives, and its text."""
    seen = 0
    for i, line in enumerate(lines):
        if not line:
            continue
        seen += 1
        if seen > _BYLINE_WINDOW:
            break
        match = _BYLINE.fullmatch(line)
        if match is None or len(line.split()) > _BYLINE_MAX_WORDS:
            continue
        # "By Jane Doe, Reuters": a one-word part is the outlet or a role, not a name.
        names = [n for n in _BYLINE_SPLIT.split(match["names"]) if len(n.split()) > 1]
        if not names:
            continue
        if any(word.lower().strip(".") in _NOT_A_NAME for n in names for word in n.split()):
            continue
        if _ends_sentence(line) and not line.rstrip(".").endswith(names[-1].rstrip(".")):
            continue
        lines[i] = ""
        return names, line
    return [], ""


def _drop_captions(paragraphs: list[str], removed: list[Removed]) -> list[str]:
    """Drop a caption's copy printed again beside it without its credit (alt text, then caption)."""
    kept: list[str] = []
    captions = {
        " ".join(r.text.split())
        for r in removed
        if r.kind in (PHOTO_CAPTION, PHOTO_CREDIT, CAPTION_SHORTCODE)
    }
    bare_captions = set()
    for caption in captions:
        match = _CAPTION_WITH_CREDIT.fullmatch(caption)
        if match:
            bare_captions.add(match["caption"].strip())
    for paragraph in paragraphs:
        if " ".join(paragraph.split()) in bare_captions:
            removed.append(Removed(PHOTO_CAPTION, paragraph))
        else:
            kept.append(paragraph)
    return kept


def _drop_repeated_headline(
    paragraphs: list[str], removed: list[Removed]
) -> tuple[list[str], bool]:
    """Keep one copy of a headline printed twice at the top (page title and article title).

    The page title may carry the site name ("Headline | Site"); the copy without it is kept.
    """
    if len(paragraphs) < 2 or not _headline_like(paragraphs[0]):
        return paragraphs, False
    first = " ".join(paragraphs[0].split())
    site = _SITE_SUFFIX.fullmatch(first)
    candidates = {first.casefold()} | ({site["title"].casefold()} if site else set())
    for j in range(1, min(_LEDE_WINDOW + 1, len(paragraphs))):
        later = " ".join(paragraphs[j].split())
        if later.casefold() in candidates:
            removed.append(Removed(REPEATED_HEADLINE, paragraphs[0]))
            return [paragraphs[j], *paragraphs[1:j], *paragraphs[j + 1 :]], True
    return paragraphs, False


def _drop_adjacent_repeats(paragraphs: list[str], removed: list[Removed]) -> list[str]:
    """Drop a paragraph printed twice in a row (a caption or pull quote shown twice)."""
    kept: list[str] = []
    for paragraph in paragraphs:
        if kept and " ".join(kept[-1].split()) == " ".join(paragraph.split()):
            removed.append(Removed(REPEATED_PARAGRAPH, paragraph))
        else:
            kept.append(paragraph)
    return kept


# --- Headline proposal and language guess ---------------------------------------------------------

PROPOSED_HEADLINE_MAX_CHARS = 90
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[”’»\"')\]]*\s+(?=[\"“‘«(]?[^\W\d_])")
_MIN_HEADLINE_WORDS = 4


def propose_headline(body: str, *, max_chars: int = PROPOSED_HEADLINE_MAX_CHARS) -> str:
    """Return the body's first sentence as a headline, cut at a word to max_chars (or "")."""
    text = " ".join(body.split("\n\n", 1)[0].split())
    if not text:
        return ""
    sentence = text
    for match in _SENTENCE_BREAK.finditer(text):
        # "The U.S. said" is not two sentences: a sentence has a few words at least.
        if len(text[: match.start()].split()) >= _MIN_HEADLINE_WORDS:
            sentence = text[: match.start()]
            break
    sentence = sentence.rstrip(".").strip()
    if len(sentence) <= max_chars:
        return sentence
    cut = sentence[: max_chars - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:–—-") + "…"


# The languages publishers write in, with justext's stop-word lists for each.
_STOPLISTS = {
    "en": "English",
    "da": "Danish",
    "nb": "Norwegian_Bokmal",
    "sv": "Swedish",
    "de": "German",
    "nl": "Dutch",
    "fr": "French",
}
_LANGUAGE_MIN_WORDS = 12
_LANGUAGE_MIN_SHARE = 0.25
_LANGUAGE_MIN_LEAD = 1.25  # the best language must score this many times the runner-up
_LANGUAGE_MIN_OWN_WORDS = 2  # ... or have this many more words of its own
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@functools.cache
def _stoplist(language: str) -> frozenset[str]:
    import justext  # imported here: the stop-word lists load only when a guess is wanted

    return frozenset(word.casefold() for word in justext.get_stoplist(_STOPLISTS[language]))


def guess_language(text: str) -> str:
    """Return the BCP 47 code of the language text is most clearly written in, or ""."""
    words = [w.casefold() for w in _WORD.findall(text[:4000])]
    if len(words) < _LANGUAGE_MIN_WORDS:
        return ""
    scores = sorted(
        ((sum(w in _stoplist(code) for w in words) / len(words), code) for code in _STOPLISTS),
        reverse=True,
    )
    (best, code), (runner_up, other) = scores[0], scores[1]
    if best < _LANGUAGE_MIN_SHARE:
        return ""
    if best < runner_up * _LANGUAGE_MIN_LEAD:
        # Close languages (Danish and Norwegian) share most small words: the words only one
        # of the two lists has must then tell them apart.
        own = sum(w in _stoplist(code) and w not in _stoplist(other) for w in words)
        theirs = sum(w in _stoplist(other) and w not in _stoplist(code) for w in words)
        if own < theirs + _LANGUAGE_MIN_OWN_WORDS:
            return ""
    return code
