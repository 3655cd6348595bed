"""normalise(): each clean-up step on the messy shapes raw article text arrives in."""

import unicodedata
from pathlib import Path

import pytest

from sources.text import normalise

DATA = Path(__file__).parent / "data"

ARTICLE_B_PARAGRAPHS = [
    "Current and former US officials told The Financial Times that the plan to impose sanctions "
    "was 'put on hold' to avoid undermining the US-China détente.",
    "The paper said US President Donald Trump's administration is also planning to enact major "
    "new export controls against China.",
    "Pressure from Washington",
    "'The administration appears to be giving ground on export controls ...,' Zack Cooper, an "
    "Asia security expert at the American Enterprise Institute, told FT.",
    "The White House is tasking Stephen Miller, deputy White House chief of staff, with ensuring "
    "that departments do not take actions that could threaten the détente, two sources told FT.",
]


def article(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


# --- Characters and lines ---------------------------------------------------------------------


def test_windows_and_old_mac_line_endings_become_newlines():
    result = normalise("First paragraph.\r\nSecond paragraph.\rThird paragraph.\r\n")

    assert result.paragraphs == ["First paragraph.", "Second paragraph.", "Third paragraph."]


def test_a_utf8_byte_order_mark_is_stripped():
    result = normalise("\ufeffThe plan was put on hold.\n\nOfficials said so.")

    assert result.paragraphs[0] == "The plan was put on hold."


def test_text_is_nfc_normalised():
    decomposed = "The US-China de\u0301tente held."
    assert not unicodedata.is_normalized("NFC", decomposed)

    result = normalise(decomposed)

    assert result.paragraphs == ["The US-China d\u00e9tente held."]


def test_trailing_spaces_and_tabs_are_removed():
    result = normalise("The plan was put on hold.   \t\nOfficials said so. \u00a0\n")

    assert result.paragraphs == ["The plan was put on hold.", "Officials said so."]


def test_leading_and_trailing_blank_lines_are_dropped():
    result = normalise("\n\n   \n\t\nThe plan was put on hold.\n\n \n\n")

    assert result.paragraphs == ["The plan was put on hold."]


def test_runs_of_spaces_inside_a_paragraph_collapse_to_one():
    result = normalise("The plan  was\tput on   hold.")

    assert result.paragraphs == ["The plan was put on hold."]


def test_stray_control_characters_are_removed_with_a_warning():
    result = normalise("The plan was\x07 put on hold.\x1b")

    assert result.paragraphs == ["The plan was put on hold."]
    assert result.warnings == ["Removed 2 stray control character(s)."]


# --- Paragraphs and hard line breaks ------------------------------------------------------------


def test_blank_lines_separate_paragraphs():
    result = normalise("The plan was put on hold.\n\nOfficials said so.")

    assert result.paragraphs == ["The plan was put on hold.", "Officials said so."]


def test_a_sentence_end_followed_by_a_new_sentence_on_the_next_line_is_a_paragraph_break():
    result = normalise("The plan was put on hold.\nOfficials said so.\n(Reuters) Nothing more.")

    assert result.paragraphs == [
        "The plan was put on hold.",
        "Officials said so.",
        "(Reuters) Nothing more.",
    ]


def test_a_line_broken_mid_sentence_before_a_lowercase_word_is_joined():
    result = normalise("The plan to impose\nsanctions was put on hold.")

    assert result.paragraphs == ["The plan to impose sanctions was put on hold."]


def test_a_line_broken_mid_sentence_before_a_proper_noun_is_joined():
    result = normalise("Current and former US officials told The\nFinancial Times on Monday.")

    assert result.paragraphs == [
        "Current and former US officials told The Financial Times on Monday."
    ]


def test_a_lowercase_continuation_is_joined_even_across_a_blank_line():
    result = normalise("The plan to impose sanctions was\n\nput on hold, officials said.")

    assert result.paragraphs == ["The plan to impose sanctions was put on hold, officials said."]


def test_a_line_ending_in_a_comma_is_joined_even_across_a_blank_line():
    result = normalise("The plan, officials said,\n\nWas put on hold.")

    assert result.paragraphs == ["The plan, officials said, Was put on hold."]


def test_a_sentence_end_and_a_lowercase_next_line_is_an_abbreviation_not_a_break():
    result = normalise("Officials in the U.S.\nadministration said so.")

    assert result.paragraphs == ["Officials in the U.S. administration said so."]


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("\u201c", "\u201d"), ('"', '"'), ("'", "'"), ("\u2018", "\u2019")],
    ids=["curly-double", "straight-double", "straight-single", "curly-single"],
)
def test_a_line_ending_with_a_period_inside_an_open_quotation_is_joined(opening, closing):
    raw = (
        "A spokesperson was asked about the plan.\n"
        f"{opening}We will not comment on this.\n"
        f"The talks continue,{closing} the spokesperson said.\n"
        "Trade talks resume next week."
    )

    result = normalise(raw)

    quotation = f"{opening}We will not comment on this. The talks continue,{closing}"
    assert result.paragraphs == [
        "A spokesperson was asked about the plan.",
        f"{quotation} the spokesperson said.",
        "Trade talks resume next week.",
    ]


