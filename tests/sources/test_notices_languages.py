"""Rights notices read by meaning, in the languages publishers write: the notice table.

Every notice here is a short example written for these tests in the style of real ones.
"""

import pytest

from sources import notice_table
from sources.models import LicenseTerms
from sources.notices import looks_like_notice, parse_notice

Status = LicenseTerms.TdmStatus
Purpose = LicenseTerms.Purpose
Scope = LicenseTerms.SharingScope

# --- Reservation and non-reservation, per language ------------------------------------------------

RESERVATIONS = [
    (
        "da",
        "Tekst- og datamining er ikke tilladt, jf. ophavsretslovens § 11 b.",
        "Danish Copyright Act §11b",
    ),
    (
        "da",
        "Jysk Avis forbeholder sig retten til tekst- og datamining, jf. § 11 b i "
        "ophavsretsloven og artikel 4 i DSM-direktivet.",
        "DSM Directive Art. 4; Danish Copyright Act §11b",
    ),
    ("en", "Text and data mining of this content is prohibited.", ""),
    ("en", "We do not permit text and data mining of our articles.", ""),
    ("de", "Wir gestatten kein Text- und Data-Mining unserer Inhalte.", ""),
    (
        "en",
        "Nordic Wire expressly reserves text and data mining under Article 4(3) of "
        "Directive (EU) 2019/790.",
        "DSM Directive Art. 4",
    ),
    (
        "de",
        "Die Nutzung unserer Inhalte für Text- und Data-Mining ist untersagt (§ 44b UrhG).",
        "German Copyright Act §44b",
    ),
    (
        "de",
        "Der Verlag behält sich die Nutzung seiner Inhalte für Text- und Data-Mining nach "
        "§ 44b UrhG ausdrücklich vor.",
        "German Copyright Act §44b",
    ),
    (
        "nl",
        "Tekst- en datamining van deze inhoud is niet toegestaan (artikel 15o Auteurswet).",
        "Dutch Copyright Act Art. 15o",
    ),
    (
        "fr",
        "La fouille de textes et de données est interdite (article L. 122-5-3 du Code de la "
        "propriété intellectuelle).",
        "French Intellectual Property Code L. 122-5-3",
    ),
    (
        "sv",
        "Text- och datautvinning är inte tillåten enligt 15 a § upphovsrättslagen.",
        "Swedish Copyright Act §15a",
    ),
    (
        "no",
        "Tekst- og datautvinning er ikke tillatt, jf. åndsverkloven § 25 a.",
        "Norwegian Copyright Act §25a",
    ),
]


@pytest.mark.parametrize(("language", "notice", "basis"), RESERVATIONS)
def test_a_reservation_is_read_in_each_language_with_its_legal_basis(language, notice, basis):
    terms = parse_notice(notice)

    assert terms.tdm_status == Status.RESERVED
    assert terms.tdm_reserved is True
    assert terms.tdm_legal_basis == basis
    assert terms.tdm_clause == notice
    assert terms.language == language
    assert terms.tdm_expression == LicenseTerms.TdmExpression.NATURAL_LANGUAGE
    assert terms.warnings == ()


NON_RESERVATIONS = [
    ("en", "Nordic Wire does not reserve text and data mining of its articles."),
    ("en", "Text and data mining of this content is permitted."),
    ("da", "Jysk Avis forbeholder sig ikke retten til tekst- og datamining."),
    ("da", "Tekst- og datamining af indholdet er tilladt."),
    ("de", "Text- und Data-Mining unserer Inhalte ist ausdrücklich gestattet."),
    ("nl", "Tekst- en datamining van deze inhoud is toegestaan."),
    ("fr", "La fouille de textes et de données est autorisée."),
    ("sv", "Text- och datautvinning av innehållet är tillåten."),
    ("no", "Tekst- og datautvinning av innholdet er tillatt."),
]


@pytest.mark.parametrize(("language", "notice"), NON_RESERVATIONS)
def test_a_statement_that_mining_is_not_reserved_is_read_in_each_language(language, notice):
    terms = parse_notice(notice)

    assert terms.tdm_status == Status.NOT_RESERVED
    assert terms.tdm_reserved is False
    assert terms.tdm_clause == notice
    assert terms.language == language
    assert terms.warnings == ()


