"""normalise() on web captures: each furniture shape is left out and reported, article text stays.

Every example text here is written for the test, in the shape web captures arrive in.
"""

import pytest

from sources.text import (
    ACCESSIBILITY_LINK,
    BREAKING_BANNER,
    CAPTION_SHORTCODE,
    COMMENT_PROMPT,
    HEADLINE_FIRST_LINE,
    HEADLINE_REPEATED,
    PHOTO_CAPTION,
    PHOTO_CREDIT,
    READER_CALLOUT,
    RELATED_ARTICLES,
    REPEATED_HEADLINE,
    REPEATED_LEDE,
    REPEATED_PARAGRAPH,
    SHARE_COUNTER,
    SHOW_MORE_TOGGLE,
    Removed,
    guess_language,
    normalise,
    propose_headline,
)

LEDE = "The harbour authority closed the north quay on Monday after a crane collapsed."
SECOND = "Nobody was hurt, the authority said in a statement."


def removed_kinds(result) -> list[str]:
    return [piece.kind for piece in result.removed]


# --- Article B's own shapes -------------------------------------------------------------------


def test_a_lede_repeated_as_the_start_of_the_next_longer_paragraph_keeps_the_longer_one():
    longer = f"{LEDE} Work on the quay had been due to finish in the spring."
    raw = f"Crane collapse closes quay\n\n{LEDE}\n\n{longer}\n\n{SECOND}\n"

    result = normalise(raw)

    assert result.paragraphs == [longer, SECOND]
    assert result.removed == [Removed(REPEATED_LEDE, LEDE)]
    assert result.warnings == ["Dropped a repeated copy of the opening paragraph."]


def test_a_longer_paragraph_that_merely_starts_with_the_same_words_is_kept():
    # Not a sentence of its own: the first paragraph is a wrapped fragment, not a repeated lede.
    raw = "The harbour authority closed\n\nThe harbour authority closed the quay on Monday.\n"

    result = normalise(raw)

    assert REPEATED_LEDE not in removed_kinds(result)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Investigators blamed the group Microsoft calls \u201c\nSalt Typhoon\u201d for it.",
            "Investigators blamed the group Microsoft calls \u201cSalt Typhoon\u201d for it.",
        ),
        (
            "Investigators blamed the group Microsoft calls \u201cSalt Typhoon\n\u201d for it.",
            "Investigators blamed the group Microsoft calls \u201cSalt Typhoon\u201d for it.",
        ),
        (
            'Investigators blamed the group Microsoft calls "\nSalt Typhoon" for it.',
            'Investigators blamed the group Microsoft calls "Salt Typhoon" for it.',
        ),
        (
            "Les enquêteurs parlent de \u00ab\nSalt Typhoon\u00bb depuis mai.",
            "Les enquêteurs parlent de \u00abSalt Typhoon\u00bb depuis mai.",
        ),
    ],
    ids=["curly-open", "curly-close", "straight-open", "guillemets"],
)
def test_a_line_break_just_inside_a_quotation_leaves_no_stray_space(raw, expected):
    assert normalise(raw).paragraphs == [expected]


def test_a_closing_straight_quote_at_a_line_end_still_gets_its_space():
    raw = 'She called it "a setback"\nand left.'

    assert normalise(raw).paragraphs == ['She called it "a setback" and left.']


# --- Web-capture furniture, one shape at a time -----------------------------------------------


