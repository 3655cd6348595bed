"""The reference story (DESIGN.md §1) as demo data, loaded through the same services users use.

Everything here is safe to run twice: rows are looked up before they are created, and the
importer never imports the same body twice for one title. Article A's Ritzau story is also
carried by a second DK Medier title: two documents, copies of one text, one origin.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from claims import recording, workflow
from claims.models import Claim, ClaimRelation, ClaimStatus, ExternalCheck, Topic
from claims.recording import ChainLink
from newsroom import roles
from sources.ingest import document_import
from sources.models import (
    Affiliation,
    AnonymousSource,
    Document,
    LicenseTerms,
    Organization,
    Person,
)

DATA = Path(__file__).resolve().parent / "demo_data"
UTC = datetime.UTC

ORGANIZATIONS = [
    # (name, kind, parent)
    ("DK Medier", Organization.Kind.PUBLISHER, None),
    ("Danish Offshore Industry", Organization.Kind.PUBLICATION, "DK Medier"),
    ("Danish Maritime Weekly", Organization.Kind.PUBLICATION, "DK Medier"),
    ("Ritzau", Organization.Kind.NEWS_AGENCY, None),
    ("Reuters", Organization.Kind.NEWS_AGENCY, None),
    ("Financial Times", Organization.Kind.PUBLICATION, None),
    ("Outlet B", Organization.Kind.PUBLISHER, None),
    ("White House", Organization.Kind.GOVERNMENT_BODY, None),
    ("American Enterprise Institute", Organization.Kind.THINK_TANK, None),
]

PEOPLE = [
    # (name, description, organization, role)
    (
        "Zack Cooper",
        "Asia security expert",
        "American Enterprise Institute",
        "Asia security expert",
    ),
    (
        "Stephen Miller",
        "Deputy White House chief of staff",
        "White House",
        "Deputy White House chief of staff",
    ),
]

ANONYMOUS_SOURCES = [
    # (description, count as written, count, reason)
    ("current and former US officials", "several", None, "speaking on condition of anonymity"),
    ("sources", "two", 2, ""),
]

OUTLET_B_NOTICE = (
    "© 2025 Outlet B. All rights reserved. Short quotations with attribution and a link to "
    "the original article are permitted."
)

DEMO_USERS = [
    # (username, group, is_superuser)
    ("editor", roles.EDITORS, False),
    ("factchecker", roles.FACT_CHECKERS, False),
    ("factchecker2", roles.FACT_CHECKERS, False),
    ("consumer", roles.API_CONSUMERS, False),
    ("admin", None, True),
]


A = "Danish Offshore Industry"  # Article A, credited /ritzau/
A2 = "Danish Maritime Weekly"  # the same Ritzau story in a second DK Medier title
A2_HEADLINE = "Washington pauses sanctions on Chinese ministry to spare trade deal"
B = "Outlet B"  # Article B, relaying the FT
OFFICIALS = ("anonymous", "current and former US officials")
TWO_SOURCES = ("anonymous", "sources")
FT = ("organization", "Financial Times")
REUTERS = ("organization", "Reuters")
RITZAU = ("organization", "Ritzau")
COOPER = ("person", "Zack Cooper")
# Chains as they reach us, origin first: (agent, role, verb).
CHAIN_A = [
    (FT, "reporter", "reported"),
    (REUTERS, "relay", ""),
    (RITZAU, "relay", ""),
    (("organization", A), "publisher", ""),
]
CHAIN_B = [(FT, "reporter", "reported"), (("organization", B), "publisher", "")]
WIRE_A = [
    (REUTERS, "reporter", "reported"),
    (RITZAU, "relay", ""),
    (("organization", A), "publisher", ""),
]


@dataclass(frozen=True)
class DemoClaim:
    key: str
    text: str
    summary: str
    topics: tuple[str, ...]
    # (article, exact quote, chain origin-first)
    appearances: tuple[tuple[str, str, list], ...]
    # the state it should end in, reached through the workflow
    status: str = ClaimStatus.UNVERIFIED


CLAIMS = [
    DemoClaim(
        "sanctions",
        "The United States has put plans to sanction China's Ministry of State Security on hold "
        "to avoid derailing the trade deal the two countries signed in October.",
        "US put sanctions on China's Ministry of State Security on hold",
        ("US-China relations", "sanctions"),
        (
            (
                A,
                "The United States has put plans to sanction China's Ministry of State Security "
                "on hold to avoid derailing a trade deal the two countries signed in October",
                [(OFFICIALS, "origin", "told"), *CHAIN_A],
            ),
            (
                B,
                "the plan to impose sanctions was 'put on hold' to avoid undermining the "
                "US-China détente",
                [(OFFICIALS, "origin", "told"), *CHAIN_B],
            ),
        ),
        ClaimStatus.IN_REVIEW,
    ),
    DemoClaim(
        "salt-typhoon",
        "China's Ministry of State Security has been linked to the Salt Typhoon hacking "
        "campaign, which targeted US telecoms companies and a US state's National Guard.",
        "MSS linked to Salt Typhoon hacks of US telecoms and a National Guard",
        ("cyber security",),
        (
            (
                A,
                "The ministry has been linked to the Salt Typhoon hacking campaign, which "
                "targeted US telecommunications companies and the National Guard of a US state",
                WIRE_A,
            ),
            (
                # The same Ritzau story in a second DK Medier title, whose desk recorded Ritzau
                # as the reporter: still one origin, because the documents are copies of one text.
                A2,
                "The ministry has been linked to the Salt Typhoon hacking campaign, which "
                "targeted US telecommunications companies and the National Guard of a US state",
                [(RITZAU, "reporter", "reported"), (("organization", A2), "publisher", "")],
            ),
        ),
    ),
    DemoClaim(
        "no-export-controls",
        "The Trump administration will not implement any new major export controls on China.",
        "No new major US export controls on China (Article A)",
        ("US-China relations", "export controls"),
        (
            (
                A,
                "US President Donald Trump's administration will not implement any new major "
                "export controls with China",
                [(OFFICIALS, "origin", "according to"), *CHAIN_A],
            ),
        ),
    ),
    DemoClaim(
        "new-export-controls",
        "The Trump administration is planning to enact major new export controls against China.",
        "US planning major new export controls on China (Article B)",
        ("US-China relations", "export controls"),
        (
            (
                B,
                "US President Donald Trump's administration is also planning to enact major new "
                "export controls against China",
                CHAIN_B,
            ),
        ),
        ClaimStatus.DISPUTED,
    ),
    DemoClaim(
        "stability",
        'US policy towards China has shifted to "stability" until the US reduces China\'s '
        "dominance in rare earths.",
        'US China policy shifted to "stability" until rare earth reliance eases',
        ("US-China relations", "rare earths"),
        (
            (
                B,
                'Washington\'s China policy has shifted towards "stability" until the US reduces '
                "China's dominance in rare earths",
                [(OFFICIALS, "origin", "said"), *CHAIN_B],
            ),
        ),
    ),
    DemoClaim(
        "april-visit",
        "President Trump is due to visit Beijing in April.",
        "Trump to visit Beijing in April",
        ("US-China relations",),
        ((B, "Trump is due to visit Beijing in April", [(OFFICIALS, "origin", "said"), *CHAIN_B]),),
    ),
    DemoClaim(
        "cooper",
        "Zack Cooper of the American Enterprise Institute said the administration appears to be "
        "giving ground on export controls.",
        "Zack Cooper (AEI): US appears to be giving ground on export controls",
        ("export controls",),
        (
            (
                B,
                "The administration appears to be giving ground on export controls",
                [(COOPER, "origin", "told"), *CHAIN_B],
            ),
        ),
        ClaimStatus.VERIFIED,
    ),
    DemoClaim(
        "miller",
        "Stephen Miller, deputy White House chief of staff, has been tasked with ensuring that "
        "departments do not take actions that could threaten the détente with China.",
        "Stephen Miller tasked with protecting the US-China détente",
        ("US-China relations",),
        (
            (
                B,
                "tasking Stephen Miller, deputy White House chief of staff, with ensuring that "
                "departments do not take actions that could threaten the détente",
                [(TWO_SOURCES, "origin", "told"), *CHAIN_B],
            ),
        ),
    ),
    DemoClaim(
        "framework-deal",
        "Under the framework deal of October 30, the US did not impose a 100 percent tariff on "
        "Chinese goods and China postponed its rare earth export restrictions for a year.",
        "Oct 30 deal: no 100% tariff; China's rare earth curbs postponed a year",
        ("US-China relations", "trade", "rare earths"),
        (
            (
                A,
                "Under the framework deal reached on October 30, the United States did not "
                "impose a 100 percent tariff on Chinese goods, and China postponed its rare "
                "earth export restrictions for a year",
                WIRE_A,
            ),
        ),
        ClaimStatus.VERIFIED,
    ),
]

EXTERNAL_CHECKS = [
    # (claim key, organization, outcome, article, excerpt)
    (
        "sanctions",
        "Reuters",
        ExternalCheck.Outcome.COULD_NOT_VERIFY,
        A,
        "The Reuters news agency was not immediately able to verify the reports",
    ),
    (
        "sanctions",
        "White House",
        ExternalCheck.Outcome.NO_RESPONSE,
        A,
        "The White House did not immediately respond to Reuters' request for comment",
    ),
]

RELATIONS = [
    (
        "no-export-controls",
        "new-export-controls",
        ClaimRelation.Kind.CONTRADICTS,
        "Article A says no new major export controls; Article B says major new export controls "
        "are planned. Both attribute the FT.",
    ),
]


@dataclass
class DemoResult:
    documents: list[Document] = field(default_factory=list)
    users: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, password)
    warnings: list[str] = field(default_factory=list)


def organization(name: str) -> Organization:
    return Organization.objects.get(name=name)


def load_sources() -> None:
    """Create the story's organizations, people and anonymous sources (idempotent)."""
    for name, kind, parent in ORGANIZATIONS:
        org, _ = Organization.objects.get_or_create(name=name, defaults={"kind": kind})
        if parent and org.parent_id is None:
            org.parent = organization(parent)
            org.save(update_fields=["parent"])
    for name, description, org_name, role in PEOPLE:
        person, _ = Person.objects.get_or_create(name=name, defaults={"description": description})
        Affiliation.objects.get_or_create(
            person=person, organization=organization(org_name), defaults={"role": role}
        )
    for description, count_text, count, reason in ANONYMOUS_SOURCES:
        AnonymousSource.objects.get_or_create(
            description=description,
            count_text=count_text,
            defaults={"count": count, "anonymity_reason": reason},
        )
    LicenseTerms.objects.get_or_create(
        notice=OUTLET_B_NOTICE,
        defaults={
            "holder": organization("Outlet B"),
            "sharing_scope": LicenseTerms.SharingScope.PUBLIC,
            "permitted_uses": "Short quotations with attribution and a link.",
            "max_external_quote_chars": 300,
            "sharing_clause": "Short quotations with attribution and a link to the original "
            "article are permitted.",
        },
    )