def test_apostrophes_do_not_open_a_quotation():
    result = normalise("Reuters' request went unanswered.\nThe White House didn't respond.")

    assert result.paragraphs == [
        "Reuters' request went unanswered.",
        "The White House didn't respond.",
    ]


def test_a_quotation_reopened_on_the_next_line_starts_a_new_paragraph():
    raw = "\u201cWe will not comment on this.\n\u201cThe talks continue,\u201d she said."

    result = normalise(raw)

    assert result.paragraphs == [
        "\u201cWe will not comment on this.",
        "\u201cThe talks continue,\u201d she said.",
    ]


def test_a_subheading_between_single_newlines_stays_a_paragraph_of_its_own():
    raw = (
        "The plan was put on hold.\n"
        "Pressure from Washington\n"
        "The administration wants to protect the deal.\n"
    )

    result = normalise(raw)

    assert result.paragraphs == [
        "The plan was put on hold.",
        "Pressure from Washington",
        "The administration wants to protect the deal.",
    ]


def test_a_subheading_between_blank_lines_stays_a_paragraph_of_its_own():
    raw = "The plan was put on hold.\n\nPressure from Washington\n\nThe deal holds."

    result = normalise(raw)

    assert result.paragraphs[1] == "Pressure from Washington"


def test_a_compound_split_at_its_hyphen_is_joined_without_a_space():
    result = normalise("It threatens the US-\nChina detente.")

    assert result.paragraphs == ["It threatens the US-China detente."]


# --- Repeated lede, furniture, agency credit ------------------------------------------------------


def test_a_lede_repeated_once_on_one_line_and_once_broken_over_two_is_dropped_with_a_warning():
    lede = "Current and former US officials told The Financial Times that the plan was put on hold."
    raw = (
        f"{lede}\n\n"
        "Current and former US officials told The Financial Times that the plan\n"
        "was put on hold.\n\n"
        "The deal holds."
    )

    result = normalise(raw)

    assert result.paragraphs == [lede, "The deal holds."]
    assert result.warnings == ["Dropped a repeated copy of the opening paragraph."]


def test_a_paragraph_repeated_far_from_the_start_is_kept():
    raw = "\n\n".join(["Intro.", "One.", "Two.", "Three.", "Four.", "Intro."])

    result = normalise(raw)

    assert result.paragraphs.count("Intro.") == 2
    assert result.warnings == []


@pytest.mark.parametrize(
    "furniture",
    [
        "End of Article",
        "END OF ARTICLE",
        "Advertisement",
        "Share this article",
        "Read more: Trade deal signed in October",
    ],
)
def test_page_furniture_paragraphs_are_removed_with_a_warning(furniture):
    raw = f"The plan was put on hold.\n{furniture}\nThe deal holds.\n\n{furniture}\n"

    result = normalise(raw)

    assert result.paragraphs == ["The plan was put on hold.", "The deal holds."]
    assert result.warnings == [f'Removed page furniture "{furniture}".'] * 2


def test_furniture_words_inside_a_sentence_are_kept():
    raw = "The advertisement ran for a week.\nReaders could share this article freely."

    result = normalise(raw)

    assert result.paragraphs == [
        "The advertisement ran for a week.",
        "Readers could share this article freely.",
    ]
    assert result.warnings == []


def test_furniture_after_a_line_without_a_full_stop_is_not_joined_onto_it():
    result = normalise("Officials said the plan was on hold\nEnd of Article")

    assert result.paragraphs == ["Officials said the plan was on hold"]


