"""Licence terms as ODRL policies, and the TDM Reservation Protocol headers and well-known file."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from sources.licensing import Action, Audience, decide
from sources.models import Document, LicenseTerms
from sources.odrl import (
    NEWSROOM_TDM_POLICY_PATH,
    TDMREP_PROFILE,
    newsroom_tdm_policy,
    odrl_policy,
    tdm_headers,
    tdmrep_wellknown,
)
from tests.conftest import EXPORT_BASE as BASE
from tests.conftest import build_url
from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    LicenseTermsFactory,
    ReservedLicenseTermsFactory,
)

ODRL = "http://www.w3.org/ns/odrl/2/"
TDM = "http://www.w3.org/ns/tdmrep#"
NAMESPACES = (ODRL, TDM, "http://purl.org/dc/terms/", "http://www.w3.org/2006/vcard/ns#")


@pytest.fixture
def reserved(db):
    """DK Medier's terms: TDM reserved, internal sharing only, no external quotes."""
    return ReservedLicenseTermsFactory()


def rules(policy: dict, kind: str, action: str) -> list[dict]:
    return [rule for rule in policy.get(kind, []) if rule["action"] == action]


def actions(policy: dict, kind: str) -> list[str]:
    return [rule["action"] for rule in policy.get(kind, [])]


# --- ODRL ----------------------------------------------------------------------------------------


def test_reserved_terms_prohibit_mining_sharing_and_quoting(reserved):
    policy = odrl_policy(reserved, build_url=build_url)

    assert policy["@context"] == [
        "http://www.w3.org/ns/odrl.jsonld",
        "http://www.w3.org/ns/tdmrep.jsonld",
    ]
    assert policy["@type"] == "Offer"
    assert policy["uid"] == f"{BASE}/api/v1/licenses/{reserved.pk}/odrl/"
    assert policy["assigner"]["vcard:fn"] == "DK Medier"
    assert policy["dct:rights"] == reserved.notice
    assert policy["tdm:reservation"] == 1
    (mine,) = rules(policy, "prohibition", "tdm:mine")
    assert mine["dct:references"] == "DSM Directive Art. 4; Danish Copyright Act §11b"
    assert mine["dct:description"] == reserved.tdm_clause
    assert mine["target"].startswith(policy["uid"])
    assert rules(policy, "prohibition", "distribute")[0]["dct:description"] == (
        reserved.sharing_clause
    )
    assert "extract" in actions(policy, "prohibition")
    assert "permission" not in policy
    assert "conflict" not in policy


def test_an_agreement_granting_tdm_permits_mining_to_the_newsroom(reserved):
    agreement = AgreementFactory(holder=reserved.holder, grants_tdm=True, reference="IP-2025-7")

    policy = odrl_policy(reserved, build_url=build_url, agreement=agreement)

    (mine,) = rules(policy, "permission", "tdm:mine")
    assert mine["assignee"] == {
        "@type": "Party",
        "uid": f"{BASE}/",
        "vcard:fn": settings.NEWSROOM_NAME,
    }
    # Everyone else is still refused; for the newsroom the permission wins.
    assert "tdm:mine" in actions(policy, "prohibition")
    assert policy["conflict"] == "perm"
    # The contract stays inside the newsroom.
    assert "IP-2025-7" not in json.dumps(policy)


def test_an_agreement_can_grant_sharing_and_longer_quotes(reserved):
    agreement = AgreementFactory(
        holder=reserved.holder, grants_external_sharing=True, max_external_quote_chars=500
    )

    policy = odrl_policy(reserved, build_url=build_url, agreement=agreement)

    (share,) = rules(policy, "permission", "distribute")
    (quote,) = rules(policy, "permission", "extract")
    assert share["assignee"]["uid"] == quote["assignee"]["uid"] == f"{BASE}/"
    assert quote["constraint"][0]["rightOperand"] == 500
    assert "tdm:mine" not in actions(policy, "permission")


def test_public_terms_permit_sharing_and_bounded_quotes(db):
    terms = LicenseTermsFactory(max_external_quote_chars=300)

    policy = odrl_policy(terms, build_url=build_url)

    assert policy["tdm:reservation"] == 0
    assert actions(policy, "permission") == ["distribute", "extract"]
    assert "prohibition" not in policy
    (quote,) = rules(policy, "permission", "extract")
    assert quote["constraint"] == [
        {
            "leftOperand": "absoluteSize",
            "operator": "lteq",
            "rightOperand": 300,
            "unit": "characters",
        }
    ]