def load_documents(result: DemoResult) -> None:
    """Import both articles through the importer, as an editor would."""
    article_a = document_import(
        raw=(DATA / "article_a.txt").read_bytes(),
        publisher="DK Medier",
        publication="Danish Offshore Industry",
        published_at=datetime.datetime(2025, 11, 19, 10, 12, tzinfo=UTC),
        language="en",
        obtained_via=Document.ObtainedVia.DEMO,
        is_excerpt=True,
    )
    # A second DK Medier title carries the same Ritzau story under its own headline and notice.
    article_a_text = (DATA / "article_a.txt").read_text(encoding="utf-8")
    _headline, rest = article_a_text.split("\n", 1)
    article_a2 = document_import(
        raw=A2_HEADLINE + "\n" + rest.replace(A, A2),
        publisher="DK Medier",
        publication=A2,
        published_at=datetime.datetime(2025, 11, 19, 11, 5, tzinfo=UTC),
        language="en",
        obtained_via=Document.ObtainedVia.DEMO,
        is_excerpt=True,
    )
    article_b = document_import(
        raw=(DATA / "article_b.txt").read_bytes(),
        publisher="Outlet B",
        published_at=datetime.datetime(2025, 11, 19, 14, 40, tzinfo=UTC),
        language="en",
        obtained_via=Document.ObtainedVia.DEMO,
        is_excerpt=True,
    )
    document_b = article_b.document
    if document_b.license_id is None:
        document_b.license = LicenseTerms.objects.get(holder__name="Outlet B")
        document_b.save(update_fields=["license"])
    for imported in (article_a, article_a2, article_b):
        result.documents.append(imported.document)
        result.warnings.extend(imported.warnings)


