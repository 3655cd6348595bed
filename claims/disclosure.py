"""The licensed text a response about claims may carry: one `Disclosure` per response.

The one place that gathers the documents behind claims (their appearances and the documents
reporting external checks) and the excerpts recorded against those documents, in recording
order, for the quote budget (`sources.licensing.Disclosure`). Serializers and exports ask the
disclosure by key: `quote_key(appearance)`, `context_key(appearance)`, `check_key(check)`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connections, router
from django.db.models import CharField, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Length

from claims.models import (
    CONCLUDED,
    Appearance,
    Claim,
    ExternalCheck,
    ServedExcerpt,
    VerificationEvent,
)
from sources.licensing import Audience, Disclosure, Excerpt
from sources.models import Document


def quote_key(appearance) -> tuple:
    return ("appearance", appearance.pk, "quote")


def context_key(appearance) -> tuple:
    return ("appearance", appearance.pk, "context")


def check_key(check) -> tuple:
    return ("check", check.pk, "excerpt")


def claim_documents(claims: Iterable[Claim]) -> list[Document]:
    """The documents a claim's provenance draws on, from what `with_provenance()` loaded."""
    documents = {}
    for claim in claims:
        for appearance in claim.appearances.all():
            documents[appearance.document_id] = appearance.document
        for check in claim.external_checks.all():
            if check.document_id:
                documents[check.document_id] = check.document
    return list(documents.values())


def shown_excerpts(claims: Iterable[Claim]) -> list[Excerpt]:
    """The excerpts of these claims that a response about them carries, in recording order."""
    excerpts = []
    for claim in claims:
        for appearance in claim.appearances.all():
            excerpts += _appearance_excerpts(
                appearance.pk,
                appearance.document_id,
                appearance.start,
                appearance.end,
                len(appearance.exact),
                len(appearance.prefix),
                len(appearance.suffix),
            )
        for check in claim.external_checks.all():
            if check.document_id and check.exact:
                excerpts.append(
                    Excerpt(
                        check_key(check),
                        check.document_id,
                        check.start,
                        check.end,
                        len(check.exact),
                    )
                )
    return excerpts


def recorded_excerpts(document_ids: Iterable[int]) -> list[Excerpt]:
    """The excerpts of these documents outside consumers can obtain, in the order they could."""
    return recorded_and_served(document_ids)[0]


def recorded_and_served(document_ids: Iterable[int]) -> tuple[list[Excerpt], list[Excerpt]]:
    """The excerpts of these documents outside consumers can obtain, in the order they could,
    and the spans of them already given out (the ledger, `ServedExcerpt`).

    Those of every claim concluded now or once (a reopened claim was public), ordered by when
    the claim was first concluded and then by when each was recorded: a claim concluded later
    never takes budget from text already given out. The ledger keeps spans whose appearance or
    claim is gone. One query for appearances, external checks and the ledger together; the
    database computes the lengths, so no text is loaded.
    """
    document_ids = list(document_ids)
    if not document_ids:
        return [], []
    alias = router.db_for_read(Appearance)
    if connections[alias].vendor == "postgresql":
        rows = _recorded_rows_postgresql(alias, document_ids)
    else:
        rows = _recorded_rows(document_ids)
    excerpts, served = [], []
    for kind, pk, document_id, start, end, exact, prefix, suffix in rows:
        if kind == "s":
            served.append(Excerpt(("served", pk), document_id, start, end, end - start))
        elif kind == "a":
            excerpts += _appearance_excerpts(pk, document_id, start, end, exact, prefix, suffix)
        else:
            excerpts.append(Excerpt(("check", pk, "excerpt"), document_id, start, end, exact))
    return excerpts, served


