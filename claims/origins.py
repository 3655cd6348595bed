"""Independent origins (corroboration): counting them, and storing the count on claims; conflicts.

Corroboration counts independent origins, never repetitions. Two appearances are one origin when
they share their origin agent or their (first) reporter: two articles that both relay the
Financial Times reporting what officials told it are one origin, not two. An agent is the same
whichever of the two roles it holds, so "officials told the FT" and "the FT reported" also fold
together. Appearances without an origin or a reporter are of unknown provenance and count for
nothing. A claim counts over its own appearances and those of every claim it is (transitively)
the same as.

Copies of one text (one agency story in several titles: documents sharing `body_sha256`) are
one text: appearances anchored on the same passage of copies (overlapping offsets, which mean
the same words since the bodies are identical) are one origin, however differently each
title's chain was recorded. Only appearances with a chain join this way; an appearance without
one still counts for nothing, in one copy or in many, and never bridges two others. Passages
that differ stay apart, as they would within one document, so adding a copy never changes the
count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Prefetch, Q, prefetch_related_objects

from claims.models import Appearance, Attribution, Claim, ClaimRelation
from sources import agents
from sources.agents import AgentKey

ANONYMOUS = agents.AgentKind.ANONYMOUS.value


def same_as_components(claim_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """Map each existing claim id, and every claim reachable by same-as, to its closure; 1 query."""
    ids = sorted(set(claim_ids))
    if not ids:
        return {}
    claim_table = connection.ops.quote_name(Claim._meta.db_table)
    relation_table = connection.ops.quote_name(ClaimRelation._meta.db_table)
    placeholders = ", ".join(["%s"] * len(ids))
    # A recursive CTE walks the closure in the database, so the cost follows the size of the
    # components involved, not of the whole relation table. Only quoted table names and
    # placeholders are formatted into the statement.
    sql = f"""
        WITH RECURSIVE reach(claim_id) AS (
            SELECT id FROM {claim_table} WHERE id IN ({placeholders})
            UNION
            SELECT CASE WHEN r.from_claim_id = reach.claim_id
                        THEN r.to_claim_id ELSE r.from_claim_id END
            FROM {relation_table} r
            JOIN reach ON r.from_claim_id = reach.claim_id OR r.to_claim_id = reach.claim_id
            WHERE r.kind = %s
        )
        SELECT reach.claim_id, r.to_claim_id
        FROM reach
        LEFT JOIN {relation_table} r ON r.from_claim_id = reach.claim_id AND r.kind = %s
    """  # noqa: S608
    same_as = ClaimRelation.Kind.SAME_AS.value
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, same_as, same_as])
        rows = cursor.fetchall()

    forest = _Forest()
    for claim_id, other_id in rows:
        forest.add(claim_id)
        if other_id is not None:
            forest.union(claim_id, other_id)
    return forest.groups()


def count_independent_origins(claim_ids: Iterable[int]) -> dict[int, int]:
    """Return {claim id: number of independent origins}; 2 queries however many claims."""
    ids = set(claim_ids)
    counts = _counts_over_closure(same_as_components(ids))
    return {claim_id: counts.get(claim_id, 0) for claim_id in ids}


@transaction.atomic(savepoint=False)
def refresh_independent_origins(claim_ids: Iterable[int]) -> dict[int, int]:
    """Recount and store `Claim.independent_origins` for the claims and their same-as closure.

    Call inside the transaction that changed appearances, chains or same-as relations. Inside
    one it takes no savepoint of its own (two round trips fewer on every chain edit): nothing
    catches its errors to carry on, so a failure rolls back the service that called it.
    """
    return _refresh(claim_ids)[0]


@transaction.atomic
def recount_batch(*, after: int = 0, batch_size: int = 2000) -> tuple[int | None, int, int]:
    """Recount and store the origins of the next `batch_size` claims by id after `after`.

    Keyset paging (no OFFSET), set-based (the same 3 queries for a batch as for one claim,
    plus an UPDATE of the claims whose stored count was wrong), atomic per batch. Returns
    (the last claim id done, or None when none is left; claims counted; counts corrected),
    so a caller can store the position and resume after it.
    """
    ids = list(
        Claim.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch_size]
    )
    if not ids:
        return None, 0, 0
    counts, corrected = _refresh(ids)
    return ids[-1], len(ids), corrected


def _refresh(claim_ids: Iterable[int]) -> tuple[dict[int, int], int]:
    """Recount the claims and their closure; store the counts that changed. (counts, changed)"""
    components = same_as_components(claim_ids)
    if not components:
        return {}, 0
    # Lock the rows first, in a fixed order, so two writers recounting the same component
    # serialise and the later one counts what the earlier one committed.
    stored = {
        pk: (count, only_anonymous)
        for pk, count, only_anonymous in Claim.objects.select_for_update()
        .filter(pk__in=components)
        .order_by("pk")
        .values_list("pk", "independent_origins", "only_anonymous_origins")
    }
    origin_kinds: dict[int, set[str]] = {}
    counts = _counts_over_closure(components, origin_kinds=origin_kinds)
    # Only the rows whose count (or anonymous-only flag) moved are written: a recount that
    # finds nothing wrong writes nothing, and a write path touching one claim updates one row.
    changed = []
    for claim_id, n in counts.items():
        only_anonymous = origin_kinds.get(claim_id) == {ANONYMOUS}
        if stored.get(claim_id) != (n, only_anonymous):
            changed.append(
                Claim(pk=claim_id, independent_origins=n, only_anonymous_origins=only_anonymous)
            )
    if changed:
        Claim.objects.bulk_update(
            changed, fields=["independent_origins", "only_anonymous_origins"], batch_size=1000
        )
    return counts, len(changed)


def conflicts(*, claims: Iterable[Claim] | None = None) -> list[tuple[Claim, Claim, ClaimRelation]]:
    """Return (claim_a, claim_b, relation) for contradicting claims, quotes and chains prefetched.

    Pass `claims` (ids, instances or a queryset) to keep only conflicts involving them.
    """
    relations = ClaimRelation.objects.filter(kind=ClaimRelation.Kind.CONTRADICTS).select_related(
        "from_claim", "to_claim"
    )
    if claims is not None:
        relations = relations.filter(Q(from_claim__in=claims) | Q(to_claim__in=claims))
    chain = Attribution.objects.select_related("person", "organization", "anonymous_source")
    appearances = Appearance.objects.select_related(
        "document__publisher", "document__publication"
    ).prefetch_related(Prefetch("chain", queryset=chain))
    pairs = [(relation.from_claim, relation.to_claim, relation) for relation in relations]
    # Both ends at once: one query for the quotes and one for their chains.
    prefetch_related_objects(
        [claim for a, b, _ in pairs for claim in (a, b)],
        Prefetch("appearances", queryset=appearances),
    )
    return pairs


def _counts_over_closure(
    components: dict[int, frozenset[int]], *, origin_kinds: dict[int, set[str]] | None = None
) -> dict[int, int]:
    """Count independent origins for every claim in `components`; 1 query.

    Fills `origin_kinds`, when given, with the kinds of each claim's own origins.
    """
    keyed_by_claim = _appearance_keys(components, origin_kinds=origin_kinds)
    counts: dict[int, int] = {}
    by_component: dict[frozenset[int], int] = {}
    for claim_id, component in components.items():
        if component not in by_component:
            forest = _Forest()
            keyed = [a for member in component for a in keyed_by_claim.get(member, ())]
            for appearance in keyed:
                forest.add(appearance.keys[0])
                for key in appearance.keys[1:]:
                    forest.union(appearance.keys[0], key)
            for a, b in _same_passage_of_copies(keyed):
                forest.union(a.keys[0], b.keys[0])
            by_component[component] = forest.group_count()
        counts[claim_id] = by_component[component]
    return counts


@dataclass(frozen=True)
class _Keyed:
    """An appearance with a chain: its origin and first reporter keys, and where it stands."""

    keys: tuple[AgentKey, ...]
    document_id: int
    text_sha256: str
    start: int
    end: int


def _same_passage_of_copies(keyed: list[_Keyed]):
    """Yield pairs of appearances on overlapping passages of two copies of one text."""
    by_text: dict[str, list[_Keyed]] = {}
    for appearance in keyed:
        by_text.setdefault(appearance.text_sha256, []).append(appearance)
    for group in by_text.values():
        if len({a.document_id for a in group}) < 2:
            continue  # one document: its passages count as they always did
        group.sort(key=lambda a: a.start)
        open_: list[_Keyed] = []  # a sweep over start offsets: only overlapping spans pair
        for appearance in group:
            open_ = [a for a in open_ if a.end > appearance.start]
            for other in open_:
                if other.document_id != appearance.document_id:
                    yield other, appearance
            open_.append(appearance)


def _appearance_keys(
    claim_ids: Iterable[int], *, origin_kinds: dict[int, set[str]] | None = None
) -> dict[int, list[_Keyed]]:
    """Map claim id to its appearances with a chain: origin agent and first reporter keys.

    Fills `origin_kinds`, when given, with the agent kinds of each claim's origins.
    """
    rows = (
        Attribution.objects.filter(
            appearance__claim_id__in=list(claim_ids),
            role__in=[Attribution.Role.ORIGIN, Attribution.Role.REPORTER],
        )
        .order_by("appearance_id", "position")
        .values_list(
            "appearance__claim_id",
            "appearance_id",
            "role",
            "person_id",
            "organization_id",
            "anonymous_source_id",
            "appearance__document_id",
            "appearance__document__body_sha256",
            "appearance__start",
            "appearance__end",
        )
    )
    links: dict[int, tuple[int, dict[str, AgentKey], tuple]] = {}
    for claim_id, appearance_id, role, person_id, organization_id, anonymous_id, *place in rows:
        key = agents.key_from_ids(
            person_id=person_id, organization_id=organization_id, anonymous_source_id=anonymous_id
        )
        _, by_role, _ = links.setdefault(appearance_id, (claim_id, {}, tuple(place)))
        if origin_kinds is not None and role == Attribution.Role.ORIGIN and key is not None:
            origin_kinds.setdefault(claim_id, set()).add(key[0])
        by_role.setdefault(role, key)  # rows come in chain order: keep the first reporter
    keyed_by_claim: dict[int, list[_Keyed]] = {}
    for claim_id, by_role, place in links.values():
        keyed_by_claim.setdefault(claim_id, []).append(_Keyed(tuple(by_role.values()), *place))
    return keyed_by_claim


class _Forest:
    """Union-find over hashable items."""

    def __init__(self) -> None:
        self.parent: dict = {}

    def add(self, item) -> None:
        self.parent.setdefault(item, item)

    def find(self, item):
        self.add(item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a, b) -> None:
        self.parent[self.find(a)] = self.find(b)

    def group_count(self) -> int:
        return len({self.find(item) for item in list(self.parent)})

    def groups(self) -> dict:
        """Return {item: frozenset of the items in its group}."""
        members: dict = {}
        for item in list(self.parent):
            members.setdefault(self.find(item), set()).add(item)
        frozen = {root: frozenset(group) for root, group in members.items()}
        return {item: frozen[self.find(item)] for item in self.parent}