def test_a_standalone_agency_credit_becomes_metadata_not_body():
    raw = "The plan was put on hold.\n/ritzau/\nThe deal holds."

    result = normalise(raw)

    assert result.agency_credit == "ritzau"
    assert result.paragraphs == ["The plan was put on hold.", "The deal holds."]


def test_slashes_inside_a_sentence_are_not_an_agency_credit():
    result = normalise("Officials and/or diplomats said 24/7 talks went on.")

    assert result.agency_credit == ""
    assert result.paragraphs == ["Officials and/or diplomats said 24/7 talks went on."]


# --- Headline ---------------------------------------------------------------------------------


def test_a_headline_like_first_paragraph_becomes_the_headline():
    result = normalise("US holds off on China sanctions\nThe plan was put on hold.")

    assert result.headline == "US holds off on China sanctions"
    assert result.paragraphs == ["The plan was put on hold."]


def test_a_first_paragraph_that_is_a_sentence_is_not_a_headline():
    result = normalise("The plan was put on hold.\nThe deal holds.")

    assert result.headline == ""
    assert result.paragraphs == ["The plan was put on hold.", "The deal holds."]


def test_the_only_paragraph_is_never_taken_as_the_headline():
    result = normalise("Pressure from Washington")

    assert result.headline == ""
    assert result.paragraphs == ["Pressure from Washington"]


# --- The reference story --------------------------------------------------------------------------


def test_article_b_repeated_lede_wrapped_lines_quote_subheading_and_end_of_article():
    result = normalise(article("article_b.txt"))

    assert result.headline == "US puts sanctions on China's spy agency on hold, FT reports"
    assert result.paragraphs == ARTICLE_B_PARAGRAPHS
    assert sorted(result.warnings) == [
        "Dropped a repeated copy of the opening paragraph.",
        'Removed page furniture "End of Article".',
    ]
    assert result.notice == ""
    assert result.agency_credit == ""


def test_article_b_with_bom_crlf_trailing_spaces_and_decomposed_accents_normalises_the_same():
    clean = article("article_b.txt")
    messy = "\ufeff" + unicodedata.normalize("NFD", clean).replace("\n", "  \r\n")

    assert normalise(messy).paragraphs == normalise(clean).paragraphs == ARTICLE_B_PARAGRAPHS


def test_article_a_keeps_the_ritzau_credit_and_moves_the_rights_notice_out_of_the_body():
    result = normalise(article("article_a.txt"))

    assert result.headline == "US holds off on sanctions against China's security ministry"
    assert result.agency_credit == "ritzau"
    assert len(result.paragraphs) == 3
    assert result.paragraphs[-1] == (
        "The Reuters news agency was not immediately able to verify the reports. The White House "
        "did not immediately respond to Reuters' request for comment."
    )
    assert result.notice.startswith("DK Medier reserves all rights to the content")
    assert result.notice.endswith("requires written consent from DK Medier.")
    assert result.notice.count("\n\n") == 3
    assert not any("DK Medier" in paragraph for paragraph in result.paragraphs)


def test_a_long_wrapped_line_before_a_capitalised_word_is_unwrapped():
    # Found by the demo import: 11 words and no closing punctuation looked like a subheading.
    text = (
        "Intro sentence here.\n\n"
        'Washington\'s China policy has shifted towards "stability" until the US reduces\n'
        "China's dominance in rare earths, the officials said.\n"
    )

    assert normalise(text).paragraphs[-1] == (
        'Washington\'s China policy has shifted towards "stability" until the US reduces '
        "China's dominance in rare earths, the officials said."
    )


def test_a_line_ending_in_a_comma_inside_closed_quotes_is_unwrapped():
    text = (
        "Intro sentence here.\n\n"
        "'The administration appears to be giving ground on export controls ...,'\n"
        "Zack Cooper, an Asia security expert at the American Enterprise Institute, told FT.\n"
    )

    assert normalise(text).paragraphs[-1].startswith("'The administration appears")
    assert normalise(text).paragraphs[-1].endswith("told FT.")


def test_a_thirteen_word_first_line_is_still_the_headline():
    text = (
        "US puts sanctions on China's spy agency on hold to protect trade deal\n\n"
        "The United States has put plans on hold, officials said.\n"
    )

    result = normalise(text)

    assert result.headline == (
        "US puts sanctions on China's spy agency on hold to protect trade deal"
    )
    assert result.paragraphs == ["The United States has put plans on hold, officials said."]
