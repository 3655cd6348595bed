"""The claims read path on plain rows: the JSON `ClaimSerializer` gives, without model instances.

The list and detail endpoints serve this; `ClaimSerializer` stays the reference (the browsable
API, the schema, the answers to writes) and a contract test holds the two to the same bytes
for every audience (tests/claims/test_claim_rows.py). Licensed text goes out as the one
`licensing.Disclosure` of the response decides (claims.disclosure), and what an audience may
read of events through the same helpers the serializer calls (`evidence_for`, `rationale_for`).
Only the documents behind the page are model instances: the licence decisions read their terms.

On PostgreSQL a page costs three data queries whatever its size: the page itself, carrying each
claim's provenance as JSON columns (`page_values`, correlated subqueries the planner runs only
for the rows the page keeps); its documents with their terms and the agreements in force; and
the excerpts recorded against those documents (the quote budget). Elsewhere (SQLite) the same
rows come from one `.values()` query per relation, a fixed number too.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections import defaultdict
from collections.abc import Callable
from types import SimpleNamespace

import orjson
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import BooleanField, JSONField, OuterRef, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from claims.disclosure import disclosure_of, evidence_for, rationale_for, row_excerpts
from claims.models import (
    CONCLUDED,
    Appearance,
    Attribution,
    Claim,
    ClaimRelation,
    ExternalCheck,
    VerificationEvent,
)
from claims.visibility import appearances_visible_to, external_checks_visible_to
from sources.agents import AgentKind, kind_from_ids
from sources.licensing import Audience, Disclosure, agreements_column, agreements_from_column
from sources.models import Affiliation, Document

OUTSIDE = AnonymousUser()  # the view every outside consumer gets (claims.visibility)

# The columns of a claim's own row: the page query selects these (`.values(*CLAIM_FIELDS)`).
CLAIM_FIELDS = (
    "id",
    "text",
    "summary",
    "status",
    "version",
    "revision",
    "independent_origins",
    "concluded_at",
    "created_at",
    "updated_at",
)
APPEARANCE_FIELDS = (
    "id",
    "claim_id",
    "document_id",
    "exact",
    "prefix",
    "suffix",
    "start",
    "end",
    "anchor_state",
)
LINK_FIELDS = (
    "appearance_id",
    "position",
    "role",
    "verb",
    "person_id",
    "person__name",
    "person__description",
    "organization_id",
    "organization__name",
    "organization__kind",
    "anonymous_source_id",
    "anonymous_source__description",
    "anonymous_source__count_text",
    "anonymous_source__count",
    "anonymous_source__anonymity_reason",
    # never anonymous_source__confidential_identity (security.md D23)
)
CHECK_FIELDS = (
    "id",
    "claim_id",
    "organization__name",
    "organization_id",
    "outcome",
    "checked_at",
    "document_id",
    "exact",
    "anchor_state",
    "start",
    "end",
)
RELATION_FIELDS = (
    "from_claim_id",
    "to_claim_id",
    "kind",
    "reason",
    "from_claim__status",
    "to_claim__status",
)
RELATION_LABELS = {kind.value: kind.label.lower() for kind in ClaimRelation.Kind}
# A person's affiliations, newest first, as the serializer's prefetch (Affiliation's ordering;
# where an undated one goes is the database's default, as there).
AFFILIATION_FIELDS = ("person_id", "organization__name", "organization_id", "role")
AFFILIATION_ORDER = ("-start_date", "pk")
EVENT_FIELDS = (
    "created_at",
    "from_status",
    "to_status",
    "actor_role",
    "rationale",
    "evidence",
    "version",
)
ACTOR = f"actor__{get_user_model().USERNAME_FIELD}"  # staff only

_datetime = serializers.DateTimeField().to_representation


def datetime_or_none(value) -> str | None:
    """A datetime as DRF's DateTimeField gives it (ISO 8601 in the current time zone, `Z` for
    UTC), None for none; aware datetimes without DRF's per-call checks (a page has hundreds)."""
    if not value:
        return None
    if value.tzinfo is None:
        return _datetime(value)
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def page_values(queryset: QuerySet, audience: Audience) -> QuerySet:
    """The page query for `claims_data`: the claims' own columns and, on PostgreSQL, their
    provenance as JSON columns, scoped to the audience as `Claim.objects.with_provenance`."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset.values(*CLAIM_FIELDS)
    key = "staff provenance" if audience == Audience.STAFF else "outside provenance"
    return queryset.values(*CLAIM_FIELDS, **_columns(key, queryset.db))


# Building and compiling these JSON columns costs more than running them, and only the moment
# they are judged at (embargoes, agreements in force) differs between requests: each is
# compiled once per database at this stand-in moment, which every request replaces with now.
_NOW = datetime.datetime(1970, 1, 1, 0, 0, 0, 424242, tzinfo=datetime.UTC)


def _columns(key: str, alias: str) -> dict[str, RawSQL]:
    """The columns named by `key` (see `_compiled`) for a query run now."""
    now = timezone.now()

    def at_now(param):
        if param == _NOW:
            return now
        if param == _NOW.date():  # a datetime never equals a date
            return now.date()
        return param

    return {
        name: RawSQL(sql, [at_now(param) for param in params], field)  # noqa: S611 - SQL Django compiled from our own expressions; values stay bound
        for name, (sql, params, field) in _compiled(key, alias).items()
    }


@functools.cache
def _compiled(key: str, alias: str) -> dict[str, tuple[str, tuple, object]]:
    """Each column's SQL, parameters and output field, correlated with the base table of the
    query it goes into (`claims_claim` for provenance, `sources_document` for agreements)."""
    if key == "agreements":
        model, columns = Document, {"_agreements": agreements_column("license", on=_NOW)}
    else:
        model, columns = Claim, _provenance_columns(key == "staff provenance", at=_NOW)
    query = model.objects.using(alias).annotate(**columns).query
    compiler = query.get_compiler(alias)
    compiled = {}
    for name, expression in query.annotations.items():
        sql, params = compiler.compile(expression)
        field = expression.output_field
        if name != "_agreements" and isinstance(getattr(field, "base_field", None), JSONField):
            field = ArrayField(TextField())  # each object's text: orjson reads it faster
        compiled[name] = (sql, tuple(params), field)
    return compiled


def _json_rows(queryset: QuerySet, *order, **columns):
    """The rows of `queryset` as one PostgreSQL array of JSON objects, in `order`."""
    from django.contrib.postgres.expressions import ArraySubquery

    return ArraySubquery(queryset.order_by(*order).values(json=JSONObject(**columns)))


def _fields(names) -> dict:
    return {name: name for name in names}


def _provenance_columns(staff: bool, *, at) -> dict:
    """Correlated subqueries, one per relation a claim's JSON shows (`_from_columns` reads them)."""
    from django.contrib.postgres.expressions import ArraySubquery

    appearances = Appearance.objects.filter(claim_id=OuterRef("id"))
    checks = ExternalCheck.objects.filter(claim_id=OuterRef("id"))
    relations_from = ClaimRelation.objects.filter(from_claim_id=OuterRef("id"))
    relations_to = ClaimRelation.objects.filter(to_claim_id=OuterRef("id"))
    if not staff:
        appearances = appearances_visible_to(OUTSIDE, appearances, at=at)
        checks = external_checks_visible_to(OUTSIDE, checks, at=at)
        relations_from = relations_from.filter(to_claim__status__in=CONCLUDED)
        relations_to = relations_to.filter(from_claim__status__in=CONCLUDED)
    affiliations = _json_rows(
        Affiliation.objects.filter(person_id=OuterRef("person_id")),
        *AFFILIATION_ORDER,
        **_fields(AFFILIATION_FIELDS),
    )
    chain = _json_rows(
        Attribution.objects.filter(appearance_id=OuterRef("id")),
        "position",
        **_fields(LINK_FIELDS),
        affiliations=affiliations,
    )
    relation = {"kind": "kind", "claim": "", "reason": "reason"}
    return {
        "_topics": ArraySubquery(
            Claim.topics.through.objects.filter(claim_id=OuterRef("id"))
            .order_by("topic__name")
            .values("topic__name")
        ),
        "_appearances": _json_rows(appearances, "pk", **_fields(APPEARANCE_FIELDS), chain=chain),
        "_checks": _json_rows(checks, "checked_at", "pk", **_fields(CHECK_FIELDS)),
        "_relations_from": _json_rows(
            relations_from, "-created_at", "-pk", **relation | {"claim": "to_claim_id"}
        ),
        "_relations_to": _json_rows(
            relations_to, "-created_at", "-pk", **relation | {"claim": "from_claim_id"}
        ),
        "_events": _json_rows(
            VerificationEvent.objects.filter(claim_id=OuterRef("id")),
            "created_at",
            "pk",
            **_fields(event_fields(staff)),
        ),
    }


