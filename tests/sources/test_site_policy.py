"""Machine-readable TDM signals (TDMRep): reading, precedence, conflicts, recording, decide()."""

import http.server
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sources.ingest import document_import
from sources.licensing import Action, Audience, decide, site_signal_for, site_signals_for
from sources.models import LicenseTerms, SitePolicy, SiteSignal, TdmPolicy
from sources.odrl import reserved_documents, tdm_headers
from sources.site_policy import (
    Location,
    Observation,
    Rule,
    SignalError,
    effective,
    pattern_matches,
    read_headers,
    read_html_meta,
    read_policy,
    read_robots_txt,
    read_tdmrep_json,
    site_policy_record,
    tdm_policy_store,
)
from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    LicenseTermsFactory,
    OrganizationFactory,
    ReservedLicenseTermsFactory,
    UserFactory,
)

DATA = Path(__file__).parent / "data" / "signals"
SITE = "offshore.example"
PAGE = "https://offshore.example/news/open/sanctions"
POLICY = "https://offshore.example/policies/tdm.json"


def read(name: str) -> str:
    return (DATA / name).read_text()


# Reading, pure ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/", "/anything", True),
        ("/news/", "/news/a", True),
        ("/news/", "/News/a", False),  # case-sensitive
        ("/news/*.html$", "/news/x/y.html", True),
        ("/news/*.html$", "/news/x/y.html?q", False),
        ("/news/*.html$", "/news/x/y.htm", False),
        ("/exact$", "/exact", True),
        ("/exact$", "/exactly", False),
        ("/%7Euser/", "/~user/x", True),  # unreserved characters compare decoded
    ],
)
def test_tdmrep_json_locations_match_like_robots_txt(pattern, path, matches):
    assert pattern_matches(pattern, path) is matches


def test_tdmrep_json_is_read_rule_by_rule_in_order():
    rules = read_tdmrep_json(read("tdmrep.json"))

    assert [(r.pattern, r.reservation, r.policy_url) for r in rules] == [
        ("/news/open/", 0, ""),
        ("/news/*.html$", 1, POLICY),
        ("/", 1, ""),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ('{"location": "/"}', "JSON array"),
        ('[{"location": "/"}]', "tdm-reservation is required"),
        ('[{"location": "/", "tdm-reservation": 2}]', "must be 0 or 1"),
        ('[{"location": "/", "tdm-reservation": true}]', "must be 0 or 1"),
        ('[{"location": "/", "tdm-reservation": 1, "tdm-policy": "/p.json"}]', "absolute"),
        ('[{"location": "news", "tdm-reservation": 1}]', "path pattern"),
        ("[]", "no rules"),
    ],
)
def test_a_bad_tdmrep_json_is_refused_with_its_reason(text, message):
    with pytest.raises(SignalError, match=message):
        read_tdmrep_json(text)


def test_headers_are_read_in_any_case_from_a_response_head():
    rule = read_headers(read("headers.txt"))

    assert (rule.reservation, rule.policy_url) == (0, "")
    with pytest.raises(SignalError, match="no tdm-reservation"):
        read_headers("Content-Type: text/html\n\n")


def test_html_meta_gives_the_pair_and_the_canonical_url():
    meta = read_html_meta(read("page.html"))

    assert (meta.rule.reservation, meta.rule.policy_url) == (1, POLICY)
    assert meta.canonical_url == PAGE
    invalid = read_html_meta('<html><head><meta name="tdm-reservation" content="yes"></head>')
    assert invalid.rule is None and "0 or 1" in invalid.problem


def test_robots_txt_gives_only_the_ai_crawlers_disallows():
    rules = read_robots_txt(read("robots.txt"))

    assert [(r.user_agent, r.path) for r in rules] == [
        ("GPTBot", "/"),
        ("CCBot", "/"),
        ("Google-Extended", "/news/"),
    ]


def test_a_policy_is_read_for_its_permissions_and_duties():
    import json

    reading = read_policy(json.loads(read("policy.json")))

    assert not reading.problems
    assert reading.assigner == "DK Medier"
    assert reading.contact == "mailto:licensing@offshore.example"
    (mine,) = reading.mining
    assert mine.duties == ("obtainConsent",) and mine.target == "https://offshore.example/news"
    assert read_policy({"@type": "Set"}).problems


