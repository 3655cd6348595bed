"""Turn raw article text into one stored Document with its licence terms.

The import command and the admin's "Import document" page both call `document_import()`:
decode the raw bytes, normalise the text into paragraphs, move the trailing rights notice into
LicenseTerms, and store the body once. `normalise()` and `parse_notice()` are pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from sources.models import Document, LicenseTerms, Organization, normalise_notice, sha256_hex


class IngestError(Exception):
    """Input that cannot be imported; the message is one user-facing line."""


@dataclass(frozen=True)
class Normalised:
    paragraphs: list[str]
    agency_credit: str = ""
    notice: str = ""
    headline: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NoticeTerms:
    holder_name: str = ""
    tdm_reserved: bool = False
    tdm_legal_basis: str = ""
    tdm_clause: str = ""
    sharing_scope: str = LicenseTerms.SharingScope.PUBLIC
    sharing_clause: str = ""

    @property
    def tdm_expression(self) -> str:
        if self.tdm_reserved:
            return LicenseTerms.TdmExpression.NATURAL_LANGUAGE
        return LicenseTerms.TdmExpression.NONE


@dataclass
class ImportResult:
    document: Document
    created: bool
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


# --- Rights notices -------------------------------------------------------------------------------

_ABBREVIATIONS = frozenset("cf e.g i.e etc art no nos sec para pp vol ch ibid viz approx".split())
_SENTENCE_BREAK = re.compile(r"(?P<end>[.!?…][”’\"')\]]*)\s+(?=[“‘\"'(\[]?[A-Z0-9ÆØÅÄÖÜ§©])")
_TDM = re.compile(
    r"text[\s-]+and[\s-]+data[\s-]+mining|\btdm\b|\b(?:text|data)[\s-]+mining", re.IGNORECASE
)
_DSM_ARTICLE_4 = re.compile(
    r"article\s*4(?:\s*\(\s*3\s*\))?\s+of\s+(?:the\s+)?(?:dsm|digital\s+single\s+market)\s+"
    r"directive|(?:dsm|digital\s+single\s+market)\s+directive,?\s+art(?:icle|\.)\s*4\b"
    r"|article\s*4(?:\s*\(\s*3\s*\))?\s+of\s+directive\s+(?:\(eu\)\s+)?2019/790",
    re.IGNORECASE,
)
_RESERVES = re.compile(
    r"\breserv\w*|\bprohibit\w*|\bforbid\w*|\bexclud\w*|\bopt(?:s|ed)?[\s-]+out\b"
    r"|\b(?:may|must|shall)\s+not\b|\bnot\s+(?:be\s+)?(?:permitted|allowed)\b",
    re.IGNORECASE,
)
_DOES_NOT_RESERVE = re.compile(r"\b(?:does|do|is|are)\s+not\s+reserv", re.IGNORECASE)
# Each recognised legal basis for a TDM reservation, in the order their labels are listed.
LEGAL_BASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_DSM_ARTICLE_4, "DSM Directive Art. 4"),
    (
        re.compile(
            r"(?:section|§)\s*11\s*b\b[^.;]*?(?:copyright\s+act|ophavsretslov)"
            r"|ophavsretslovens\s+§\s*11\s*b\b",
            re.IGNORECASE,
        ),
        "Danish Copyright Act §11b",
    ),
    (
        re.compile(r"§\s*44\s*b\s+(?:urhg|[^.;]*?copyright\s+act)", re.IGNORECASE),
        "German Copyright Act §44b",
    ),
)
_SHARES = re.compile(
    r"\b(?:share[sd]?|sharing|(?:re)?distribut\w*|forward\w*|pass(?:ed)?\s+on|disseminat\w*"
    r"|republish\w*|ma(?:de|ke)\s+available)\b",
    re.IGNORECASE,
)
_RESTRICTS = re.compile(
    r"\b(?:may|must|can|shall)\s+(?:only|not)\b|\bcannot\b|\bonly\b|\bprohibited\b"
    r"|\bnot\s+(?:be\s+)?(?:permitted|allowed)\b|\bwithout\b[^.]*\b(?:consent|permission)\b",
    re.IGNORECASE,
)
_INTERNAL = re.compile(
    r"\binternal(?:ly)?\b|\bin-house\b"
    r"|\bwithin\s+(?:your|the|their)\s+(?:own\s+)?(?:organi[sz]ation|company|newsroom)\b",
    re.IGNORECASE,
)
_SUBSCRIBERS = re.compile(r"\bsubscri(?:ber|ption)s?\b", re.IGNORECASE)
_SCOPE_RANK = {
    LicenseTerms.SharingScope.PUBLIC: 0,
    LicenseTerms.SharingScope.SUBSCRIBERS: 1,
    LicenseTerms.SharingScope.INTERNAL: 2,
}
_RESERVES_ALL_RIGHTS = re.compile(
    r"(?P<name>[^.;:\n]*?)\s+reserves?\s+all\s+(?:its\s+)?rights", re.IGNORECASE
)
_COPYRIGHT_HOLDER = re.compile(
    r"(?:©|(?<!\w)\(c\)|\bcopyright\s*(?:©|\(c\))?(?=\s*\d{4}))\s*"
    r"(?:\d{4}(?:\s*[-–]\s*\d{4})?,?\s*)?"
    r"(?P<name>[^\W\d_][^.;,\n]*?)\s*(?:\d{4})?\s*(?:[.;,\n]|all\s+rights\s+reserved|$)",
    re.IGNORECASE,
)
_HOLDER_MAX_WORDS = 8


def parse_notice(notice: str) -> NoticeTerms:
    """Read the holder, TDM reservation and sharing limits from a rights notice."""
    sentences = _sentences(notice)
    tdm_clause = next((s for s in sentences if _reserves_tdm(s)), "")
    legal_basis = ""
    if tdm_clause:
        legal_basis = "; ".join(label for pattern, label in LEGAL_BASES if pattern.search(notice))

    scope = LicenseTerms.SharingScope.PUBLIC
    sharing = []
    for sentence in sentences:
        sentence_scope = _sharing_scope(sentence)
        if sentence_scope is None:
            continue
        sharing.append(sentence)
        if _SCOPE_RANK[sentence_scope] > _SCOPE_RANK[scope]:
            scope = sentence_scope
    if not sharing:
        # A reservation of rights that grants nothing keeps the text inside the newsroom
        # until an editor reads the terms and records what they allow.
        sharing = [sentence for sentence in sentences if _NOTICE_STRONG.search(sentence)]
        if sharing:
            scope = LicenseTerms.SharingScope.INTERNAL
    return NoticeTerms(
        holder_name=_holder_name(sentences),
        tdm_reserved=bool(tdm_clause),
        tdm_legal_basis=legal_basis,
        tdm_clause=tdm_clause,
        sharing_scope=scope,
        sharing_clause=" ".join(sharing),
    )


def _sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for paragraph in text.split("\n\n"):
        paragraph = " ".join(paragraph.split())
        start = 0
        for match in _SENTENCE_BREAK.finditer(paragraph):
            sentence = paragraph[start : match.end("end")]
            last_word = sentence.rsplit(None, 1)[-1].rstrip(_CLOSERS).rstrip(".").lower()
            # "cf. Section 11b", "U.S. President": an abbreviation, not the end of a sentence.
            if last_word in _ABBREVIATIONS or "." in last_word or _is_initial(last_word):
                continue
            sentences.append(sentence)
            start = match.end()
        if paragraph[start:]:
            sentences.append(paragraph[start:])
    return sentences


def _is_initial(word: str) -> bool:
    return len(word) == 1 and word.isalpha()


def _reserves_tdm(sentence: str) -> bool:
    if _DOES_NOT_RESERVE.search(sentence) or not _RESERVES.search(sentence):
        return False
    return bool(_TDM.search(sentence) or _DSM_ARTICLE_4.search(sentence))


def _sharing_scope(sentence: str) -> str | None:
    """Return the audience a sharing restriction allows, or None if the sentence has none."""
    if not (_SHARES.search(sentence) and _RESTRICTS.search(sentence)):
        return None
    if _SUBSCRIBERS.search(sentence) and not _INTERNAL.search(sentence):
        return LicenseTerms.SharingScope.SUBSCRIBERS
    # Internal use, or an outright ban on passing the text on: it stays in the building.
    return LicenseTerms.SharingScope.INTERNAL


def _holder_name(sentences: list[str]) -> str:
    for sentence in sentences:
        match = _RESERVES_ALL_RIGHTS.search(sentence)
        if match:
            name = match["name"].rsplit(",", 1)[-1].strip()
            if 0 < len(name.split()) <= _HOLDER_MAX_WORDS:
                return name
    for sentence in sentences:
        match = _COPYRIGHT_HOLDER.search(sentence)
        if match and 0 < len(match["name"].split()) <= _HOLDER_MAX_WORDS:
            return match["name"].strip()
    return ""


# --- Import ---------------------------------------------------------------------------------------

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def document_import(
    *,
    raw: bytes | str,
    publisher: str,
    publication: str = "",
    url: str = "",
    headline: str = "",
    published_at: datetime | None = None,
    language: str = "",
    obtained_via: str = Document.ObtainedVia.IMPORT_COMMAND,
    user=None,
    is_excerpt: bool = False,
) -> ImportResult:
    """Store raw article text as a Document with its licence terms, once per body.

    Importing a body that is already stored returns that document unchanged (created=False).
    Raises IngestError, having written nothing, when the input cannot be imported.
    """
    publisher, publication = publisher.strip(), publication.strip()
    url, headline, language = url.strip(), " ".join(headline.split()), language.strip()
    if not publisher:
        raise IngestError("A publisher name is required.")
    if published_at is not None and timezone.is_naive(published_at):
        raise IngestError(
            "The publication time has no time zone; give one, e.g. 2025-11-20T09:30:00+01:00."
        )
    if language and not _LANGUAGE_TAG.fullmatch(language):
        raise IngestError(f"Invalid language: {language!r} is not a language code such as 'en'.")

    text = decode_raw(raw)
    normalised = normalise(text)
    warnings = list(normalised.warnings)
    paragraphs = list(normalised.paragraphs)
    if not headline:
        headline = normalised.headline
    elif normalised.headline and not _same_text(normalised.headline, headline):
        paragraphs.insert(0, normalised.headline)  # not the headline given, so it is body text
    if not headline:
        warnings.append("No headline was given or found; the document has none.")
    if not paragraphs:
        raise IngestError(
            "The text has no article body once furniture, credit, headline and notice are removed."
        )

    document = Document(
        agency_credit=normalised.agency_credit,
        url=url,
        headline=headline,
        published_at=published_at,
        language=language,
        body="\n\n".join(paragraphs),
        raw_text=text,
        is_excerpt=is_excerpt,
        obtained_via=obtained_via,
        imported_by=user if user is not None and user.is_authenticated else None,
    )
    existing = _existing(document, publisher=publisher, publication=publication, warnings=warnings)
    if existing is not None:
        return existing
    warnings_before_writes = list(warnings)
    try:
        with transaction.atomic():
            document.publisher = _organization(
                name=publisher,
                kind=Organization.Kind.PUBLISHER,
                what="publisher",
                warnings=warnings,
            )
            if publication:
                document.publication = _organization(
                    name=publication,
                    kind=Organization.Kind.PUBLICATION,
                    parent=document.publisher,
                    what="publication",
                    warnings=warnings,
                )
            if normalised.notice:
                document.license = _license_terms(
                    notice=normalised.notice, publisher=document.publisher, warnings=warnings
                )
            else:
                warnings.append("No rights notice was found; record the licence terms by hand.")
            _full_clean(document, what="document", exclude=["body_sha256"])
            document.save()
    except IntegrityError:
        # Someone stored the same body in the meantime: theirs stands, ours rolled back.
        existing = _existing(
            document, publisher=publisher, publication=publication, warnings=warnings_before_writes
        )
        if existing is None:
            raise
        return existing
    return ImportResult(document=document, created=True, warnings=warnings)


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _existing(
    document: Document, *, publisher: str, publication: str, warnings: list[str]
) -> ImportResult | None:
    """Return the stored document with this body, noting metadata that differs, if any."""
    existing = Document.objects.with_license().filter(body_sha256=sha256_hex(document.body)).first()
    if existing is None:
        return None
    _full_clean(
        document,
        what="document",
        exclude=["body_sha256", "publisher", "publication", "license", "imported_by"],
    )
    differences = [
        label
        for label, given, stored in (
            ("publisher", publisher, existing.publisher.name),
            ("publication", publication, existing.publication.name if existing.publication else ""),
            ("URL", document.url, existing.url),
            ("headline", document.headline, existing.headline),
            ("publication time", document.published_at, existing.published_at),
            ("language", document.language, existing.language),
        )
        if given
        and (not _same_text(given, stored or "") if isinstance(given, str) else given != stored)
    ]
    if differences:
        warnings.append(
            f"Document {existing.pk} already holds this text; its {', '.join(differences)} "
            "differ from this import and were left unchanged."
        )
    return ImportResult(document=existing, created=False, warnings=warnings)


def _organization(
    *,
    name: str,
    kind: str,
    what: str,
    warnings: list[str],
    parent: Organization | None = None,
) -> Organization:
    """Return the organization with this name (any case), creating it if there is none."""
    organization = Organization.objects.by_name(name).first()
    if organization is not None:
        if parent is not None and organization != parent and organization.parent_id != parent.pk:
            warnings.append(
                f"The {what} {organization.name} is not recorded as part of {parent.name}; "
                "left as it is."
            )
        return organization
    organization = Organization(name=name, kind=kind, parent=parent)
    _full_clean(organization, what=what)
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:
        organization = Organization.objects.by_name(name).first()
        if organization is None:
            raise
        return organization
    warnings.append(f"Created the {what} {organization.name} ({organization.get_kind_display()}).")
    return organization


def _license_terms(*, notice: str, publisher: Organization, warnings: list[str]) -> LicenseTerms:
    """Return the licence terms recorded for this notice, reading new ones from it if needed."""
    notice_sha256 = sha256_hex(normalise_notice(notice))
    terms = LicenseTerms.objects.select_related("holder").filter(notice_sha256=notice_sha256)
    existing = terms.first()
    if existing is not None:
        warnings.append(f"Linked the licence terms already recorded for {existing.holder.name}.")
        return existing
    parsed = parse_notice(notice)
    if parsed.holder_name:
        holder = _organization(
            name=parsed.holder_name,
            kind=Organization.Kind.PUBLISHER,
            what="rights holder",
            warnings=warnings,
        )
    else:
        holder = publisher.group()
        warnings.append(f"The rights notice names no holder; recorded {holder.name} as the holder.")
    license_terms = LicenseTerms(
        holder=holder,
        notice=notice,
        tdm_reserved=parsed.tdm_reserved,
        tdm_legal_basis=parsed.tdm_legal_basis,
        tdm_expression=parsed.tdm_expression,
        tdm_clause=parsed.tdm_clause,
        sharing_scope=parsed.sharing_scope,
        sharing_clause=parsed.sharing_clause,
        max_external_quote_chars=0,  # an editor raises it after reading the terms
    )
    _full_clean(license_terms, what="licence terms", exclude=["notice_sha256"])
    try:
        with transaction.atomic():
            license_terms.save()
    except IntegrityError:
        existing = terms.first()
        if existing is None:
            raise
        return existing
    tdm = "TDM reserved" if license_terms.tdm_reserved else "TDM not reserved"
    warnings.append(
        f"Recorded new licence terms for {holder.name} from the rights notice ({tdm}, "
        f"sharing {license_terms.get_sharing_scope_display().lower()}); check them."
    )
    return license_terms


def _full_clean(instance: models.Model, *, what: str, exclude: list[str] | None = None) -> None:
    """Validate instance, turning the first problem into a one-line IngestError."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        if name == NON_FIELD_ERRORS:
            label = what
        else:
            label = str(instance._meta.get_field(name).verbose_name)
            label = label if label.isupper() else f"{what} {label}"
        reason = " ".join(" ".join(messages).split())
        raise IngestError(f"Invalid {label}: {reason}") from None
