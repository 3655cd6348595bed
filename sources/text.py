"""Decode raw article bytes and normalise the text into paragraphs: pure functions.

`decode_raw()` refuses what cannot be text; `normalise()` splits the text into clean paragraphs
and pulls out the agency credit, the headline and the trailing rights notice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings


class IngestError(Exception):
    """Input that cannot be imported; the message is one user-facing line."""


@dataclass(frozen=True)
class Normalised:
    paragraphs: list[str]
    agency_credit: str = ""
    notice: str = ""
    headline: str = ""
    warnings: list[str] = field(default_factory=list)


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


def normalise(text: str) -> Normalised:
    """Split raw article text into clean paragraphs, pulling out credit, notice and headline."""
    warnings: list[str] = []
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text, controls = _STRAY_CONTROL.subn("", text)
    if controls:
        warnings.append(f"Removed {controls} stray control character(s).")

    agency_credit = ""
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        credit = AGENCY_CREDIT.fullmatch(line)
        if credit:
            agency_credit = agency_credit or credit["agency"]
            line = ""  # the credit stands between paragraphs
        lines.append(line)
    paragraphs = _unwrap(lines)

    kept = []
    for paragraph in paragraphs:
        if _is_furniture(paragraph):
            warnings.append(f'Removed page furniture "{paragraph}".')
        else:
            kept.append(paragraph)
    paragraphs = _drop_repeated_lede(kept, warnings)

    start = _notice_start(paragraphs)
    notice = "\n\n".join(paragraphs[start:])
    paragraphs = paragraphs[:start]

    headline = ""
    if len(paragraphs) > 1 and _headline_like(paragraphs[0]):
        headline = paragraphs.pop(0)
    return Normalised(
        paragraphs=paragraphs,
        agency_credit=agency_credit,
        notice=notice,
        headline=headline,
        warnings=warnings,
    )


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
    if _is_furniture(line):
        return False
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
        elif previous.endswith("-") and previous[-2:-1].isalpha() and line[0].isalpha():
            pass  # a compound split at its hyphen: "US-" / "China"
        else:
            pieces.append(" ")
        pieces.append(line)
    return re.sub(r"[ \t\v\f]+", " ", "".join(pieces))


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS).endswith(_SENTENCE_END)


_OPENER = {"”": "“", "’": "‘", "»": "«", '"': '"', "'": "'"}


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


def _drop_repeated_lede(paragraphs: list[str], warnings: list[str]) -> list[str]:
    """Drop the first copy of an opening paragraph that the text repeats straight after."""
    collapsed = [" ".join(p.split()) for p in paragraphs]
    for i in range(min(_LEDE_WINDOW, len(paragraphs))):
        if collapsed[i] in collapsed[i + 1 : i + 1 + _LEDE_WINDOW]:
            warnings.append("Dropped a repeated copy of the opening paragraph.")
            return paragraphs[:i] + paragraphs[i + 1 :]
    return paragraphs


def _notice_start(paragraphs: list[str]) -> int:
    """Return where the trailing rights notice begins (len(paragraphs) when there is none)."""
    run_start = len(paragraphs)
    while run_start > 1 and _NOTICE_WEAK.search(paragraphs[run_start - 1]):
        run_start -= 1
    for i in range(run_start, len(paragraphs)):
        if _NOTICE_STRONG.search(paragraphs[i]):
            return i
    return len(paragraphs)
