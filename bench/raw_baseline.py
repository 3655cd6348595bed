"""The raw baseline of bench/scale.py: the consumer claims list and detail from psycopg + orjson.

It builds the same JSON bytes as `GET /api/v1/claims/` for an outside consumer (asserted by
bench/scale.py on every run): rows straight from SQL into dicts, no model instances for the
claims and their provenance. The licence decisions are the project's own: the excerpts and
documents are handed, as rows, to `sources.licensing.Disclosure`, so withheld quotes and their
reasons are the same by construction, not by imitation (a few unsaved model instances carry the
terms' fields). What it leaves out: authentication, throttling, ETag/Last-Modified and the
TDMRep headers (the body only), and every filter and ordering but the default.
"""

from __future__ import annotations

import datetime
from base64 import b64encode
from urllib.parse import urlencode

import orjson
import psycopg
from psycopg.rows import dict_row
from rest_framework.utils.urls import replace_query_param

from claims.disclosure import RECORDED_SQL
from claims.models import CONCLUDED
from sources.licensing import Audience, Disclosure, Excerpt
from sources.models import Agreement, Document, LicenseTerms, Organization

CONCLUDED_LIST = sorted(str(s) for s in CONCLUDED)
UNNAMED_DOCUMENT = (
    "A document the newsroom holds that is not published with this claim, so it is not named."
)

PAGE_SQL = """
SELECT c.id, c.text, c.summary, c.status, c.version, c.revision, c.independent_origins,
       c.concluded_at, c.created_at, c.updated_at,
       ARRAY(SELECT t.name FROM claims_claim_topics ct JOIN claims_topic t ON t.id = ct.topic_id
             WHERE ct.claim_id = c.id ORDER BY t.name) AS topics
FROM claims_claim c
WHERE c.status = ANY(%(concluded)s) {where}
ORDER BY c.updated_at DESC, c.id DESC
LIMIT %(limit)s
"""
APPEARANCES_SQL = """
SELECT a.id, a.claim_id, a.document_id, a.exact, a.prefix, a.suffix, a.start, a."end",
       a.anchor_state, d.url, d.headline, d.published_at, d.updated_at AS document_updated_at,
       d.withdrawn_at, d.withdrawn_reason,
       d.license_id, d.publisher_id, d.publication_id, pub.name AS publisher_name,
       pn.name AS publication_name
FROM claims_appearance a
JOIN sources_document d ON d.id = a.document_id
JOIN sources_organization pub ON pub.id = d.publisher_id
LEFT JOIN sources_organization pn ON pn.id = d.publication_id
WHERE a.claim_id = ANY(%(ids)s)
ORDER BY a.id
"""
CHAIN_SQL = """
SELECT l.appearance_id, l.position, l.role, l.verb,
       l.person_id, p.name AS person_name, p.description AS person_description,
       (SELECT coalesce(json_agg(json_build_object('organization', o2.name,
                   'organization_id', af.organization_id, 'role', af.role)
                   ORDER BY af.start_date DESC NULLS FIRST, af.id), '[]'::json)
        FROM sources_affiliation af JOIN sources_organization o2 ON o2.id = af.organization_id
        WHERE af.person_id = l.person_id) AS affiliations,
       l.organization_id, o.name AS organization_name, o.kind AS organization_kind,
       l.anonymous_source_id, s.description AS anonymous_description, s.count_text, s.count,
       s.anonymity_reason
FROM claims_attribution l
LEFT JOIN sources_person p ON p.id = l.person_id
LEFT JOIN sources_organization o ON o.id = l.organization_id
LEFT JOIN sources_anonymoussource s ON s.id = l.anonymous_source_id
WHERE l.appearance_id = ANY(%(ids)s)
ORDER BY l.appearance_id, l.position
"""
CHECKS_SQL = """
SELECT x.id, x.claim_id, o.name AS organization, x.organization_id, x.outcome, x.checked_at,
       x.document_id, x.exact, x.anchor_state, x.start, x."end", x.created_at,
       d.url, d.headline, d.published_at, d.updated_at AS document_updated_at, d.license_id,
       d.publisher_id, d.publication_id, d.withdrawn_at, d.withdrawn_reason
FROM claims_externalcheck x
JOIN sources_organization o ON o.id = x.organization_id
LEFT JOIN sources_document d ON d.id = x.document_id
WHERE x.claim_id = ANY(%(ids)s)
ORDER BY x.checked_at NULLS LAST, x.id
"""
EVENTS_SQL = """
SELECT claim_id, created_at, from_status, to_status, actor_role, rationale, evidence, version
FROM claims_verificationevent WHERE claim_id = ANY(%(ids)s) ORDER BY created_at, id
"""
RELATIONS_SQL = """
SELECT r.from_claim_id AS claim_id, r.to_claim_id AS other_id, r.kind, r.reason, o.status,
       1 AS side, r.created_at, r.id
FROM claims_claimrelation r JOIN claims_claim o ON o.id = r.to_claim_id
WHERE r.from_claim_id = ANY(%(ids)s)
UNION ALL
SELECT r.to_claim_id, r.from_claim_id, r.kind, r.reason, o.status, 2, r.created_at, r.id
FROM claims_claimrelation r JOIN claims_claim o ON o.id = r.from_claim_id
WHERE r.to_claim_id = ANY(%(ids)s)
ORDER BY side, created_at DESC, id DESC
"""
TERMS_SQL = "SELECT * FROM sources_licenseterms WHERE id = ANY(%(ids)s)"
ORGANIZATIONS_SQL = "SELECT id, name, parent_id FROM sources_organization WHERE id = ANY(%(ids)s)"
AGREEMENTS_SQL = """
SELECT * FROM sources_agreement
WHERE holder_id = ANY(%(ids)s)
  AND (valid_from IS NULL OR valid_from <= %(today)s)
  AND (valid_until IS NULL OR valid_until >= %(today)s)
ORDER BY valid_from, id
"""


