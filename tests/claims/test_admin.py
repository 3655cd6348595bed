"""Claim admin: changelist, appearances, chains, checks, relations and the provenance view."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from claims.models import Appearance, Claim, ClaimRelation, ClaimStatus, ExternalCheck
from claims.origins import refresh_independent_origins
from claims.workflow import Evidence, claim_transition
from sources import agents
from sources.models import Document, Organization
from tests.claims.factories import (
    ARTICLE_A_BODY,
    ARTICLE_A_EXPORT_CONTROLS,
    ARTICLE_A_SANCTIONS,
    ARTICLE_B_SANCTIONS,
    AppearanceFactory,
    AttributionFactory,
    ClaimFactory,
    ClaimRelationFactory,
    ExternalCheckFactory,
    TopicFactory,
    article_a,
    article_b,
)
from tests.factories import (
    AffiliationFactory,
    AnonymousSourceFactory,
    DocumentFactory,
    OrganizationFactory,
    PersonFactory,
    StaffFactory,
)
from tests.utils import queries_for_get

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:claims_claim_changelist")
REUTERS_EXCERPT = "The Reuters news agency was not immediately able to verify the reports."


def change_url(claim):
    return reverse("admin:claims_claim_change", args=[claim.pk])


def provenance_url(claim):
    return reverse("admin:claims_claim_provenance", args=[claim.pk])


def organization(name, kind=Organization.Kind.PUBLICATION):
    return OrganizationFactory(name=name, kind=kind)


def chain(appearance, *links):
    """Give an appearance a chain: links are (role, agent, verb), origin first."""
    for position, (role, agent, verb) in enumerate(links):
        AttributionFactory(
            appearance=appearance,
            position=position,
            role=role,
            verb=verb,
            **{"anonymous_source": None, **agents.fields_for(agent)},
        )


def document_a():
    return Document.objects.filter(body=ARTICLE_A_BODY).first() or article_a()


def story_claim(document=None, exact=ARTICLE_A_SANCTIONS, **kwargs):
    """The sanctions claim in Article A, its chain officials → FT → Reuters → Ritzau → title."""
    document = document or document_a()
    claim = ClaimFactory(**kwargs)
    claim.topics.add(TopicFactory(name="US-China"))
    appearance = AppearanceFactory(claim=claim, document=document, exact=exact)
    chain(
        appearance,
        ("origin", AnonymousSourceFactory(), "told"),
        ("reporter", organization("Financial Times"), "reported"),
        ("relay", organization("Reuters", Organization.Kind.NEWS_AGENCY), ""),
        ("relay", organization("Ritzau", Organization.Kind.NEWS_AGENCY), ""),
        ("publisher", document.publication or document.publisher, "published"),
    )
    refresh_independent_origins([claim.pk])
    claim.refresh_from_db()
    return claim


def form_data(response, **fields):
    """Return the POST data that resubmits a change page as it stands, plus `fields`."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if name == "topics":
            data[name] = [topic.pk for topic in value or []]
        elif value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        count = formset.initial_form_count()
        data[f"{formset.prefix}-TOTAL_FORMS"] = count
        data[f"{formset.prefix}-INITIAL_FORMS"] = count
        for subform in formset.initial_forms:
            data[subform.add_prefix("id")] = subform.instance.pk
            for name in subform.fields:
                value = subform.initial.get(name)
                if name not in ("id", "DELETE") and value is not None:
                    data[subform.add_prefix(name)] = value
    return {**data, **fields}


def prefixes(response):
    """Map each inline's class name to its formset's prefix."""
    return {
        type(inline.opts).__name__: inline.formset.prefix
        for inline in response.context["inline_admin_formsets"]
    }


def add_row(data, prefix, **fields):
    index = data[f"{prefix}-TOTAL_FORMS"]
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    data.update({f"{prefix}-{index}-{name}": value for name, value in fields.items()})
    return data