def test_subscriber_sharing_is_a_constraint_on_distribute(db):
    terms = LicenseTermsFactory(sharing_scope=LicenseTerms.SharingScope.SUBSCRIBERS)

    policy = odrl_policy(terms, build_url=build_url)

    (share,) = rules(policy, "permission", "distribute")
    assert share["constraint"] == [
        {"leftOperand": "recipient", "operator": "eq", "rightOperand": "subscribers"}
    ]
    assert "distribute" not in actions(policy, "prohibition")


@pytest.mark.parametrize(
    ("terms_kwargs", "agreement_kwargs"),
    [
        ({}, None),
        ({"tdm_reserved": True}, None),
        ({"tdm_reserved": True}, {"grants_tdm": True}),
        ({"sharing_scope": "internal", "max_external_quote_chars": 0}, None),
        ({"sharing_scope": "internal"}, {"grants_external_sharing": True}),
        ({"sharing_scope": "subscribers", "max_external_quote_chars": 120}, None),
        ({"max_external_quote_chars": 120}, {"max_external_quote_chars": 40}),
    ],
)
def test_the_policy_says_what_licensing_decides(db, terms_kwargs, agreement_kwargs):
    terms = LicenseTermsFactory(**terms_kwargs)
    agreement = (
        AgreementFactory(holder=terms.holder, **agreement_kwargs) if agreement_kwargs else None
    )
    document = Document(license=terms)

    def decision(action, *, with_agreement, characters=0):
        return decide(
            document=document,
            action=action,
            audience=Audience.EXTERNAL,
            characters=characters,
            agreement=agreement if with_agreement else None,
        ).allowed

    policy = odrl_policy(terms, build_url=build_url, agreement=agreement)

    def for_anyone(kind):
        return [r["action"] for r in policy.get(kind, []) if "assignee" not in r]

    def for_newsroom(kind):
        return [r["action"] for r in policy.get(kind, []) if "assignee" in r]

    assert ("tdm:mine" in for_anyone("prohibition")) is not decision(
        Action.MINE, with_agreement=False
    )
    assert ("tdm:mine" in for_newsroom("permission")) is (
        decision(Action.MINE, with_agreement=True)
        and not decision(Action.MINE, with_agreement=False)
    )
    shared = decision(Action.SHARE_OUTSIDE, with_agreement=False)
    assert ("distribute" in for_anyone("prohibition")) is (
        not shared and terms.sharing_scope == LicenseTerms.SharingScope.INTERNAL
    )
    assert ("distribute" in for_newsroom("permission")) is (
        decision(Action.SHARE_OUTSIDE, with_agreement=True) and not shared
    )
    # The longest quote the policy allows is exactly the one licensing allows.
    for rule in policy.get("permission", []):
        if rule["action"] != "extract":
            continue
        limit = rule["constraint"][0]["rightOperand"]
        with_agreement = "assignee" in rule
        assert decision(Action.QUOTE_EXTERNALLY, with_agreement=with_agreement, characters=limit)
        assert not decision(
            Action.QUOTE_EXTERNALLY, with_agreement=with_agreement, characters=limit + 1
        )
    for rule in policy.get("prohibition", []):
        if rule["action"] == "extract":
            assert not decision(
                Action.QUOTE_EXTERNALLY, with_agreement="assignee" in rule, characters=1
            )


# --- JSON-LD expansion against the offline contexts ---------------------------------------------


def contexts_loader(standards: Path):
    documents = {
        "http://www.w3.org/ns/odrl.jsonld": json.loads((standards / "odrl.jsonld").read_text()),
        "http://www.w3.org/ns/tdmrep.jsonld": json.loads((standards / "tdmrep.jsonld").read_text()),
    }

    def load(url, options=None):
        if url not in documents:
            raise AssertionError(f"JSON-LD expansion tried to fetch {url}")
        return {"contextUrl": None, "documentUrl": url, "document": documents[url]}

    return load


def properties(node) -> int:
    """Count property keys (not keywords or their aliases, not the context) in a JSON-LD tree."""
    if isinstance(node, list):
        return sum(properties(item) for item in node)
    if not isinstance(node, dict):
        return 0
    return sum(
        (0 if key.startswith("@") or key in ("uid", "type") else 1) + properties(value)
        for key, value in node.items()
        if key != "@context"
    )


def expanded_iris(node) -> tuple[set[str], set[str]]:
    """Return (property IRIs, @id/@type values) found anywhere in an expanded JSON-LD tree."""
    keys: set[str] = set()
    ids: set[str] = set()
    if isinstance(node, list):
        for item in node:
            more_keys, more_ids = expanded_iris(item)
            keys, ids = keys | more_keys, ids | more_ids
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@id":
                ids.add(value)
            elif key == "@type" and "@value" not in node:
                ids |= set(value)
            elif not key.startswith("@"):
                keys.add(key)
            more_keys, more_ids = expanded_iris(value)
            keys, ids = keys | more_keys, ids | more_ids
    return keys, ids


