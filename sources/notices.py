"""Read a rights notice: holder, TDM status, permitted purposes and sharing limits. Pure.

The wordings come from `sources.notice_table`, per language. A sentence about text and data
mining (or AI training, or naming a TDM legal basis) that no wording classifies, or a notice
sentence in a language the table does not know, makes the TDM status *unknown*: a notice never
silently becomes "not reserved". `sources.licensing.decide()` treats unknown as reserved until
an editor confirms the terms.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from sources import notice_table as table
from sources.licensing import UNGRANTED_RESERVATION_SCOPE
from sources.models import LicenseTerms
from sources.text import _CLOSERS, _NOTICE_STRONG

Status = LicenseTerms.TdmStatus

# When sentences disagree, the most restrictive reading wins; unknown outranks the readings
# that would let the text be mined.
_STATUS_RANK = {
    Status.NOT_EXPRESSED: 0,
    Status.NOT_RESERVED: 1,
    Status.PARTIAL: 2,
    Status.UNKNOWN: 3,
    Status.CONDITIONAL: 4,
    Status.RESERVED: 5,
}
_SCOPE_RANK = {
    LicenseTerms.SharingScope.PUBLIC: 0,
    LicenseTerms.SharingScope.SUBSCRIBERS: 1,
    LicenseTerms.SharingScope.INTERNAL: 2,
}


@dataclass(frozen=True)
class NoticeTerms:
    holder_name: str = ""
    tdm_status: str = Status.NOT_EXPRESSED
    tdm_legal_basis: str = ""
    tdm_clause: str = ""
    tdm_scope: str = ""
    permitted_purposes: tuple[str, ...] = ()
    sharing_scope: str = LicenseTerms.SharingScope.PUBLIC
    sharing_clause: str = ""
    language: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def tdm_reserved(self) -> bool:
        """Whether mining is withheld: reserved, conditional, partial and unknown all are."""
        return self.tdm_status in LicenseTerms.RESERVING_STATUSES

    @property
    def tdm_expression(self) -> str:
        if self.tdm_reserved:
            return LicenseTerms.TdmExpression.NATURAL_LANGUAGE
        return LicenseTerms.TdmExpression.NONE


@dataclass(frozen=True)
class _Reading:
    """What one sentence says about TDM."""

    sentence: str
    language: str  # "" when no table language reads it
    status: str | None  # None: the sentence is not about TDM
    scope: str = ""
    purposes: tuple[str, ...] = ()


_ABBREVIATIONS = frozenset(
    "cf e.g i.e etc art no nos sec para pp vol ch ibid viz approx jf bl.a dvs evt mfl ca "
    "vgl bzw ggf z.b u.a inkl nr abs ff resp".split()
)
_SENTENCE_BREAK = re.compile(r"(?P<end>[.!?…][”’\"')\]»]*)\s+(?=[“‘\"'(\[«]?[A-Z0-9ÆØÅÄÖÜÉÈ§©])")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# A notice sentence of fewer words than this may be a name or a date: not a language signal.
_UNREAD_MIN_WORDS = 3
_HOLDER_MAX_WORDS = 8
# The share of a sentence's words that must be notice words of the table's languages.
_MIN_KNOWN_SHARE = 0.25
_WORD_WEIGHT = Counter(word for language in table.LANGUAGES for word in language.words)


def parse_notice(notice: str) -> NoticeTerms:
    """Read the holder, TDM status, permitted purposes and sharing limits from a notice."""
    sentences = _sentences(notice)
    readings = [_read(sentence) for sentence in sentences]
    warnings: list[str] = []

    status = Status.NOT_EXPRESSED
    for reading in readings:
        if reading.status is not None and _STATUS_RANK[reading.status] > _STATUS_RANK[status]:
            status = reading.status
    about_tdm = [r for r in readings if r.status is not None or r.purposes]
    unread = [r for r in readings if not r.language and _unread(r.sentence)]
    unclassified = [r for r in readings if r.status == Status.UNKNOWN and r.language]
    if unread:
        warnings.append(
            "The rights notice has text in a language the importer does not read ("
            + _quoted(unread)
            + "); its TDM status is unknown until an editor confirms the terms."
        )
        if _STATUS_RANK[status] < _STATUS_RANK[Status.UNKNOWN]:
            status = Status.UNKNOWN
    if unclassified:
        warnings.append(
            "The rights notice speaks of text and data mining in words the importer cannot "
            f"classify ({_quoted(unclassified)}); "
            + (
                "its TDM status is unknown until an editor confirms the terms."
                if status == Status.UNKNOWN
                else "check the recorded terms."
            )
        )

    legal_basis = ""
    if status in LicenseTerms.RESERVING_STATUSES:
        legal_basis = "; ".join(_legal_bases(notice))
    scope = next((r.scope for r in readings if r.status == Status.PARTIAL and r.scope), "")
    if status == Status.PARTIAL:
        warnings.append(
            f"The rights notice reserves text and data mining only for part of the page "
            f"(“{scope}”); the document is not mined until an editor decides."
        )
    purposes = tuple(dict.fromkeys(purpose for reading in readings for purpose in reading.purposes))

    sharing_scope, sharing_clause = _sharing(sentences)
    return NoticeTerms(
        holder_name=_holder_name(sentences),
        tdm_status=status,
        tdm_legal_basis=legal_basis,
        tdm_clause=" ".join(r.sentence for r in about_tdm),
        tdm_scope=scope if status == Status.PARTIAL else "",
        permitted_purposes=purposes,
        sharing_scope=sharing_scope,
        sharing_clause=sharing_clause,
        language=_notice_language(readings),
        warnings=tuple(warnings),
    )


def looks_like_notice(paragraph: str) -> bool:
    """Tell whether a paragraph reads like a rights notice in any language of the table."""
    return bool(_NOTICE_STRONG.search(paragraph) or table.NOTICE_MARKERS.search(paragraph))


# --- One sentence ---------------------------------------------------------------------------------


def _read(sentence: str) -> _Reading:
    """Classify one sentence: its language and what it says about TDM, if anything."""
    ranked = _languages_by_words(sentence)
    # The sentence's own language first; then the others, for a sentence that mixes them.
    order = ranked + [language for language in table.LANGUAGES if language not in ranked]
    names_basis = any(pattern.search(sentence) for pattern, _ in table.COMPILED_LEGAL_BASES)
    for language in order:
        about_tdm = (
            names_basis or language.search("tdm", sentence) or language.search("ai", sentence)
        )
        status, scope = _status(language, sentence) if about_tdm else (None, "")
        purposes = _purposes(language, sentence)
        if status is not None or purposes:
            code = ranked[0].code if ranked else language.code
            return _Reading(sentence, code, status, scope, purposes)
    about_tdm = names_basis or any(
        language.search("tdm", sentence) or language.search("ai", sentence)
        for language in table.LANGUAGES
    )
    code = ranked[0].code if ranked else ""
    return _Reading(sentence, code, Status.UNKNOWN if about_tdm else None)


def _status(language: table.Wordings, sentence: str) -> tuple[str | None, str]:
    """Return the TDM status a TDM sentence states in this language (None if it states none)."""
    if language.search("not_reserved_explicit", sentence):
        return Status.NOT_RESERVED, ""
    conditional = language.search("conditional", sentence)
    reserved = language.search("reserved", sentence)
    if (conditional or reserved) and language.search("partial", sentence):
        first = min((m for m in (conditional, reserved) if m), key=lambda m: m.start())
        return Status.PARTIAL, _scope(sentence, first.start())
    if conditional:
        return Status.CONDITIONAL, ""
    if reserved:
        return Status.RESERVED, ""
    # "is permitted" lifts nothing when the sentence also negates something: which part is
    # allowed is for an editor to read (unknown), never a silent "not reserved".
    if (
        language.search("permitted", sentence)
        and not language.search("negation", sentence)
        and not _purposes(language, sentence)
    ):
        return Status.NOT_RESERVED, ""
    return None, ""


def _purposes(language: table.Wordings, sentence: str) -> tuple[str, ...]:
    """The permitted purposes a sentence keeps open: allowed, or excepted from a ban."""
    found = tuple(
        purpose for purpose in language.purposes if language.search(f"purpose:{purpose}", sentence)
    )
    if not found:
        return ()
    allows = language.search("exception", sentence) or (
        language.search("permitted", sentence) and not language.search("reserved", sentence)
    )
    return found if allows else ()


def _scope(sentence: str, verb_start: int) -> str:
    """The part of the page a partial restriction covers: the sentence up to its verb."""
    subject = re.sub(
        r"\s+(?:is|are|may|must|shall|er|må|ist|sind|darf|dürfen|is|zijn|mag|mogen|est|sont"
        r"|ne|får|är|kan)$",
        "",
        sentence[:verb_start].strip(),
        flags=re.IGNORECASE,
    )
    return (subject or sentence).strip(" ,;:")


def _languages_by_words(sentence: str) -> list[table.Wordings]:
    """The table languages whose words the sentence uses, best first."""
    words = [word.lower() for word in _WORD.findall(sentence)]
    known = [word for word in words if word in _WORD_WEIGHT]
    # One shared short word ("on", "de") in a sentence of other words is no language signal.
    if not known or len(known) < _MIN_KNOWN_SHARE * len(words):
        return []
    scores = {
        language: sum(1 / _WORD_WEIGHT[word] for word in known if word in language.words)
        for language in table.LANGUAGES
    }
    return sorted(
        (language for language, score in scores.items() if score > 0),
        key=lambda language: -scores[language],
    )


def _unread(sentence: str) -> bool:
    """A sentence long enough to say something, once a copyright line is set aside."""
    if table.COPYRIGHT_HOLDER.search(sentence) and len(_WORD.findall(sentence)) <= (
        _HOLDER_MAX_WORDS + 1
    ):
        return False
    return len(_WORD.findall(sentence)) >= _UNREAD_MIN_WORDS


def _notice_language(readings: list[_Reading]) -> str:
    counts = Counter(r.language for r in readings if r.language)
    if not counts:
        return ""
    return counts.most_common(1)[0][0]


def _quoted(readings: list[_Reading]) -> str:
    return "; ".join(f"“{_truncate(r.sentence)}”" for r in readings)


def _truncate(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


# --- The whole notice -----------------------------------------------------------------------------


def _legal_bases(notice: str) -> list[str]:
    labels = []
    for pattern, label in table.COMPILED_LEGAL_BASES:
        match = pattern.search(notice)
        if match is None:
            continue
        section = match.groupdict().get("section") or match.groupdict().get("section2") or ""
        label = label.format(section="".join(section.split()))
        if label not in labels:
            labels.append(label)
    return labels


def _sharing(sentences: list[str]) -> tuple[str, str]:
    """The widest audience the notice lets its text reach, and the clauses saying so."""
    scope = LicenseTerms.SharingScope.PUBLIC
    clauses = []
    for sentence in sentences:
        sentence_scope = _sharing_scope(sentence)
        if sentence_scope is None:
            continue
        clauses.append(sentence)
        if _SCOPE_RANK[sentence_scope] > _SCOPE_RANK[scope]:
            scope = sentence_scope
    if clauses:
        return scope, " ".join(clauses)
    granted = [s for s in sentences if table.CREATIVE_COMMONS.search(s)]
    if granted:
        return LicenseTerms.SharingScope.PUBLIC, " ".join(granted)
    # A reservation of rights that grants nothing keeps the text inside the newsroom until an
    # editor reads the terms and records what they allow.
    reserving = [s for s in sentences if looks_like_notice(s)]
    if reserving:
        return UNGRANTED_RESERVATION_SCOPE, " ".join(reserving)
    return LicenseTerms.SharingScope.PUBLIC, ""


def _sharing_scope(sentence: str) -> str | None:
    """Return the audience a sharing restriction allows, or None if the sentence has none."""
    for language in table.LANGUAGES:
        if not (language.search("share", sentence) and language.search("restrict", sentence)):
            continue
        if language.search("subscribers", sentence) and not language.search("internal", sentence):
            return LicenseTerms.SharingScope.SUBSCRIBERS
        # Internal use, or an outright ban on passing the text on: it stays in the building.
        return LicenseTerms.SharingScope.INTERNAL
    return None


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


def _holder_name(sentences: list[str]) -> str:
    for pattern in table.HOLDER_PATTERNS:
        for sentence in sentences:
            match = pattern.search(sentence)
            if match:
                name = match["name"].rsplit(",", 1)[-1].strip()
                if 0 < len(name.split()) <= _HOLDER_MAX_WORDS:
                    return name
    for sentence in sentences:
        match = table.COPYRIGHT_HOLDER.search(sentence)
        if match and 0 < len(match["name"].split()) <= _HOLDER_MAX_WORDS:
            return match["name"].strip()
    return ""