# Precedence, pure ------------------------------------------------------------------------------


def _site(db, publisher=None):
    return SitePolicy.objects.create(publisher=publisher or OrganizationFactory(), host=SITE)


def _signal(site, location, reservation=None, *, pattern="", url="", policy="", position=0, **kw):
    return SiteSignal(
        site=site,
        location=location,
        reservation=reservation,
        pattern=pattern,
        resource_url=url,
        tdm_policy_url=policy,
        position=position,
        source="test",
        observed_at=timezone.now(),
        **kw,
    )


def test_each_later_location_supersedes_the_earlier_for_the_resource(db):
    site = _site(db)
    file = _signal(site, Location.TDMREP_JSON, 1, pattern="/")
    header = _signal(site, Location.HEADER, 0, url=PAGE)
    meta = _signal(site, Location.HTML_META, 1, url=PAGE, policy=POLICY)
    epub = _signal(site, Location.EPUB_PDF, 0, url=PAGE)

    assert effective([file], PAGE).reservation == 1
    assert effective([file, header], PAGE).decided_by is header
    assert effective([file, header, meta], PAGE).decided_by is meta
    assert effective([file, header, meta, epub], PAGE).reservation == 0
    # Order of the rows does not matter, only the location.
    assert effective([epub, meta, header, file], PAGE).decided_by is epub
    # A header on another resource says nothing about this one.
    other = _signal(site, Location.HEADER, 0, url="https://offshore.example/other")
    assert effective([file, other], PAGE).reservation == 1


def test_absence_never_resets_a_stated_value(db):
    site = _site(db)
    header = _signal(site, Location.HEADER, 1, url=PAGE, policy=POLICY)
    meta_policy_only = _signal(site, Location.HTML_META, None, url=PAGE, policy=POLICY + "?v2")

    result = effective([header, meta_policy_only], PAGE)

    assert result.reservation == 1 and result.decided_by is header
    assert result.policy_url == POLICY + "?v2"  # the policy given later supersedes
    assert effective([], PAGE).reservation is None


def test_the_first_matching_tdmrep_json_rule_wins_and_no_match_is_unset(db):
    site = _site(db)
    rules = [
        _signal(site, Location.TDMREP_JSON, 0, pattern="/news/open/", position=0),
        _signal(site, Location.TDMREP_JSON, 1, pattern="/news/", position=1),
    ]

    assert effective(rules, PAGE).reservation == 0
    assert effective(rules, "https://offshore.example/news/closed/x").reservation == 1
    assert effective(rules, "https://offshore.example/about").reservation is None
    assert effective(rules, "https://elsewhere.example/news/x").reservation is None


def test_a_conflict_between_locations_is_a_warning_and_the_later_location_wins(db):
    site = _site(db)
    file = _signal(site, Location.TDMREP_JSON, 0, pattern="/news/open/")
    meta = _signal(site, Location.HTML_META, 1, url=PAGE)

    result = effective([file, meta], PAGE)

    assert result.reservation == 1
    (conflict,) = result.conflicts
    assert "tdmrep.json" in conflict and "HTML meta" in conflict and "disagree" in conflict
    assert not effective([meta], PAGE).conflicts


def test_robots_txt_is_shown_but_never_decides(db):
    site = _site(db)
    robots = _signal(site, Location.ROBOTS_TXT, pattern="/", user_agent="GPTBot")

    result = effective([robots], PAGE)

    assert result.reservation is None
    assert "GPTBot" in result.informative[0] and "informative" in result.informative[0]
    assert decide(
        document=DocumentFactory(url=PAGE), action=Action.MINE, audience=Audience.EXTERNAL
    )


def test_a_policy_named_under_reservation_0_is_not_processed(db):
    site = _site(db)
    header = _signal(site, Location.HEADER, 0, url=PAGE, policy=POLICY)

    assert effective([header], PAGE).policy_url == ""