CONDITIONS = [
    ("en", "No text or data mining without our written permission."),
    ("en", "Text and data mining requires a separate licence from Acme Media."),
    ("da", "Tekst- og datamining kræver en særskilt licens fra Jysk Avis."),
    ("de", "Text- und Data-Mining ist nur mit unserer schriftlichen Zustimmung zulässig."),
    ("nl", "Tekst- en datamining is alleen met voorafgaande schriftelijke toestemming mogelijk."),
    ("fr", "La fouille de textes et de données est soumise à une licence."),
    ("sv", "Text- och datautvinning kräver en särskild licens från Nordtidningen."),
    ("no", "Tekst- og datautvinning krever egen lisens fra Nordavisen."),
]


@pytest.mark.parametrize(("language", "notice"), CONDITIONS)
def test_mining_allowed_only_under_a_licence_or_permission_is_conditional(language, notice):
    terms = parse_notice(notice)

    assert terms.tdm_status == Status.CONDITIONAL
    assert terms.tdm_reserved is True  # withheld until an agreement grants it
    assert terms.tdm_clause == notice
    assert terms.language == language


def test_all_rights_reserved_in_another_language_is_read_like_the_english():
    for notice in (
        "© 2025 Jysk Avis. Alle rettigheder forbeholdes.",
        "© 2025 Nordblatt. Alle Rechte vorbehalten.",
        "© 2025 Le Quotidien. Tous droits réservés.",
    ):
        terms = parse_notice(notice)

        assert terms.tdm_status == Status.NOT_EXPRESSED, notice
        assert terms.sharing_scope == Scope.INTERNAL, notice
        assert terms.warnings == (), notice


# --- AI training, machine learning, datasets ------------------------------------------------------

AI_PROHIBITIONS = [
    (
        "en",
        "Use of this content to train artificial intelligence or machine-learning systems is "
        "prohibited.",
    ),
    ("en", "Our articles may not be used to build datasets for large language models."),
    ("da", "Indholdet må ikke bruges til træning af kunstig intelligens."),
    ("de", "Die Nutzung der Inhalte zum Training von KI-Systemen ist untersagt."),
    ("nl", "Het gebruik van onze inhoud voor het trainen van AI-systemen is verboden."),
    (
        "fr",
        "L'utilisation des contenus pour l'entraînement de systèmes d'intelligence "
        "artificielle est interdite.",
    ),
    ("sv", "Innehållet får inte användas för träning av AI-modeller."),
    ("no", "Innholdet må ikke brukes til trening av kunstig intelligens."),
]


@pytest.mark.parametrize(("language", "notice"), AI_PROHIBITIONS)
def test_a_ban_on_training_ai_or_building_datasets_is_a_tdm_reservation(language, notice):
    terms = parse_notice(notice)

    assert terms.tdm_status == Status.RESERVED
    assert terms.tdm_clause == notice
    assert terms.language == language


def test_training_ai_without_permission_is_conditional():
    terms = parse_notice(
        "Content may not be used to train machine-learning models without our prior written "
        "consent."
    )

    assert terms.tdm_status == Status.CONDITIONAL


# --- Purposes that survive a reservation ----------------------------------------------------------

PURPOSES = [
    (
        "Text and data mining is reserved, except for indexing by search engines.",
        Status.RESERVED,
        (Purpose.SEARCH_INDEXING,),
    ),
    (
        "We prohibit text and data mining. This does not apply to retrieval to answer user "
        "questions with a link to the article.",
        Status.RESERVED,
        (Purpose.ANSWER_RETRIEVAL,),
    ),
    (
        "Text and data mining is reserved. Mining for scientific research under Article 3 of "
        "the DSM Directive remains permitted.",
        Status.RESERVED,
        (Purpose.SCIENTIFIC_RESEARCH,),
    ),
    (
        "Tekst- og datamining er ikke tilladt, bortset fra indeksering i søgemaskiner.",
        Status.RESERVED,
        (Purpose.SEARCH_INDEXING,),
    ),
    (
        "Text- und Data-Mining ist untersagt. Ausgenommen ist die wissenschaftliche Forschung "
        "nach § 60d UrhG.",
        Status.RESERVED,
        (Purpose.SCIENTIFIC_RESEARCH,),
    ),
    (
        "La fouille de textes et de données est interdite, sauf pour l'indexation par les "
        "moteurs de recherche.",
        Status.RESERVED,
        (Purpose.SEARCH_INDEXING,),
    ),
]


