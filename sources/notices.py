"""Read a rights notice: holder, TDM reservation and sharing limits. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sources.licensing import UNGRANTED_RESERVATION_SCOPE
from sources.models import LicenseTerms
from sources.text import _CLOSERS, _NOTICE_STRONG


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
            scope = UNGRANTED_RESERVATION_SCOPE
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