# Recording ----------------------------------------------------------------------------------------


def test_a_new_tdmrep_json_replaces_the_old_one_and_old_rows_are_kept(db):
    publisher = OrganizationFactory(name="DK Medier")
    first = Observation(Location.TDMREP_JSON, "file", rules=(Rule(1, pattern="/"),))
    site_policy_record(publisher=publisher, host=SITE, observations=[first])
    second = Observation(Location.TDMREP_JSON, "file", rules=(Rule(0, pattern="/"),))
    site_policy_record(publisher=publisher, host=SITE, observations=[second])

    assert SiteSignal.objects.count() == 2
    assert [s.reservation for s in SiteSignal.objects.current()] == [0]


def test_a_site_belongs_to_one_publisher(db):
    site_policy_record(publisher=OrganizationFactory(), host=SITE, observations=[])

    with pytest.raises(SignalError, match="recorded as"):
        site_policy_record(publisher=OrganizationFactory(), host=SITE, observations=[])


# The command ------------------------------------------------------------------------------------


@pytest.fixture
def dk(db):
    return OrganizationFactory(name="DK Medier", url=f"https://{SITE}/")


def test_record_site_policy_from_files_records_each_location_and_warns_of_conflicts(dk, capsys):
    call_command(
        "record_site_policy",
        "DK Medier",
        "--tdmrep-json",
        str(DATA / "tdmrep.json"),
        "--headers",
        str(DATA / "headers.txt"),
        "--html",
        str(DATA / "page.html"),
        "--robots-txt",
        str(DATA / "robots.txt"),
        "--tdm-policy",
        str(DATA / "policy.json"),
    )

    out = capsys.readouterr().out
    site = SitePolicy.objects.get()
    assert (site.host, site.publisher) == (SITE, dk)
    by_location = {}
    for signal in site.signals.all():
        by_location.setdefault(signal.location, []).append(signal)
    assert len(by_location[Location.TDMREP_JSON]) == 3
    assert by_location[Location.HEADER][0].resource_url == PAGE  # the page's canonical URL
    assert by_location[Location.HEADER][0].raw == "tdm-reservation: 0"
    meta = by_location[Location.HTML_META][0]
    assert meta.tdm_policy.url == POLICY and meta.tdm_policy.document["@type"] == "Offer"
    assert len(by_location[Location.ROBOTS_TXT]) == 3
    assert "warning: The machine-readable signals disagree" in out
    result = site_signal_for(DocumentFactory(url=PAGE))
    assert result.reservation == 1 and result.decided_by.location == Location.HTML_META


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Nobody", "--robots-txt", "robots.txt"], "No organization is named"),
        (["DK Medier"], "Nothing to record"),
        (["DK Medier", "--tdmrep-json", "missing.json"], "Cannot read"),
        (["DK Medier", "--tdmrep-json", "policy.json"], "JSON array"),
        (["DK Medier", "--headers", "headers.txt"], "give --url"),
        (["DK Medier", "--headers", "robots.txt", "--url", PAGE], "no tdm-reservation"),
        (["DK Medier", "--html", "page.html", "--tdm-policy", "tdmrep.json"], "not a TDMRep"),
        (
            ["DK Medier", "--html", "page.html", "--url", "https://b.example/x", "--site", SITE],
            "more than one site",
        ),
    ],
)
def test_record_site_policy_refuses_bad_input_and_stores_nothing(dk, args, message):
    args = [str(DATA / a) if (DATA / a).suffix and not a.startswith("http") else a for a in args]

    with pytest.raises(CommandError, match=message) as raised:
        call_command("record_site_policy", *args)

    assert "\n" not in str(raised.value)
    assert not SitePolicy.objects.exists() and not SiteSignal.objects.exists()
    assert not TdmPolicy.objects.exists()