@pytest.mark.parametrize(("notice", "status", "purposes"), PURPOSES)
def test_purposes_left_open_by_a_reservation_are_recorded_not_read_as_lifting_it(
    notice, status, purposes
):
    terms = parse_notice(notice)

    assert terms.tdm_status == status
    assert terms.permitted_purposes == purposes
    assert terms.tdm_clause == notice


def test_a_purpose_named_in_a_ban_is_not_recorded_as_permitted():
    terms = parse_notice("Search engines may not index or mine this content.")

    assert terms.tdm_status == Status.RESERVED
    assert terms.permitted_purposes == ()


def test_the_purposes_in_the_table_are_the_ones_licence_terms_record():
    table = {
        value for name, value in vars(notice_table.Purpose).items() if not name.startswith("_")
    }

    assert table == set(Purpose.values)
    for language in notice_table.LANGUAGES:
        assert set(language.purposes) == table, language.name


# --- Restrictions on part of a page ---------------------------------------------------------------

PARTIAL = [
    (
        "en",
        "Agency material (Ritzau) on this page may not be used for text and data mining.",
        "Agency material (Ritzau) on this page",
    ),
    (
        "da",
        "Bureaumateriale (Ritzau) på denne side må ikke anvendes til tekst- og datamining.",
        "Bureaumateriale (Ritzau) på denne side",
    ),
    (
        "de",
        "Agenturmaterial (dpa) auf dieser Seite darf nicht für Text- und Data-Mining genutzt "
        "werden.",
        "Agenturmaterial (dpa) auf dieser Seite",
    ),
]


@pytest.mark.parametrize(("language", "notice", "scope"), PARTIAL)
def test_a_restriction_on_agency_material_is_partial_with_its_scope(language, notice, scope):
    terms = parse_notice(f"© 2025 Nordic Wire. {notice}")

    assert terms.tdm_status == Status.PARTIAL
    assert terms.tdm_scope == scope
    assert terms.tdm_clause == notice
    assert terms.language == language
    # The publisher itself reserves nothing: the holder stays the publisher, with no claim
    # that it reserved everything, and the editor is told.
    assert terms.holder_name == "Nordic Wire"
    assert any("only for part of the page" in warning for warning in terms.warnings)


def test_a_publishers_own_reservation_outranks_a_partial_one():
    terms = parse_notice(
        "Text and data mining is prohibited. Agency material on this page may not be mined either."
    )

    assert terms.tdm_status == Status.RESERVED
    assert terms.tdm_scope == ""


# --- Holder -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notice", "holder"),
    [
        ("© 2025 - Nordic Wire. All rights reserved.", "Nordic Wire"),
        ("© 2024–2025 Nordic Wire ApS", "Nordic Wire ApS"),
        (
            "This article is republished from The Conversation under a Creative Commons "
            "licence. Read the original article.",
            "The Conversation",
        ),
        ("Provided by Nordic Wire Services", "Nordic Wire Services"),
        ("Jysk Avis forbeholder sig alle rettigheder til indholdet.", "Jysk Avis"),
        ("Le Quotidien se réserve tous les droits.", "Le Quotidien"),
    ],
)
def test_the_holder_is_read_from_the_wordings_notices_use(notice, holder):
    assert parse_notice(notice).holder_name == holder


def test_a_creative_commons_republication_may_be_shared():
    terms = parse_notice(
        "This article is republished from The Conversation under a Creative Commons licence."
    )

    assert terms.sharing_scope == Scope.PUBLIC
    assert "Creative Commons" in terms.sharing_clause
    assert terms.tdm_status == Status.NOT_EXPRESSED


# --- Sharing scope in other languages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "scope"),
    [
        ("Artiklerne må kun deles internt i virksomheden.", Scope.INTERNAL),
        ("Abonnenter må ikke dele artikler med personer uden abonnement.", Scope.SUBSCRIBERS),
        ("Die Weitergabe der Artikel ist nur intern gestattet.", Scope.INTERNAL),
        ("Artikelen mogen alleen intern worden gedeeld.", Scope.INTERNAL),
        ("Les articles ne peuvent être partagés qu'en interne.", Scope.INTERNAL),
        ("Artiklarna får endast delas internt.", Scope.INTERNAL),
    ],
)
def test_sharing_limits_are_read_in_other_languages(sentence, scope):
    terms = parse_notice(f"© 2025 Nordic Wire. {sentence}")

    assert terms.sharing_scope == scope
    assert terms.sharing_clause == sentence