def inline_errors(response, inline_name):
    for inline in response.context["inline_admin_formsets"]:
        if type(inline.opts).__name__ == inline_name:
            return [form.errors for form in inline.formset.forms], inline.formset.non_form_errors()
    raise AssertionError(f"no inline {inline_name}")


# --- Changelist ---------------------------------------------------------------------------------


def make_claims(n):
    user = StaffFactory()
    document = document_a()
    for _ in range(n):
        claim = ClaimFactory(created_by=user)
        claim.topics.add(TopicFactory(), TopicFactory())
        appearance = AppearanceFactory(claim=claim, document=document, exact=ARTICLE_A_SANCTIONS)
        chain(
            appearance,
            ("origin", AnonymousSourceFactory(), "told"),
            ("reporter", organization("Financial Times"), "reported"),
            ("publisher", document.publication, "published"),
        )
        ExternalCheckFactory(claim=claim)


def test_changelist_query_count_does_not_grow_with_claims(admin_client, django_assert_num_queries):
    make_claims(1)
    baseline = queries_for_get(admin_client, CHANGELIST)

    make_claims(20)

    with django_assert_num_queries(baseline):
        response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 21


def test_changelist_shows_counts_and_topics_and_orders_by_appearances(admin_client):
    once = story_claim(summary="Sanctions on hold")
    twice = story_claim(document=article_b(), exact=ARTICLE_B_SANCTIONS, summary="Twice")
    AppearanceFactory(claim=twice, document=DocumentFactory())

    response = admin_client.get(CHANGELIST, {"o": "4"})  # the appearances column

    rows = list(response.context["cl"].result_list)
    assert rows == [once, twice]
    assert [row.appearance_count for row in rows] == [1, 2]
    html = response.content.decode()
    assert "US-China" in html
    assert '<td class="field-independent_origins">1</td>' in html

    descending = admin_client.get(CHANGELIST, {"o": "-4"})
    assert list(descending.context["cl"].result_list) == [twice, once]