# `_recorded_rows` in one PostgreSQL statement of constant text (the documents as one array),
# sorted by the database: no datetimes cross the wire, and psycopg reuses its parse.
RECORDED_SQL = """
SELECT kind, id, document_id, start, "end", exact, prefix, suffix FROM (
    SELECT r.*, first.at FROM (
        SELECT 'a' AS kind, a.id, a.claim_id, a.document_id, a.start, a."end",
               length(a.exact) AS exact, length(a.prefix) AS prefix,
               length(a.suffix) AS suffix, a.created_at
        FROM claims_appearance a WHERE a.document_id = ANY(%(ids)s)
        UNION ALL
        SELECT 'c', x.id, x.claim_id, x.document_id, x.start, x."end", length(x.exact), 0, 0,
               x.created_at
        FROM claims_externalcheck x WHERE x.document_id = ANY(%(ids)s) AND x.exact <> ''
    ) r
    JOIN claims_claim c ON c.id = r.claim_id
    LEFT JOIN LATERAL (
        SELECT e.created_at AS at FROM claims_verificationevent e
        WHERE e.claim_id = r.claim_id AND e.to_status = ANY(%(concluded)s)
        ORDER BY e.created_at, e.id LIMIT 1) first ON true
    WHERE c.status = ANY(%(concluded)s) OR first.at IS NOT NULL
    UNION ALL
    SELECT 's', s.id, NULL, s.document_id, s.start, s."end", 0, 0, 0, s.created_at,
           s.created_at
    FROM claims_servedexcerpt s
    WHERE s.document_id = ANY(%(ids)s) AND s.audience = %(audience)s
) recorded
ORDER BY at NULLS LAST, created_at, kind COLLATE "C", id
"""


def _recorded_rows_postgresql(alias: str, document_ids: list[int]) -> list[tuple]:
    with connections[alias].cursor() as cursor:
        cursor.execute(
            RECORDED_SQL,
            {
                "ids": sorted(set(document_ids)),
                "concluded": sorted(str(status) for status in CONCLUDED),
                "audience": str(Audience.EXTERNAL),
            },
        )
        return cursor.fetchall()


