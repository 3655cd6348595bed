"""A claim's provenance as W3C PROV (PROV-JSON): entities, activities and agents.

Built with the `prov` reference implementation over a claim loaded `with_provenance()`. Quoted
text goes in only as the response's `Disclosure` (sources.licensing) lets its audience receive
it; outside consumers see the role a staff member acted in, never a username; nothing reads
an anonymous source's confidential identity.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable

from django.conf import settings
from django.urls import reverse
from prov.constants import XSD_INTEGER
from prov.identifier import Identifier, QualifiedName
from prov.model import PROV, PROV_LABEL, PROV_ROLE, PROV_TYPE, PROV_VALUE, Literal, ProvDocument

from claims.claimreview import NEWS_KINDS, day_of
from claims.disclosure import (
    check_key,
    disclosure_for,
    evidence_for,
    quote_key,
    rationale_for,
)
from claims.models import Appearance, Attribution, Claim
from sources import agents, licensing
from sources.licensing import Audience
from sources.models import AnonymousSource, Document, Organization, Person
from sources.odrl import odrl_url

BuildUrl = Callable[[str], str]


def provenance_path(claim: Claim) -> str:
    return reverse("api:claim-provenance", args=[claim.pk])


def provenance_json(
    claim: Claim,
    *,
    build_url: BuildUrl,
    audience: Audience | None = None,
    disclosure: licensing.Disclosure | None = None,
) -> dict:
    """Return the claim's provenance as a PROV-JSON object (see `provenance_document`)."""
    document = provenance_document(
        claim, build_url=build_url, audience=audience, disclosure=disclosure
    )
    return json.loads(document.serialize(format="json"))


def provenance_document(
    claim: Claim,
    *,
    build_url: BuildUrl,
    audience: Audience | None = None,
    disclosure: licensing.Disclosure | None = None,
) -> ProvDocument:
    """Build the claim's provenance graph: documents, quotes, chains, agents and verification.

    Give the response's `disclosure` (`claims.disclosure.disclosure_for`), or an `audience` to
    build one here. For an outside audience staff act as their role ("fact-checker"), never as
    a username, and quoted text goes in only as far as the disclosure lets it out.
    Precondition: the claim is loaded `with_provenance()`.
    """
    if disclosure is None:
        if audience is None:
            raise TypeError("provenance_document() needs an audience or a disclosure")
        disclosure = disclosure_for([claim], audience)
    builder = _ProvBuilder(build_url=build_url, disclosure=disclosure)
    builder.add_claim(claim)
    return builder.document