def listed(client, **params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def test_status_and_topic_filters(admin_client):
    verified = ClaimFactory(status=ClaimStatus.VERIFIED)
    unverified = ClaimFactory()
    topic = TopicFactory(name="Export controls")
    unverified.topics.add(topic)

    assert listed(admin_client, status__exact="verified") == {verified}
    assert listed(admin_client, topics__id__exact=topic.pk) == {unverified}


def test_publisher_filter_matches_publisher_and_publication(admin_client):
    in_a = story_claim()
    in_b = story_claim(document=article_b(), exact=ARTICLE_B_SANCTIONS)
    ClaimFactory()  # appears nowhere
    document_a = in_a.appearances.get().document

    assert listed(admin_client, publisher=document_a.publisher_id) == {in_a}
    assert listed(admin_client, publisher=document_a.publication_id) == {in_a}
    outlet_b = Organization.objects.get(name="Outlet B")
    assert listed(admin_client, publisher=outlet_b.pk) == {in_b}


def test_anonymous_only_filter(admin_client):
    anonymous = story_claim()
    named = ClaimFactory()
    chain(AppearanceFactory(claim=named), ("origin", PersonFactory(name="Zack Cooper"), "told"))
    no_chain = ClaimFactory()

    assert listed(admin_client, anonymous_only="yes") == {anonymous}
    assert listed(admin_client, anonymous_only="no") == {named, no_chain}


def test_has_conflicts_filter(admin_client):
    a, b, calm = ClaimFactory(), ClaimFactory(), ClaimFactory()
    ClaimRelationFactory(from_claim=a, to_claim=b, kind=ClaimRelation.Kind.CONTRADICTS)

    assert listed(admin_client, conflicted="yes") == {a, b}
    assert listed(admin_client, conflicted="no") == {calm}


# --- The claim page -----------------------------------------------------------------------------


def test_adding_a_claim_goes_through_the_service_and_records_the_author(admin_client, admin_user):
    topic = TopicFactory(name="Sanctions")

    response = admin_client.post(
        reverse("admin:claims_claim_add"),
        {"text": "  The US put sanctions on hold.  ", "summary": "On hold", "topics": [topic.pk]},
    )

    claim = Claim.objects.get()
    assert response.status_code == 302
    assert claim.text == "The US put sanctions on hold."  # claim_create strips it
    assert claim.created_by == admin_user
    assert list(claim.topics.all()) == [topic]


def test_status_is_not_editable_and_workflow_fields_are_not_on_the_form(admin_client):
    claim = ClaimFactory()
    page = admin_client.get(change_url(claim))
    # The revision it was loaded at travels back hidden (claims.admin.revision), never edited.
    assert set(page.context["adminform"].form.fields) == {
        "text",
        "summary",
        "topics",
        "expected_revision",
    }

    response = admin_client.post(
        change_url(claim), form_data(page, text="Edited.", status="verified", version=7)
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    # The edit moves the revision on (a transition decided on the old text is stale); no
    # workflow step happened, so the version stays.
    assert (claim.text, claim.status, claim.version, claim.revision) == (
        "Edited.",
        "unverified",
        1,
        2,
    )


def test_editing_text_and_topics_keeps_a_concurrent_status_change(admin_client):
    claim = ClaimFactory(text="Old words.")
    page = admin_client.get(change_url(claim))
    # The workflow moves the claim while the editor has the page open.
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.IN_REVIEW, version=2)
    topic = TopicFactory(name="Trade")

    response = admin_client.post(
        change_url(claim), form_data(page, text="  New words. ", topics=[topic.pk])
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.text, claim.status, claim.version, claim.revision) == (
        "New words.",
        "in_review",
        2,
        2,
    )
    assert list(claim.topics.all()) == [topic]


def test_existing_appearance_shows_the_quote_highlighted_in_its_paragraph_and_the_chain(
    admin_client,
):
    claim = story_claim()

    html = admin_client.get(change_url(claim)).content.decode()

    paragraph_rest = ARTICLE_A_BODY.split("\n\n")[0][len(ARTICLE_A_SANCTIONS) :]
    assert f"<mark>{escape(ARTICLE_A_SANCTIONS)}</mark>" in html
    assert escape(paragraph_rest) in html
    assert "According to several" not in html  # only the quote's own paragraph
    assert (
        "current and former US officials (several) (origin, told) → Financial Times (reporter, "
        "reported) → Reuters (relay) → Ritzau (relay) → Danish Offshore Industry (publisher, "
        "published)"
    ) in html
    appearance = claim.appearances.get()
    assert reverse("admin:claims_appearance_change", args=[appearance.pk]) in html
    assert provenance_url(claim) in html


def test_document_text_is_escaped_around_the_highlight(admin_client):
    document = DocumentFactory(body="Before <script>alert(1)</script> the quote & after.")
    claim = ClaimFactory()
    AppearanceFactory(claim=claim, document=document, exact="the quote")

    html = admin_client.get(change_url(claim)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>the quote</mark> &amp; after." in html


def test_adding_an_appearance_anchors_the_quote_through_the_service(admin_client, admin_user):
    claim = ClaimFactory()
    document = article_a()
    page = admin_client.get(change_url(claim))
    data = add_row(
        form_data(page),
        prefixes(page)["NewAppearanceInline"],
        document=document.pk,
        exact=ARTICLE_A_EXPORT_CONTROLS,
    )

    response = admin_client.post(change_url(claim), data)

    assert response.status_code == 302
    appearance = Appearance.objects.get(claim=claim)
    start = ARTICLE_A_BODY.index(ARTICLE_A_EXPORT_CONTROLS)
    assert (appearance.start, appearance.end) == (start, start + len(ARTICLE_A_EXPORT_CONTROLS))
    assert appearance.prefix == ARTICLE_A_BODY[start - 32 : start]
    assert appearance.anchor_state == Appearance.AnchorState.ANCHORED
    assert appearance.created_by == admin_user


def test_a_quote_not_in_the_document_is_a_form_error_and_creates_nothing(admin_client):
    claim = ClaimFactory()
    page = admin_client.get(change_url(claim))
    data = add_row(
        form_data(page),
        prefixes(page)["NewAppearanceInline"],
        document=article_a().pk,
        exact="The United States lifted all sanctions",
    )

    response = admin_client.post(change_url(claim), data)

    assert response.status_code == 200
    forms, _ = inline_errors(response, "NewAppearanceInline")
    assert "is not in the document's text" in forms[0]["exact"][0]
    assert not Appearance.objects.exists()


def test_a_quote_already_recorded_is_a_form_error_from_the_service(admin_client):
    claim = story_claim()
    document = claim.appearances.get().document
    page = admin_client.get(change_url(claim))
    data = add_row(
        form_data(page),
        prefixes(page)["NewAppearanceInline"],
        document=document.pk,
        exact=ARTICLE_A_SANCTIONS,
    )

    response = admin_client.post(change_url(claim), data)

    assert response.status_code == 200
    forms, _ = inline_errors(response, "NewAppearanceInline")
    assert "already recorded" in forms[0]["exact"][0]
    assert Appearance.objects.count() == 1


def test_deleting_an_appearance_recounts_independent_origins(admin_client):
    claim = story_claim()
    assert claim.independent_origins == 1
    page = admin_client.get(change_url(claim))
    prefix = prefixes(page)["AppearanceInline"]

    response = admin_client.post(change_url(claim), form_data(page, **{f"{prefix}-0-DELETE": "on"}))

    assert response.status_code == 302
    claim.refresh_from_db()
    assert not claim.appearances.exists()
    assert claim.independent_origins == 0


def test_recording_an_external_check_anchors_its_excerpt(admin_client, admin_user):
    claim = ClaimFactory()
    document = article_a()
    reuters = organization("Reuters", Organization.Kind.NEWS_AGENCY)
    page = admin_client.get(change_url(claim))
    data = add_row(
        form_data(page),
        prefixes(page)["NewExternalCheckInline"],
        organization=reuters.pk,
        outcome=ExternalCheck.Outcome.COULD_NOT_VERIFY,
        document=document.pk,
        exact=REUTERS_EXCERPT,
    )

    response = admin_client.post(change_url(claim), data)

    assert response.status_code == 302
    check = ExternalCheck.objects.get(claim=claim)
    assert (check.organization, check.outcome) == (reuters, "could_not_verify")
    assert ARTICLE_A_BODY[check.start : check.end] == REUTERS_EXCERPT
    assert check.created_by == admin_user
    html = admin_client.get(change_url(claim)).content.decode()
    assert f"<mark>{REUTERS_EXCERPT}</mark>" in html


def test_an_external_check_refused_by_the_service_shows_its_error(admin_client):
    claim = ClaimFactory()
    page = admin_client.get(change_url(claim))
    data = add_row(
        form_data(page),
        prefixes(page)["NewExternalCheckInline"],
        organization=organization("Reuters").pk,
        outcome=ExternalCheck.Outcome.COULD_NOT_VERIFY,
        exact=REUTERS_EXCERPT,  # but no document
    )

    response = admin_client.post(change_url(claim), data)

    assert response.status_code == 200
    forms, _ = inline_errors(response, "NewExternalCheckInline")
    assert forms[0]["document"] == ["An excerpt needs the document it is quoted from."]
    assert not ExternalCheck.objects.exists()


def record_relation(client, from_claim, to_claim, kind, reason="Recorded from the admin."):
    page = client.get(change_url(from_claim))
    data = add_row(
        form_data(page),
        prefixes(page)["NewRelationInline"],
        to_claim=to_claim.pk,
        kind=kind,
        reason=reason,
    )
    return client.post(change_url(from_claim), data)


def test_a_symmetric_relation_recorded_from_b_reads_the_same_on_a(admin_client):
    a, b = ClaimFactory(summary="Claim A"), ClaimFactory(summary="Claim B")

    response = record_relation(admin_client, b, a, "contradicts", "A says the opposite of B.")

    assert response.status_code == 302
    relation = ClaimRelation.objects.get()
    assert (relation.from_claim, relation.to_claim) == (a, b)  # canonicalised by the service
    on_a = admin_client.get(change_url(a)).content.decode()
    on_b = admin_client.get(change_url(b)).content.decode()
    assert f'Contradicts <a href="{change_url(b)}">Claim B</a>' in on_a
    assert f'Contradicts <a href="{change_url(a)}">Claim A</a>' in on_b
    assert "A says the opposite of B." in on_a


def test_a_directional_relation_reads_refined_by_from_the_other_end(admin_client):
    a, b = ClaimFactory(summary="Claim A"), ClaimFactory(summary="Claim B")

    record_relation(admin_client, b, a, "refines")

    on_a = admin_client.get(change_url(a)).content.decode()
    on_b = admin_client.get(change_url(b)).content.decode()
    assert f'Refined by <a href="{change_url(b)}">Claim B</a>' in on_a
    assert f'Refines <a href="{change_url(a)}">Claim A</a>' in on_b


def test_a_relation_refused_by_the_service_shows_its_error(admin_client):
    a, b = ClaimFactory(), ClaimFactory()
    ClaimRelationFactory(from_claim=a, to_claim=b, kind="same_as")

    response = record_relation(admin_client, b, a, "same_as")

    assert response.status_code == 200
    forms, _ = inline_errors(response, "NewRelationInline")
    assert "already recorded as “same as”" in forms[0]["__all__"][0]
    assert ClaimRelation.objects.count() == 1


# --- The appearance page: editing the chain ------------------------------------------------------


def appearance_url(appearance):
    return reverse("admin:claims_appearance_change", args=[appearance.pk])


AGENT_KINDS = {"person": "person", "organization": "organization", "anonymous_source": "anonymous"}


def chain_rows(data, prefix, links):
    """Replace the chain rows in `data` with `links` (position, role, verb, agent field, agent)."""
    for key in [k for k in data if k.startswith(f"{prefix}-") and "FORMS" not in k]:
        data[key] = "" if not key.endswith(("-id", "-appearance")) else data[key]
    initial = data[f"{prefix}-INITIAL_FORMS"]
    for index in range(len(links), initial):
        data[f"{prefix}-{index}-DELETE"] = "on"
    for index, (position, role, verb, field, agent) in enumerate(links):
        if index >= initial:
            data[f"{prefix}-TOTAL_FORMS"] = index + 1
        data.update(
            {
                f"{prefix}-{index}-position": position,
                f"{prefix}-{index}-role": role,
                f"{prefix}-{index}-verb": verb,
                # The one agent picker's value: kind and key (claims.admin.picker.token).
                f"{prefix}-{index}-agent": f"{AGENT_KINDS[field]}:{agent.pk}",
            }
        )
    return data


def test_editing_the_chain_saves_it_in_order_and_recounts_origins(admin_client):
    claim = story_claim()
    ft = Organization.objects.get(name="Financial Times")
    outlet = organization("Outlet X")
    sources = AnonymousSourceFactory(description="sources", count_text="two")
    other = AppearanceFactory(claim=claim, document=DocumentFactory(publisher=outlet))
    chain(other, ("origin", sources, "told"), ("publisher", outlet, "published"))
    refresh_independent_origins([claim.pk])
    claim.refresh_from_db()
    assert claim.independent_origins == 2
    page = admin_client.get(appearance_url(other))
    data = chain_rows(
        form_data(page),
        "chain",
        [
            (0, "origin", "told", "anonymous_source", sources),
            (2, "publisher", "published", "organization", outlet),
            (1, "reporter", "reported", "organization", ft),  # listed out of order
        ],
    )

    response = admin_client.post(appearance_url(other), data)

    assert response.status_code == 302
    assert response.url == change_url(claim)
    saved = list(other.chain.order_by("position"))
    assert [(link.position, link.role, link.agent) for link in saved] == [
        (0, "origin", sources),
        (1, "reporter", ft),
        (2, "publisher", outlet),
    ]
    claim.refresh_from_db()
    assert claim.independent_origins == 1  # both now come through the FT


def test_a_chain_out_of_order_shows_the_error_and_changes_nothing(admin_client):
    claim = story_claim()
    appearance = claim.appearances.get()
    before = list(appearance.chain.values_list("position", "role", "verb"))
    publisher = appearance.document.publication
    page = admin_client.get(appearance_url(appearance))
    data = chain_rows(
        form_data(page),
        "chain",
        [
            (0, "publisher", "published", "organization", publisher),
            (1, "origin", "told", "anonymous_source", AnonymousSourceFactory()),
        ],
    )

    response = admin_client.post(appearance_url(appearance), data)

    assert response.status_code == 200
    _, errors = inline_errors(response, "AttributionInline")
    assert "Link 1: the publisher comes last in the chain" in " ".join(errors)
    assert "the origin comes first" in response.content.decode()
    assert list(appearance.chain.values_list("position", "role", "verb")) == before
    claim.refresh_from_db()
    assert claim.independent_origins == 1


def test_a_name_typed_but_not_chosen_is_refused_with_the_reason(admin_client):
    # One picker names one agent, so a link can never hold two; what it can hold is a name
    # the editor typed and never chose from the list.
    appearance = story_claim().appearances.get()
    page = admin_client.get(appearance_url(appearance))
    data = form_data(page)
    data["chain-0-agent"] = ""
    data["chain-0-agent_text"] = "Reuter"

    response = admin_client.post(appearance_url(appearance), data)

    assert response.status_code == 200
    forms, _ = inline_errors(response, "AttributionInline")
    assert forms[0]["agent"] == [
        "“Reuter” was typed but not chosen: choose it from the list, or create it."
    ]
    assert appearance.chain.get(position=0).anonymous_source is not None


@pytest.mark.parametrize("forged", ["organization:abc", "person:999999", "planet:1", "new:x:y"])
def test_a_forged_agent_value_is_refused_and_nothing_changes(admin_client, forged):
    appearance = story_claim().appearances.get()
    before = list(appearance.chain.values_list("pk", flat=True))
    data = form_data(admin_client.get(appearance_url(appearance)))
    data["chain-0-agent"] = forged

    response = admin_client.post(appearance_url(appearance), data)

    assert response.status_code == 200
    forms, _ = inline_errors(response, "AttributionInline")
    assert forms[0]["agent"]
    assert list(appearance.chain.values_list("pk", flat=True)) == before


def test_appearances_are_not_listed_in_the_admin_index(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:claims_claim_changelist") in html
    assert reverse("admin:claims_appearance_changelist") not in html


def test_appearance_changelist_query_count_does_not_grow(admin_client, django_assert_num_queries):
    url = reverse("admin:claims_appearance_changelist")
    make_claims(1)
    baseline = queries_for_get(admin_client, url)

    make_claims(20)

    with django_assert_num_queries(baseline):
        assert admin_client.get(url).status_code == 200


# --- Provenance ---------------------------------------------------------------------------------


def test_provenance_shows_each_chain_in_order_and_the_external_checks(admin_client):
    claim = story_claim()
    document = claim.appearances.get().document
    ExternalCheckFactory(
        claim=claim,
        organization=Organization.objects.get(name="Reuters"),
        document=document,
        exact=REUTERS_EXCERPT,
        start=ARTICLE_A_BODY.index(REUTERS_EXCERPT),
        end=ARTICLE_A_BODY.index(REUTERS_EXCERPT) + len(REUTERS_EXCERPT),
    )
    named = AppearanceFactory(claim=claim, document=article_b())
    chain(
        named,
        ("origin", PersonFactory(name="Zack Cooper", description="Asia security expert"), "told"),
        ("reporter", Organization.objects.get(name="Financial Times"), ""),
        ("publisher", Organization.objects.get(name="Outlet B"), "published"),
    )

    response = admin_client.get(provenance_url(claim))

    assert response.status_code == 200
    html = response.content.decode()
    order = [
        "current and former US officials",
        "Financial Times",
        "Reuters",
        "Ritzau",
        "Danish Offshore Industry",
        "Zack Cooper",
        "Asia security expert",
    ]
    positions = [html.index(f'<div class="chain-agent">{name}') for name in order[:5]]
    assert positions == sorted(positions)
    assert html.index("Zack Cooper") > positions[-1]
    assert "count: several" in html
    assert "Could not verify" in html
    assert f"<mark>{REUTERS_EXCERPT}</mark>" in html
    assert 'id="independent-origins">1<' in html  # both chains come through the FT
    assert 'id="appearance-count">2<' in html


def test_provenance_never_shows_a_confidential_identity(admin_client):
    claim = ClaimFactory()
    source = AnonymousSourceFactory(
        description="a person familiar with the talks", confidential_identity="Jane Roe"
    )
    chain(AppearanceFactory(claim=claim), ("origin", source, "said"))

    html = admin_client.get(provenance_url(claim)).content.decode()

    assert "a person familiar with the talks" in html
    assert "Jane Roe" not in html


def test_provenance_shows_the_verification_history(admin_client, editor, factchecker):
    claim = ClaimFactory()
    claim_transition(claim=claim, to="in_review", actor=editor, expected_version=1)
    claim_transition(
        claim=claim,
        to="disputed",
        actor=factchecker,
        expected_version=2,
        rationale="Article B says the opposite.",
        evidence=[Evidence(url="https://example.org/b", note="Article B")],
    )

    html = admin_client.get(provenance_url(claim)).content.decode()

    assert "Unverified &rarr; In review" in html
    assert "In review &rarr; Disputed" in html
    assert "t-factchecker" in html
    assert "Article B says the opposite." in html
    assert "https://example.org/b — Article B" in html


def test_provenance_shows_conflicts(admin_client):
    claim = story_claim(summary="No new export controls")
    rival = ClaimFactory(summary="New export controls planned")
    AppearanceFactory(claim=rival, document=article_b(), exact="major new export controls")
    ClaimRelationFactory(
        from_claim=claim, to_claim=rival, kind="contradicts", reason="Articles A and B disagree."
    )

    html = admin_client.get(provenance_url(claim)).content.decode()

    assert f'Contradicts <a href="{change_url(rival)}">New export controls planned</a>' in html
    assert "Articles A and B disagree." in html
    assert "<q>major new export controls</q>" in html


def provenance_claim(appearances):
    """A claim with `appearances` chains of every agent kind, a check and a conflict."""
    claim = ClaimFactory()
    claim.topics.add(TopicFactory())
    publisher = organization("Outlet X")
    for _ in range(appearances):
        appearance = AppearanceFactory(claim=claim, document=DocumentFactory(publisher=publisher))
        chain(
            appearance,
            ("origin", AnonymousSourceFactory(), "told"),
            ("reporter", AffiliationFactory().person, "reported"),
            ("publisher", publisher, "published"),
        )
    ExternalCheckFactory(claim=claim)
    ClaimRelationFactory(from_claim=claim, to_claim=ClaimFactory(), kind="contradicts")
    return claim


def test_provenance_runs_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    baseline = queries_for_get(admin_client, provenance_url(provenance_claim(1)))
    claim = provenance_claim(5)

    with django_assert_num_queries(baseline):
        response = admin_client.get(provenance_url(claim))
    assert response.content.decode().count('class="appearance"') == 5


def test_provenance_needs_the_view_claim_permission(client):
    claim = ClaimFactory()
    user = StaffFactory()
    client.force_login(user)
    assert client.get(provenance_url(claim)).status_code == 403

    user.user_permissions.add(Permission.objects.get(codename="view_claim"))

    assert client.get(provenance_url(claim)).status_code == 200