@pytest.mark.parametrize(
    ("furniture", "kind"),
    [
        ("Skip to main content", ACCESSIBILITY_LINK),
        ("Skip to content", ACCESSIBILITY_LINK),
        ("Gå til indhold", ACCESSIBILITY_LINK),
        ("Gå til hovedindhold", ACCESSIBILITY_LINK),
        ("Zum Inhalt springen", ACCESSIBILITY_LINK),
        ("Ga naar de inhoud", ACCESSIBILITY_LINK),
        ("Breaking News", BREAKING_BANNER),
        ("BREAKING NEWS: Storm closes three ferry routes", BREAKING_BANNER),
        ("Breaking: Minister resigns over tender", BREAKING_BANNER),
        ("Vis mere", SHOW_MORE_TOGGLE),
        ("Show more", SHOW_MORE_TOGGLE),
        ("Vis mindre ▲", SHOW_MORE_TOGGLE),
        ("Mehr anzeigen", SHOW_MORE_TOGGLE),
        ("Skriv en kommentar", COMMENT_PROMPT),
        ("Leave a comment", COMMENT_PROMPT),
        ("Comments (14)", COMMENT_PROMPT),
        ("12 comments", COMMENT_PROMPT),
        ("Log ind for at kommentere", COMMENT_PROMPT),
        ("Be the first to comment", COMMENT_PROMPT),
        ("Share", SHARE_COUNTER),
        ("1.2K shares", SHARE_COUNTER),
        ("Share 37 Facebook Twitter LinkedIn Email", SHARE_COUNTER),
        ("Del artiklen", SHARE_COUNTER),
        ("Facebook | X | LinkedIn | Kopiér link", SHARE_COUNTER),
        ("Foto: Jens Holm/Ritzau Scanpix", PHOTO_CREDIT),
        ("Photo: Ana Ruiz/Reuters", PHOTO_CREDIT),
        ("(Photo by Ana Ruiz)", PHOTO_CREDIT),
    ],
)
def test_a_furniture_line_between_paragraphs_is_left_out_and_reported(furniture, kind):
    raw = f"{LEDE}\n{furniture}\n{SECOND}\n"

    result = normalise(raw)

    assert result.paragraphs == [LEDE, SECOND]
    assert result.removed == [Removed(kind, furniture)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Breaking news of the collapse reached the port within minutes.",
        "Readers were asked to show more patience with the ferries.",
        "The photo: a crane lying across the quay, was shared widely.",
        "He did not leave a comment when asked.",
        "Skip the details, the engineer said, the crane simply failed.",
        # Starts like a call-out but runs far longer than one.
        " ".join(["Do you have a story, the reporter asked, that nobody has told?"] * 6),
    ],
)
def test_the_same_words_inside_a_sentence_are_article_text(sentence):
    result = normalise(f"{LEDE}\n\n{sentence}\n")

    assert result.paragraphs == [LEDE, sentence]
    assert result.removed == []


@pytest.mark.parametrize(
    "callout",
    [
        "Do you have a story for the Harbour Post? Write to tips@example.org.",
        "Har du et tip til redaktionen? Skriv til tip@example.dk eller ring 12 34 56 78.",
        "Har du en historie? Kontakt os på nyheder@example.dk",
        "Got a tip? Send it to us securely at example.org/tips",
    ],
)
def test_a_reader_call_out_is_left_out_even_when_wrapped(callout):
    words = callout.split()
    wrapped = " ".join(words[:5]) + "\n" + " ".join(words[5:])
    raw = f"{LEDE}\n\n{SECOND}\n\n{wrapped}\n"

    result = normalise(raw)

    assert result.paragraphs == [LEDE, SECOND]
    assert result.removed == [Removed(READER_CALLOUT, callout)]


def test_a_photo_caption_printed_twice_is_left_out_both_times():
    caption = "The collapsed crane on the north quay."
    raw = f"{LEDE}\n{caption}\n{caption} Foto: Mads Lund/Ritzau Scanpix\n{SECOND}\n"

    result = normalise(raw)

    assert result.paragraphs == [LEDE, SECOND]
    assert removed_kinds(result) == [PHOTO_CAPTION, PHOTO_CAPTION]


def test_a_caption_with_its_credit_glued_on_is_not_joined_onto_the_next_line():
    raw = f"{LEDE}\nThe crane lies across the quay.Photo: Ana Ruiz/Reuters\nOfficials said so.\n"

    result = normalise(raw)

    assert result.paragraphs == [LEDE, "Officials said so."]
    assert result.removed == [
        Removed(PHOTO_CAPTION, "The crane lies across the quay.Photo: Ana Ruiz/Reuters")
    ]


def test_a_paragraph_printed_twice_in_a_row_keeps_one_copy():
    pull_quote = "\u201cWe were lucky it happened at night,\u201d the harbour master said."
    middle = ["Cranes are inspected twice a year.", "The last check was in May."]
    raw = "\n\n".join([LEDE, SECOND, *middle, pull_quote, pull_quote, "Repairs start next week."])

    result = normalise(raw)

    assert result.paragraphs == [LEDE, SECOND, *middle, pull_quote, "Repairs start next week."]
    assert result.removed == [Removed(REPEATED_PARAGRAPH, pull_quote)]


def test_a_caption_shortcode_is_cut_and_the_agency_glued_onto_it_becomes_the_credit():
    raw = (
        f"{LEDE}\n"
        '[caption id="attachment_881" align="alignnone" width="1024"]<img src="crane.jpg" /> '
        "The crane on the quay. Foto: Mads Lund/Ritzau Scanpix[/caption]RITZAU\n"
        f"{SECOND}\n"
    )

    result = normalise(raw)

    assert result.paragraphs == [LEDE, SECOND]
    assert result.agency_credit == "RITZAU"
    assert removed_kinds(result) == [CAPTION_SHORTCODE]
    assert result.removed[0].text.endswith("Ritzau Scanpix[/caption]")


