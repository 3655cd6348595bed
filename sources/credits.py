"""Find the news agencies a text credits: pure functions, no database.

The shapes wire copy takes in the titles that carry it:
- a dateline: "SEATTLE (AP) —", "COPENHAGEN, Nov 19 (Reuters) -", "Berlin (dpa) -";
- a credit in parentheses elsewhere: "... (Reuters)";
- an in-text attribution: "according to Reuters", "ifølge Ritzau", "laut dpa";
- an agency line: "/ritzau/" (the shape `sources.text` already takes out of the body), or a
  line holding only agency names: "NTB", "TT", "Ritzau/AFP";
- a closing line naming several: "Some information for this report was provided by AP, AFP
  and Reuters".

Only agencies in `AGENCIES` are credited from running text, so "(AEI)" or "according to the
Financial Times" is never taken for wire copy; a `/name/` line credits whatever it names, as
`sources.text` does. Names in a closing line that are not known agencies are returned as
`unrecognised` for the importer to report, not guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sources.text import AGENCY_CREDIT


@dataclass(frozen=True)
class Agency:
    name: str  # the name an organization is created with
    names: tuple[str, ...] = ()  # other spellings, any case
    codes: tuple[str, ...] = ()  # short forms matched only as written: "AP", "TT", "dpa"

    @property
    def aliases(self) -> tuple[str, ...]:
        """Every name the agency may be recorded under, the canonical one first."""
        return (self.name, *self.names, *self.codes)


AGENCIES: tuple[Agency, ...] = (
    Agency("Associated Press", names=("The Associated Press",), codes=("AP",)),
    Agency("Reuters", names=("Thomson Reuters",)),
    Agency("Agence France-Presse", names=("Agence France Presse",), codes=("AFP",)),
    Agency("Deutsche Presse-Agentur", names=("Deutsche Presse Agentur",), codes=("dpa", "DPA")),
    Agency("Ritzau", names=("Ritzaus Bureau",)),
    Agency("NTB", names=("Norsk Telegrambyrå",), codes=("NTB",)),
    Agency("TT Nyhetsbyrån", names=("TT News Agency",), codes=("TT",)),
    Agency("STT", names=("Suomen Tietotoimisto",), codes=("STT",)),
    Agency("ANP", names=("Algemeen Nederlands Persbureau",), codes=("ANP",)),
    Agency("ANSA", codes=("ANSA",)),
    Agency("EFE", names=("Agencia EFE",), codes=("EFE",)),
    Agency("Kyodo News", names=("Kyodo",)),
    Agency("Xinhua", names=("Xinhua News Agency",)),
)

_BY_NAME = {name.casefold(): agency for agency in AGENCIES for name in (agency.name, *agency.names)}
_BY_CODE = {code: agency for agency in AGENCIES for code in agency.codes}


def known_agency(name: str) -> Agency | None:
    """Return the agency this name or code stands for, if it is one of AGENCIES."""
    name = " ".join(name.split())
    return _BY_CODE.get(name) or _BY_NAME.get(name.casefold())


@dataclass(frozen=True)
class Credit:
    """One agency credited at text[start:end] (the whole credit as written)."""

    agency: str  # the canonical name of a known agency, else the name as written
    shape: str  # a DocumentCredit.Shape value
    text: str
    start: int
    end: int
    known: bool = True


@dataclass(frozen=True)
class Credits:
    credits: list[Credit] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)  # closing-line names not known

    @property
    def agencies(self) -> list[str]:
        """The agencies credited, each once, in the order first credited."""
        return list(dict.fromkeys(credit.agency for credit in self.credits))


# Longest first, so "The Associated Press" wins over "Associated Press" and "AP".
_NAMES = sorted((n for agency in AGENCIES for n in (agency.name, *agency.names)), key=len)[::-1]
_CODES = sorted(_BY_CODE, key=len)[::-1]
_AGENCY = (
    r"(?<![\w-])(?:(?i:"
    + "|".join(r"\s+".join(map(re.escape, n.split())) for n in _NAMES)
    + r")|"
    + "|".join(map(re.escape, _CODES))
    + r")(?![\w-])"
)
_AGENCY_LIST = rf"{_AGENCY}(?:\s*/\s*{_AGENCY})*"
_DASH = r"[-–—]"

_DATELINE = re.compile(
    # Place (capitals, or a capitalised word as dpa writes it), optional date, then the credit.
    r"^[ \t]*(?:[A-ZÆØÅÄÖÜ][\w.'’]*(?:[ \t]+[A-ZÆØÅÄÖÜ][\w.'’]*){0,3}"
    r"(?:[ \t]*,[ \t]*[\w. ]{1,25}?)?[ \t]*)?"
    rf"\((?P<agencies>{_AGENCY_LIST})\)[ \t]*{_DASH}",
    re.MULTILINE,
)
_PARENTHETICAL = re.compile(rf"\((?P<agencies>{_AGENCY_LIST})\)")
_INTRODUCERS = r"according\s+to|ifølge|iflg\.|enligt|laut|volgens|selon|citing"
_AGENCY_WORDS = (
    r"news\s+agency|wire\s+service|nyhedsbureauet|nyhetsbyrån|nyhetsbyrået|"
    r"(?:die\s+)?Nachrichtenagentur|persbureau|l['’]agence"
)
_ACCORDING_TO = re.compile(
    rf"\b(?i:{_INTRODUCERS})\s+(?:(?i:the)\s+)?(?:(?i:{_AGENCY_WORDS})\s+)?"
    rf"(?P<agencies>{_AGENCY_LIST})(?:\s+(?i:{_AGENCY_WORDS}))?"
)
_AGENCY_ONLY_LINE = re.compile(
    rf"(?:(?i:by|af|av|von|door|par)\s+)?(?P<agencies>{_AGENCY}(?:\s*(?:/|,|&|\band\b|\bog\b"
    rf"|\boch\b|\bund\b)\s*{_AGENCY})*)\.?"
)
_CLOSING_LINE = re.compile(
    r"^[ \t]*(?P<line>(?i:(?:some\s+|additional\s+)?(?:information|material|reporting|details)"
    r"\s+(?:for|in|to)\s+this\s+(?:report|story|article)\s+(?:was|were|has\s+been|have\s+been)"
    r"\s+(?:provided|contributed|supplied)\s+by|(?:with\s+)?(?:additional\s+)?(?:reporting|"
    r"material)\s+(?:from|by))\s+(?P<names>[^\n]+?))[ \t]*\.?[ \t]*\r?$",
    re.MULTILINE,
)
_LIST_SEPARATOR = re.compile(r"\s*(?:,|;|&|/|\band\b|\bog\b|\boch\b|\bund\b)\s*")


def find_credits(text: str) -> Credits:
    """Return the agency credits in text, in the order they stand, with offsets into text."""
    credits: list[Credit] = []
    unrecognised: list[str] = []
    taken: list[tuple[int, int]] = []  # spans already credited, so a dateline is not also "(AP)"

    def add(shape: str, span: tuple[int, int], names: list[str]) -> None:
        start, end = span
        if any(start < e and s < end for s, e in taken):
            return
        taken.append(span)
        for name in names:
            agency = known_agency(name)
            credits.append(
                Credit(
                    agency=agency.name if agency else " ".join(name.split()),
                    shape=shape,
                    text=text[start:end],
                    start=start,
                    end=end,
                    known=agency is not None,
                )
            )

    for match in _CLOSING_LINE.finditer(text):
        names = [n.strip() for n in _LIST_SEPARATOR.split(match["names"]) if n.strip()]
        known = [n for n in names if known_agency(_without_article(n))]
        unrecognised.extend(n for n in names if not known_agency(_without_article(n)))
        if known:
            add(
                "closing_line",
                match.span("line"),
                [_without_article(n) for n in known],
            )
    for match in _lines(text):
        line = match["line"]
        slash = AGENCY_CREDIT.fullmatch(line)
        if slash:
            add("agency_line", match.span("line"), _split(slash["agency"]))
        elif line and (only := _AGENCY_ONLY_LINE.fullmatch(line)):
            add("agency_line", match.span("line"), _split(only["agencies"]))
    for match in _DATELINE.finditer(text):
        span = (match.start() + len(match[0]) - len(match[0].lstrip()), match.end())
        add("dateline", span, _split(match["agencies"]))
    for match in _PARENTHETICAL.finditer(text):
        add("parenthetical", match.span(), _split(match["agencies"]))
    for match in _ACCORDING_TO.finditer(text):
        add("according_to", match.span(), _split(match["agencies"]))
    credits.sort(key=lambda credit: credit.start)
    return Credits(credits=credits, unrecognised=list(dict.fromkeys(unrecognised)))


def _lines(text: str):
    return re.finditer(r"^[ \t]*(?P<line>[^\n]*?)[ \t\r]*$", text, re.MULTILINE)


def _split(names: str) -> list[str]:
    return [n for n in _LIST_SEPARATOR.split(names) if n.strip()]


def _without_article(name: str) -> str:
    if known_agency(name):
        return name
    return re.sub(r"^(?:the)\s+", "", name.strip(), flags=re.IGNORECASE)