def event_fields(staff: bool) -> tuple:
    """An event's columns as this audience may read them (staff also see who acted)."""
    actor = (ACTOR,) if staff else ()
    return (*EVENT_FIELDS, *actor)


@dataclasses.dataclass
class Provenance:
    """What the page's claims show besides their own columns, by claim (or appearance) id."""

    topics: dict = dataclasses.field(default_factory=dict)
    appearances: list[dict] = dataclasses.field(default_factory=list)
    checks: list[dict] = dataclasses.field(default_factory=list)
    chains: dict = dataclasses.field(default_factory=dict)
    relations_from: dict = dataclasses.field(default_factory=dict)
    relations_to: dict = dataclasses.field(default_factory=dict)
    events: dict = dataclasses.field(default_factory=dict)


def _from_columns(rows: list[dict]) -> Provenance:
    """Provenance from the JSON columns of `page_values` on PostgreSQL (datetimes as text)."""
    found = Provenance()
    for row in rows:
        pk = row["id"]
        found.topics[pk] = row["_topics"]
        for appearance in map(orjson.loads, row["_appearances"]):
            found.chains[appearance["id"]] = appearance.pop("chain")
            found.appearances.append(appearance)
        for check in map(orjson.loads, row["_checks"]):
            check["checked_at"] = parse_datetime(check["checked_at"] or "")
            found.checks.append(check)
        found.relations_from[pk] = list(map(orjson.loads, row["_relations_from"]))
        found.relations_to[pk] = list(map(orjson.loads, row["_relations_to"]))
        events = found.events[pk] = list(map(orjson.loads, row["_events"]))
        for event in events:
            event["created_at"] = parse_datetime(event["created_at"])
    return found