class _Handler(http.server.BaseHTTPRequestHandler):
    files = {
        "/robots.txt": "User-agent: *\nDisallow: /private/\n",
        "/.well-known/tdmrep.json": '[{"location": "/", "tdm-reservation": 1, '
        '"tdm-policy": "POLICY"}]',
        "/policies/tdm.json": read("policy.json"),
        "/private/.well-known/tdmrep.json": "[]",
    }

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = self.files.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        body = body.replace("POLICY", f"http://{self.headers['Host']}/policies/tdm.json")
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def local_site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_record_site_policy_fetches_tdmrep_json_and_its_policy(dk, local_site, capsys):
    call_command("record_site_policy", "DK Medier", "--tdmrep-json", local_site)

    (signal,) = SiteSignal.objects.all()
    assert signal.source == f"{local_site}/.well-known/tdmrep.json"
    assert signal.site.host == local_site.removeprefix("http://")
    assert signal.tdm_policy.document["permission"][0]["action"] == "tdm:mine"
    document = DocumentFactory(url=f"{local_site}/news/x")
    decision = decide(document=document, action=Action.MINE, audience=Audience.STAFF)
    assert not decision and f"{local_site}/policies/tdm.json" in decision.reason


def test_record_site_policy_honours_robots_txt(dk, local_site):
    with pytest.raises(CommandError, match="robots.txt does not allow"):
        call_command(
            "record_site_policy",
            "DK Medier",
            "--tdmrep-json",
            f"{local_site}/private/.well-known/tdmrep.json",
        )
    assert not SiteSignal.objects.exists()


# decide() ----------------------------------------------------------------------------------------


def _record(publisher, reservation, *, policy_file=None, location=Location.HEADER, url=PAGE):
    policies = {}
    if policy_file:
        import json

        policies[POLICY] = tdm_policy_store(
            url=POLICY, document=json.loads(read(policy_file)), source=policy_file
        )
    policy_url = POLICY if reservation == 1 and policy_file else ""
    rule = Rule(reservation, policy_url=policy_url, raw=f"tdm-reservation: {reservation}")
    site_policy_record(
        publisher=publisher,
        host=SITE,
        observations=[Observation(location, "test", rules=(rule,), resource_url=url)],
        policies=policies,
    )


def mine(document, audience=Audience.EXTERNAL, **kwargs):
    return decide(document=document, action=Action.MINE, audience=audience, **kwargs)


def test_a_machine_readable_reservation_with_a_consent_policy_needs_an_agreement(dk):
    _record(dk, 1, policy_file="policy.json")
    document = DocumentFactory(publisher=dk, url=PAGE)

    decision = mine(document)

    assert not decision
    assert POLICY in decision.reason and "consent" in decision.reason
    assert "agreement" in decision.reason and "mailto:licensing@offshore.example" in decision.reason
    assert decision.clause == "tdm-reservation: 1"  # the signal as read


def test_a_policy_permitting_mining_without_duty_allows_it(dk):
    _record(dk, 1, policy_file="policy_free.json")

    decision = mine(DocumentFactory(publisher=dk, url=PAGE))

    assert decision and POLICY in decision.reason


def test_a_reservation_with_an_unread_policy_fails_closed(dk, admin_client):
    from django.urls import reverse

    site_policy_record(
        publisher=dk,
        host=SITE,
        observations=[
            Observation(
                Location.HEADER, "t", rules=(Rule(1, policy_url=POLICY),), resource_url=PAGE
            )
        ],
    )

    decision = mine(DocumentFactory(publisher=dk, url=PAGE))

    assert not decision and "has not been read" in decision.reason and POLICY in decision.reason
    page = admin_client.get(
        reverse("admin:sources_sitepolicy_change", args=[SitePolicy.objects.get().pk])
    )
    assert f"The TDM policy {POLICY}" in page.content.decode()  # named, not read: said so


def test_machine_readable_0_allows_mining_when_the_terms_are_silent(dk):
    _record(dk, 0)
    silent = LicenseTermsFactory(holder=dk)

    assert mine(DocumentFactory(publisher=dk, url=PAGE))
    decision = mine(DocumentFactory(publisher=dk, url=PAGE, license=silent))
    assert decision and "tdm-reservation 0" in decision.reason


