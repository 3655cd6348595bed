"""Licence terms in machine-readable form: W3C ODRL policies and the TDM Reservation Protocol.

The decisions come from `sources.licensing.decide()`, the one place that reads licence terms;
this module only says them in ODRL and TDMRep. Pure functions: a view passes a `build_url`
callable (such as `request.build_absolute_uri`) to turn the newsroom's paths into URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings

from sources.licensing import Action, Audience, decide, quote_limit, site_signals_for
from sources.models import Agreement, Document, LicenseTerms
from sources.site_policy import Effective

BuildUrl = Callable[[str], str]

ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
TDMREP_CONTEXT = "http://www.w3.org/ns/tdmrep.jsonld"
TDMREP_PROFILE = "http://www.w3.org/ns/tdmrep"
POLICY_CONTEXT = [ODRL_CONTEXT, TDMREP_CONTEXT]

# The newsroom's own TDM policy: public (no token), so any TDM agent can read it.
NEWSROOM_TDM_POLICY_PATH = "/tdm-policy.jsonld"


def odrl_path(terms: LicenseTerms) -> str:
    return f"/api/v1/licenses/{terms.pk}/odrl/"


def odrl_url(terms: LicenseTerms, *, build_url: BuildUrl) -> str:
    return build_url(odrl_path(terms))


def odrl_policy(
    terms: LicenseTerms, *, build_url: BuildUrl, agreement: Agreement | None = None
) -> dict:
    """Return the terms as an ODRL Offer from their holder, in JSON-LD.

    Rules without an assignee are the holder's terms for anyone. What `agreement` (the one in
    force with the holder, if any) grants the newsroom on top is a permission assigned to the
    newsroom, and `conflict: perm` lets it win over the general prohibition.
    """
    uid = odrl_url(terms, build_url=build_url)
    # The content the terms cover; an identifier, it need not dereference (TDMRep allows that).
    target = f"{uid}#content"
    newsroom = _newsroom_party(build_url)
    permissions: list[dict] = []
    prohibitions: list[dict] = []

    def rule(action: str, **properties) -> dict:
        return {"target": target, "action": action, **{k: v for k, v in properties.items() if v}}

    def granted(action: Action) -> bool:
        """Whether the agreement allows what the public terms do not."""
        return (
            agreement is not None
            and not _decision(terms, action, agreement=None)
            and bool(_decision(terms, action, agreement=agreement))
        )

    # Text and data mining, in the TDMRep vocabulary.
    mine = _decision(terms, Action.MINE, agreement=None)
    if not mine:
        prohibitions.append(
            rule(
                "tdm:mine",
                **{"dct:description": mine.clause, "dct:references": terms.tdm_legal_basis},
            )
        )
    if granted(Action.MINE):
        permissions.append(rule("tdm:mine", assignee=newsroom, **_granted_by(terms)))

    # Sharing the text with third parties: ODRL's distribute.
    share = _decision(terms, Action.SHARE_OUTSIDE, agreement=None)
    if share:
        permissions.append(rule("distribute", **{"dct:description": terms.sharing_clause}))
    elif terms.sharing_scope == LicenseTerms.SharingScope.SUBSCRIBERS:
        permissions.append(
            rule(
                "distribute",
                constraint=[
                    {
                        "leftOperand": "recipient",
                        "operator": "eq",
                        "rightOperand": LicenseTerms.SharingScope.SUBSCRIBERS.value,
                    }
                ],
                **{"dct:description": share.clause},
            )
        )
    else:
        prohibitions.append(rule("distribute", **{"dct:description": share.clause}))
    if granted(Action.SHARE_OUTSIDE):
        permissions.append(rule("distribute", assignee=newsroom, **_granted_by(terms)))

    # Quoting to the newsroom's outside consumers: extracting an excerpt of bounded length.
    # The limits come from `licensing.quote_limit`, with its precedence: the agreement's limit,
    # when set, replaces the terms' for the newsroom.
    limit = quote_limit(terms, None).characters
    quote = _decision(terms, Action.QUOTE_EXTERNALLY, agreement=None, characters=limit)
    rules = permissions if quote else prohibitions
    rules.append(rule("extract", **_quote_limit(limit), **{"dct:description": quote.reason}))
    newsroom_limit = quote_limit(terms, agreement)
    if newsroom_limit.from_agreement:
        limit = newsroom_limit.characters
        quote = _decision(terms, Action.QUOTE_EXTERNALLY, agreement=agreement, characters=limit)
        rules = permissions if quote else prohibitions
        rules.append(
            rule("extract", assignee=newsroom, **_quote_limit(limit), **_granted_by(terms))
        )

    policy = {
        "@context": POLICY_CONTEXT,
        "@type": "Offer",
        "uid": uid,
        # TDM agents reach this policy from `tdm-policy`; the profile tells them how to read it.
        # (TDMRep advises against prohibitions in a policy; these terms have them, and an agent
        # reading only permissions still finds no tdm:mine permission when TDM is reserved.)
        "profile": TDMREP_PROFILE,
        "assigner": _holder_party(terms, build_url),
        "dct:title": f"Licence terms of {terms.holder}",
        "dct:rights": terms.notice,
        "tdm:reservation": 0 if mine else 1,
        "permission": permissions,
        "prohibition": prohibitions,
    }
    if any("assignee" in permission for permission in permissions):
        policy["conflict"] = "perm"
    return {key: value for key, value in policy.items() if value != []}


def _decision(terms: LicenseTerms, action: Action, *, agreement, characters: int = 0):
    """Ask `licensing.decide()` what may go outside the newsroom under the terms (+ agreement)."""
    return decide(
        document=Document(license=terms),
        action=action,
        audience=Audience.EXTERNAL,
        characters=characters,
        agreement=agreement,
        site_signal=None,  # the terms alone: a policy speaks for the terms, not for a site
    )


def _quote_limit(limit: int) -> dict:
    """The constraint on an excerpt's length; none when nothing may be quoted at all."""
    if limit == 0:
        return {}
    return {
        "constraint": [
            {
                "leftOperand": "absoluteSize",
                "operator": "lteq",
                "rightOperand": limit,
                "unit": "characters",
            }
        ]
    }