def _from_queries(ids: list[int], staff: bool) -> Provenance:
    """Provenance from one `.values()` query per relation (the portable path)."""
    topics = defaultdict(list)
    for claim_id, name in (
        Claim.topics.through.objects.filter(claim_id__in=ids)
        .order_by("topic__name")
        .values_list("claim_id", "topic__name")
    ):
        topics[claim_id].append(name)

    # The same scopes as `Claim.objects.with_provenance(user)`: outside, nothing on a document
    # under embargo (claims.visibility).
    appearances = Appearance.objects.filter(claim_id__in=ids)
    checks = ExternalCheck.objects.filter(claim_id__in=ids)
    if not staff:
        appearances = appearances_visible_to(OUTSIDE, appearances)
        checks = external_checks_visible_to(OUTSIDE, checks)
    appearances = list(appearances.order_by("pk").values(*APPEARANCE_FIELDS))
    checks = list(checks.order_by("checked_at", "pk").values(*CHECK_FIELDS))
    links = list(
        Attribution.objects.filter(appearance_id__in=[a["id"] for a in appearances])
        .order_by("position")
        .values(*LINK_FIELDS)
    )
    affiliations = defaultdict(list)
    person_ids = {link["person_id"] for link in links if link["person_id"] is not None}
    if person_ids:
        for row in (
            Affiliation.objects.filter(person_id__in=person_ids)
            .order_by(*AFFILIATION_ORDER)
            .values(*AFFILIATION_FIELDS)
        ):
            affiliations[row["person_id"]].append(row)
    chains = defaultdict(list)
    for link in links:
        link["affiliations"] = affiliations[link["person_id"]]
        chains[link["appearance_id"]].append(link)

    # As the serializer reads them: relations from the claim, then to it, each newest first.
    relations_from, relations_to = defaultdict(list), defaultdict(list)
    page = set(ids)
    for r in (
        ClaimRelation.objects.filter(Q(from_claim_id__in=ids) | Q(to_claim_id__in=ids))
        .order_by("-created_at", "-pk")
        .values(*RELATION_FIELDS)
    ):
        if r["from_claim_id"] in page and (staff or r["to_claim__status"] in CONCLUDED):
            relations_from[r["from_claim_id"]].append(
                {"kind": r["kind"], "claim": r["to_claim_id"], "reason": r["reason"]}
            )
        if r["to_claim_id"] in page and (staff or r["from_claim__status"] in CONCLUDED):
            relations_to[r["to_claim_id"]].append(
                {"kind": r["kind"], "claim": r["from_claim_id"], "reason": r["reason"]}
            )

    events = defaultdict(list)
    for e in (
        VerificationEvent.objects.filter(claim_id__in=ids)
        .order_by("created_at", "pk")
        .values("claim_id", *event_fields(staff))
    ):
        events[e["claim_id"]].append(e)
    return Provenance(
        topics=topics,
        appearances=appearances,
        checks=checks,
        chains=chains,
        relations_from=relations_from,
        relations_to=relations_to,
        events=events,
    )


