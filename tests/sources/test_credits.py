"""Agency credits found in wire copy (sources.credits): each shape, several agencies, no guesses."""

import pytest

from sources.credits import find_credits, known_agency


def credited(text: str) -> list[tuple[str, str, str]]:
    found = find_credits(text)
    for credit in found.credits:
        assert text[credit.start : credit.end] == credit.text  # offsets point at the credit
    return [(c.agency, c.shape, c.text) for c in found.credits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "SEATTLE (AP) — A ferry ran aground near the harbour on Tuesday.",
            [("Associated Press", "dateline", "SEATTLE (AP) —")],
            id="dateline-ap",
        ),
        pytest.param(
            "OSLO, Nov 19 (Reuters) - The fjord bridge reopened on Wednesday.",
            [("Reuters", "dateline", "OSLO, Nov 19 (Reuters) -")],
            id="dateline-with-date",
        ),
        pytest.param(
            "Berlin (dpa) - Die Brücke ist wieder offen.",
            [("Deutsche Presse-Agentur", "dateline", "Berlin (dpa) -")],
            id="dateline-dpa",
        ),
        pytest.param(
            "The harbour authority closed the quay after the storm (Reuters).",
            [("Reuters", "parenthetical", "(Reuters)")],
            id="parenthetical",
        ),
        pytest.param(
            "The quay will stay closed until Friday, according to Reuters.",
            [("Reuters", "according_to", "according to Reuters")],
            id="according-to",
        ),
        pytest.param(
            "The quay stays closed, according to the AFP news agency.",
            [("Agence France-Presse", "according_to", "according to the AFP news agency")],
            id="according-to-the-news-agency",
        ),
        pytest.param(
            "Kajen forbliver lukket, ifølge Ritzau.",
            [("Ritzau", "according_to", "ifølge Ritzau")],
            id="according-to-danish",
        ),
        pytest.param(
            "The quay stays closed.\n\n/ritzau/\n\nAll rights reserved.",
            [("Ritzau", "agency_line", "/ritzau/")],
            id="ritzau-slash-line",
        ),
        pytest.param("Kaien er stengt.\n\nNTB\n", [("NTB", "agency_line", "NTB")], id="ntb-line"),
        pytest.param(
            "Kajen är stängd.\n\nTT\n", [("TT Nyhetsbyrån", "agency_line", "TT")], id="tt-line"
        ),
        pytest.param(
            "The quay is shut.\n\nAFP\n",
            [("Agence France-Presse", "agency_line", "AFP")],
            id="afp-line",
        ),
        pytest.param(
            "Die Brücke ist offen.\n\ndpa\n",
            [("Deutsche Presse-Agentur", "agency_line", "dpa")],
            id="dpa-line",
        ),
        pytest.param(
            "Kajen er lukket.\n\nRitzau/AFP\n",
            [
                ("Ritzau", "agency_line", "Ritzau/AFP"),
                ("Agence France-Presse", "agency_line", "Ritzau/AFP"),
            ],
            id="two-agencies-on-one-line",
        ),
    ],
)
def test_each_credit_shape_is_found_with_its_agency(text, expected):
    assert credited(text) == expected


def test_a_closing_line_credits_several_agencies():
    line = "Some information for this report was provided by AP, AFP and Reuters"
    text = f"The ferry was refloated at high tide.\n\n{line}.\n"

    assert credited(text) == [
        ("Associated Press", "closing_line", line),
        ("Agence France-Presse", "closing_line", line),
        ("Reuters", "closing_line", line),
    ]


def test_a_closing_line_reports_names_that_are_not_known_agencies_instead_of_guessing():
    found = find_credits(
        "The ferry was refloated.\n\n"
        "Some information for this report was provided by Reuters and The Harbour Gazette.\n"
    )

    assert [c.agency for c in found.credits] == ["Reuters"]
    assert found.unrecognised == ["The Harbour Gazette"]


def test_a_dateline_is_one_credit_not_also_a_parenthetical():
    found = find_credits("SEATTLE (AP) — The ferry ran aground (AP).")

    assert [(c.shape, c.start) for c in found.credits] == [("dateline", 0), ("parenthetical", 37)]


def test_several_shapes_in_one_text_are_kept_in_order_and_agencies_listed_once():
    text = (
        "COPENHAGEN (Reuters) - The harbour reopened, according to Ritzau.\n\n"
        "Officials said the quay was safe, according to Reuters.\n\n/ritzau/\n"
    )

    found = find_credits(text)

    assert [c.shape for c in found.credits] == [
        "dateline",
        "according_to",
        "according_to",
        "agency_line",
    ]
    assert found.agencies == ["Reuters", "Ritzau"]


@pytest.mark.parametrize(
    "text",
    [
        "Zack Cooper, an expert at the American Enterprise Institute (AEI), told FT.",
        "Officials told the Financial Times, speaking on condition of anonymity.",
        "The plan was put on hold, according to several of the sources.",
        "The Reuters news agency was not immediately able to verify the reports.",
        "Prices rose at the AP Møller terminal in Aarhus.",  # "AP" inside a name is not a credit
        "The ratio was 3/4 of a ton.",
        "She tapped the app (ap) twice.",  # codes match only as the agency writes them
    ],
)
def test_text_that_only_looks_like_a_credit_is_not_one(text):
    assert find_credits(text).credits == []


def test_known_agency_matches_names_in_any_case_and_codes_only_as_written():
    assert known_agency("ritzau").name == "Ritzau"
    assert known_agency("THE ASSOCIATED PRESS").name == "Associated Press"
    assert known_agency("AFP").name == "Agence France-Presse"
    assert known_agency("afp") is None
    assert known_agency("Financial Times") is None