def _granted_by(terms: LicenseTerms) -> dict:
    # The contract's reference and wording stay inside the newsroom; that it exists does not.
    return {"dct:description": f"Granted to the newsroom by its agreement with {terms.holder}."}


def _holder_party(terms: LicenseTerms, build_url: BuildUrl) -> dict:
    holder = terms.holder
    party = {
        "@type": "Party",
        "uid": holder.url or build_url(f"/api/v1/organizations/{holder.pk}/"),
        "vcard:fn": holder.name,
    }
    if holder.url:
        party["vcard:hasURL"] = holder.url
    return party


def _newsroom_party(build_url: BuildUrl) -> dict:
    return {"@type": "Party", "uid": build_url("/"), "vcard:fn": settings.NEWSROOM_NAME}


# --- TDMRep --------------------------------------------------------------------------------------


def tdm_policy_url(
    terms: LicenseTerms | None,
    *,
    build_url: BuildUrl | None = None,
    site_signal: Effective | None = None,
) -> str:
    """Return the terms' published TDMRep policy, else the one the publisher's site signals
    name, else the URL of our ODRL form of the terms (the newsroom's own policy without terms)."""
    if terms is not None and terms.tdm_policy_url:
        return terms.tdm_policy_url
    if site_signal is not None and site_signal.policy_url:
        return site_signal.policy_url
    path = odrl_path(terms) if terms is not None else NEWSROOM_TDM_POLICY_PATH
    return build_url(path) if build_url else path


def tdm_headers(
    documents: Iterable[Document],
    *,
    build_url: BuildUrl | None = None,
    site_signals: dict | None = None,
) -> dict[str, str]:
    """Return the TDMRep headers for a response that carries these documents' content.

    Reserved when any document's holder reserves TDM, in its notice or in machine-readable
    form on its site: an agreement the newsroom holds does not reach its consumers, so it is
    ignored here. `tdm-policy` is the first reserved document's policy. Pass `build_url`, or
    the policy is a path on this host; pass `site_signals` (a Disclosure's) to save the query.
    """
    documents = list(documents)
    if site_signals is None:
        site_signals = site_signals_for(documents)
    reserved = reserved_documents(documents, site_signals=site_signals)
    if not reserved:
        return {}
    first = reserved[0]
    return {
        "tdm-reservation": "1",
        "tdm-policy": tdm_policy_url(
            first.license, build_url=build_url, site_signal=site_signals.get(first.pk)
        ),
    }


def reserved_documents(
    documents: Iterable[Document], *, site_signals: dict | None = None
) -> list[Document]:
    """The documents whose holders reserve text and data mining against everyone outside."""
    documents = list(documents)
    if site_signals is None:
        site_signals = site_signals_for(documents)
    return [
        document
        for document in documents
        if (document.license is not None or site_signals.get(document.pk) is not None)
        and not decide(
            document=document,
            action=Action.MINE,
            audience=Audience.EXTERNAL,
            agreement=None,
            site_signal=site_signals.get(document.pk),
        )
    ]


def tdmrep_wellknown(*, build_url: BuildUrl) -> list[dict]:
    """Return /.well-known/tdmrep.json: the TDM reservation rules for the newsroom's paths.

    The API (/api/v1/) serves the newsroom's own work together with third-party text, some of
    it from holders that reserve TDM; rules in this file are per path, not per response, so
    the newsroom reserves TDM on the whole API (its responses say which holders' terms apply in
    their own `tdm-reservation`/`tdm-policy` headers). The admin is not lawfully accessible to
    outsiders, so it needs no rule, and nothing else the newsroom serves carries content.
    """
    return [
        {
            "location": "/api/v1/*",
            "tdm-reservation": 1,
            "tdm-policy": build_url(NEWSROOM_TDM_POLICY_PATH),
        },
    ]


def newsroom_tdm_policy(*, build_url: BuildUrl) -> dict:
    """Return the newsroom's own TDMRep policy: mining its API needs the newsroom's consent.

    Consent from the newsroom covers its own work only: third-party text keeps its holder's
    terms, announced per response.
    """
    newsroom = _newsroom_party(build_url)
    return {
        "@context": POLICY_CONTEXT,
        "@type": "Offer",
        "profile": TDMREP_PROFILE,
        "uid": build_url(NEWSROOM_TDM_POLICY_PATH),
        "assigner": {key: value for key, value in newsroom.items() if key != "@type"}
        | {"vcard:hasURL": build_url("/")},
        "permission": [
            {
                "target": build_url("/api/v1/"),
                "action": "tdm:mine",
                "duty": [{"action": "obtainConsent"}],
            }
        ],
    }
