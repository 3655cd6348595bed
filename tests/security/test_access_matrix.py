"""Role × endpoint × method: every URL pattern of newsroom.urls has an access rule here.

Each rule gives, per HTTP method, one letter per role in ROLES order (anonymous, consumer,
editor, fact-checker, superuser):
  a  allowed: 2xx, 3xx (not to the login page), or a 4xx that judges the input (400, 409)
  d  denied: 401, 403, or a redirect to the admin login
  n  405 Method Not Allowed
  x  404 (the pattern exists but this caller gets nothing)
A URL pattern without a rule fails the suite. The admin's model pages are not listed: they
follow each role's model permissions (`ADMIN_VIEWS`), with the exceptions in `ADMIN_REFUSES`.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse

from claims.models import Claim
from newsroom.public.views import fact_check_slug
from tests.security.helpers import METHODS, ROLES, Route, role_client, walk_urlconf

pytestmark = pytest.mark.django_db

SAFE = ("GET", "HEAD", "OPTIONS")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Rule:
    """Expected outcomes of one URL pattern; `kwargs` (or `path`) builds it from demo objects."""

    outcomes: dict[str, str]
    kwargs: Callable[[types.SimpleNamespace], dict] = lambda o: {}
    path: Callable[[types.SimpleNamespace], str] | None = None
    format: str = "json"  # for the pattern's format-suffix twin
    logs_out: bool = False  # ask with a client of its own, so the others stay logged in


def rule(
    safe: str,
    unsafe: str,
    kwargs=None,
    path=None,
    format="json",
    logs_out=False,
    **methods: str,
) -> Rule:
    """A rule: `safe` for GET/HEAD/OPTIONS, `unsafe` for POST/PUT/PATCH/DELETE, then overrides."""
    outcomes = {m: safe for m in SAFE} | {m: unsafe for m in UNSAFE}
    outcomes |= {method.upper(): letters for method, letters in methods.items()}
    return Rule(outcomes, kwargs or (lambda o: {}), path, format, logs_out)


# ---- the API: staff and consumers read; staff write what their model permissions allow ----
# Unsafe methods check the model permission before the method: a role without it gets 403
# where one with it gets 405. Consumers are read-only (403); anonymous callers get 401.
API_READ = "daaaa"
PUBLIC = "aaaaa"
READ_ONLY = dict(post="ddndn", put="ddndn", patch="ddndn", delete="ddddn")
CLAIM_EXPORT = dict(post="ddndn", put="ddnnn", patch="ddnnn", delete="ddddn")
# An action on one claim: a GET finds no handler (405), except for anonymous callers (401).
ACTION = "dnnnn"


def claim(o):
    return {"pk": o.claim.pk}


def chain(o):
    return {"pk": o.claim.pk, "appearance_id": o.appearance.pk}


def pk_of(name):
    return lambda o: {"pk": getattr(o, name).pk}


RULES: dict[str, Rule] = {
    # route "" (unnamed): the site root sends everyone to the admin
    "": rule("aaaaa", "aaaaa", path=lambda o: "/"),
    "api:api-root": rule(API_READ, "ddnnn"),
    "api:claimreview-feed": rule(API_READ, "", **CLAIM_EXPORT),
    "api:claim-list": rule(API_READ, "ddnnn", post="ddada", delete="ddddn"),
    "api:claim-detail": rule(API_READ, "", kwargs=claim, **CLAIM_EXPORT | {"patch": "ddaaa"}),
    "api:claim-claimreview": rule(API_READ, "", kwargs=claim, format="jsonld", **CLAIM_EXPORT),
    "api:claim-provenance": rule(API_READ, "", kwargs=claim, format="provjson", **CLAIM_EXPORT),
    # Editors record where a claim appears and who said it; fact-checkers what others found.
    "api:claim-add-appearance": rule(ACTION, "ddndn", kwargs=claim, options="daaaa", post="ddada"),
    "api:claim-chain": rule(ACTION, "ddndn", kwargs=chain, options="daaaa", put="ddada"),
    "api:claim-add-external-check": rule(
        ACTION, "dddnn", kwargs=claim, options="daaaa", post="dddaa"
    ),
    "api:claim-add-relation": rule(ACTION, "dddnn", kwargs=claim, options="daaaa", post="dddaa"),
    # Anyone on staff may ask; the workflow decides who may make which move.
    "api:claim-transitions": rule(ACTION, "ddnnn", kwargs=claim, options="daaaa", post="ddaaa"),
    "api:document-list": rule(API_READ, "", **READ_ONLY | {"post": "ddada"}),
    "api:document-detail": rule(API_READ, "", kwargs=pk_of("document"), **READ_ONLY),
    "api:organization-list": rule(API_READ, "", **READ_ONLY),
    "api:organization-detail": rule(API_READ, "", kwargs=pk_of("organization"), **READ_ONLY),
    "api:person-list": rule(API_READ, "", **READ_ONLY),
    "api:person-detail": rule(API_READ, "", kwargs=pk_of("person"), **READ_ONLY),
    "api:licenseterms-list": rule(API_READ, "", **READ_ONLY),
    "api:licenseterms-detail": rule(API_READ, "", kwargs=pk_of("license"), **READ_ONLY),
    "api:licenseterms-odrl": rule(API_READ, "", kwargs=pk_of("license"), **READ_ONLY),
    # ---- public pages and documents: everyone reads, no one writes (one line per page:
    # "story-list": rule(PUBLIC, "nnnnn"), and kwargs=... for a page of one object) ----
    "public:stories": rule(PUBLIC, "nnnnn", options="nnnnn"),
    "public:story": rule(PUBLIC, "nnnnn", kwargs=lambda o: {"slug": o.story.slug}, options="nnnnn"),
    "public:fact-check": rule(
        PUBLIC,
        "nnnnn",
        kwargs=lambda o: {"pk": o.claim.pk, "slug": fact_check_slug(o.claim)},
        options="nnnnn",
    ),
    "public:feed": rule(PUBLIC, "nnnnn", options="nnnnn"),
    "public:sitemap": rule(PUBLIC, "nnnnn", options="nnnnn"),
    "schema": rule(PUBLIC, "nnnnn"),
    "api-docs": rule(PUBLIC, "nnnnn", options="nnnnn"),  # the page only: GET and HEAD
    "tdmrep": rule(PUBLIC, "nnnnn", options="nnnnn"),
    "tdm-policy": rule(PUBLIC, "nnnnn", options="nnnnn"),
    # ---- the admin's own pages: staff only; the others are sent to log in ----
    "admin:index": rule("ddaaa", "ddaaa"),
    "admin:login": rule("aaaaa", "aaaaa", patch="nnnnn", delete="nnnnn"),
    # Logging out is POST only for a session; without one the page just redirects.
    "admin:logout": rule("aannn", "aannn", logs_out=True, post="aaaaa", options="aaaaa"),
    "admin:password_change": rule("ddaaa", "ddaaa", patch="ddnnn", delete="ddnnn"),
    "admin:password_change_done": rule("ddaaa", "ddnnn"),
    "admin:jsi18n": rule("ddaaa", "ddnnn"),
    # Autocomplete answers staff who may view both the field's model and its target.
    "admin:autocomplete": rule(
        "ddaaa",
        "ddnnn",
        path=lambda o: (
            "/admin/autocomplete/?app_label=claims&model_name=appearance&field_name=document&term=a"
        ),
    ),
    "admin:view_on_site": rule(
        "ddxxx",  # no public page for a claim yet: staff get 404
        "ddxxx",
        kwargs=lambda o: {
            "content_type_id": ContentType.objects.get_for_model(Claim).pk,
            "object_id": o.claim.pk,
        },
    ),
    "admin:app_list": rule("ddaaa", "ddaaa", kwargs=lambda o: {"app_label": "claims"}),
    "admin/(?P<url>.*)$": rule("ddxxx", "ddxxx", path=lambda o: "/admin/no-such-page/"),
    # ---- custom pages of registered ModelAdmins (HEAD answers as GET does) ----
    # The suggester records appearances: editors' work.
    "admin:claims_claim_suggest_pick": rule("ddada", "ddnnn", options="ddnnn"),
    "admin:claims_claim_suggest": rule(
        "ddada",
        "ddnnn",
        kwargs=lambda o: {"document_id": o.document.pk},
        options="ddnnn",
        post="ddada",
    ),
    # A passage selected on a document's page becomes a claim: editors' work. Without a
    # passage the page goes back to the document with the reason.
    "admin:claims_claim_from_quote": rule(
        "ddada",
        "ddnnn",
        kwargs=lambda o: {"document_id": o.document.pk},
        options="ddnnn",
    ),
    # The chain editor's agent picker searches sources, which all staff may read; whether a
    # "Create …" option is offered follows the add permissions (tests/claims/test_admin_picker).
    "admin:claims_appearance_agents": rule(
        "ddaaa",
        "ddnnn",
        path=lambda o: "/admin/claims/appearance/agents/?q=a",
        options="ddnnn",
    ),
    "admin:claims_claim_queue": rule("ddaaa", "ddnnn", options="ddnnn"),
    "admin:claims_claim_provenance": rule(
        "ddaaa",
        "ddnnn",
        kwargs=lambda o: {"object_id": o.claim.pk},
        options="ddnnn",
    ),
    "admin:claims_claim_transition": rule(
        "ddaaa",
        "ddnnn",
        kwargs=lambda o: {"object_id": o.open_claim.pk, "to": "in_review"},
        options="ddnnn",
        post="ddaaa",
    ),
    # Old versions are shown, never restored from the history (revert is off).
    "admin:claims_claim_simple_history": rule(
        "ddaaa", "ddaaa", path=lambda o: o.claim_history_url, post="ddddd"
    ),
    "admin:claims_appearance_simple_history": rule(
        "ddaaa", "ddaaa", path=lambda o: o.appearance_history_url, post="ddddd"
    ),
    # Taking a claim for review and moving a story: staff ask, the workflow judges (a refusal
    # comes back as a message on the redirect).
    "admin:claims_claim_take": rule(
        "ddnnn", "ddnnn", kwargs=lambda o: {"object_id": o.open_claim.pk}, post="ddaaa"
    ),
    "admin:claims_claim_timeline": rule(
        "ddaaa",
        "ddnnn",
        kwargs=lambda o: {"object_id": o.claim.pk},
        options="ddnnn",
    ),
    "admin:stories_story_move": rule(
        "ddaaa",
        "ddnnn",
        kwargs=lambda o: {"object_id": o.story.pk, "to": "in_review"},
        options="ddnnn",
        post="ddaaa",
    ),
    # Corrections are written by editors.
    "admin:stories_story_correct": rule(
        "ddada",
        "ddnnn",
        kwargs=lambda o: {"object_id": o.story.pk},
        options="ddnnn",
        post="ddada",
    ),
    "admin:stories_story_simple_history": rule(
        "ddaaa", "ddaaa", path=lambda o: o.story_history_url, post="ddddd"
    ),
    "admin:auth_user_password_change": rule(
        "dddda", "dddda", kwargs=lambda o: {"id": o.users["consumer"].pk}
    ),
    "admin:sources_document_import": rule("ddada", "ddada"),
}

# Cells where main breaks its rule: checked by test_known_defects (strict xfail) instead, so
# the matrix stays green and the day a fix lands the xfail turns red and the entry goes.
# Keys: (rule key, True for the format-suffix twin of the pattern, methods).
ACTION_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
KNOWN_DEFECTS: dict = {}
DEFECT_REASONS = {
    "the story admin answers a missing permission with a redirect to itself": (
        "newsroom/stories/admin.py StoryAdmin.changeform_view catches REFUSALS, which include "
        "PermissionDenied, so the admin's own refusal (no add_story / change_story) becomes a "
        "302 to request.path: a fact-checker opening /admin/stories/story/add/ loops on "
        "redirects (403 expected); nothing is written"
    ),
    "format-suffix twins of @action routes are 500s": (
        "DefaultRouter adds a `.<format>` twin of every @action route, but the action methods "
        "(claimreview, provenance, odrl, transitions, add_appearance, add_external_check, "
        "add_relation, chain in newsroom/api/claims.py and sources.py) take no `format` "
        "argument: TypeError, 500 to anyone who passes the permission check, consumers "
        "included (GET /api/v1/claims/<id>/claimreview.jsonld)"
    ),
    "unsafe methods on the API root are 500s for staff": (
        "newsroom/api/base.py IsNewsroomUser.has_permission calls view.get_queryset(), which "
        "DRF's APIRootView lacks: AttributeError, 500 for staff POST/PUT/PATCH/DELETE /api/v1/ "
        "(405 expected)"
    ),
    "OPTIONS /api/docs/ is a 500 for everyone": (
        "SpectacularSwaggerSplitView answers OPTIONS with a TemplateResponse without a "
        "template (TemplateDoesNotExist): anonymous callers can make 500s (200 or 405 expected)"
    ),
}


def known_defect(route: Route, method: str) -> str | None:
    twin = "format>" in route.route
    for defect, cells in KNOWN_DEFECTS.items():
        if any(k == route.key and t == twin and method in ms for k, t, ms in cells):
            return defect
    return None


# The pages every registered ModelAdmin has, and the model permission each method needs
# (Django's rule: viewing a page needs view or change; saving needs the page's own right).
ADMIN_VIEWS = {
    "changelist": {"read": ("view", "change"), "POST": ("view", "change")},
    "add": {"read": ("add",), "POST": ("add",)},
    "change": {"read": ("view", "change"), "POST": ("change",)},
    "delete": {"read": ("delete",), "POST": ("delete",)},
    "history": {"read": ("view", "change"), "POST": ("view", "change")},
}
# Admins that refuse more than the model permissions, and why. Keys: "model label:view".
ADMIN_REFUSES = {
    "newsroom.apitoken:delete": "tokens are revoked, never deleted (who had access)",
    "axes.accessattempt:add": "login attempts are recorded by failed logins alone",
    "axes.accesslog:add": "login attempts are recorded by logins alone",
    "axes.accessfailurelog:add": "login failures are recorded by failed logins alone",
}
# Records written only by services: no one adds, changes or deletes them in the admin.
ADMIN_VIEW_ONLY = {
    "claims.verificationevent": "the verification log is append-only, written by the workflow",
    "stories.storyevent": "the story log is append-only, written by the stories services",
    "stories.correction": "corrections are published through the story's correct page",
    "stories.needscorrection": "flags are raised by claim moves and resolved by corrections",
    "sources.ingestrun": "a feed run's record is written by the ingest task",
    "sources.feedentry": "feed entries are written by the ingest task",
    "sources.sitepolicy": "signals are recorded by record_site_policy and the importer",
    "sources.tdmpolicy": "TDM policies are read by record_site_policy",
}


def outcome(response) -> str:
    """The letter for a response (see the module docstring); 'e' for a server error."""
    status = response.status_code
    if status >= 500:
        return "e"
    if status in (401, 403):
        return "d"
    if status in (301, 302, 303, 307, 308):
        return "d" if "/admin/login/" in response.get("Location", "") else "a"
    if status == 405:
        return "n"
    if status == 429:
        return "t"
    if status == 404:
        return "x"
    return "a"


def send(client, method: str, url: str):
    """One request, rolled back afterwards: a delete or a save here must not change the next."""
    with transaction.atomic():
        response = getattr(client, method.lower())(url)
        transaction.set_rollback(True)
    return response


def admin_expected(route: Route, view: str, method: str, role: str, users: dict) -> str:
    if role in ("anonymous", "consumer"):
        return "d"
    user = users[role]
    label = route.admin_model
    app_label, model_name = label.split(".")
    if f"{label}:{view}" in ADMIN_REFUSES:
        return "d"
    need = ADMIN_VIEWS[view]["POST" if method == "POST" else "read"]
    if label in ADMIN_VIEW_ONLY and (
        view in ("add", "delete") or (view, method) == ("change", "POST")
    ):
        return "d"
    return "a" if any(user.has_perm(f"{app_label}.{p}_{model_name}") for p in need) else "d"


def admin_object(label: str):
    model = admin.site._registry and next(
        m for m in admin.site._registry if m._meta.label_lower == label
    )
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"no {label} row to open its admin pages with: add one to `demo`"
    return obj


def url_for(route: Route, o) -> tuple[str, Callable[[str, str], str], bool] | None:
    """The URL to request for a pattern and the function giving the expected letter."""
    if route.admin_model and route.name:
        prefix = "admin:" + route.admin_model.replace(".", "_") + "_"
        view = route.name.removeprefix(prefix)
        if route.name.startswith(prefix) and view in ADMIN_VIEWS:
            args = [] if view in ("changelist", "add") else [admin_object(route.admin_model).pk]
            url = reverse(route.name, args=args)
            return url, lambda m, role: admin_expected(route, view, m, role, o.users), False
    if route.admin_model and not route.name and route.route.endswith("<path:object_id>/"):
        # The bare object URL redirects to its change page: the change page's rule.
        url = route.route.replace("<path:object_id>", str(admin_object(route.admin_model).pk))
        return "/" + url, lambda m, role: "d" if role in ("anonymous", "consumer") else "a", False
    rule_ = RULES.get(route.key)
    if rule_ is None:
        return None
    if rule_.path is not None:
        url = rule_.path(o)
    else:
        kwargs = rule_.kwargs(o)
        if "format>" in route.route:
            kwargs["format"] = rule_.format
        url = reverse(route.name, kwargs=kwargs)
    return url, lambda m, role: rule_.outcomes[m][ROLES.index(role)], rule_.logs_out


def test_every_url_pattern_has_an_access_rule(demo):
    missing = sorted({r.key for r in walk_urlconf() if url_for(r, demo) is None})
    assert not missing, "new endpoint without an access rule: " + ", ".join(missing)
    # and every registered ModelAdmin's pages are among the patterns walked
    names = {r.name for r in walk_urlconf()}
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        assert {prefix + view for view in ADMIN_VIEWS} <= names, model._meta.label


def test_a_new_page_without_a_rule_fails_the_suite_naming_it(demo, settings):
    settings.ROOT_URLCONF = "tests.security.urls_with_a_new_page"
    missing = sorted({r.key for r in walk_urlconf() if url_for(r, demo) is None})
    assert missing == ["story-list"]


def test_every_rule_names_a_url_pattern():
    keys = {r.key for r in walk_urlconf()}
    assert not sorted(set(RULES) - keys), "rules for URL patterns that no longer exist"


def matrix(role: str, demo, *, defect: str | None) -> tuple[int, list[str]]:
    """Send every method to every URL as `role`; return how many cells were checked and the
    ones that differ from the rules. With `defect`, only that known defect's cells; without,
    all the others.
    """
    client = role_client(role, demo.users)
    seen, wrong, checked = set(), [], 0
    for route in walk_urlconf():
        found = url_for(route, demo)
        if found is None:
            continue  # reported by test_every_url_pattern_has_an_access_rule
        url, expected, logs_out = found
        if url in seen:
            continue
        seen.add(url)
        for method in METHODS:
            if known_defect(route, method) != defect:
                continue
            response = send(role_client(role, demo.users) if logs_out else client, method, url)
            checked += 1
            want, got = expected(method, role), outcome(response)
            if want != got:
                wrong.append(
                    f"{method} {url} [{route.key}] as {role}: expected {want}, got {got} "
                    f"({response.status_code})"
                )
    return checked, wrong


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_its_rule_says_for_every_url_and_method(role, demo):
    checked, wrong = matrix(role, demo, defect=None)
    assert checked > 7 * 100, f"only {checked} cells checked: is the URLconf walk broken?"
    assert not wrong, f"{len(wrong)} outcomes differ from the rules:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    "defect",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=DEFECT_REASONS[name]))
        for name in KNOWN_DEFECTS
    ],
)
def test_known_defects(defect, demo):
    wrong = [line for role in ROLES for line in matrix(role, demo, defect=defect)[1]]
    assert not wrong, f"{defect}:\n" + "\n".join(wrong)
