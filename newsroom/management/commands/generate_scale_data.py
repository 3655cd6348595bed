"""Fill an empty PostgreSQL database with N synthetic claims that keep every invariant the app
relies on, fast (COPY in batches) and in bounded memory, for bench/scale.py.

    python manage.py generate_scale_data --claims 100000 [--seed 1] [--batch 5000]

What holds for the rows written (tests/bench/test_generate_scale_data.py checks it):
- one document per five claims, each with a body of six sentences in three paragraphs plus
  an agency line (recorded as its DocumentCredit); some sentences carry non-ASCII and astral
  characters, so offsets are code points; one in twenty is a syndicated copy of the previous
  one's text in another title (same body and hash);
- 1–3 appearances per claim whose exact/prefix/suffix/start/end select a sentence of the body;
- chains of 2–5 links, origin first (a person, an organization or an anonymous source), then a
  reporter, relays and the publisher last; later appearances often reuse the first's origin or
  reporter, so corroboration is not simply the number of appearances;
- `independent_origins` and `only_anonymous_origins` as `claims.origins` counts them (same-as
  relations included, and one sentence quoted in two copies of a text is one origin), so
  `manage.py recount_origins` corrects nothing;
- about 80% concluded; `version` is one more per verification event, `concluded_at` is the
  last conclusion, and the events form one hash chain that `manage.py verify_events` accepts
  (hashed with `claims.audit.event_digest`, the function the workflow uses);
- ten licence terms (reserved, conditional, partial, not reserved, not expressed, and one
  awaiting an editor's confirmation, which fails closed; three allow no external quote) and
  three agreements (one in force raises a no-quote licence to 400 characters; one expired,
  one not yet valid); one document in 200 withdrawn by its sender (a kill notice);

The rows are a pure function of --claims and --seed. The command refuses a database that
already holds sources or claims: it writes explicit ids. It does not write the edit history
tables (django-simple-history): nothing on the read paths measured reads them.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import json
import random
import time
from collections.abc import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction

from claims.audit import GENESIS_HASH, event_digest
from claims.models import (
    CONCLUDED,
    Appearance,
    Attribution,
    Claim,
    ClaimRelation,
    ClaimStatus,
    ExternalCheck,
    Topic,
    VerificationEvent,
)
from claims.watermark import change_stamp
from newsroom import roles
from sources.models import (
    Affiliation,
    Agreement,
    AnonymousSource,
    Document,
    DocumentCredit,
    LicenseTerms,
    Organization,
    Person,
    normalise_notice,
    sha256_hex,
)

S = ClaimStatus
Role = Attribution.Role
EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
CLAIMS_PER_DOCUMENT = 5
GROUPS = 10
# One document in twenty is a syndicated copy of the previous one's text (tests raise it).
COPY_SHARE = 0.05
AGENCIES = ["Reuters", "Agence France-Presse", "Associated Press", "Ritzau", "dpa"]
TOPICS = [
    "energy", "trade", "security", "health", "climate", "elections", "shipping", "finance",
    "technology", "defence", "agriculture", "housing", "transport", "labour", "education",
    "justice", "migration", "fisheries", "tourism", "space", "telecoms", "mining", "water",
    "retail", "media", "sport", "culture", "science", "taxation", "pensions", "diplomacy",
    "aviation", "railways", "banking", "insurance", "pharma", "chemicals", "steel", "textiles",
    "forestry",
]  # fmt: skip
PREFIXES = (
    "Nord Osp Vel Kar Bel Tor Mar Sil Ard Lum Cor Fen Gal Hel Ist Jar Kel Lor Mor Nex".split()
)
SUFFIXES = "wind rey ora ex mark vik gen lux stad holm tek ia on is ar um ent ova ix yn".split()
COMPANIES = [p + s for p in PREFIXES for s in SUFFIXES]  # 400 names
# One claim in 2,000 names this word: the benchmark's rare search term.
RARE_WORD = "Zephyrine"
FIRST = "Ana Jonas Mette Lars Sofia Emil Ida Noah Freja Oscar Chloé Jürgen Zoë Søren Amélie".split()
LAST = "Müller Hansen Nielsen Jensen Dubois Rossi García Kowalski Berg Lindqvist Østergaard".split()
PLACES = "Denmark Norway the Baltic Hamburg Rotterdam Gdańsk Aarhus Tromsø Bergen Malmö".split()
VERBS_CLAIM = [
    "tripled its investment in",
    "halved its spending on",
    "secured a contract for",
    "will close two plants making",
    "reported record profits from",
    "is under investigation over",
    "plans to export",
    "received state aid for",
]
OBJECTS = [
    "offshore energy",
    "pipeline capacity",
    "grid batteries",
    "container shipping",
    "export controls compliance",
    "hydrogen trade",
    "steel tariffs",
    "fishing quotas",
]
SENTENCES = [
    "{company} {verb} {object} in {place}, according to people familiar with the plans.",
    "“We are on track,” said {person}, {company}’s chief executive, on Tuesday.",
    "Officials in {place} said the deal with {company} would be signed before the summer.",
    "{company} did not immediately respond to a request for comment.",
    "The figures, first reported by {agency}, could not be independently verified.",
    "Analysts at {company} expect {object} to grow by {n} per cent — a record 🌊.",
    "{person} told reporters that {company} had “no plans” to leave {place}.",
    "Shares in {company} rose {n}% after the announcement in {place}.",
]
VERBS_LINK = {
    Role.ORIGIN: ["told", "said", "according to"],
    Role.REPORTER: ["reported", "first reported"],
    Role.RELAY: ["relayed", "citing"],
    Role.PUBLISHER: ["published"],
}
STATUS_WEIGHTS = [
    (S.VERIFIED, 45),
    (S.FALSE, 15),
    (S.DISPUTED, 12),
    (S.UNVERIFIABLE, 8),
    (S.IN_REVIEW, 10),
    (S.UNVERIFIED, 10),
]
CONCLUSIONS_NEEDING_EVIDENCE = {S.VERIFIED, S.FALSE}
# (TDM reserved, max external quote chars, sharing scope), one per publisher group.
T = LicenseTerms.TdmStatus
# (TDM status, max external quote chars, sharing scope), one per publisher group. The ninth
# awaits an editor's confirmation (the importer could not classify it): it fails closed.
LICENCES = [
    (T.RESERVED, 0, LicenseTerms.SharingScope.INTERNAL),
    (T.RESERVED, 0, LicenseTerms.SharingScope.SUBSCRIBERS),
    (T.NOT_EXPRESSED, 0, LicenseTerms.SharingScope.PUBLIC),
    (T.CONDITIONAL, 100, LicenseTerms.SharingScope.SUBSCRIBERS),
    (T.NOT_RESERVED, 150, LicenseTerms.SharingScope.PUBLIC),
    (T.PARTIAL, 200, LicenseTerms.SharingScope.PUBLIC),
    (T.NOT_EXPRESSED, 250, LicenseTerms.SharingScope.PUBLIC),
    (T.RESERVED, 300, LicenseTerms.SharingScope.SUBSCRIBERS),
    (T.UNKNOWN, 500, LicenseTerms.SharingScope.PUBLIC),
    (T.NOT_EXPRESSED, 1000, LicenseTerms.SharingScope.PUBLIC),
]
BENCH_USERS = {
    "bench-editor": (roles.EDITORS, True),
    "bench-factchecker": (roles.FACT_CHECKERS, True),
    "bench-consumer": (roles.API_CONSUMERS, False),
}
SAMPLE_TABLES = [Organization, Document, Claim, VerificationEvent]


class Command(BaseCommand):
    help = (
        "Fill an empty PostgreSQL database with N synthetic claims (COPY in batches) that keep "
        "the app's invariants, for bench/scale.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, required=True, help="How many claims.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same rows.")
        parser.add_argument("--batch", type=int, default=5000, help="Claims per transaction.")

    def handle(self, *args, claims: int, seed: int, batch: int, verbosity: int = 1, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_scale_data needs PostgreSQL (it bulk-loads with COPY): set DATABASE_URL."
            )
        if claims < 10:
            raise CommandError("Give --claims 10 or more.")
        if batch < 1:
            raise CommandError("Give --batch 1 or more.")
        for model in SAMPLE_TABLES:
            if model._base_manager.exists():
                raise CommandError(
                    f"The database already holds {model._meta.verbose_name_plural}: "
                    "generate_scale_data writes explicit ids, so it fills only an empty one."
                )
        started = time.perf_counter()
        generator = ScaleData(claims=claims, seed=seed, batch=batch)
        for done in generator.run():
            if verbosity:
                self.stdout.write(
                    f"  {done:,} of {claims:,} claims ({time.perf_counter() - started:.0f} s)"
                )
        # COPY passes the model signals: stamp the load as one change both audiences can see.
        change_stamp(outside=True)
        # VACUUM as well: it merges the GIN indexes' pending lists (the planner shuns an index
        # with a long one) and marks pages all-visible, for index-only counts. It cannot run
        # inside a transaction (a test's): there ANALYZE alone.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(
            f"Generated {claims:,} claims, {generator.documents:,} documents, "
            f"{generator.counts['appearance']:,} appearances, "
            f"{generator.counts['attribution']:,} chain links, "
            f"{generator.counts['event']:,} verification events in "
            f"{time.perf_counter() - started:.1f} s (seed {seed})."
        )


def copy_rows(model: type[models.Model], rows: Iterable[dict]) -> int:
    """COPY rows (dicts by attname) into the model's table; missing fields take their default.

    The column list comes from the model's fields, so a field added later with a default needs
    no change here.
    """
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    # An auto primary key not given is left to its sequence (the M2M through table's).
    # A generated column (the claims' search_vector) is the database's to fill.
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.generated and not (f.primary_key and f.attname not in first)
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.attname not in first
    }
    names = [f.attname for f in fields]
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 under Django's wrapper
        table = connection.ops.quote_name(model._meta.db_table)
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in itertools.chain([first], rows):
                copy.write_row([row[n] if n in row else defaults[n] for n in names])
                written += 1
    return written


def _uf_find(parent: dict, item):
    parent.setdefault(item, item)
    while parent[item] != item:
        parent[item] = parent[parent[item]]
        item = parent[item]
    return item


class ScaleData:
    """The rows for N claims, generated batch by batch from the seed."""

    def __init__(self, *, claims: int, seed: int, batch: int):
        self.claims = claims
        self.seed = seed
        self.batch = batch
        self.documents = max(2, claims // CLAIMS_PER_DOCUMENT)
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
        self.counts = {"appearance": 0, "attribution": 0, "event": 0, "check": 0, "relation": 0}
        self.head_hash = GENESIS_HASH
        # Explicit ids: the database is empty, so every table starts at 1.
        self.next_id = {"appearance": 1, "attribution": 1, "event": 1, "check": 1, "relation": 1}

    # the small tables, through the ORM (so every field's default applies) ---------------------

    def small_tables(self) -> None:
        rng = self.rng
        User = get_user_model()
        self.users = {}
        for username, (group_name, is_staff) in BENCH_USERS.items():
            user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": is_staff})
            user.groups.add(Group.objects.get(name=group_name))
            self.users[username] = user.pk
        self.editor = self.users["bench-editor"]
        self.checker = self.users["bench-factchecker"]

        n_publications = min(190, max(GROUPS, self.documents // 1000))
        n_others = min(800, max(20, self.claims // 1000))
        orgs: list[Organization] = []
        pk = 0

        def org(name, kind, parent=None):
            nonlocal pk
            pk += 1
            orgs.append(
                Organization(
                    pk=pk,
                    name=name,
                    kind=kind,
                    parent_id=parent,
                    url=f"https://org{pk}.example.org/",
                )
            )
            return pk

        K = Organization.Kind
        self.groups = [org(f"{PREFIXES[g]} Media Group", K.PUBLISHER) for g in range(GROUPS)]
        self.publications = [
            org(f"The {COMPANIES[i]} Herald", K.PUBLICATION, self.groups[i % GROUPS])
            for i in range(n_publications)
        ]
        self.group_of = {p: self.groups[i % GROUPS] for i, p in enumerate(self.publications)}
        self.agencies = [org(name, K.NEWS_AGENCY) for name in AGENCIES]
        self.agency_ids = dict(zip(AGENCIES, self.agencies, strict=True))
        other_kinds = [K.GOVERNMENT_BODY, K.THINK_TANK, K.COMPANY]
        self.others = [
            org(f"{COMPANIES[i % 400]} {other_kinds[i % 3].label} {i}", other_kinds[i % 3])
            for i in range(n_others)
        ]
        Organization.objects.bulk_create(orgs)
        self.org_names = {o.pk: o.name for o in orgs}

        terms = []
        for i, (status, chars, scope) in enumerate(LICENCES):
            reserved = status in LicenseTerms.RESERVING_STATUSES
            notice = (
                f"{self.org_names[self.groups[i]]} reserves all rights to the content"
                + (
                    ", including the right to exploit it for text and data mining, cf. Article 4 "
                    "of the DSM Directive."
                    if reserved
                    else "."
                )
                + f" Quotations of up to {chars} characters with attribution."
            )
            terms.append(
                LicenseTerms(
                    pk=i + 1,
                    holder_id=self.groups[i],
                    notice=notice,
                    notice_sha256=sha256_hex(normalise_notice(notice)),
                    tdm_status=status,
                    # Derived in save(), which bulk_create skips.
                    tdm_reserved=reserved,
                    tdm_legal_basis="DSM Directive Art. 4" if reserved else "",
                    tdm_expression=LicenseTerms.TdmExpression.NATURAL_LANGUAGE
                    if reserved
                    else LicenseTerms.TdmExpression.NONE,
                    tdm_clause=notice if reserved else "",
                    sharing_scope=scope,
                    max_external_quote_chars=chars,
                    permitted_uses="Quotation with attribution." if chars else "",
                )
            )
        LicenseTerms.objects.bulk_create(terms)
        self.terms_of_group = {t.holder_id: t.pk for t in terms}
        day = datetime.date
        Agreement.objects.bulk_create(
            [
                # In force: lifts the third group's no-quote licence to 400 characters.
                Agreement(
                    pk=1,
                    holder_id=self.groups[2],
                    reference="Syndication 2024/1",
                    valid_from=day(2020, 1, 1),
                    valid_until=day(2099, 12, 31),
                    max_external_quote_chars=400,
                    grants_external_sharing=True,
                    clause="Quotations of up to 400 characters.",
                ),
                Agreement(
                    pk=2,
                    holder_id=self.groups[0],
                    reference="Expired 2020",
                    valid_from=day(2020, 1, 1),
                    valid_until=day(2021, 1, 1),
                    grants_tdm=True,
                    max_external_quote_chars=1000,
                ),
                Agreement(
                    pk=3,
                    holder_id=self.groups[1],
                    reference="Future 2098",
                    valid_from=day(2098, 1, 1),
                    grants_tdm=True,
                ),
            ]
        )
        Topic.objects.bulk_create(
            [Topic(pk=i + 1, name=name, slug=name) for i, name in enumerate(TOPICS)]
        )

        n_people = max(20, self.claims // 20)
        n_anonymous = max(10, self.claims // 50)
        people, affiliations = [], []
        for i in range(n_people):
            people.append(
                Person(
                    pk=i + 1,
                    name=f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}",
                    description=rng.choice(["analyst", "minister", "spokesperson", "", "expert"]),
                )
            )
            if rng.random() < 0.95:
                affiliations.append(
                    Affiliation(
                        person_id=i + 1,
                        organization_id=rng.choice(self.others + self.publications),
                        role=rng.choice(["chief executive", "spokesperson", "analyst", ""]),
                        start_date=day(2015 + rng.randrange(8), 1, 1),
                    )
                )
        Person.objects.bulk_create(people, batch_size=5000)
        Affiliation.objects.bulk_create(affiliations, batch_size=5000)
        AnonymousSource.objects.bulk_create(
            [
                AnonymousSource(
                    pk=i + 1,
                    description=rng.choice(
                        [
                            "current and former officials",
                            "people familiar with the plans",
                            "two diplomats",
                            "a senior executive",
                            "industry sources",
                        ]
                    ),  # fmt: skip
                    count_text=rng.choice(["several", "two", "", "three"]),
                    anonymity_reason=rng.choice(
                        ["speaking on condition of anonymity", "not authorised to speak", ""]
                    ),
                )
                for i in range(n_anonymous)
            ],
            batch_size=5000,
        )
        self.n_people, self.n_anonymous = n_people, n_anonymous

    # documents: a pure function of their index, so any batch can recompute a body --------------

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one generator per command run)
    def document(self, index: int) -> dict:
        """Return the document row for `index` (0-based) plus its sentence spans."""
        rng = random.Random(f"{self.seed}-document-{index}")  # noqa: S311
        publication = rng.choice(self.publications)
        group = self.group_of[publication]
        sentences = []
        for _ in range(6):
            sentences.append(
                rng.choice(SENTENCES).format(
                    company=rng.choice(COMPANIES),
                    verb=rng.choice(VERBS_CLAIM),
                    object=rng.choice(OBJECTS),
                    place=rng.choice(PLACES),
                    person=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    agency=rng.choice(AGENCIES),
                    n=rng.randrange(2, 60),
                )
            )
        body, spans = "", []
        for i, sentence in enumerate(sentences):
            if i:
                body += "\n\n" if i % 2 == 0 else " "
            spans.append((len(body), len(body) + len(sentence)))
            body += sentence
        credit = rng.choice(AGENCIES)
        credit_line = f"/{credit}/"
        credit_at = len(body) + 2
        body += f"\n\n{credit_line} story-{index + 1}"
        headline = f"{sentences[0][:80]} (story-{index + 1})"
        # One in twenty is the previous document's agency story again, in another title: a
        # copy sharing its text (and its hash), as syndication makes them.
        is_copy = False
        if index and rng.random() < COPY_SHARE:
            original = self.document(index - 1)
            # Never a copy of a copy: each text stays in distinct titles.
            if not original["copy"] and original["row"]["publication_id"] not in (
                None,
                publication,
            ):
                body, spans = original["row"]["body"], original["spans"]
                headline, credit = original["row"]["headline"], original["credit"][3][1:-1]
                credit_line, credit_at = original["credit"][3], original["credit"][1]
                is_copy = True
        published = EPOCH + datetime.timedelta(seconds=index * 60 + rng.randrange(60))
        no_publication = rng.random() < 0.03 and not is_copy
        no_licence = rng.random() < 0.02
        withdrawn = rng.random() < 0.005
        row = {
            "id": index + 1,
            "publisher_id": group,
            "publication_id": None if no_publication else publication,
            "agency_credit": credit.lower(),
            "url": f"https://news{publication}.example.org/{index + 1}",
            "headline": headline,
            "published_at": published,
            "language": "en" if rng.random() < 0.9 else "da",
            "body": body,
            "raw_text": body + "\n\nEnd of Article",
            "body_sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
            "is_excerpt": False,
            "obtained_at": published + datetime.timedelta(hours=1),
            "obtained_via": Document.ObtainedVia.IMPORT_COMMAND,
            "license_id": None if no_licence else self.terms_of_group[group],
            "license_override": "",
            "withdrawn_at": published + datetime.timedelta(days=1) if withdrawn else None,
            "withdrawn_reason": "Kill notice from the sender: legal." if withdrawn else "",
            "imported_by_id": self.editor,
            "created_at": published + datetime.timedelta(hours=1),
            "updated_at": published + datetime.timedelta(hours=2),
        }
        credit_row = (self.agency_ids[credit], credit_at, credit_at + len(credit_line), credit_line)
        return {"row": row, "spans": spans, "credit": credit_row, "copy": is_copy}

    def credit(self, index: int) -> dict:
        """The agency line of the document's text ("/Ritzau/"), at its place in `raw_text`."""
        organization_id, start, end, text = self.document(index)["credit"]
        return {
            "document_id": index + 1,
            "organization_id": organization_id,
            "shape": DocumentCredit.Shape.AGENCY_LINE,
            "text": text,
            "start": start,
            "end": end,
            "created_at": self.document(index)["row"]["created_at"],
        }

    def quote(self, doc_index: int, sentence: int) -> dict:
        """An anchored quote of one sentence of the document: exact, context and offsets."""
        document = self.document(doc_index)
        body = document["row"]["body"]
        start, end = document["spans"][sentence]
        return {
            "document_id": doc_index + 1,
            "exact": body[start:end],
            "prefix": body[max(0, start - 32) : start],
            "suffix": body[end : end + 32],
            "start": start,
            "end": end,
        }

    # claims, batch by batch ------------------------------------------------------------------

    def run(self) -> Iterator[int]:
        with transaction.atomic():
            self.small_tables()
        documents_done = 0
        for first in range(0, self.claims, self.batch):
            last = min(self.claims, first + self.batch)
            documents_due = min(self.documents, -(-last // CLAIMS_PER_DOCUMENT))
            with transaction.atomic():
                new = range(documents_done, documents_due)
                copy_rows(Document, (self.document(i)["row"] for i in new))
                copy_rows(DocumentCredit, (self.credit(i) for i in new))
                documents_done = documents_due
                self.claim_batch(first, last, documents_done)
            yield last
        self.reset_sequences()

    def claim_batch(self, first: int, last: int, documents_available: int) -> None:
        rng = self.rng
        claims, topics, appearances, links, checks, events, relations = [], [], [], [], [], [], []
        keys_of: dict[int, list[tuple]] = {}
        same_as: list[tuple[int, int]] = []
        for index in range(first, last):
            claim_id = index + 1
            created = EPOCH + datetime.timedelta(seconds=index * 30 + rng.randrange(30))
            company = rng.choice(COMPANIES)
            text = (
                f"{company} {rng.choice(VERBS_CLAIM)} {rng.choice(OBJECTS)} in "
                f"{rng.choice(PLACES)} in {2020 + rng.randrange(6)}"
                + (f", {RARE_WORD} analysts said" if rng.random() < 1 / 2000 else "")
                + "."
            )
            claim_topics = rng.sample(range(1, len(TOPICS) + 1), 1 if rng.random() < 0.6 else 2)
            if "energy" in text and 1 not in claim_topics:
                claim_topics.append(1)
            topics += [{"claim_id": claim_id, "topic_id": t} for t in claim_topics]

            # appearances and their chains
            keys_of[claim_id] = []
            n_appearances = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
            first_origin = first_reporter = None
            claim_docs = []
            for a in range(n_appearances):
                # Mostly a recent document, sometimes any earlier one.
                if rng.random() < 0.8:
                    low = max(0, documents_available - self.batch // CLAIMS_PER_DOCUMENT - 1)
                    doc_index = rng.randrange(low, documents_available)
                else:
                    doc_index = rng.randrange(documents_available)
                claim_docs.append(doc_index)
                appearance_id = self.take("appearance")
                sentence = rng.randrange(6)
                appearances.append(
                    {
                        "id": appearance_id,
                        "claim_id": claim_id,
                        **self.quote(doc_index, sentence),
                        "anchor_state": Appearance.AnchorState.ANCHORED,
                        "created_by_id": self.editor,
                        "created_at": created + datetime.timedelta(minutes=a + 1),
                    }
                )
                origin = first_origin if a and rng.random() < 0.35 else self.agent(rng, origin=True)
                reporter = (
                    first_reporter if a and rng.random() < 0.25 else self.agent(rng, origin=False)
                )
                first_origin, first_reporter = first_origin or origin, first_reporter or reporter
                n_links = rng.choices([2, 3, 4, 5], weights=[50, 30, 12, 8])[0]
                chain = [(Role.ORIGIN, origin), (Role.REPORTER, reporter)]
                for _ in range(n_links - 3):
                    chain.append((Role.RELAY, ("organization", rng.choice(self.agencies))))
                if n_links >= 3:
                    publisher = (
                        self.document(doc_index)["row"]["publication_id"]
                        or (self.document(doc_index)["row"]["publisher_id"])
                    )
                    chain.append((Role.PUBLISHER, ("organization", publisher)))
                for position, (role, (kind, agent_id)) in enumerate(chain):
                    links.append(
                        {
                            "id": self.take("attribution"),
                            "appearance_id": appearance_id,
                            "position": position,
                            "role": role,
                            "verb": rng.choice(VERBS_LINK[role]),
                            "person_id": agent_id if kind == "person" else None,
                            "organization_id": agent_id if kind == "organization" else None,
                            "anonymous_source_id": agent_id if kind == "anonymous" else None,
                        }
                    )
                keys_of[claim_id].append(
                    (origin, reporter, doc_index, self.passage(doc_index, sentence))
                )

            # external checks: a third party's attempt, sometimes quoted from a document
            claim_checks = []
            if rng.random() < 0.16:
                check = {
                    "id": self.take("check"),
                    "claim_id": claim_id,
                    "organization_id": rng.choice(self.agencies),
                    "outcome": rng.choice(ExternalCheck.Outcome.values),
                    "document_id": None,
                    "exact": "",
                    "prefix": "",
                    "suffix": "",
                    "start": None,
                    "end": None,
                    "checked_at": created + datetime.timedelta(hours=3),
                    "created_by_id": self.editor,
                    "created_at": created + datetime.timedelta(hours=3),
                }
                if rng.random() < 0.6:
                    check |= self.quote(rng.choice(claim_docs), rng.randrange(6))
                checks.append(check)
                claim_checks.append(check["id"])

            # the verification history, ending in the claim's status
            status = rng.choices(*zip(*STATUS_WEIGHTS, strict=True))[0]
            moves: list[tuple[str, str]] = []
            if status != S.UNVERIFIED:
                moves.append((S.UNVERIFIED, S.IN_REVIEW))
            if status in CONCLUDED:
                if rng.random() < 0.03:  # concluded, reopened, concluded again
                    earlier = rng.choice(sorted(CONCLUDED))
                    moves += [(S.IN_REVIEW, earlier), (earlier, S.IN_REVIEW)]
                moves.append((S.IN_REVIEW, status))
            at = created + datetime.timedelta(hours=4)
            concluded_at = None
            for version, (frm, to) in enumerate(moves, start=2):
                at += datetime.timedelta(
                    hours=rng.randrange(1, 48), microseconds=rng.randrange(1000)
                )
                events.append(
                    self.event(rng, claim_id, version, frm, to, at, claim_docs, claim_checks)
                )
                concluded_at = at if to in CONCLUDED else None
            in_review = status == S.IN_REVIEW
            claims.append(
                {
                    "id": claim_id,
                    "text": text,
                    "summary": text[:74],
                    "status": status,
                    "version": 1 + len(moves),
                    "revision": 1 + (rng.random() < 0.1),
                    "assignee_id": self.checker if in_review and rng.random() < 0.5 else None,
                    "due_date": (at + datetime.timedelta(days=rng.randrange(-10, 20))).date()
                    if in_review
                    else None,
                    "concluded_at": concluded_at,
                    "created_by_id": self.editor,
                    "created_at": created,
                    # Distinct for every claim (the microseconds are the index), so the API's
                    # cursor pages by position, never by offset.
                    "updated_at": (
                        at + datetime.timedelta(seconds=1 + rng.randrange(3600))
                    ).replace(microsecond=index % 1_000_000),
                    "independent_origins": 0,
                }
            )

            # relations, to an earlier claim of this batch
            if index > first and rng.random() < 0.03:
                other = rng.randrange(first, index) + 1
                kind = rng.choices(ClaimRelation.Kind.values, weights=[30, 30, 20, 20])[0]
                low, high = (other, claim_id) if kind != "refines" else (claim_id, other)
                relations.append(
                    {
                        "id": self.take("relation"),
                        "from_claim_id": low,
                        "to_claim_id": high,
                        "kind": kind,
                        "recorded_by_id": self.editor,
                        "reason": f"Both report {company}'s plans.",
                        "created_at": created + datetime.timedelta(hours=1),
                    }
                )
                if kind == ClaimRelation.Kind.SAME_AS:
                    same_as.append((low, high))

        counts = self.independent_origins(keys_of, same_as)
        for claim in claims:
            claim["independent_origins"] = counts[claim["id"]]
            origins = [origin for origin, *_ in keys_of[claim["id"]]]
            claim["only_anonymous_origins"] = bool(origins) and all(
                kind == "anonymous" for kind, _ in origins
            )
        copy_rows(Claim, claims)
        copy_rows(Claim.topics.through, topics)
        copy_rows(Appearance, appearances)
        copy_rows(Attribution, links)
        copy_rows(ExternalCheck, checks)
        copy_rows(VerificationEvent, events)
        copy_rows(ClaimRelation, relations)
        self.counts["appearance"] += len(appearances)
        self.counts["attribution"] += len(links)
        self.counts["check"] += len(checks)
        self.counts["event"] += len(events)
        self.counts["relation"] += len(relations)

    def take(self, table: str) -> int:
        pk = self.next_id[table]
        self.next_id[table] += 1
        return pk

    def agent(self, rng: random.Random, *, origin: bool) -> tuple[str, int]:
        """An origin (person 45%, organization 25%, anonymous 30%) or a reporter."""
        if origin:
            draw = rng.random()
            if draw < 0.45:
                return ("person", rng.randrange(self.n_people) + 1)
            if draw < 0.70:
                return ("organization", rng.choice(self.others))
            return ("anonymous", rng.randrange(self.n_anonymous) + 1)
        if rng.random() < 0.1:
            return ("person", rng.randrange(self.n_people) + 1)
        return ("organization", rng.choice(self.publications + self.agencies))

    def event(self, rng, claim_id, version, frm, to, at, claim_docs, claim_checks) -> dict:
        """One verification event, chained to the previous one (claims/audit.py)."""
        by_checker = to in CONCLUDED or frm in CONCLUDED or to == S.UNVERIFIED
        actor = self.checker if by_checker else self.editor
        rationale = ""
        evidence: list[dict] = []
        if to in CONCLUDED:
            rationale = f"Concluded {to}: the sources were compared."
        elif frm in CONCLUDED:
            rationale = "Reopened: a new report contradicts the conclusion."
        if to in CONCLUSIONS_NEEDING_EVIDENCE or (to in CONCLUDED and rng.random() < 0.3):
            draw = rng.random()
            if draw < 0.3 and claim_checks:
                evidence.append(
                    {"kind": "external_check", "external_check": claim_checks[0],
                     "label": "External check", "note": ""}
                )  # fmt: skip
            elif draw < 0.6:
                doc = self.document(rng.choice(claim_docs))["row"]
                evidence.append(
                    {"kind": "document", "document": doc["id"], "label": doc["headline"],
                     "note": ""}
                )  # fmt: skip
            else:
                evidence.append(
                    {"kind": "url", "url": f"https://evidence.example.org/{claim_id}", "note": ""}
                )
        fields = {
            "claim_id": claim_id,
            "version": version,
            "from_status": str(frm),
            "to_status": str(to),
            "actor_id": actor,
            "actor_role": "fact-checker" if by_checker else "editor",
            "rationale": rationale,
            "evidence": evidence,
            "created_at": at,
        }
        digest = event_digest(previous_hash=self.head_hash, **fields)
        row = fields | {
            "id": self.take("event"),
            "evidence": json.dumps(evidence, ensure_ascii=False),
            "previous_hash": self.head_hash,
            "hash": digest,
        }
        self.head_hash = digest
        return row

    def passage(self, doc_index: int, sentence: int) -> tuple[int, int]:
        """The text a sentence of the document stands in: a copy's is its original's."""
        return (doc_index - 1 if self.document(doc_index)["copy"] else doc_index, sentence)

    def independent_origins(self, keys_of: dict, same_as: list[tuple[int, int]]) -> dict:
        """Count as claims.origins does: appearances sharing origin or reporter fold together,
        and so do appearances on the same passage of two copies of one text, over each
        claim's same-as component (here always within the batch).

        `keys_of` maps a claim to its appearances as (origin, reporter, document, passage).
        Every generated appearance has a chain, and a copy's sentences have its original's
        offsets, so "overlapping passages of copies" is "the same sentence of one text in two
        documents"; once a passage is in two documents, each of its appearances pairs with one
        in another document, so all of them are one origin."""
        component_parent: dict = {}
        for a, b in same_as:
            component_parent[_uf_find(component_parent, a)] = _uf_find(component_parent, b)
        members: dict[int, list[int]] = {}
        for claim_id in keys_of:
            members.setdefault(_uf_find(component_parent, claim_id), []).append(claim_id)
        counts = {}
        for group in members.values():
            parent: dict = {}
            on_passage: dict[tuple[int, int], list[tuple[int, tuple]]] = {}
            for claim_id in group:
                for origin, reporter, document, passage in keys_of[claim_id]:
                    parent[_uf_find(parent, origin)] = _uf_find(parent, reporter)
                    on_passage.setdefault(passage, []).append((document, origin))
            for appearances in on_passage.values():
                if len({document for document, _ in appearances}) > 1:
                    _, first_origin = appearances[0]
                    for _, origin in appearances[1:]:
                        parent[_uf_find(parent, origin)] = _uf_find(parent, first_origin)
            n = len({_uf_find(parent, item) for item in list(parent)})
            for claim_id in group:
                counts[claim_id] = n
        return counts

    def reset_sequences(self) -> None:
        tables = [
            Organization, LicenseTerms, Agreement, Topic, Person, AnonymousSource, Document,
            DocumentCredit,
            Claim, Appearance, Attribution, ExternalCheck, VerificationEvent, ClaimRelation,
            Claim.topics.through, Affiliation,
        ]  # fmt: skip
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), tables):
                cursor.execute(statement)