def test_a_caption_shortcode_glued_to_the_next_sentence_leaves_the_sentence():
    raw = f'{LEDE}\n[caption width="600"]A quay at dusk.[/caption]{SECOND}\n'

    result = normalise(raw)

    assert result.paragraphs == [LEDE, SECOND]


def test_half_a_caption_shortcode_at_the_start_of_a_capture_is_cut():
    raw = f"at dusk. Foto: Mads Lund/Ritzau Scanpix[/caption]\n{LEDE}\n{SECOND}\n"

    result = normalise(raw)

    assert result.paragraphs == [LEDE, SECOND]
    assert removed_kinds(result) == [CAPTION_SHORTCODE]


@pytest.mark.parametrize(
    "related",
    [
        "Related articles\nCrane inspections ordered at three ports\n12 Nov 2025\n"
        "Ferry routes resume after storm\n3 Nov 2025",
        "Relaterede artikler\nKraner skal efterses 12. nov. 2025\nFærger sejler igen 3. nov. 2025",
        "Læs også:\nKraner skal efterses i tre havne 12.11.2025",
        # No heading: two dated link titles in a row are a list all the same.
        "Crane inspections ordered at three ports · November 12, 2025\n"
        "Ferry routes resume after storm · November 3, 2025",
        "Kraner skal efterses i tre havne\nfor 2 timer siden\n"
        "Færger sejler igen\nfor 5 timer siden",
    ],
    ids=["english-heading", "danish-heading", "laes-ogsaa-one-item", "no-heading", "relative"],
)
def test_a_related_article_list_with_dates_is_left_out(related):
    raw = f"{LEDE}\n{SECOND}\n{related}\nRepairs start next week.\n"

    result = normalise(raw)

    assert result.paragraphs == [LEDE, SECOND, "Repairs start next week."]
    assert removed_kinds(result) == [RELATED_ARTICLES]


def test_a_dated_sentence_in_the_article_is_not_a_related_list():
    raw = (
        f"{LEDE}\nThe quay reopened on 12 November 2025.\nThe crane was inspected on 3 Nov 2025.\n"
    )

    result = normalise(raw)

    assert len(result.paragraphs) == 3
    assert result.removed == []


def test_a_subheading_after_a_related_list_is_kept():
    raw = (
        f"{LEDE}\nRelated\nFerry routes resume after storm\n3 Nov 2025\n"
        f"Questions about inspections\n{SECOND}\n"
    )

    result = normalise(raw)

    assert result.paragraphs == [LEDE, "Questions about inspections", SECOND]


def test_a_show_more_toggle_glued_to_a_paragraph_end_is_cut():
    result = normalise(f"{LEDE}\n\n{SECOND} Vis mere\n")

    assert result.paragraphs == [LEDE, SECOND]
    assert result.removed == [Removed(SHOW_MORE_TOGGLE, "Vis mere")]


# --- What is kept: headline, byline, subheadings ------------------------------------------------


def test_a_headline_repeated_as_the_page_title_with_the_site_name_keeps_the_bare_headline():
    raw = (
        "Crane collapse closes north quay | The Harbour Post\n"
        "Skip to main content\n"
        "Crane collapse closes north quay\n"
        f"{LEDE}\n{SECOND}\n"
    )

    result = normalise(raw)

    assert result.headline == "Crane collapse closes north quay"
    assert result.headline_source == HEADLINE_REPEATED
    assert result.paragraphs == [LEDE, SECOND]
    assert Removed(REPEATED_HEADLINE, "Crane collapse closes north quay | The Harbour Post") in (
        result.removed
    )


def test_a_single_headline_line_is_reported_as_the_first_line():
    result = normalise(f"Crane collapse closes north quay\n{LEDE}\n")

    assert result.headline_source == HEADLINE_FIRST_LINE


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("By Jane Doe", ["Jane Doe"]),
        ("Af Jane Doe", ["Jane Doe"]),
        ("By Jane Doe and Ole Madsen", ["Jane Doe", "Ole Madsen"]),
        ("Af Mette Riis og Ole Madsen", ["Mette Riis", "Ole Madsen"]),
        ("By Pieter van der Berg, Reuters", ["Pieter van der Berg"]),
        ("Von Anna Schmidt", ["Anna Schmidt"]),
    ],
)
def test_a_byline_is_taken_out_of_the_body_as_proposed_person_names(line, names):
    raw = f"Crane collapse closes north quay\n{line}\n{LEDE}\n{SECOND}\n"

    result = normalise(raw)

    assert result.byline == names
    assert result.byline_text == line
    assert result.headline == "Crane collapse closes north quay"
    assert result.paragraphs == [LEDE, SECOND]