def page_documents(document_ids: set[int]) -> tuple[list[Document], dict | None]:
    """The page's documents with their terms, and (on PostgreSQL, in the same query) the
    agreements in force for those terms; None for the agreements means `Disclosure` looks
    them up itself."""
    if not document_ids:
        return [], None
    documents = Document.objects.select_related(
        "publisher", "publication", "license__holder__parent"
    ).defer("body", "raw_text")
    if connections[documents.db].vendor != "postgresql":
        return list(documents.filter(pk__in=document_ids)), None
    # The ids as one array: the statement's text is the same for any number of documents, so
    # it can be prepared (newsroom/postgresql).
    by_ids = RawSQL('"sources_document"."id" = ANY(%s)', [sorted(document_ids)], BooleanField())
    documents = list(documents.filter(by_ids).annotate(**_columns("agreements", documents.db)))
    return documents, agreements_from_column(documents)


def claims_data(
    rows: list[dict], *, audience: Audience, claim_url: Callable[[int], str]
) -> tuple[list[dict], Disclosure]:
    """The serializer's JSON for these claim rows (from `page_values`), and the response's
    disclosure. `claim_url(pk)` gives a claim's absolute API address."""
    ids = [row["id"] for row in rows]
    if not ids:
        return [], disclosure_of(documents=[], shown=[], audience=audience)
    staff = audience == Audience.STAFF
    found = _from_columns(rows) if "_appearances" in rows[0] else _from_queries(ids, staff)
    appearances, checks = found.appearances, found.checks

    document_ids = {a["document_id"] for a in appearances}
    document_ids |= {x["document_id"] for x in checks if x["document_id"]}
    documents, agreements = page_documents(document_ids)
    disclosure = disclosure_of(
        documents=documents,
        shown=row_excerpts(appearances=appearances, checks=checks),
        audience=audience,
        agreements=agreements,
    )
    document_refs = {document.pk: document_ref(document) for document in documents}

    def released(key: tuple, text: str) -> tuple[str | None, str | None]:
        if not text:
            return text, None
        release = disclosure.excerpt(key)
        return (text, None) if release else (None, release.withheld)

    appearances_of = defaultdict(list)
    for a in appearances:
        quote, withheld = released(("appearance", a["id"], "quote"), a["exact"])
        selector = {"start": a["start"], "end": a["end"]}
        with_context = a["prefix"] + a["exact"] + a["suffix"]
        if (
            with_context != a["exact"]
            and released(("appearance", a["id"], "context"), with_context)[0]
        ):
            selector |= {"prefix": a["prefix"], "suffix": a["suffix"]}
        item = {"id": a["id"], "document": document_refs[a["document_id"]], "quote": quote}
        if withheld is not None:
            item["withheld"] = withheld
        chain = [_link(link) for link in found.chains.get(a["id"], ())]
        item |= {"selector": selector, "anchor_state": a["anchor_state"], "chain": chain}
        appearances_of[a["claim_id"]].append(item)

    checks_of = defaultdict(list)
    for x in checks:
        excerpt, withheld = (
            released(("check", x["id"], "excerpt"), x["exact"])
            if x["document_id"]
            else (None, None)
        )
        item = {
            "id": x["id"],
            "organization": x["organization__name"],
            "organization_id": x["organization_id"],
            "outcome": x["outcome"],
            "checked_at": datetime_or_none(x["checked_at"]),
            "document": x["document_id"],
            "excerpt": excerpt,
            "anchor_state": x["anchor_state"],
        }
        if withheld is not None:
            item["withheld"] = withheld
        checks_of[x["claim_id"]].append(item)

    out = []
    for row in rows:
        pk = row["id"]
        events = found.events.get(pk, ())
        concluding = next((e for e in reversed(events) if e["to_status"] in CONCLUDED), None)
        out.append(
            {
                "id": pk,
                "url": claim_url(pk),
                "text": row["text"],
                "summary": row["summary"],
                "status": row["status"],
                "version": row["version"],
                "revision": row["revision"],
                "topics": found.topics.get(pk, []),
                "independent_origins": row["independent_origins"],
                "appearances": appearances_of[pk],
                "external_checks": checks_of[pk],
                "relations": [_relation(r, reverse=False) for r in found.relations_from.get(pk, ())]
                + [_relation(r, reverse=True) for r in found.relations_to.get(pk, ())],
                "verification": {
                    "status": row["status"],
                    "concluded_at": datetime_or_none(row["concluded_at"]),
                    "rationale": concluding["rationale"]
                    if concluding and row["status"] in CONCLUDED
                    else "",
                    "events": [_event(e, audience, disclosure) for e in events],
                },
                "created_at": datetime_or_none(row["created_at"]),
                "updated_at": datetime_or_none(row["updated_at"]),
            }
        )
    return out, disclosure