# --- Unsure: unknown, never "not reserved" --------------------------------------------------------


def test_a_sentence_about_mining_that_no_wording_classifies_makes_the_status_unknown():
    notice = "© 2025 Nordic Wire. Automated collection of our content is governed by our terms."

    terms = parse_notice(notice)

    assert terms.tdm_status == Status.UNKNOWN
    assert terms.tdm_reserved is True
    assert "governed by our terms" in terms.tdm_clause
    assert any("cannot classify" in warning for warning in terms.warnings)


def test_a_notice_in_a_language_the_table_lacks_is_unknown_with_a_warning():
    notice = (
        "© 2025 Päivälehti Oy. Kaikki oikeudet pidätetään. Tekstin- ja tiedonlouhinta kielletty."
    )

    terms = parse_notice(notice)

    assert terms.tdm_status == Status.UNKNOWN
    assert terms.holder_name == "Päivälehti Oy"
    assert terms.language == ""
    assert len(terms.warnings) == 1
    assert "a language the importer does not read" in terms.warnings[0]
    assert "Kaikki oikeudet pidätetään." in terms.warnings[0]


def test_unknown_outranks_a_not_reserved_reading_elsewhere_in_the_notice():
    terms = parse_notice(
        "Text and data mining is permitted. Todos los derechos de explotación están reservados."
    )

    assert terms.tdm_status == Status.UNKNOWN


def test_a_clear_reservation_stays_reserved_beside_an_unread_sentence_but_warns():
    terms = parse_notice(
        "Text and data mining is prohibited. Todos los derechos de explotación están reservados."
    )

    assert terms.tdm_status == Status.RESERVED
    assert any("does not read" in warning for warning in terms.warnings)


@pytest.mark.parametrize(
    "notice",
    ["", "©", "© 2025", "🙂 🙂 🙂", "§§§ ... ???", "Ｔｅｘｔ ａｎｄ ｄａｔａ", "x" * 5000],
)
def test_odd_notices_never_crash(notice):
    terms = parse_notice(notice)

    assert terms.tdm_status in Status.values


@pytest.mark.parametrize(
    "notice",
    [
        "Text and data mining is permitted, but not for training commercial systems.",
        "Text- und Data-Mining ist gestattet, jedoch nicht für kommerzielle Zwecke.",
        "Tekst- og datamining er tilladt, men ikke til kommercielle formål.",
    ],
)
def test_a_permission_with_a_negated_part_is_unknown_not_silently_not_reserved(notice):
    terms = parse_notice(notice)

    assert terms.tdm_status == Status.UNKNOWN
    assert terms.tdm_reserved is True


def test_a_plain_english_copyright_line_is_not_unknown():
    terms = parse_notice("Copyright 2025 The Associated Press. All rights reserved.")

    assert terms.tdm_status == Status.NOT_EXPRESSED
    assert terms.warnings == ()


# --- Finding notices ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("Tekst- og datamining er ikke tilladt, jf. ophavsretslovens § 11 b.", True),
        ("Alle Rechte vorbehalten.", True),
        ("Tous droits réservés.", True),
        ("The two countries signed a trade agreement in October.", False),
    ],
)
def test_looks_like_notice_knows_every_language_of_the_table(paragraph, expected):
    assert looks_like_notice(paragraph) is expected


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("Tekst- og datamining er ikke tilladt, jf. ophavsretslovens § 11 b.", True),
        ("Text- und Data-Mining ist untersagt.", True),
        ("Alle rettigheter forbeholdes.", True),
        ("Die Inhalte sind nach § 44b UrhG geschützt.", True),
        # An article about mining, or about training, may end on those words.
        ("The mining company will train 200 new staff next year.", False),
        ("Scrapping the plan was mined for political gain, critics said.", False),
    ],
)
def test_the_notice_markers_for_finding_notices_are_whole_phrases(paragraph, expected):
    assert bool(notice_table.NOTICE_MARKERS.search(paragraph)) is expected


def test_the_continuation_markers_keep_a_notice_going_in_other_languages():
    assert notice_table.NOTICE_CONTINUATION_MARKERS.search(
        "Artiklerne må kun deles internt i virksomheden."
    )
    assert notice_table.NOTICE_CONTINUATION_MARKERS.search("Abonnenten dürfen Artikel teilen.")