def connect(settings_db: dict) -> psycopg.Connection:
    """A plain psycopg connection to Django's database, in UTC like Django's own."""
    return psycopg.connect(
        host=settings_db["HOST"] or None,
        port=settings_db["PORT"] or None,
        dbname=settings_db["NAME"],
        user=settings_db["USER"] or None,
        password=settings_db["PASSWORD"] or None,
        options="-c TimeZone=UTC",
        autocommit=True,
        row_factory=dict_row,
    )


def _excerpts(kind, pk, document_id, start, end, exact, prefix, suffix) -> list[Excerpt]:
    if kind == "c":
        return [Excerpt(("check", pk, "excerpt"), document_id, start, end, exact)]
    excerpts = [Excerpt(("appearance", pk, "quote"), document_id, start, end, exact)]
    if prefix or suffix:
        excerpts.append(
            Excerpt(
                ("appearance", pk, "context"),
                document_id,
                max(0, start - prefix),
                end + suffix,
                prefix + exact + suffix,
            )
        )
    return excerpts


class RawClaims:
    """Consumer claims as JSON bytes, from a handful of SQL statements."""

    def __init__(self, conn: psycopg.Connection, base_url: str = "http://testserver"):
        """`conn` is any psycopg 3 connection whose session time zone is UTC (Django's is)."""
        self.conn = conn
        self.base_url = base_url
        self.queries = 0

    def fetch(self, sql: str, **params) -> list[dict]:
        self.queries += 1
        with self.conn.cursor(row_factory=dict_row) as cursor:
            return cursor.execute(sql, params).fetchall()

    def list_page(self, *, page_size: int, query: str = "") -> bytes:
        rows = self.fetch(PAGE_SQL.format(where=""), concluded=CONCLUDED_LIST, limit=page_size + 1)
        has_next = len(rows) > page_size
        rows = rows[:page_size]
        next_link = None
        if has_next:
            position = str(rows[-1]["updated_at"])
            cursor = b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")
            url = f"{self.base_url}/api/v1/claims/" + (f"?{query}" if query else "")
            next_link = replace_query_param(url, "cursor", cursor)
        results = self.claims(rows)
        return orjson.dumps(
            {"next": next_link, "previous": None, "results": results}, option=orjson.OPT_UTC_Z
        )

    def detail(self, claim_id: int) -> bytes:
        rows = self.fetch(
            PAGE_SQL.format(where="AND c.id = %(id)s"),
            concluded=CONCLUDED_LIST,
            limit=1,
            id=claim_id,
        )
        return orjson.dumps(self.claims(rows)[0], option=orjson.OPT_UTC_Z)

    def claims(self, rows: list[dict]) -> list[dict]:
        ids = [row["id"] for row in rows]
        appearances = self.fetch(APPEARANCES_SQL, ids=ids)
        links = self.fetch(CHAIN_SQL, ids=[a["id"] for a in appearances]) if appearances else []
        checks = self.fetch(CHECKS_SQL, ids=ids)
        events = self.fetch(EVENTS_SQL, ids=ids)
        relations = self.fetch(RELATIONS_SQL, ids=ids)

        # documents and their terms: the few model instances the licence decisions read
        documents_rows = {a["document_id"]: a for a in appearances}
        documents_rows |= {x["document_id"]: x for x in checks if x["document_id"]}
        terms_ids = sorted({d["license_id"] for d in documents_rows.values() if d["license_id"]})
        terms_rows = self.fetch(TERMS_SQL, ids=terms_ids) if terms_ids else []
        holder_ids = {t["holder_id"] for t in terms_rows}
        organizations = {}
        if holder_ids:
            for org in self.fetch(ORGANIZATIONS_SQL, ids=sorted(holder_ids)):
                organizations[org["id"]] = Organization(**org)
        group_ids = {o.parent_id for o in organizations.values() if o.parent_id} - set(
            organizations
        )
        if group_ids:
            for org in self.fetch(ORGANIZATIONS_SQL, ids=sorted(group_ids)):
                organizations[org["id"]] = Organization(**org)
        terms = {}
        for row in terms_rows:
            instance = LicenseTerms(**row)
            instance.holder = organizations[row["holder_id"]]
            terms[row["id"]] = instance
        agreements_by_terms = {}
        if terms:
            wanted = {t.holder_id for t in terms.values()} | {
                t.holder.parent_id for t in terms.values() if t.holder.parent_id
            }
            by_holder = {}
            for row in self.fetch(
                AGREEMENTS_SQL, ids=sorted(wanted), today=datetime.datetime.now(datetime.UTC).date()
            ):
                agreement = Agreement(**row)
                agreement.holder = organizations.get(row["holder_id"]) or Organization(
                    pk=row["holder_id"]
                )
                by_holder[row["holder_id"]] = agreement
            for pk, t in terms.items():
                own = by_holder.get(t.holder_id)
                group = by_holder.get(t.holder.parent_id) if t.holder.parent_id else None
                agreements_by_terms[pk] = own or group
        documents = {}
        for pk, row in documents_rows.items():
            document = Document(
                pk=pk,
                license_id=row["license_id"],
                publisher_id=row["publisher_id"],
                publication_id=row["publication_id"],
                updated_at=row["document_updated_at"],
                withdrawn_at=row["withdrawn_at"],
                withdrawn_reason=row["withdrawn_reason"],
            )
            document.license = terms.get(row["license_id"])
            documents[pk] = document

        by_claim: dict[int, dict[str, list]] = {
            pk: {"appearances": [], "checks": [], "events": [], "relations": []} for pk in ids
        }
        chain_of: dict[int, list] = {}
        for link in links:
            chain_of.setdefault(link["appearance_id"], []).append(link)
        for a in appearances:
            by_claim[a["claim_id"]]["appearances"].append(a)
        for x in checks:
            by_claim[x["claim_id"]]["checks"].append(x)
        for e in events:
            by_claim[e["claim_id"]]["events"].append(e)
        for r in relations:
            by_claim[r["claim_id"]]["relations"].append(r)

        # the quote budget: shown excerpts in page order, recorded ones in recording order
        shown = []
        for pk in ids:
            for a in by_claim[pk]["appearances"]:
                shown += _excerpts(
                    "a", a["id"], a["document_id"], a["start"], a["end"],
                    len(a["exact"]), len(a["prefix"]), len(a["suffix"]),
                )  # fmt: skip
            for x in by_claim[pk]["checks"]:
                if x["document_id"] and x["exact"]:
                    shown += _excerpts(
                        "c", x["id"], x["document_id"], x["start"], x["end"], len(x["exact"]), 0, 0
                    )
        recorded, served = [], []
        if documents:
            # What outside consumers can obtain of these documents, in the order they could,
            # and the ledger: the project's own statement (claims.disclosure), sorted by the
            # database.
            for r in self.fetch(
                RECORDED_SQL, ids=sorted(documents), concluded=CONCLUDED_LIST, audience="external"
            ):
                if r["kind"] == "s":
                    span = r["end"] - r["start"]
                    served.append(
                        Excerpt(("served", r["id"]), r["document_id"], r["start"], r["end"], span)
                    )
                    continue
                recorded += _excerpts(
                    r["kind"], r["id"], r["document_id"], r["start"], r["end"],
                    r["exact"], r["prefix"], r["suffix"],
                )  # fmt: skip
        disclosure = Disclosure(
            audience=Audience.EXTERNAL,
            documents=documents.values(),
            recorded=recorded,
            served=served,
            shown=[e.key for e in shown],
            agreements=agreements_by_terms,
        )
        terms_json = {
            pk: {
                "id": pk,
                "holder": t.holder.name,
                "tdm_reserved": t.tdm_reserved,
                "sharing_scope": t.sharing_scope,
            }
            for pk, t in terms.items()
        }

        def released(key, text):
            if not text:
                return text, None
            release = disclosure.excerpt(key)
            return (text, None) if release else (None, release.withheld)

        out = []
        for row in rows:
            pk = row["id"]
            mine = by_claim[pk]
            appearances_json = []
            for a in mine["appearances"]:
                quote, withheld = released(("appearance", a["id"], "quote"), a["exact"])
                selector = {"start": a["start"], "end": a["end"]}
                with_context = a["prefix"] + a["exact"] + a["suffix"]
                if (
                    with_context != a["exact"]
                    and released(("appearance", a["id"], "context"), with_context)[0]
                ):
                    selector["prefix"] = a["prefix"]
                    selector["suffix"] = a["suffix"]
                item = {
                    "id": a["id"],
                    "document": {
                        "id": a["document_id"],
                        "publisher": a["publisher_name"],
                        "publication": a["publication_name"],
                        "url": a["url"],
                        "headline": a["headline"],
                        "published_at": a["published_at"],
                        "license": terms_json.get(a["license_id"]),
                    },
                    "quote": quote,
                }
                if withheld is not None:
                    item["withheld"] = withheld
                item["selector"] = selector
                item["anchor_state"] = a["anchor_state"]
                item["chain"] = [_link(link) for link in chain_of.get(a["id"], ())]
                appearances_json.append(item)
            checks_json = []
            for x in mine["checks"]:
                excerpt, withheld = (
                    released(("check", x["id"], "excerpt"), x["exact"])
                    if x["document_id"]
                    else (None, None)
                )
                item = {
                    "id": x["id"],
                    "organization": x["organization"],
                    "organization_id": x["organization_id"],
                    "outcome": x["outcome"],
                    "checked_at": x["checked_at"],
                    "document": x["document_id"],
                    "excerpt": excerpt,
                    "anchor_state": x["anchor_state"],
                }
                if withheld is not None:
                    item["withheld"] = withheld
                checks_json.append(item)
            relations_json = []
            for r in mine["relations"]:
                if r["status"] not in CONCLUDED_LIST:
                    continue
                kind = r["kind"]
                label = "refined by" if kind == "refines" and r["side"] == 2 else _LABELS[kind]
                relations_json.append(
                    {"kind": label, "claim": r["other_id"], "reason": r["reason"]}
                )
            events_json = []
            concluding = None
            for e in mine["events"]:
                if e["to_status"] in CONCLUDED_LIST:
                    concluding = e
                evidence = []
                for piece in _json(e["evidence"]):
                    if piece.get("kind") == "document" and piece.get("document") not in documents:
                        evidence.append({"kind": "document", "withheld": UNNAMED_DOCUMENT})
                    else:
                        evidence.append(piece)
                events_json.append(
                    {
                        "at": e["created_at"],
                        "from_status": e["from_status"],
                        "to": e["to_status"],
                        "by": e["actor_role"],
                        "actor_role": e["actor_role"],
                        "rationale": e["rationale"] if e["to_status"] in CONCLUDED_LIST else "",
                        "evidence": evidence,
                        "version": e["version"],
                    }
                )
            out.append(
                {
                    "id": pk,
                    "url": f"{self.base_url}/api/v1/claims/{pk}/",
                    "text": row["text"],
                    "summary": row["summary"],
                    "status": row["status"],
                    "version": row["version"],
                    "revision": row["revision"],
                    "topics": row["topics"],
                    "independent_origins": row["independent_origins"],
                    "appearances": appearances_json,
                    "external_checks": checks_json,
                    "relations": relations_json,
                    "verification": {
                        "status": row["status"],
                        "concluded_at": row["concluded_at"],
                        "rationale": concluding["rationale"] if concluding else "",
                        "events": events_json,
                    },
                    "created_at": row["created_at"],
                    "updated_at": row["updated_at"],
                }
            )
        return out


_LABELS = {
    "same_as": "same as",
    "corroborates": "corroborates",
    "contradicts": "contradicts",
    "refines": "refines",
}


def _json(value):
    """A json/jsonb column: parsed by plain psycopg, left as text by Django's connection."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _link(link: dict) -> dict:
    if link["person_id"] is not None:
        agent = {
            "type": "person",
            "id": link["person_id"],
            "name": link["person_name"],
            "description": link["person_description"],
            "affiliations": _json(link["affiliations"]),
        }
    elif link["organization_id"] is not None:
        agent = {
            "type": "organization",
            "id": link["organization_id"],
            "name": link["organization_name"],
            "kind": link["organization_kind"],
        }
    else:
        agent = {
            "type": "anonymous",
            "id": link["anonymous_source_id"],
            "description": link["anonymous_description"],
            "count_text": link["count_text"],
            "count": link["count"],
            "anonymity_reason": link["anonymity_reason"],
        }
    return {
        "position": link["position"],
        "role": link["role"],
        "verb": link["verb"],
        "agent": agent,
    }