@pytest.mark.parametrize(
    "line",
    ["By Tuesday the quay was closed.", "By the time the crane fell, the quay was empty."],
)
def test_a_sentence_starting_with_by_is_not_a_byline(line):
    result = normalise(f"{LEDE}\n{line}\n")

    assert result.byline == []
    assert line in result.paragraphs


def test_a_byline_far_down_the_text_is_article_text():
    body = "\n".join(f"Paragraph {n} of the story is here." for n in range(8))
    result = normalise(f"{body}\nBy Jane Doe\n")

    assert result.byline == []


def test_a_full_web_capture_keeps_headline_byline_subheading_and_article_only():
    raw = (
        "Skip to main content\n"
        "Breaking News: Storm closes three ferry routes\n"
        "Crane collapse closes north quay | The Harbour Post\n"
        "Crane collapse closes north quay\n"
        "By Jane Doe\n"
        "Share 37 Facebook Twitter LinkedIn\n"
        f"{LEDE}\n"
        f"{LEDE} Work on the quay had been due to finish in the spring.\n"
        "The collapsed crane.\n"
        "The collapsed crane. Foto: Mads Lund/Ritzau Scanpix\n"
        "Vis mere\n"
        "Questions about inspections\n"
        f"{SECOND}\n"
        "Do you have a story for the Harbour Post? Write to tips@example.org.\n"
        "Related articles\n"
        "Ferry routes resume after storm\n"
        "3 Nov 2025\n"
        "Comments (3)\n"
    )

    result = normalise(raw)

    assert result.headline == "Crane collapse closes north quay"
    assert result.byline == ["Jane Doe"]
    assert result.paragraphs == [
        f"{LEDE} Work on the quay had been due to finish in the spring.",
        "Questions about inspections",
        SECOND,
    ]
    assert sorted(set(removed_kinds(result))) == sorted(
        {
            ACCESSIBILITY_LINK,
            BREAKING_BANNER,
            REPEATED_HEADLINE,
            SHARE_COUNTER,
            REPEATED_LEDE,
            PHOTO_CAPTION,
            SHOW_MORE_TOGGLE,
            READER_CALLOUT,
            RELATED_ARTICLES,
            COMMENT_PROMPT,
        }
    )


# --- Headline proposal and language guess -------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "proposal"),
    [
        (f"{LEDE} {SECOND}", LEDE.rstrip(".")),
        (
            "The U.S. coast guard said on Monday that it would inspect every crane. More follows.",
            "The U.S. coast guard said on Monday that it would inspect every crane",
        ),
        (
            "The harbour authority closed the north quay on Monday after a crane collapsed onto "
            "two moored barges and a warehouse roof during the night shift.",
            "The harbour authority closed the north quay on Monday after a crane collapsed onto "
            "two…",
        ),
        ("", ""),
    ],
    ids=["first-sentence", "abbreviation", "long-sentence-cut-at-a-word", "empty"],
)
def test_a_proposed_headline_is_the_first_sentence_trimmed_at_a_word(body, proposal):
    assert propose_headline(body) == proposal
    assert len(propose_headline(body)) <= 90


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "Havnen lukkede mandag den nordlige kaj, efter at en kran var styrtet sammen. Ingen "
            "kom til skade, oplyser havnen i en pressemeddelelse, og arbejdet skal genoptages.",
            "da",
        ),
        (
            "Der Hafen hat am Montag den Nordkai geschlossen, nachdem ein Kran eingestürzt war. "
            "Niemand wurde verletzt, teilte die Behörde mit, und die Arbeiten sollen bald weiter.",
            "de",
        ),
        (f"{LEDE} {SECOND} Work on the quay had been due to finish in the spring.", "en"),
        ("Kort tekst.", ""),
    ],
)
def test_the_language_is_guessed_from_the_words_or_not_at_all(text, code):
    assert guess_language(text) == code


def test_short_lines_with_times_or_numbers_are_not_a_related_list():
    raw = f"{LEDE}\nDeparture 14.30\nArrival 15.10\nWhat happens today\n{SECOND}\n"

    result = normalise(raw)

    assert result.removed == []