def load_users(result: DemoResult) -> None:
    """Create (or reset) the demo users with fresh generated passwords."""
    User = get_user_model()
    for username, group_name, is_superuser in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = group_name in (roles.EDITORS, roles.FACT_CHECKERS) or is_superuser
        user.is_superuser = is_superuser
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        if group_name:
            user.groups.set([Group.objects.get(name=group_name)])
        result.users.append((username, group_name or "superuser", password))


def story_actors(with_users: bool):
    """Return the (editor, fact-checker, second fact-checker) who record and review the story.

    With demo users these are `editor`, `factchecker` and `factchecker2`; otherwise accounts
    that cannot log in (unusable passwords), so the story is still told through the workflow.
    """
    User = get_user_model()
    names = (
        ("editor", "factchecker", "factchecker2")
        if with_users
        else ("demo-editor", "demo-factchecker", "demo-factchecker2")
    )
    groups = (roles.EDITORS, roles.FACT_CHECKERS, roles.FACT_CHECKERS)
    actors = []
    for name, group in zip(names, groups, strict=True):
        user, created = User.objects.get_or_create(username=name, defaults={"is_staff": True})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=group))
        actors.append(User.objects.get(pk=user.pk))  # fresh, without a stale permission cache
    return actors


def _agent(ref):
    kind, name = ref
    if kind == "organization":
        return organization(name)
    if kind == "person":
        return Person.objects.get(name=name)
    return AnonymousSource.objects.filter(description=name).order_by("pk").first()