def test_policies_expand_with_the_odrl_and_tdmrep_contexts(reserved, standards):
    from pyld import jsonld

    loader = contexts_loader(standards)
    agreement = AgreementFactory(
        holder=reserved.holder, grants_tdm=True, max_external_quote_chars=200
    )
    policies = [
        odrl_policy(reserved, build_url=build_url),
        odrl_policy(reserved, build_url=build_url, agreement=agreement),
        odrl_policy(LicenseTermsFactory(), build_url=build_url),
        odrl_policy(LicenseTermsFactory(sharing_scope="subscribers"), build_url=build_url),
        newsroom_tdm_policy(build_url=build_url),
    ]

    for policy in policies:
        expanded = jsonld.expand(policy, {"documentLoader": loader})

        assert properties(expanded) == properties(policy), "a term was dropped"
        keys, ids = expanded_iris(expanded)
        assert all(key.startswith(NAMESPACES) for key in keys), keys
        vocabulary = {iri for iri in ids if not iri.startswith(BASE)}
        assert all(iri.startswith((ODRL, TDM)) for iri in vocabulary - {TDMREP_PROFILE}), vocabulary

    reserved_expanded = jsonld.expand(policies[0], {"documentLoader": loader})
    (prohibition_actions,) = [
        [rule[f"{ODRL}action"][0]["@id"] for rule in node[f"{ODRL}prohibition"]]
        for node in reserved_expanded
    ]
    assert f"{TDM}mine" in prohibition_actions
    granted = jsonld.expand(policies[1], {"documentLoader": loader})
    (permission_actions,) = [
        [rule[f"{ODRL}action"][0]["@id"] for rule in node[f"{ODRL}permission"]] for node in granted
    ]
    assert f"{TDM}mine" in permission_actions


# --- TDMRep --------------------------------------------------------------------------------------


def test_tdm_headers_reserve_when_any_document_is_reserved(reserved):
    public = DocumentFactory(license=LicenseTermsFactory())
    dk = DocumentFactory(license=reserved)

    headers = tdm_headers([public, dk], build_url=build_url)

    assert headers == {
        "tdm-reservation": "1",
        "tdm-policy": f"{BASE}/api/v1/licenses/{reserved.pk}/odrl/",
    }


def test_tdm_headers_prefer_the_holders_published_policy(reserved):
    reserved.tdm_policy_url = "https://dkmedier.example/tdm-policy.json"
    reserved.save(update_fields=["tdm_policy_url"])

    headers = tdm_headers([DocumentFactory(license=reserved)], build_url=build_url)

    assert headers["tdm-policy"] == "https://dkmedier.example/tdm-policy.json"


def test_no_tdm_headers_without_reserved_content(db):
    documents = [DocumentFactory(license=LicenseTermsFactory()), DocumentFactory(license=None)]

    assert tdm_headers(documents, build_url=build_url) == {}
    assert tdm_headers([], build_url=build_url) == {}


def test_our_agreement_does_not_lift_the_reservation_for_consumers(reserved):
    AgreementFactory(holder=reserved.holder, grants_tdm=True)

    headers = tdm_headers([DocumentFactory(license=reserved)], build_url=build_url)

    assert headers["tdm-reservation"] == "1"


def test_tdm_headers_without_build_url_name_a_path(reserved):
    headers = tdm_headers([DocumentFactory(license=reserved)])

    assert headers["tdm-policy"] == f"/api/v1/licenses/{reserved.pk}/odrl/"


def test_wellknown_reserves_the_api_and_matches_the_schema(standards):
    from jsonschema import Draft202012Validator

    schema = json.loads((standards / "tdmrep.schema.json").read_text())

    rules_ = tdmrep_wellknown(build_url=build_url)

    errors = [
        error.message
        for error in Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        ).iter_errors(rules_)
    ]
    assert errors == []
    assert {"location": "/api/v1/*", "tdm-reservation": 1} == {
        key: rules_[0][key] for key in ("location", "tdm-reservation")
    }
    assert rules_[0]["tdm-policy"] == BASE + NEWSROOM_TDM_POLICY_PATH


def test_the_newsrooms_own_policy_follows_the_tdmrep_profile():
    policy = newsroom_tdm_policy(build_url=build_url)

    assert policy["@type"] == "Offer"
    assert policy["profile"] == "http://www.w3.org/ns/tdmrep"
    assert policy["uid"] == BASE + NEWSROOM_TDM_POLICY_PATH
    assert policy["assigner"]["vcard:fn"] == settings.NEWSROOM_NAME
    assert [rule["action"] for rule in policy["permission"]] == ["tdm:mine"]
    assert policy["permission"][0]["duty"] == [{"action": "obtainConsent"}]
    assert "prohibition" not in policy
