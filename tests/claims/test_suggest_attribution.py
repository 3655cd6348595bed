"""The suggester keeps the whole attribution, proposes every attributed paragraph, and takes
the attributed sentence (not its paragraph) as the quote; on real-shaped news copy."""

from pathlib import Path

import pytest

from claims.models import Attribution
from claims.suggest import AgentKind, _read, suggest, suggestion_accept
from sources.models import AnonymousSource, OrganizationAlias
from sources.text import normalise
from tests.claims.factories import ClaimFactory
from tests.factories import DocumentFactory, LicenseTermsFactory, OrganizationFactory

DEMO = Path(__file__).resolve().parents[2] / "newsroom" / "demo_data"


def proposals(body):
    appearances, _ = _read(body)
    return appearances


def only(body):
    (proposal,) = proposals(body)
    return proposal


def who(agent):
    return None if agent is None else (agent.kind, agent.text)


# --- The whole attribution ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, speakers",
    [
        (
            "According to the Financial Times, several people familiar with the matter said the "
            "plan to sanction the ministry was shelved.",
            "several people familiar with the matter",
        ),
        (
            "The plan to sanction the ministry was shelved to protect the truce, several people "
            "said, according to the Financial Times.",
            "several people",
        ),
        (
            "The plan to sanction the ministry was shelved, according to the Financial Times, "
            "citing several people briefed on the talks.",
            "several people briefed on the talks",
        ),
    ],
)
def test_several_people_according_to_the_ft_keeps_the_people_and_the_ft(sentence, speakers):
    chain = only(sentence).chain

    assert who(chain.origin) == (AgentKind.ANONYMOUS, speakers)
    assert chain.origin.count_text == "several"
    assert (chain.reporter.kind, chain.reporter.name) == (AgentKind.ORGANIZATION, "Financial Times")


def test_people_cited_by_an_outlet_are_the_origin_and_the_outlet_its_reporter():
    chain = only("The truce holds, according to two officials cited by the FT.").chain

    assert who(chain.origin) == (AgentKind.ANONYMOUS, "two officials")
    assert chain.reporter.name == "FT"


def test_an_outlet_that_reported_citing_sources_keeps_both():
    chain = only(
        "The review is paused, the Financial Times reported, citing two people briefed on it."
    ).chain

    assert who(chain.origin) == (AgentKind.ANONYMOUS, "two people briefed on it")
    assert chain.reporter.name == "Financial Times"


def test_according_to_an_outlet_alone_is_still_the_outlet():
    chain = only("According to the Financial Times, the plan is on hold.").chain

    assert who(chain.origin) == (AgentKind.ORGANIZATION, "the Financial Times")
    assert chain.reporter is None


# --- Every attributed paragraph ----------------------------------------------------------------


def test_every_attributed_paragraph_of_article_b_is_proposed_each_once():
    body = "\n\n".join(normalise((DEMO / "article_b.txt").read_text()).paragraphs)

    found = proposals(body)

    attributed = [
        p
        for p in body.split("\n\n")
        if any(v in p for v in (" told ", " said", " reported", "according to"))
    ]
    assert len(attributed) == 6
    for paragraph in attributed:
        assert [p for p in found if p.exact in paragraph], paragraph
    assert [p.chain.verb for p in found] == ["told", "said", "said", "reported", "told", "told"]


def test_other_speech_verbs_and_an_adverb_before_them_are_read():
    body = (
        "Current and former US officials told the Financial Times that the plan is on hold.\n\n"
        "The officials also noted that the talks would resume in April.\n\n"
        "A Treasury spokesperson warned that the pause could end."
    )

    told, noted, warned = proposals(body)

    assert (noted.chain.verb, who(noted.chain.origin)) == (
        "noted",
        (AgentKind.ANONYMOUS, "The officials"),
    )
    # "The officials" are those an earlier sentence said told the FT.
    assert noted.chain.reporter == told.chain.reporter and noted.chain.reporter_inferred
    assert (warned.chain.verb, who(warned.chain.origin)) == (
        "warned",
        (AgentKind.ANONYMOUS, "A Treasury spokesperson"),
    )


def test_a_passive_was_noted_is_not_an_attribution():
    assert proposals("The pause was noted in Beijing. It has stated aims.") == []


# --- The sentence, not the paragraph -----------------------------------------------------------


def test_the_quote_is_the_attributed_sentence_of_its_paragraph():
    body = "The deal is paused. It was agreed in October, officials said. Talks go on."

    proposal = only(body)

    assert proposal.exact == "It was agreed in October, officials said."
    assert body[proposal.start : proposal.end] == proposal.exact


@pytest.mark.django_db
def test_accepting_records_the_sentence_anchored_and_the_whole_chain(editor):
    ft = OrganizationFactory(name="Financial Times")
    OrganizationAlias.objects.create(organization=ft, name="FT")
    body = (
        "Washington has paused the plan. It was shelved to protect the truce, several people "
        "said, according to the FT. Talks continue."
    )
    document = DocumentFactory(body=body, license=LicenseTermsFactory())
    (proposal,) = suggest(document=document).appearances

    appearance = suggestion_accept(
        document=document, proposal=proposal, claim=ClaimFactory(), user=editor
    )

    sentence = "It was shelved to protect the truce, several people said, according to the FT."
    assert (appearance.exact, appearance.start) == (sentence, body.index(sentence))
    assert appearance.matches_body()
    roles = [(link.role, link.agent) for link in appearance.chain.order_by("position")]
    people = AnonymousSource.objects.get(description="people")
    assert (people.count_text, roles[0]) == ("several", (Attribution.Role.ORIGIN, people))
    assert roles[1] == (Attribution.Role.REPORTER, ft)
    assert roles[-1][0] == Attribution.Role.PUBLISHER