def load_claims(*, documents: dict[str, Document], with_users: bool) -> None:
    """Record the story's claims, appearances, chains, checks and relations, then review them."""
    editor, checker, checker2 = story_actors(with_users)
    claims: dict[str, Claim] = {}
    new: set[str] = set()
    for spec in CLAIMS:
        claim = Claim.objects.filter(text=spec.text).first()
        if claim is None:
            new.add(spec.key)
            topics = [
                Topic.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
                for name in spec.topics
            ]
            claim = recording.claim_create(
                text=spec.text, summary=spec.summary, topics=topics, user=editor
            )
            for article, exact, chain in spec.appearances:
                appearance = recording.appearance_create(
                    claim=claim, document=documents[article], exact=exact, user=editor
                )
                recording.chain_set(
                    appearance=appearance,
                    links=[ChainLink(role, _agent(agent), verb) for agent, role, verb in chain],
                )
        claims[spec.key] = claim
    for key, org_name, outcome, article, excerpt in EXTERNAL_CHECKS:
        if key in new:
            recording.external_check_record(
                claim=claims[key],
                organization=organization(org_name),
                outcome=outcome,
                document=documents[article],
                exact=excerpt,
                checked_at=documents[article].published_at,
                user=checker,
            )
    for a, b, kind, reason in RELATIONS:
        if a in new or b in new:
            recording.relation_record(
                from_claim=claims[a], to_claim=claims[b], kind=kind, reason=reason, user=checker
            )
    for spec in CLAIMS:
        if spec.key in new:
            _review(claims[spec.key], spec.status, documents, editor, checker, checker2)