def _relation(relation: dict, *, reverse: bool) -> dict:
    """A relation as the claim shows it: to the other claim, or from it (`reverse`)."""
    kind = relation["kind"]
    if reverse and kind not in ClaimRelation.SYMMETRIC_KINDS:
        label = "refined by"
    else:
        label = RELATION_LABELS[kind]
    return {"kind": label, "claim": relation["claim"], "reason": relation["reason"]}


def document_ref(document: Document) -> dict:
    """A document as claims show it (also `DocumentRefSerializer`'s shape)."""
    terms = document.license
    return {
        "id": document.pk,
        "publisher": document.publisher.name,
        "publication": document.publication.name if document.publication_id else None,
        "url": document.url,
        "headline": document.headline,
        "published_at": datetime_or_none(document.published_at),
        "license": {
            "id": terms.pk,
            "holder": terms.holder.name,
            "tdm_reserved": terms.tdm_reserved,
            "sharing_scope": terms.sharing_scope,
        }
        if terms
        else None,
    }


def _link(link: dict) -> dict:
    kind = kind_from_ids(
        person_id=link["person_id"],
        organization_id=link["organization_id"],
        anonymous_source_id=link["anonymous_source_id"],
    )
    if kind == AgentKind.PERSON:
        agent = {
            "type": kind.value,
            "id": link["person_id"],
            "name": link["person__name"],
            "description": link["person__description"],
            "affiliations": [
                {
                    "organization": row["organization__name"],
                    "organization_id": row["organization_id"],
                    "role": row["role"],
                }
                for row in link["affiliations"]
            ],
        }
    elif kind == AgentKind.ORGANIZATION:
        agent = {
            "type": kind.value,
            "id": link["organization_id"],
            "name": link["organization__name"],
            "kind": link["organization__kind"],
        }
    else:
        agent = {
            "type": AgentKind.ANONYMOUS.value,
            "id": link["anonymous_source_id"],
            "description": link["anonymous_source__description"],
            "count_text": link["anonymous_source__count_text"],
            "count": link["anonymous_source__count"],
            "anonymity_reason": link["anonymous_source__anonymity_reason"],
        }
    return {
        "position": link["position"],
        "role": link["role"],
        "verb": link["verb"],
        "agent": agent,
    }


def _event(e: dict, audience: Audience, disclosure: Disclosure) -> dict:
    event = SimpleNamespace(
        evidence=e["evidence"], rationale=e["rationale"], to_status=e["to_status"]
    )
    return {
        "at": datetime_or_none(e["created_at"]),
        "from_status": e["from_status"],
        "to": e["to_status"],
        "by": e[ACTOR] if audience == Audience.STAFF else e["actor_role"],
        "actor_role": e["actor_role"],
        "rationale": rationale_for(event, audience),
        "evidence": evidence_for(event, disclosure),
        "version": e["version"],
    }
