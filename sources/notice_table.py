"""The wordings rights notices use, per language: data read by `sources.notices`.

Each language lists regular-expression fragments (matched case-insensitively, per sentence)
for what a notice can say about text and data mining (TDM):

- `tdm` / `ai`: the sentence is about TDM (mining, scraping, crawling) or about using the
  content to train AI / machine-learning systems or build datasets. Only such sentences (and
  those naming a TDM legal basis) decide the TDM status.
- `not_reserved_explicit`: "does not reserve" — read before `reserved`, which would match the
  verb on its own.
- `conditional`: allowed only with a licence or permission ("requires a separate licence
  from X", "without our written permission"). Read before `reserved`: "No text or data mining
  without our written permission" is a condition, not a flat ban.
- `reserved`: a prohibition or reservation ("may not", "ikke tilladt", "untersagt").
- `partial`: the restriction covers only part of the page (agency or third-party material).
- `permitted`: the sentence allows TDM ("is permitted", "er tilladt").
- `purposes`: uses that survive a reservation (search indexing, retrieval for answers,
  scientific research under Art. 3 DSM); recorded when the sentence allows them or makes an
  `exception` for them.
- `share`, `restrict`, `internal`, `subscribers`, `all_rights`: the sharing scope.
- `words`: common words of notices in the language, to tell which language a sentence is in.

Adding a language or a wording is adding data here; `tests/sources/test_notices_languages.py`
holds an example notice for each class in each language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class Purpose:
    """Uses a TDM reservation may leave open; the values of LicenseTerms.Purpose."""

    SEARCH_INDEXING = "search_indexing"
    ANSWER_RETRIEVAL = "answer_retrieval"
    SCIENTIFIC_RESEARCH = "scientific_research"


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per language
class Wordings:
    code: str
    name: str
    words: frozenset[str]
    tdm: str
    ai: str
    not_reserved_explicit: str
    conditional: str
    reserved: str
    partial: str
    permitted: str
    negation: str
    exception: str
    purposes: dict[str, str]
    share: str
    restrict: str
    internal: str
    subscribers: str
    all_rights: str
    compiled: dict[str, re.Pattern[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        names = [
            "tdm",
            "ai",
            "not_reserved_explicit",
            "conditional",
            "reserved",
            "partial",
            "permitted",
            "negation",
            "exception",
            "share",
            "restrict",
            "internal",
            "subscribers",
            "all_rights",
        ]
        patterns = {name: re.compile(getattr(self, name), re.IGNORECASE) for name in names}
        for purpose, pattern in self.purposes.items():
            patterns[f"purpose:{purpose}"] = re.compile(pattern, re.IGNORECASE)
        object.__setattr__(self, "compiled", patterns)

    def search(self, name: str, text: str) -> re.Match[str] | None:
        return self.compiled[name].search(text)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH = Wordings(
    code="en",
    name="English",
    words=_words(
        """the a an and or of to in on at for with without by from is are be been may must
        shall not no this that these our its their all any rights reserved reserves copyright
        content material permission consent licence license licensing licensed terms use used
        using written prior contact please article articles page site except only other
        provided under requires required prohibited permitted allowed train training"""
    ),
    tdm=r"text[\s-]+(?:and|or|&)[\s-]+data[\s-]+mining|\btdm\b|\b(?:text|data)[\s-]+mining"
    r"|\bmin(?:e|ed|ing)\b|\bscrap(?:e|ed|es|ing|ers?)\b|\bcrawl\w*|web[\s-]+harvest\w*"
    r"|automated\s+(?:means|systems|tools|collection|extraction|access|retrieval)",
    ai=r"artificial\s+intelligence|\bai\b|machine[\s-]+learning|\bllms?\b"
    r"|(?:large\s+)?language\s+models?|generative\s+(?:ai|models?|systems?)"
    r"|\btrain(?:s|ed|ing)?\b|\bdatasets?\b|data\s+sets?\b",
    not_reserved_explicit=r"\b(?:does|do)\s+not\s+reserve\b|\b(?:is|are)\s+not\s+reserved\b"
    r"|\bno\s+(?:tdm\s+)?reservation\b|\bwaives?\b",
    conditional=r"\bwithout\s+(?:the\s+|our\s+|its\s+|a\s+)?(?:prior\s+|express\s+|explicit\s+)?"
    r"(?:written\s+)?(?:permission|consent|licen[cs]e|authori[sz]ation|agreement)\b"
    r"|\brequires?\s+(?:a\s+|an\s+)?(?:separate\s+|prior\s+|written\s+|express\s+|specific\s+"
    r"|individual\s+)*(?:licen[cs]e|permission|consent|agreement|authori[sz]ation)\b"
    r"|\bonly\s+(?:with|under)\s+(?:a\s+|an\s+|our\s+)?(?:prior\s+|written\s+|express\s+)*"
    r"(?:licen[cs]e|permission|consent|agreement)\b"
    r"|\bsubject\s+to\s+(?:a\s+)?(?:separate\s+)?(?:licen[cs]e|permission|agreement)\b"
    r"|\bmust\s+be\s+licen[cs]ed\b",
    reserved=r"\breserv\w*|\bprohibit\w*|\bforbid\w*|\bforbidden\b|\bexclud\w*"
    r"|\bopt(?:s|ed)?[\s-]+out\b|\b(?:may|must|shall|can)\s*not\b|\bcannot\b"
    r"|\bnot\s+(?:be\s+)?(?:permitted|allowed|authori[sz]ed)\b"
    r"|\bno\s+(?:text|data|tdm|ai|mining|scraping|crawling|use)\b|\bobjects?\s+to\b"
    r"|\b(?:do|does|will)\s+not\s+(?:permit|allow|authori[sz]e)\b|\bdon['’]t\s+(?:permit|allow)\b",
    partial=r"(?:news\s+)?(?:agency|wire|third[\s-]+party|partner|syndicated)\s+"
    r"(?:material|content|copy|stories|articles|photos|photographs|images|pictures|text)",
    permitted=r"\b(?:is|are)\s+(?:expressly\s+)?(?:permitted|allowed|welcome)\b"
    r"|\bmay\s+(?:freely\s+)?(?:be\s+)?(?:mined|used|indexed|crawled)\b|\bpermits?\b|\ballows?\b",
    negation=r"\bnot\b|\bno\b|\bnever\b|n['’]t\b|\bnor\b",
    exception=r"\bexcept\b|\bexcluding\b|\bother\s+than\b|\bdoes\s+not\s+apply\b"
    r"|\bremains?\s+(?:permitted|allowed)\b|\bunaffected\b|\bwith\s+the\s+exception\b",
    purposes={
        Purpose.SEARCH_INDEXING: r"search[\s-]+engines?|search\s+index\w*|\bindex(?:ing|ed)\b",
        Purpose.ANSWER_RETRIEVAL: r"\bretriev\w*|\brag\b|answer\w*\s+(?:to\s+)?(?:user\s+)?"
        r"(?:questions|queries|prompts)|\banswers?\b",
        Purpose.SCIENTIFIC_RESEARCH: r"scientific\s+research|research\s+(?:organi[sz]ations|"
        r"institutions|purposes)|\bart(?:icle|\.)\s*3\b",
    },
    share=r"\b(?:share[sd]?|sharing|(?:re)?distribut\w*|forward\w*|pass(?:ed)?\s+on"
    r"|disseminat\w*|republish\w*|ma(?:de|ke)\s+available)\b",
    restrict=r"\b(?:may|must|can|shall)\s+(?:only|not)\b|\bcannot\b|\bonly\b|\bprohibited\b"
    r"|\bnot\s+(?:be\s+)?(?:permitted|allowed)\b|\bwithout\b[^.]*\b(?:consent|permission)\b",
    internal=r"\binternal(?:ly)?\b|\bin-house\b"
    r"|\bwithin\s+(?:your|the|their)\s+(?:own\s+)?(?:organi[sz]ation|company|newsroom)\b",
    subscribers=r"\bsubscri(?:ber|ption)s?\b",
    all_rights=r"reserves?\s+all\s+(?:its\s+)?rights|all\s+rights\s+reserved",
)

DANISH = Wordings(
    code="da",
    name="Danish",
    words=_words(
        """og er ikke af til på den det de må med uden alle rettigheder forbeholdes forbeholder
        sig indhold indholdet samt jf ophavsretsloven ophavsretslovens denne dette skriftlig
        skriftligt tilladelse tilladt eller anvendes bruges brug kræver kun artikler artiklen
        siden materiale fra undtagen"""
    ),
    tdm=r"tekst[-\s]*og\s+data[-\s]?(?:mining|udvinding)|\bdata[-\s]?(?:mining|udvinding)\b"
    r"|\bscraping\b|\bcrawling\b|automatiseret\s+(?:indsamling|udtræk|adgang)",
    ai=r"kunstig\s+intelligens|\bai\b|\bai-\w+|maskinlæring|sprogmodel\w*|\btræn\w*"
    r"|datasæt\w*",
    not_reserved_explicit=r"\bikke\s+forbeholdt\b|\bforbeholder\s+(?:sig\s+)?ikke\b"
    r"|\bintet\s+forbehold\b",
    conditional=r"\buden\s+(?:forudgående\s+|udtrykkelig\s+)?(?:skriftlig\s+)?"
    r"(?:tilladelse|samtykke|aftale|licens)\b"
    r"|\bkræver\s+(?:en\s+)?(?:særskilt\s+|separat\s+|forudgående\s+|skriftlig\s+)*"
    r"(?:licens|tilladelse|samtykke|aftale)\b"
    r"|\bkun\s+(?:med|efter)\s+(?:forudgående\s+|skriftlig\s+)*(?:tilladelse|samtykke|aftale)\b",
    reserved=r"\bforbehold\w*|\bforbud\w*|\bforbudt\b|\bikke\s+(?:tilladt|tilladte|lovligt?)\b"
    r"|\bmå\s+ikke\b|\bikke\s+må\b|\bfrabeder\b|\bfravælger\b",
    partial=r"bureaumateriale\w*|bureaustof\w*|materiale\s+fra\s+(?:nyhedsbureauer|tredjepart)"
    r"|tredjeparts\w*\s+(?:indhold|materiale)|indhold\s+fra\s+tredjepart",
    permitted=r"\ber\s+tilladt\b|\bmå\s+gerne\b|\bfrit\b|\btillader\b",
    negation=r"\bikke\b|\baldrig\b|\bingen\b|\bintet\b",
    exception=r"\bundtagen\b|\bbortset\s+fra\b|\bgælder\s+ikke\b|\bmed\s+undtagelse\b"
    r"|\bfortsat\s+tilladt\b|\bberøres\s+ikke\b",
    purposes={
        Purpose.SEARCH_INDEXING: r"søgemaskine\w*|indeksering\w*",
        Purpose.ANSWER_RETRIEVAL: r"besvarelse\w*|svar\s+på|genfinding",
        Purpose.SCIENTIFIC_RESEARCH: r"videnskabelig\w*\s+forskning|forskningsorganisation\w*"
        r"|\bartikel\s+3\b",
    },
    share=r"\bdel(?:e|es|t)\b|\bvideregive\w*|\bvideresend\w*|\b(?:videre)?distribu\w*",
    restrict=r"\bmå\s+(?:kun|ikke)\b|\bkun\b|\bikke\b|\buden\b",
    internal=r"\binternt?\b",
    subscribers=r"\babonne\w*",
    all_rights=r"alle\s+rettigheder\s+forbeholdes|forbeholder\s+sig\s+alle\s+rettigheder",
)

GERMAN = Wordings(
    code="de",
    name="German",
    words=_words(
        """und der die das ist sind nicht ohne mit von für alle rechte vorbehalten inhalte
        inhalten diese dieser unsere unserer zur zum des im eine einer werden wird darf dürfen
        nutzung zustimmung genehmigung ausdrücklich seite"""
    ),
    tdm=r"text[-\s]*und\s+data[-\s]?mining|\bdata[-\s]?mining\b|\btdm\b"
    r"|automatisiert\w*\s+(?:auslesen|erfassung|auswertung|analyse|abruf)|\bcrawl\w*|\bscrap\w*",
    ai=r"künstlich\w*\s+intelligenz|\bki\b|\bki-\w+|maschinell\w*\s+lern\w*"
    r"|machine[-\s]learning|\btraining\w*|\btrainier\w*|datensätze\w*|datensatz\w*"
    r"|sprachmodell\w*",
    not_reserved_explicit=r"\bkein(?:en)?\s+(?:nutzungs)?vorbehalt\b|\bnicht\s+vorbehalten\b"
    r"|\bverzicht\w*\s+auf\s+(?:den|einen)\s+(?:nutzungs)?vorbehalt",
    conditional=r"\bohne\s+(?:unser\w*\s+)?(?:vorherig\w*\s+|ausdrücklich\w*\s+|schriftlich\w*\s+)*"
    r"(?:zustimmung|genehmigung|erlaubnis|einwilligung|lizenz)\b"
    r"|\berfordert\s+(?:eine\s+)?(?:gesondert\w*\s+|separat\w*\s+|vorherig\w*\s+"
    r"|schriftlich\w*\s+)*(?:lizenz|zustimmung|genehmigung|erlaubnis)\b"
    r"|\bbedarf\s+(?:der|einer)\s+(?:gesondert\w*\s+|vorherig\w*\s+|ausdrücklich\w*\s+"
    r"|schriftlich\w*\s+)*(?:lizenz|zustimmung|genehmigung|erlaubnis|einwilligung)\b"
    r"|\bnur\s+mit\s+(?:unser\w*\s+)?(?:vorherig\w*\s+|schriftlich\w*\s+|ausdrücklich\w*\s+)*"
    r"(?:zustimmung|genehmigung|erlaubnis|lizenz)\b",
    reserved=r"\bvorbehalt\w*|\bbehält\s+sich\b|\buntersagt\b|\bverboten\b"
    r"|\bnicht\s+(?:gestattet|erlaubt|zulässig)\b|\b(?:darf|dürfen)\b[^.;]{0,60}?\bnicht\b"
    r"|\bwiderspr\w*|\b(?:gestatten|erlauben|gestattet|erlaubt)\s+kein\w*",
    partial=r"agenturmaterial\w*|agenturmeldung\w*|agenturinhalt\w*|agenturfoto\w*"
    r"|inhalte\s+dritter|fremdinhalt\w*|material\s+von\s+(?:nachrichten)?agenturen",
    permitted=r"\b(?:ist|sind)\s+(?:ausdrücklich\s+)?(?:gestattet|erlaubt|zulässig)\b"
    r"|\bgestattet\b|\berlaubt\b",
    negation=r"\bnicht\b|\bkein\w*|\bnie\b",
    exception=r"\bausgenommen\b|\baußer\b|\bausnahme\b|\bbleibt\s+(?:unberührt|erlaubt|gestattet)\b"
    r"|\bgilt\s+nicht\b",
    purposes={
        Purpose.SEARCH_INDEXING: r"suchmaschin\w*|indexier\w*",
        Purpose.ANSWER_RETRIEVAL: r"beantwortung|antworten\s+auf|\babruf\w*",
        Purpose.SCIENTIFIC_RESEARCH: r"wissenschaftlich\w*\s+forschung|forschungsorganisation\w*"
        r"|§\s*60d|\bart(?:ikel|\.)\s*3\b",
    },
    share=r"\bweitergabe\b|\bweiter(?:zu)?geben\b|\bteilen\b|\bverbreit\w*|\bweiterleit\w*",
    restrict=r"\bnur\b|\bnicht\b|\bohne\b|\buntersagt\b",
    internal=r"\bintern\w*",
    subscribers=r"\babonnent\w*|\babonnement\w*",
    all_rights=r"alle\s+rechte\s+vorbehalten|behält\s+sich\s+alle\s+rechte",
)

DUTCH = Wordings(
    code="nl",
    name="Dutch",
    words=_words(
        """en het de van niet is zijn zonder met voor alle rechten voorbehouden deze onze een op
        wordt worden toegestaan mag mogen gebruik inhoud auteurswet toestemming schriftelijke
        uitdrukkelijk pagina behoudt zich"""
    ),
    tdm=r"tekst[-\s]*en\s+data[-\s]?mining|\bdata[-\s]?mining\b|\btdm\b|\bscrap\w*|\bcrawl\w*",
    ai=r"kunstmatige\s+intelligentie|\bai\b|\bai-\w+|machine[-\s]?learning|machinaal\s+leren"
    r"|\btrain\w*|datasets?\b|taalmodel\w*",
    not_reserved_explicit=r"\bgeen\s+voorbehoud\b|\bniet\s+voorbehouden\b",
    conditional=r"\bzonder\s+(?:onze\s+)?(?:voorafgaande\s+|uitdrukkelijke\s+)?"
    r"(?:schriftelijke\s+)?(?:toestemming|licentie|goedkeuring)\b"
    r"|\bvereist\s+(?:een\s+)?(?:aparte\s+|afzonderlijke\s+|voorafgaande\s+|schriftelijke\s+)*"
    r"(?:licentie|toestemming)\b"
    r"|\balleen\s+met\s+(?:onze\s+)?(?:voorafgaande\s+|schriftelijke\s+)*(?:toestemming|licentie)\b",
    reserved=r"\bvoorbehoud\w*|\bvoorbehouden\b|\bverboden\b|\bniet\s+(?:toegestaan|toegelaten)\b"
    r"|\b(?:mag|mogen)\b[^.;]{0,60}?\bniet\b|\bmaakt\s+bezwaar\b",
    partial=r"persbureau\w*|materiaal\s+van\s+(?:derden|persbureaus)|inhoud\s+van\s+derden"
    r"|(?:anp|bureau|agentschaps?)materiaal",
    permitted=r"\b(?:is|zijn)\s+(?:uitdrukkelijk\s+)?toegestaan\b",
    negation=r"\bniet\b|\bgeen\b|\bnooit\b",
    exception=r"\buitgezonderd\b|\bbehalve\b|\bmet\s+uitzondering\b|\bgeldt\s+niet\b"
    r"|\bblijft\s+toegestaan\b",
    purposes={
        Purpose.SEARCH_INDEXING: r"zoekmachine\w*|indexer\w*",
        Purpose.ANSWER_RETRIEVAL: r"beantwoord\w*|antwoorden\s+op",
        Purpose.SCIENTIFIC_RESEARCH: r"wetenschappelijk\w*\s+onderzoek|onderzoeksorganisatie\w*"
        r"|\bart(?:ikel|\.)\s*15n\b|\bart(?:ikel|\.)\s*3\b",
    },
    share=r"\bdelen\b|\bgedeeld\b|\bverspreid\w*|\bdoorsturen\b|\bdoorgestuurd\b|\bdoorgeven\b",
    restrict=r"\balleen\b|\buitsluitend\b|\bniet\b|\bzonder\b",
    internal=r"\bintern\w*",
    subscribers=r"\babonnee\w*|\babonnement\w*",
    all_rights=r"alle\s+rechten\s+voorbehouden|behoudt\s+zich\s+alle\s+rechten",
)

FRENCH = Wordings(
    code="fr",
    name="French",
    words=_words(
        """et le la les des de du est sont sans avec pour tous toute droits réservés réserve ce
        cette nos notre contenu contenus interdite interdit autorisation préalable écrite ne pas
        par sur propriété intellectuelle code article"""
    ),
    tdm=r"fouille\s+de\s+textes?\s+et\s+de\s+données|\bfouille\b|\btdm\b"
    r"|exploration\s+de\s+(?:textes?\s+et\s+de\s+)?données|\bmoissonnage\b|\baspiration\b"
    r"|\bscraping\b|extraction\s+automatisée",
    ai=r"intelligence\s+artificielle|\bia\b|apprentissage\s+(?:automatique|machine)"
    r"|entraîn\w*|jeux?\s+de\s+données|modèles?\s+de\s+langage",
    not_reserved_explicit=r"\bne\s+(?:se\s+)?réserve\s+pas\b|\bpas\s+de\s+réserve\b"
    r"|\baucune\s+réserve\b|\bne\s+s['’]oppose\s+pas\b",
    conditional=r"\bsans\s+(?:l['’]|notre\s+|une\s+)?(?:autorisation|accord|consentement|licence)\b"
    r"|\bsoumise?s?\s+à\s+(?:une\s+|l['’])?(?:licence|autorisation|accord)\b"
    r"|\bnécessite\s+(?:une\s+|l['’])?(?:licence|autorisation|accord)\b"
    r"|\brequiert\s+(?:une\s+|l['’])?(?:licence|autorisation)\b"
    r"|\buniquement\s+avec\s+(?:l['’]|notre\s+)?(?:autorisation|accord)\b",
    reserved=r"\bréserv\w*|\binterdit\w*|\bprohib\w*|\bs['’]oppose\w*|\bopposition\b"
    r"|\bn['’]est\s+pas\s+(?:autorisée?|permise?)\b"
    r"|\bne\s+(?:peut|peuvent|doit|doivent)\s+(?:pas|en\s+aucun\s+cas)\b|\bnon\s+autorisée?s?\b",
    partial=r"contenus?\s+(?:de\s+)?tiers|dépêches?\s+(?:d['’])?agence\w*|contenus?\s+d['’]agence\w*"
    r"|matériel\s+d['’]agence|photos?\s+d['’]agence",
    permitted=r"\b(?:est|sont)\s+(?:expressément\s+)?(?:autorisée?s?|permise?s?)\b",
    negation=r"\bne\b|\bn['’]|\bpas\b|\baucun\w*|\bjamais\b",
    exception=r"\bsauf\b|\bà\s+l['’]exception\b|\bexcepté\b|\bhors\b|\bne\s+s['’]applique\s+pas\b"
    r"|\breste\s+autorisée?\b",
    purposes={
        Purpose.SEARCH_INDEXING: r"moteurs?\s+de\s+recherche|indexation|référencement",
        Purpose.ANSWER_RETRIEVAL: r"réponses?\s+aux?\s+(?:questions|requêtes)|récupération",
        Purpose.SCIENTIFIC_RESEARCH: r"recherche\s+scientifique|organismes?\s+de\s+recherche"
        r"|\barticle\s+3\b",
    },
    share=r"\bpartag\w*|\bdiffus\w*|\bredistribu\w*|\btransmettre\b|\bcommuniquer\b",
    restrict=r"\buniquement\b|\bseulement\b|\bne\s|\bsans\b|\binterdit\w*",
    internal=r"\bintern\w*|\ben\s+interne\b",
    subscribers=r"\babonné\w*|\babonnement\w*",
    all_rights=r"tous\s+droits\s+réservés|se\s+réserve\s+tous\s+les\s+droits",
)

SWEDISH = Wordings(
    code="sv",
    name="Swedish",
    words=_words(
        """och är inte av till på den det får med utan alla rättigheter förbehålls förbehållna
        förbehåller innehåll innehållet denna detta skriftligt tillstånd tillåten tillåtet eller
        för enligt upphovsrättslagen sig kräver endast användas"""
    ),
    tdm=r"text[-\s]*och\s+data[-\s]?(?:utvinning|mining)|\bdatautvinning\b|\bdatamining\b"
    r"|\bskrapning\b|\bscraping\b",
    ai=r"artificiell\s+intelligens|\bai\b|\bai-\w+|maskininlärning|\bträn\w*|dataset\w*"
    r"|språkmodell\w*",
    not_reserved_explicit=r"\binte\s+förbehållen\b|\binget\s+förbehåll\b"
    r"|\bförbehåller\s+sig\s+inte\b",
    conditional=r"\butan\s+(?:vårt\s+)?(?:föregående\s+|uttryckligt\s+)?(?:skriftligt?\s+)?"
    r"(?:tillstånd|medgivande|samtycke|avtal|licens)\b"
    r"|\bkräver\s+(?:en\s+|ett\s+)?(?:separat\s+|särskild\s+|särskilt\s+|skriftligt?\s+)*"
    r"(?:licens|tillstånd|medgivande|avtal)\b"
    r"|\bendast\s+med\s+(?:skriftligt?\s+)*(?:tillstånd|medgivande|licens)\b",
    reserved=r"\bförbehåll\w*|\bförbjud\w*|\binte\s+(?:tillåten|tillåtet|tillåtna)\b"
    r"|\bfår\s+inte\b|\binte\s+får\b|\bmotsätter\b",
    partial=r"byråmaterial\w*|tredje\s+parts?\s+(?:innehåll|material)|innehåll\s+från\s+tredje"
    r"\s+part|material\s+från\s+nyhetsbyråer",
    permitted=r"\bär\s+tillåten\b|\bär\s+tillåtet\b|\btillåter\b",
    negation=r"\binte\b|\baldrig\b|\bingen\b|\binget\b|\bej\b",
    exception=r"\butom\b|\bmed\s+undantag\b|\bgäller\s+inte\b|\bundantag\w*\b"
    r"|\bfortfarande\s+tillåten\b",
    purposes={
        Purpose.SEARCH_INDEXING: r"sökmotor\w*|indexering\w*",
        Purpose.ANSWER_RETRIEVAL: r"besvara\w*|svar\s+på",
        Purpose.SCIENTIFIC_RESEARCH: r"vetenskaplig\w*\s+forskning|forskningsorganisation\w*"
        r"|\bartikel\s+3\b",
    },
    share=r"\bdela\w*|\bsprid\w*|\bvidarebefordra\w*|\bdistribu\w*",
    restrict=r"\bendast\b|\bbara\b|\binte\b|\butan\b",
    internal=r"\binternt?\b",
    subscribers=r"\bprenumerant\w*|\bprenumeration\w*",
    all_rights=r"alla\s+rättigheter\s+(?:förbehålls|förbehållna)",
)

NORWEGIAN = Wordings(
    code="no",
    name="Norwegian",
    words=_words(
        """og er ikke av til på den det de må med uten alle rettigheter forbeholdes forbeholdt
        forbeholder seg innhold innholdet denne dette skriftlig tillatelse tillatt eller jf
        åndsverkloven brukes krever kun artikler materiale fra unntatt"""
    ),
    tdm=r"tekst[-\s]*og\s+data[-\s]?(?:utvinning|mining)|\bdatautvinning\b|\bskraping\b",
    ai=r"kunstig\s+intelligens|\bki\b|\bai\b|\bki-\w+|maskinlæring|\btren(?:e|es|ing)\b|datasett\w*"
    r"|språkmodell\w*",
    not_reserved_explicit=r"\bikke\s+forbeholdt\b|\bforbeholder\s+(?:seg\s+)?ikke\b",
    conditional=r"\buten\s+(?:forutgående\s+|uttrykkelig\s+)?(?:skriftlig\s+)?"
    r"(?:tillatelse|samtykke|avtale|lisens)\b"
    r"|\bkrever\s+(?:en\s+)?(?:egen\s+|separat\s+|særskilt\s+|skriftlig\s+)*"
    r"(?:lisens|tillatelse|samtykke|avtale)\b"
    r"|\bkun\s+med\s+(?:skriftlig\s+)*(?:tillatelse|samtykke|lisens)\b",
    reserved=r"\bforbehold\w*|\bforbud\w*|\bforbudt\b|\bikke\s+(?:tillatt|tillatte)\b"
    r"|\bmå\s+ikke\b|\breserver\w*",
    partial=r"byråstoff\w*|byråmateriale\w*|materiale\s+fra\s+(?:nyhetsbyråer|tredjepart)"
    r"|tredjeparts\w*\s+(?:innhold|materiale)|innhold\s+fra\s+tredjepart",
    permitted=r"\ber\s+tillatt\b|\btillater\b",
    negation=r"\bikke\b|\baldri\b|\bingen\b",
    exception=r"\bunntatt\b|\bbortsett\s+fra\b|\bgjelder\s+ikke\b|\bmed\s+unntak\b"
    r"|\bfortsatt\s+tillatt\b",
    purposes={
        Purpose.SEARCH_INDEXING: r"søkemotor\w*|indeksering\w*",
        Purpose.ANSWER_RETRIEVAL: r"besvar\w*|svar\s+på",
        Purpose.SCIENTIFIC_RESEARCH: r"vitenskapelig\w*\s+forskning|forskningsorganisasjon\w*"
        r"|\bartikkel\s+3\b",
    },
    share=r"\bdel(?:e|es|t)\b|\bvidereformidl\w*|\bvideresend\w*|\bdistribu\w*",
    restrict=r"\bkun\b|\bbare\b|\bikke\b|\buten\b",
    internal=r"\binternt?\b",
    subscribers=r"\babonne\w*",
    all_rights=r"alle\s+rettigheter\s+(?:forbeholdes|forbeholdt)"
    r"|forbeholder\s+seg\s+alle\s+rettigheter",
)

LANGUAGES: tuple[Wordings, ...] = (ENGLISH, DANISH, NORWEGIAN, SWEDISH, GERMAN, DUTCH, FRENCH)
BY_CODE = {language.code: language for language in LANGUAGES}

# The legal bases a TDM reservation may name, whatever the notice's language, in the order
# their labels are listed. A pattern with a `section` group puts it in the label.
LEGAL_BASES: tuple[tuple[str, str], ...] = (
    (
        r"\bart(?:icle|ikel|ikkel|\.)?\s*4(?:\s*\(\s*3\s*\))?\s+(?:of|i|der|van|de|af|av)\s+"
        r"(?:the\s+|de\s+|la\s+)?(?:dsm|digital\s+single\s+market|directive\s+(?:\(eu\)\s+|\(ue\)"
        r"\s+)?2019/790|direktiv\s+(?:\(eu\)\s+)?2019/790|richtlij?n\w*\s+(?:\(eu\)\s+)?2019/790"
        r"|\(?eu\)?\s+2019/790|(?:dsm|cdsm)[-\s]?(?:direktiv\w*|richtlinie|richtlijn|directive))"
        r"|(?:dsm|digital\s+single\s+market)[-\s]+(?:directive|direktiv\w*|richtlinie|richtlijn)"
        r",?\s+art(?:icle|ikel|ikkel|\.)?\s*4\b"
        r"|\bdirective\s+(?:\(eu\)\s+|\(ue\)\s+)?2019/790\b[^.;]{0,30}?\bart(?:icle|\.)?\s*4\b",
        "DSM Directive Art. 4",
    ),
    (
        r"(?:section|§)\s*11\s*b\b[^.;]*?(?:copyright\s+act|ophavsretslov)"
        r"|ophavsretslovens\s+§\s*11\s*b\b",
        "Danish Copyright Act §11b",
    ),
    (
        r"§\s*44\s*b\b[^.;]{0,40}?(?:urhg|urheberrechtsgesetz|copyright\s+act)",
        "German Copyright Act §44b",
    ),
    (
        r"\bart(?:ikel|icle|\.)?\s*15\s*o\b[^.;]{0,40}?(?:auteurswet|\baw\b|copyright\s+act)",
        "Dutch Copyright Act Art. 15o",
    ),
    (
        r"\bL\.?\s*122-5-3\b",
        "French Intellectual Property Code L. 122-5-3",
    ),
    (
        r"\b15\s*a\s*§[^.;]{0,40}?upphovsrättslag\w*|upphovsrättslag\w*[^.;]{0,20}?\b15\s*a\s*§",
        "Swedish Copyright Act §15a",
    ),
    (
        r"åndsverkloven\w*\s+§\s*(?P<section>\d+\s*[a-z]?)\b"
        r"|§\s*(?P<section2>\d+\s*[a-z]?)\s+(?:i\s+)?åndsverkloven",
        "Norwegian Copyright Act §{section}",
    ),
)
COMPILED_LEGAL_BASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), label) for pattern, label in LEGAL_BASES
)

# What marks a paragraph as a rights notice in any language of the table: a reservation of
# all rights, a sentence about text and data mining, or a TDM legal basis. For finding the
# notice at the end of a text (sources.text); this module imports nothing of the app.
# Only whole phrases: an article about mining or training may end on those words.
TDM_PHRASES = (
    r"text[\s-]+(?:and|or|&)[\s-]+data[\s-]+mining",
    r"tekst[-\s]*og\s+data[-\s]?(?:mining|udvinding|utvinning)",
    r"text[-\s]*och\s+data[-\s]?(?:utvinning|mining)",
    r"text[-\s]*und\s+data[-\s]?mining",
    r"tekst[-\s]*en\s+data[-\s]?mining",
    r"fouille\s+de\s+textes?\s+et\s+de\s+données",
)
NOTICE_MARKERS = re.compile(
    "|".join(
        [f"(?:{language.all_rights})" for language in LANGUAGES]
        + [f"(?:{phrase})" for phrase in TDM_PHRASES]
        + [f"(?:{pattern})" for pattern, _ in LEGAL_BASES]
    ),
    re.IGNORECASE,
)
# What keeps a notice going once it has started: sharing, subscriptions, licences and
# conditions, in any language of the table.
NOTICE_CONTINUATION_MARKERS = re.compile(
    "|".join(
        f"(?:{getattr(language, name)})"
        for language in LANGUAGES
        for name in ("share", "subscribers", "conditional", "all_rights", "tdm")
    ),
    re.IGNORECASE,
)

# Who holds the rights, in the wordings notices use, tried in this order.
HOLDER_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"(?P<name>[^.;:\n]*?)\s+(?:reserves?\s+all\s+(?:its\s+)?rights"
        r"|forbeholder\s+(?:sig|seg)\s+alle\s+rettighe\w+|behält\s+sich\s+alle\s+rechte"
        r"|behoudt\s+zich\s+alle\s+rechten|se\s+réserve\s+tous\s+les\s+droits"
        r"|förbehåller\s+sig\s+alla\s+rättigheter)",
        r"\brepublished\s+from\s+(?P<name>[^.;\n]+?)\s+under\s+(?:a\s+|the\s+)?creative\s+commons",
        r"\b(?:provided|supplied|distributed)\s+by\s+(?P<name>[^.;,\n]+)",
    )
)
COPYRIGHT_HOLDER = re.compile(
    r"(?:©|(?<!\w)\(c\)|\bcopyright\s*(?:©|\(c\))?(?=\s*\d{4}))\s*"
    r"(?:\d{4}(?:\s*[-–]\s*\d{4}\b)?,?\s*(?:[-–—|:]\s*)?)?"
    r"(?P<name>[^\W\d_][^.;,\n]*?)\s*(?:\d{4})?\s*(?:[.;,\n]|all\s+rights\s+reserved|$)",
    re.IGNORECASE,
)
CREATIVE_COMMONS = re.compile(r"creative\s+commons|\bcc[\s-]+by\b", re.IGNORECASE)