class _ProvBuilder:
    """Adds each record once, however many appearances, chains or events mention it."""

    def __init__(self, *, build_url: BuildUrl, disclosure: licensing.Disclosure) -> None:
        self.build_url = build_url
        self.disclosure = disclosure
        self.staff = disclosure.audience == Audience.STAFF
        self.document = ProvDocument()
        # Instances live under the API root; the terms this export defines under /ns/.
        self.nr = self.document.add_namespace("nr", build_url("/api/v1/"))
        self.nrv = self.document.add_namespace("nrv", build_url("/ns/provenance#"))
        self.schema = self.document.add_namespace("schema", "https://schema.org/")
        self._declared: set[QualifiedName] = set()
        self._relations: set[tuple] = set()

    def _released(self, key: tuple, text: str) -> str | None:
        """The text if the response's disclosure lets it out."""
        if not text or not self.disclosure.excerpt(key):
            return None
        return text

    # records ----------------------------------------------------------------------------------

    def _once(self, identifier: QualifiedName) -> bool:
        """Return True the first time an identifier is declared."""
        if identifier in self._declared:
            return False
        self._declared.add(identifier)
        return True

    def _relation(self, key: tuple) -> bool:
        """Return True the first time a relation is added."""
        if key in self._relations:
            return False
        self._relations.add(key)
        return True

    @staticmethod
    def _attributes(pairs: Iterable[tuple]) -> list[tuple]:
        return [(name, value) for name, value in pairs if value not in (None, "")]

    # the claim --------------------------------------------------------------------------------

    def add_claim(self, claim: Claim) -> None:
        claim_id = self.nr[f"claims/{claim.pk}"]
        self._once(claim_id)
        self.document.entity(
            claim_id,
            self._attributes(
                [
                    (PROV_TYPE, self.nrv["Claim"]),
                    (PROV_LABEL, str(claim)),
                    (self.schema["text"], claim.text),
                    (self.nrv["status"], claim.status),
                    (self.schema["url"], Identifier(self.build_url(provenance_path(claim)))),
                ]
            ),
        )
        for appearance in claim.appearances.all():
            quote = self.add_appearance(claim, appearance)
            if self._relation(("derived", claim_id, quote)):
                self.document.wasDerivedFrom(claim_id, quote)
        for check in claim.external_checks.all():
            self.add_external_check(claim_id, check)
        for event in claim.events.all():
            self.add_event(claim, claim_id, event)

    def add_appearance(self, claim: Claim, appearance: Appearance) -> QualifiedName:
        """Add the quote, its document and its chain; return the quote's identifier."""
        document_id = self.add_document(appearance.document)
        quote = self.nr[f"appearances/{appearance.pk}"]
        self._once(quote)
        self.document.entity(
            quote,
            self._attributes(
                [
                    (PROV_TYPE, self.nrv["Quote"]),
                    (PROV_VALUE, self._released(quote_key(appearance), appearance.exact)),
                    (self.nrv["start"], _integer(appearance.start)),
                    (self.nrv["end"], _integer(appearance.end)),
                    (self.nrv["anchorState"], appearance.anchor_state),
                ]
            ),
        )
        # The newsroom quotes the passage from the document.
        self.document.quotation(quote, document_id)

        chain = list(appearance.chain.all())
        day = day_of(appearance.document)
        origin = next((link for link in chain if link.role == Attribution.Role.ORIGIN), None)
        if origin is not None:
            self.document.wasAttributedTo(
                quote,
                self.add_agent(origin.agent, on=day),
                other_attributes=self._attributes([(self.nrv["verb"], origin.verb)]),
            )
        # Each reporter or relay passed on a report of its own: the document quotes the last
        # of them, each report quotes the one before it, the first report is the reporter's.
        upstream = None
        for link in chain:
            if link.role not in (Attribution.Role.REPORTER, Attribution.Role.RELAY):
                continue
            report = self.add_report(claim, link, on=day)
            if upstream is not None and upstream != report:
                self._quotation(report, upstream)
            upstream = report
        if upstream is not None:
            self._quotation(document_id, upstream)
        for link in chain:
            if link.role == Attribution.Role.PUBLISHER:
                self._attribute(document_id, self.add_agent(link.agent, on=day), link)
        return quote

    def _quotation(self, generated: QualifiedName, used: QualifiedName) -> None:
        if self._relation(("quotation", generated, used)):
            self.document.quotation(generated, used)

    def _attribute(self, entity: QualifiedName, agent: QualifiedName, link=None) -> None:
        if not self._relation(("attributed", entity, agent)):
            return
        attributes = []
        if link is not None:
            attributes = [(PROV_ROLE, link.role), (self.nrv["verb"], link.verb)]
        self.document.wasAttributedTo(entity, agent, other_attributes=self._attributes(attributes))

    def add_report(self, claim: Claim, link: Attribution, *, on: datetime.date) -> QualifiedName:
        """Add the report an agent passed on; one per agent and claim, whichever chain."""
        kind, pk = link.agent_key
        report = self.nr[f"claims/{claim.pk}/reports/{kind}-{pk}"]
        agent = self.add_agent(link.agent, on=on)
        if self._once(report):
            self.document.entity(
                report,
                [(PROV_TYPE, self.nrv["Report"]), (PROV_LABEL, f"{link.agent}'s report")],
            )
        self._attribute(report, agent, link)
        return report

    def add_document(self, document: Document) -> QualifiedName:
        document_id = self.nr[f"documents/{document.pk}"]
        if not self._once(document_id):
            return document_id
        terms = document.license
        kind = "NewsArticle" if document.publisher.kind in NEWS_KINDS else "CreativeWork"
        self.document.entity(
            document_id,
            self._attributes(
                [
                    (PROV_TYPE, self.schema[kind]),
                    (PROV_LABEL, str(document)),
                    (self.schema["headline"], document.headline),
                    (self.schema["url"], Identifier(document.url) if document.url else None),
                    (self.schema["datePublished"], document.published_at),
                    (self.schema["inLanguage"], document.language),
                    (self.nrv["agencyCredit"], document.agency_credit),
                    (
                        self.schema["license"],
                        Identifier(odrl_url(terms, build_url=self.build_url)) if terms else None,
                    ),
                    (self.nrv["tdmReserved"], terms.tdm_reserved if terms else None),
                ]
            ),
        )
        day = day_of(document)
        publisher = self.add_agent(document.publisher, on=day)
        title = document.publication
        if title is not None and title.pk != document.publisher_id:
            title_id = self.add_agent(title, on=day)
            self._attribute(document_id, title_id)
            if self._relation(("behalf", title_id, publisher)):
                self.document.actedOnBehalfOf(title_id, publisher)
        else:
            self._attribute(document_id, publisher)
        return document_id

    # agents -----------------------------------------------------------------------------------

    def add_agent(self, agent, *, on: datetime.date) -> QualifiedName:
        if isinstance(agent, Person):
            return self.add_person(agent, on=on)
        if isinstance(agent, Organization):
            return self.add_organization(agent)
        return self.add_anonymous(agent)

    def add_person(self, person: Person, *, on: datetime.date) -> QualifiedName:
        person_id = self.nr[f"people/{person.pk}"]
        affiliations = agents.affiliations_on(person, on)
        if self._once(person_id):
            self.document.agent(
                person_id,
                self._attributes(
                    [
                        (PROV_TYPE, PROV["Person"]),
                        (self.schema["name"], person.name),
                        (self.schema["description"], person.description),
                    ]
                ),
            )
        # Someone quoted in a role speaks for the organization they hold it at.
        for affiliation in affiliations:
            organization = self.add_organization(affiliation.organization)
            if self._relation(("behalf", person_id, organization)):
                self.document.actedOnBehalfOf(
                    person_id,
                    organization,
                    other_attributes=self._attributes([(PROV_ROLE, affiliation.role)]),
                )
        return person_id

    def add_organization(self, organization: Organization) -> QualifiedName:
        organization_id = self.nr[f"organizations/{organization.pk}"]
        if self._once(organization_id):
            self.document.agent(
                organization_id,
                self._attributes(
                    [
                        (PROV_TYPE, PROV["Organization"]),
                        (self.schema["name"], organization.name),
                        (
                            self.schema["url"],
                            Identifier(organization.url) if organization.url else None,
                        ),
                        (self.nrv["kind"], organization.kind),
                    ]
                ),
            )
        return organization_id

    def add_anonymous(self, source: AnonymousSource) -> QualifiedName:
        """Add an unnamed source as described, with its count; never its identity."""
        source_id = self.nr[f"anonymous-sources/{source.pk}"]
        if self._once(source_id):
            self.document.agent(
                source_id,
                self._attributes(
                    [
                        (PROV_TYPE, self.nrv["AnonymousSource"]),
                        (PROV_LABEL, str(source)),
                        (self.nrv["description"], source.description),
                        (self.nrv["countAsWritten"], source.count_text),
                        (self.nrv["count"], _integer(source.count)),
                        (self.nrv["anonymityReason"], source.anonymity_reason),
                    ]
                ),
            )
        return source_id

    def add_newsroom(self) -> QualifiedName:
        newsroom = self.nr["newsroom"]
        if self._once(newsroom):
            self.document.agent(
                newsroom,
                [
                    (PROV_TYPE, PROV["Organization"]),
                    (self.schema["name"], settings.NEWSROOM_NAME),
                    (self.schema["url"], Identifier(self.build_url("/"))),
                ],
            )
        return newsroom

    def add_staff_member(self, user) -> QualifiedName:
        """Add a newsroom user by username: for staff exports only."""
        user_id = self.nr[f"users/{user.pk}"]
        if self._once(user_id):
            self.document.agent(
                user_id, [(PROV_TYPE, PROV["Person"]), (self.nrv["username"], user.get_username())]
            )
            self.document.actedOnBehalfOf(user_id, self.add_newsroom())
        return user_id

    # verification -----------------------------------------------------------------------------

    def add_external_check(self, claim_id: QualifiedName, check) -> QualifiedName:
        """Add a third party's reported verification attempt, as an activity of its own."""
        check_id = self.nr[f"external-checks/{check.pk}"]
        self._once(check_id)
        reported_in = self.add_document(check.document) if check.document_id else None
        self.document.activity(
            check_id,
            check.checked_at,
            None,
            self._attributes(
                [
                    (PROV_TYPE, self.nrv["ExternalCheck"]),
                    (PROV_LABEL, f"{check.organization}: {check.get_outcome_display()}"),
                    (self.nrv["outcome"], check.outcome),
                    (self.nrv["reportedIn"], reported_in),
                    (self.nrv["excerpt"], self._released(check_key(check), check.exact)),
                ]
            ),
        )
        self.document.wasAssociatedWith(check_id, self.add_organization(check.organization))
        self.document.used(check_id, claim_id)
        return check_id

    def add_event(self, claim: Claim, claim_id: QualifiedName, event) -> None:
        """Add one verification step: it used the claim as it was and generated it as it is."""
        event_id = self.nr[f"verification-events/{event.pk}"]
        self._once(event_id)
        evidence_urls = [
            (self.nrv["evidenceUrl"], Identifier(item["url"]))
            for item in event.evidence
            if item.get("kind") == "url" and item.get("url")
        ]
        self.document.activity(
            event_id,
            event.created_at,
            event.created_at,
            self._attributes(
                [
                    (PROV_TYPE, self.nrv["VerificationStep"]),
                    (PROV_LABEL, f"{event.from_status} → {event.to_status}"),
                    (self.nrv["fromStatus"], event.from_status),
                    (self.nrv["toStatus"], event.to_status),
                    (self.nrv["rationale"], rationale_for(event, self.disclosure.audience)),
                    *evidence_urls,
                ]
            ),
        )
        before = self._claim_version(claim, claim_id, event.version - 1, event.from_status)
        after = self._claim_version(claim, claim_id, event.version, event.to_status)
        self.document.used(event_id, before)
        self.document.wasGeneratedBy(after, event_id, event.created_at)
        # Outside consumers see the role the person acted in, never who it was.
        if self.staff:
            actor = self.add_staff_member(event.actor)
        else:
            actor = self.add_newsroom()
        self.document.wasAssociatedWith(
            event_id, actor, other_attributes=[(PROV_ROLE, event.actor_role)]
        )
        for item in evidence_for(event, self.disclosure):
            if item.get("kind") == "document" and item.get("document"):
                evidence = self.nr[f"documents/{item['document']}"]
                if self._once(evidence):
                    label = self._attributes([(PROV_LABEL, item.get("label"))])
                    self.document.entity(evidence, label)
                self.document.used(event_id, evidence)
            elif item.get("kind") == "external_check" and item.get("external_check"):
                check = self.nr[f"external-checks/{item['external_check']}"]
                if self._once(check):
                    self.document.activity(
                        check, other_attributes=self._attributes([(PROV_LABEL, item.get("label"))])
                    )
                self.document.wasInformedBy(event_id, check)

    def _claim_version(
        self, claim: Claim, claim_id: QualifiedName, version: int, status: str
    ) -> QualifiedName:
        version_id = self.nr[f"claims/{claim.pk}/versions/{version}"]
        if self._once(version_id):
            self.document.entity(
                version_id,
                [(PROV_TYPE, self.nrv["ClaimVersion"]), (self.nrv["status"], status)],
            )
            self.document.specializationOf(version_id, claim_id)
        return version_id


def _integer(value: int | None) -> Literal | None:
    """An xsd:integer literal: `prov` writes a Python int as {"$": 1, "type": "xsd:int"}, whose
    number-valued "$" the PROV-JSON schema rejects (typed literals carry strings)."""
    return None if value is None else Literal(str(value), XSD_INTEGER)