def _recorded_rows(document_ids: list[int]) -> list[tuple]:
    """(kind, pk, document_id, start, end, exact, prefix, suffix) of what `recorded_and_served`
    reads, in its order: 'a' appearances and 'c' checks of ever-concluded claims, 's' ledger
    spans. The database computes the lengths, so no text is loaded."""
    public = Claim.objects.ever_concluded().values("pk")
    first_concluded = (
        VerificationEvent.objects.filter(claim=OuterRef("claim_id"), to_status__in=CONCLUDED)
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    columns = ("pk", "document_id", "start", "end")
    appearances = (
        Appearance.objects.filter(document_id__in=document_ids, claim__in=public)
        .order_by()
        .values_list(
            Value("a", output_field=CharField()),
            *columns,
            Length("exact"),
            Length("prefix"),
            Length("suffix"),
            Subquery(first_concluded),
            "created_at",
        )
    )
    checks = (
        ExternalCheck.objects.filter(document_id__in=document_ids, claim__in=public)
        .exclude(exact="")
        .order_by()
        .values_list(
            Value("c", output_field=CharField()),
            *columns,
            Length("exact"),
            Value(0, output_field=IntegerField()),
            Value(0, output_field=IntegerField()),
            Subquery(first_concluded),
            "created_at",
        )
    )
    ledger = (
        ServedExcerpt.objects.filter(document_id__in=document_ids, audience=Audience.EXTERNAL)
        .order_by()
        .values_list(
            Value("s", output_field=CharField()),
            *columns,
            Value(0, output_field=IntegerField()),
            Value(0, output_field=IntegerField()),
            Value(0, output_field=IntegerField()),
            "created_at",
            "created_at",
        )
    )
    never = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    rows = sorted(
        appearances.union(checks, ledger, all=True),
        key=lambda row: (row[8] or never, row[9], row[0], row[1]),
    )
    return [row[:8] for row in rows]


def _appearance_excerpts(pk, document_id, start, end, exact, prefix, suffix) -> list[Excerpt]:
    """An appearance's quote, then the quote with its context (when it has any)."""
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


def disclosure_for(claims: Iterable[Claim], audience: Audience) -> Disclosure:
    """The disclosure for a response about these claims (loaded `with_provenance()`)."""
    claims = list(claims)
    return disclosure_of(
        documents=claim_documents(claims), shown=shown_excerpts(claims), audience=audience
    )


def disclosure_of(
    *,
    documents: list[Document],
    shown: list[Excerpt],
    audience: Audience,
    agreements: dict | None = None,
) -> Disclosure:
    """The disclosure for a response drawing on `documents` and carrying the `shown` excerpts.

    For read paths that load plain rows instead of model instances: build `shown` with
    `row_excerpts()`; the documents need their licence terms and holders loaded. `agreements`
    (as `licensing.agreements_for` gives them) saves looking them up when already loaded.
    """
    served = []
    if audience == Audience.STAFF:
        recorded = shown  # nothing is budgeted inside the newsroom: no need to look further
    else:
        recorded, served = recorded_and_served(document.pk for document in documents)
    return Disclosure(
        audience=audience,
        documents=documents,
        recorded=recorded,
        served=served,
        shown=[excerpt.key for excerpt in shown],
        agreements=agreements,
    )


def row_excerpts(*, appearances: Iterable[dict], checks: Iterable[dict]) -> list[Excerpt]:
    """The excerpts a response carries, from appearance and external-check rows (`.values()`
    with id, document_id, start, end, exact, and prefix/suffix for appearances)."""
    excerpts = []
    for row in appearances:
        excerpts += _appearance_excerpts(
            row["id"],
            row["document_id"],
            row["start"],
            row["end"],
            len(row["exact"]),
            len(row["prefix"]),
            len(row["suffix"]),
        )
    for row in checks:
        if row["document_id"] and row["exact"]:
            excerpts.append(
                Excerpt(
                    ("check", row["id"], "excerpt"),
                    row["document_id"],
                    row["start"],
                    row["end"],
                    len(row["exact"]),
                )
            )
    return excerpts


def served_last_modified(claims, disclosure: Disclosure):
    """The latest change to what a response shows: the claims, and what its disclosure drew on.

    Everything here is already loaded for the response, so this runs no query.
    """
    return served_last_modified_at([claim.updated_at for claim in claims], disclosure)


def served_last_modified_at(stamps: Iterable, disclosure: Disclosure):
    """`served_last_modified` from the claims' `updated_at` values (rows, not instances)."""
    stamps = [*stamps, disclosure.last_modified]
    return max((stamp for stamp in stamps if stamp is not None), default=None)


def outside_disclosure(claim: Claim) -> Disclosure:
    """How the claim's excerpts would go to outside consumers were it concluded now.

    For the editor: a quote recorded on a claim still in progress takes budget only when the
    claim is concluded, after every excerpt already public. Precondition: the claim's
    appearances and external checks are loaded with their documents (or cheap to load).
    """
    documents = claim_documents([claim])
    shown = shown_excerpts([claim])
    recorded, served = recorded_and_served(document.pk for document in documents)
    public = {excerpt.key for excerpt in recorded}
    recorded += [excerpt for excerpt in shown if excerpt.key not in public]
    return Disclosure(
        audience=Audience.EXTERNAL,
        documents=documents,
        recorded=recorded,
        served=served,
        shown=[excerpt.key for excerpt in shown],
    )


def served_record(claim_id: int) -> None:
    """Write to the ledger the excerpts of a claim just concluded that go outside.

    Called by the workflow inside a conclusion's transaction: from then on outside consumers
    can obtain them, so they count against their documents' budgets even after the appearance,
    check or claim carrying them is deleted. Spans already in the ledger are left as they are.
    """
    claim = Claim.objects.with_provenance().get(pk=claim_id)
    disclosure = disclosure_for([claim], Audience.EXTERNAL)
    rows = [
        ServedExcerpt(
            document_id=excerpt.document_id,
            audience=Audience.EXTERNAL,
            key=":".join(str(part) for part in excerpt.key),
            start=excerpt.start,
            end=excerpt.end,
        )
        for excerpt in shown_excerpts([claim])
        if excerpt.start is not None
        and excerpt.end is not None
        and excerpt.end > excerpt.start
        and disclosure.excerpt(excerpt.key)
    ]
    ServedExcerpt.objects.bulk_create(rows, ignore_conflicts=True)


UNNAMED_DOCUMENT = (
    "A document the newsroom holds that is not published with this claim, so it is not named."
)


def evidence_for(event, disclosure: Disclosure) -> list[dict]:
    """The event's evidence as this response may show it.

    Outside the newsroom, evidence may cite only documents the claim itself draws on (those
    its readers can see); any other document is neither named nor linked — its headline
    would reveal a document the API does not publish.
    """
    if disclosure.audience == Audience.STAFF:
        return list(event.evidence)
    shown = []
    for item in event.evidence:
        if item.get("kind") == "document" and item.get("document") not in disclosure.documents:
            shown.append({"kind": "document", "withheld": UNNAMED_DOCUMENT})
        else:
            shown.append(item)
    return shown


def rationale_for(event, audience: Audience) -> str:
    """An event's rationale as this audience may read it: outside the newsroom only a
    conclusion's rationale is public; notes on sending to review, dropping or reopening are
    the newsroom's internal working."""
    if audience == Audience.STAFF or event.to_status in CONCLUDED:
        return event.rationale
    return ""