def test_machine_readable_0_never_weakens_a_reservation_in_the_notice(dk):
    _record(dk, 0)
    reserved = ReservedLicenseTermsFactory(holder=dk)

    decision = mine(DocumentFactory(publisher=dk, url=PAGE, license=reserved))

    assert not decision and "never weakens" in decision.reason


def test_machine_readable_1_outranks_an_unconfirmed_not_reserved_notice(dk):
    _record(dk, 1)
    terms = LicenseTermsFactory(holder=dk, tdm_status=LicenseTerms.TdmStatus.NOT_RESERVED)
    document = DocumentFactory(publisher=dk, url=PAGE, license=terms)

    decision = mine(document)
    assert not decision and "fail closed" in decision.reason

    terms.confirmed_by, terms.confirmed_at = UserFactory(), timezone.now()
    terms.save()
    assert mine(document)  # the editor confirmed the notice's "not reserved"


def test_an_agreement_granting_tdm_allows_mining_a_machine_readable_reservation(dk):
    _record(dk, 1, policy_file="policy.json")
    terms = LicenseTermsFactory(holder=dk)
    agreement = AgreementFactory(holder=dk, grants_tdm=True)

    decision = mine(DocumentFactory(publisher=dk, url=PAGE, license=terms))

    assert decision and agreement.reference in decision.reason


def test_site_signals_load_in_one_query_for_a_batch(dk, django_assert_num_queries):
    _record(dk, 1)
    documents = [DocumentFactory(publisher=dk, url=f"{PAGE}?n={n}") for n in range(5)]
    documents.append(DocumentFactory(publisher=dk, url=PAGE))

    with django_assert_num_queries(1):
        signals = site_signals_for(documents)
        reserved = reserved_documents(documents, site_signals=signals)
        headers = tdm_headers(documents, site_signals=signals)

    assert reserved == documents[-1:]  # the header was read on PAGE only
    assert headers["tdm-reservation"] == "1"


# On import ---------------------------------------------------------------------------------------


def _page(meta: str, notice: str = "") -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"{meta}<title>US shelves sanctions</title></head><body><article>"
        "<p>The United States has put plans to sanction China's Ministry of State Security on "
        "hold to avoid derailing a trade deal the two countries signed in October, current and "
        "former US officials told the Financial Times.</p>"
        "<p>According to several of the sources, the administration will not implement any "
        "new major export controls with China.</p>"
        f"{f'<p>{notice}</p>' if notice else ''}</article></body></html>"
    )


META_1 = f'<meta name="tdm-reservation" content="1"><meta name="tdm-policy" content="{POLICY}">'


def test_an_imported_page_with_tdm_meta_records_it_on_the_site_policy(dk):
    result = document_import(
        raw=_page(META_1), publisher="DK Medier", url=PAGE, input_format="html"
    )

    (signal,) = SiteSignal.objects.all()
    assert (signal.location, signal.reservation, signal.tdm_policy_url) == (
        Location.HTML_META,
        1,
        POLICY,
    )
    assert signal.site.publisher == dk and signal.resource_url == PAGE
    assert any("site policy of offshore.example" in w for w in result.warnings)
    assert not mine(result.document)


def test_an_imported_meta_reservation_sets_the_terms_machine_readable(dk):
    notice = "© 2025 DK Medier. All rights reserved."
    result = document_import(
        raw=_page(META_1, notice), publisher="DK Medier", url=PAGE, input_format="html"
    )

    terms = result.document.license
    assert terms.tdm_status == LicenseTerms.TdmStatus.RESERVED
    assert terms.tdm_expression == LicenseTerms.TdmExpression.MACHINE_READABLE
    assert terms.tdm_policy_url == POLICY
    assert terms.tdm_signal_source == f"HTML meta of {PAGE}"


def test_an_imported_meta_0_never_weakens_the_notices_reservation(dk):
    notice = (
        "DK Medier reserves all rights to the content, including the right to exploit the "
        "content for the purpose of text and data mining, cf. Section 11b of the Copyright Act "
        "and Article 4 of the DSM Directive."
    )
    result = document_import(
        raw=_page('<meta name="tdm-reservation" content="0">', notice),
        publisher="DK Medier",
        url=PAGE,
        input_format="html",
    )

    terms = result.document.license
    assert terms.tdm_status == LicenseTerms.TdmStatus.RESERVED
    assert terms.tdm_expression == LicenseTerms.TdmExpression.NATURAL_LANGUAGE
    assert any("reservation stands" in w for w in result.warnings)
    assert not mine(result.document)