def _review(claim, status, documents, editor, checker, checker2) -> None:
    """Walk a claim to its demo state through the workflow, as the newsroom would."""
    if status == ClaimStatus.UNVERIFIED:
        return
    claim.refresh_from_db()  # recording its provenance moved the version on
    claim = workflow.claim_transition(
        claim=claim,
        to=ClaimStatus.IN_REVIEW,
        actor=editor,
        expected_version=claim.version,
        assignee=checker,
        # Due three days from the day the demo is loaded, so its queue is not all overdue.
        due_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    if status == ClaimStatus.IN_REVIEW:
        return
    evidence, rationale = {
        ClaimStatus.VERIFIED: (
            [
                workflow.Evidence(
                    document_id=claim.appearances.first().document_id,
                    note="The quoted passage says exactly this.",
                )
            ],
            "Checked against the published article: the claim matches what was said and by "
            "whom. For a statement of opinion, verified means verified as said.",
        ),
        ClaimStatus.DISPUTED: (
            [],
            "Contradicted by Article A, which reports from the same FT story that no new major "
            "export controls are planned. Neither account is independently confirmed.",
        ),
    }[status]
    workflow.claim_transition(
        claim=claim,
        to=status,
        actor=checker2 if claim.created_by_id == checker.pk else checker,
        expected_version=claim.version,
        rationale=rationale,
        evidence=evidence,
    )


@transaction.atomic
def load_demo(*, with_users: bool) -> DemoResult:
    """Load the reference story; create demo users only when asked and DEBUG is on."""
    if with_users and not settings.DEBUG:
        raise ValueError("Demo users are created only with DEBUG on.")
    result = DemoResult()
    load_sources()
    load_documents(result)
    if with_users:
        load_users(result)
    documents = {
        A: Document.objects.get(publication__name=A),
        A2: Document.objects.get(publication__name=A2),
        B: Document.objects.get(publisher__name=B),
    }
    load_claims(documents=documents, with_users=with_users)
    load_story(with_users=with_users)
    return result


# --- The newsroom's own story on the reference case (issue 12) --------------------------------

STORY_SLUG = "us-shelves-sanctions-on-chinas-spy-agency"
STORY_HEADLINE = "US shelves sanctions on China's spy agency, officials say"
STORY_STANDFIRST = (
    "Washington has paused plans to sanction China's Ministry of State Security to protect "
    "the trade truce, according to officials who spoke to the Financial Times."
)
STORY_BODY = (
    "The United States has put plans to sanction China's Ministry of State Security on hold "
    "to protect the trade deal the two countries signed in October, current and former US "
    "officials told the Financial Times, speaking on condition of anonymity. Reuters said it "
    "could not immediately verify the report.\n\n"
    "Under the framework deal of October 30, the United States did not impose a 100 percent "
    "tariff on Chinese goods, and China postponed its rare earth export restrictions for a "
    "year.\n\n"
    "One outlet relaying the same Financial Times report wrote that the administration is "
    "planning major new export controls against China. Another account of that report says the "
    "opposite, and the claim remains disputed."
)
# (claim key in CLAIMS, use, passage of STORY_BODY)
STORY_CITATIONS = [
    (
        "sanctions",
        "attributes",
        "put plans to sanction China's Ministry of State Security on hold",
    ),
    (
        "framework-deal",
        "asserts",
        "the United States did not impose a 100 percent tariff on Chinese goods",
    ),
    (
        "new-export-controls",
        "refutes",
        "the administration is planning major new export controls against China",
    ),
]
SANCTIONS_OVERRIDE = (
    'Reported as attributed ("officials say"), not as fact: the FT\'s anonymous officials, '
    "relayed by Reuters, which could not verify it. The fact-check is still open; a conclusion "
    "that does not support the attribution will flag this story for correction."
)


def load_story(*, with_users: bool) -> None:
    """Write, cite and publish the newsroom's story through the stories services (idempotent).

    A reporter writes it and the editor publishes it (four-eyes). The sanctions claim is
    still in review, so the guard refuses the attribution and the editor publishes past it
    with a recorded override reason: the guard and the log are real, and a fact-checker's
    conclusion of that claim then shows the correction flow (false or disputed flags it).
    """
    from newsroom.stories.models import Story, StoryStatus
    from newsroom.stories.services import citation_create, story_create
    from newsroom.stories.workflow import story_transition

    if Story.objects.filter(slug=STORY_SLUG).exists():
        return
    editor, _, _ = story_actors(with_users)
    reporter, created = get_user_model().objects.get_or_create(
        username="demo-reporter",
        defaults={"is_staff": True, "first_name": "Demo", "last_name": "Reporter"},
    )
    if created:
        reporter.set_unusable_password()
        reporter.save(update_fields=["password"])
    reporter.groups.add(Group.objects.get(name=roles.EDITORS))
    reporter = get_user_model().objects.get(pk=reporter.pk)  # without a stale permission cache
    claims = {spec.key: Claim.objects.get(text=spec.text) for spec in CLAIMS}
    story = story_create(
        headline=STORY_HEADLINE,
        slug=STORY_SLUG,
        standfirst=STORY_STANDFIRST,
        body=STORY_BODY,
        language="en",
        bylines=[reporter],
        topics=list(Topic.objects.filter(name__in=["US-China relations", "sanctions"])),
        actor=reporter,
    )
    for key, use, passage in STORY_CITATIONS:
        citation_create(story=story, claim=claims[key], use=use, exact=passage, actor=reporter)
    story.refresh_from_db()
    story = story_transition(
        story=story,
        to_status=StoryStatus.IN_REVIEW,
        actor=reporter,
        expected_version=story.version,
    )
    story_transition(
        story=story,
        to_status=StoryStatus.PUBLISHED,
        actor=editor,
        expected_version=story.version,
        override_reason=SANCTIONS_OVERRIDE,
    )