def test_an_invalid_meta_value_is_ignored_with_a_warning(dk):
    result = document_import(
        raw=_page('<meta name="tdm-reservation" content="maybe">'),
        publisher="DK Medier",
        url=PAGE,
        input_format="html",
    )

    assert not SiteSignal.objects.exists()
    assert any("TDM meta was ignored" in w for w in result.warnings)


# Admin ------------------------------------------------------------------------------------------


def test_the_site_policy_page_shows_signals_conflicts_and_robots(dk, admin_client):
    from django.urls import reverse

    call_command(
        "record_site_policy",
        "DK Medier",
        "--tdmrep-json",
        str(DATA / "tdmrep.json"),
        "--html",
        str(DATA / "page.html"),
        "--robots-txt",
        str(DATA / "robots.txt"),
        "--tdm-policy",
        str(DATA / "policy.json"),
    )
    site = SitePolicy.objects.get()

    page = admin_client.get(reverse("admin:sources_sitepolicy_change", args=[site.pk]))
    text = page.content.decode()

    assert page.status_code == 200
    assert "The machine-readable signals disagree" in text
    assert "GPTBot may not crawl /" in text and "never decisive" in text
    assert "None: the current signals agree" not in text
    organization = admin_client.get(reverse("admin:sources_organization_change", args=[dk.pk]))
    assert SITE in organization.content.decode()
    listing = admin_client.get(reverse("admin:sources_sitepolicy_changelist"))
    assert SITE in listing.content.decode()


def test_the_document_page_shows_its_sites_signal_and_the_conflict(dk, admin_client):
    from django.urls import reverse

    call_command(
        "record_site_policy",
        "DK Medier",
        "--tdmrep-json",
        str(DATA / "tdmrep.json"),
        "--html",
        str(DATA / "page.html"),
        "--tdm-policy",
        str(DATA / "policy.json"),
    )
    document = DocumentFactory(publisher=dk, url=PAGE)

    page = admin_client.get(reverse("admin:sources_document_change", args=[document.pk]))
    text = page.content.decode()

    assert "tdm-reservation 1, from the HTML meta of " + PAGE in text
    assert "The machine-readable signals disagree" in text
    assert "mine it automatically" in text


# Feed responses ---------------------------------------------------------------------------------


class _FeedHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        data = (Path(__file__).parent / "data" / "feeds" / "outlet.rss").read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("tdm-reservation", "1")
        self.send_header("tdm-policy", POLICY)
        self.end_headers()
        self.wfile.write(data)


def test_a_feeds_tdm_headers_are_recorded_and_reach_its_documents_terms(db):
    from sources.models import Document

    outlet = OrganizationFactory(name="Outlet B")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/outlet.rss"
    try:
        call_command("ingest_feed", url, "--publisher", "Outlet B", "--no-progress")
    finally:
        server.shutdown()

    (signal,) = SiteSignal.objects.all()
    assert (signal.location, signal.reservation, signal.resource_url) == (Location.HEADER, 1, url)
    assert signal.site.publisher == outlet
    terms = Document.objects.filter(license__isnull=False).first().license
    assert terms.tdm_expression == LicenseTerms.TdmExpression.MACHINE_READABLE
    assert terms.tdm_policy_url == POLICY and terms.tdm_signal_source == f"HTTP header of {url}"


def test_confirmed_terms_silent_on_tdm_still_follow_the_sites_reservation(dk):
    _record(dk, 1)
    terms = LicenseTermsFactory(
        holder=dk, confirmed_by=UserFactory(), confirmed_at=timezone.now()
    )  # confirmed as "not expressed": the notice says nothing about mining

    assert not mine(DocumentFactory(publisher=dk, url=PAGE, license=terms))
