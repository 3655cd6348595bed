"""The verification workflow in the admin: review queue, actions, move pages, the audit trail."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimRelation, ClaimStatus, VerificationEvent
from claims.origins import refresh_independent_origins
from claims.workflow import Evidence, claim_transition
from sources.models import Document
from tests.claims.factories import (
    AppearanceFactory,
    AttributionFactory,
    ClaimFactory,
    ClaimRelationFactory,
    ExternalCheckFactory,
)
from tests.claims.test_admin import form_data
from tests.factories import DocumentFactory, PersonFactory, StaffFactory
from tests.utils import queries_for_get

pytestmark = pytest.mark.django_db

S = ClaimStatus
CHANGELIST = reverse("admin:claims_claim_changelist")
QUEUE = reverse("admin:claims_claim_queue")
EVENTS = reverse("admin:claims_verificationevent_changelist")
WORKFLOW_ACTIONS = {"send_to_review", "assign", "conclude", "drop_from_review", "reopen"}
FT_URL = "https://www.ft.com/content/example"


def change_url(claim):
    return reverse("admin:claims_claim_change", args=[claim.pk])


def transition_url(claim, to):
    return reverse("admin:claims_claim_transition", args=[claim.pk, to])


def seen(claim, version=None, revision=None) -> dict:
    """The hidden fields that tell the move page which version and revision the user saw."""
    return {
        f"version_{claim.pk}": claim.version if version is None else version,
        f"revision_{claim.pk}": claim.revision if revision is None else revision,
    }


def today():
    return timezone.localdate()


def logged_in(client, user):
    client.force_login(user)
    return client


def staff_with(*codenames):
    user = StaffFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def in_review(**kwargs):
    """A claim sent to review through the service, by a user who did not record it."""
    claim = ClaimFactory(**kwargs)
    return claim_transition(
        claim=claim, to=S.IN_REVIEW, actor=StaffFactory(is_superuser=True), expected_version=1
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed(client, **params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def anonymous_only_claim():
    claim = ClaimFactory()
    AttributionFactory(appearance=AppearanceFactory(claim=claim))
    refresh_independent_origins([claim.pk])  # as the recording services do after a chain
    return claim


def named_origin_claim():
    claim = ClaimFactory()
    AttributionFactory(
        appearance=AppearanceFactory(claim=claim),
        anonymous_source=None,
        person=PersonFactory(name="Zack Cooper"),
    )
    return claim


# --- The review queue ----------------------------------------------------------------------------


@pytest.fixture
def queue_claims(factchecker, factchecker2):
    yesterday, tomorrow = today() - datetime.timedelta(days=1), today() + datetime.timedelta(days=1)
    claims = {
        "mine": in_review(assignee=factchecker),
        "mine_overdue": in_review(assignee=factchecker, due_date=yesterday),
        "theirs": in_review(assignee=factchecker2, due_date=tomorrow),
        "due_today": in_review(assignee=factchecker2, due_date=today()),
        "unassigned": in_review(),
        "concluded_mine": ClaimFactory(status=S.VERIFIED, assignee=factchecker),
        "overdue_but_concluded": ClaimFactory(status=S.FALSE, due_date=yesterday),
        "conflict_a": ClaimFactory(),
        "conflict_b": ClaimFactory(),
        "anonymous": anonymous_only_claim(),
        "named": named_origin_claim(),
    }
    ClaimRelationFactory(
        from_claim=claims["conflict_a"],
        to_claim=claims["conflict_b"],
        kind=ClaimRelation.Kind.CONTRADICTS,
    )
    return claims


QUEUE_MEMBERS = {
    "mine": {"mine", "mine_overdue"},
    "unassigned": {"unassigned"},
    "overdue": {"mine_overdue"},
    "conflicted": {"conflict_a", "conflict_b"},
    "anonymous_only": {"anonymous"},
}


@pytest.mark.parametrize(("queue", "members"), QUEUE_MEMBERS.items())
def test_each_review_queue_filter_lists_its_claims(
    client, factchecker, queue_claims, queue, members
):
    logged_in(client, factchecker)

    assert listed(client, queue=queue) == {queue_claims[name] for name in members}


def test_assigned_to_me_depends_on_who_asks(client, factchecker2, queue_claims):
    logged_in(client, factchecker2)

    assert listed(client, queue="mine") == {queue_claims["theirs"], queue_claims["due_today"]}
    assert listed(client, queue="nonsense") == set()


def test_the_dashboard_lists_each_queue_with_its_count_and_changelist_link(
    client, factchecker, queue_claims
):
    response = logged_in(client, factchecker).get(QUEUE)

    assert response.status_code == 200
    queues = {queue["key"]: queue for queue in response.context["queues"]}
    for key, members in QUEUE_MEMBERS.items():
        assert set(queues[key]["claims"]) == {queue_claims[name] for name in members}
        assert queues[key]["count"] == len(members)
    html = response.content.decode()
    for key in QUEUE_MEMBERS:
        assert f'href="{CHANGELIST}?queue={key}"' in html
    assert change_url(queue_claims["mine_overdue"]) in html


def make_queue_rows(n, user):
    for _ in range(n):
        in_review(assignee=user)
        in_review(due_date=today() - datetime.timedelta(days=2))
        ClaimRelationFactory(kind=ClaimRelation.Kind.CONTRADICTS)
        anonymous_only_claim()


def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, factchecker, django_assert_num_queries
):
    logged_in(client, factchecker)
    make_queue_rows(1, factchecker)
    baseline = queries_for_get(client, QUEUE)

    make_queue_rows(19, factchecker)

    with django_assert_num_queries(baseline):
        response = client.get(QUEUE)
    counts = {queue["key"]: queue["count"] for queue in response.context["queues"]}
    assert counts == {
        "mine": 20,
        "unassigned": 20,
        "overdue": 20,
        "conflicted": 40,
        "anonymous_only": 20,
        "withdrawn_document": 0,  # nothing here rests on a withdrawn document
    }
    assert all(
        len(queue["claims"]) == 10
        for queue in response.context["queues"]
        if queue["key"] != "withdrawn_document"
    )


def test_the_admin_index_links_the_review_queue(client, editor):
    html = logged_in(client, editor).get(reverse("admin:index")).content.decode()

    assert f'href="{QUEUE}"' in html
    assert f'href="{CHANGELIST}?queue=mine"' in html


def test_the_review_queue_needs_the_view_claim_permission(client):
    user = staff_with("view_organization")
    logged_in(client, user)

    assert QUEUE not in client.get(reverse("admin:index")).content.decode()
    assert client.get(QUEUE).status_code == 403


# --- Actions -------------------------------------------------------------------------------------


def action_names(client) -> set[str]:
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    action_form = response.context["action_form"]
    if action_form is None:
        return set()
    return {name for name, _ in action_form.fields["action"].choices if name}


def test_editors_may_send_to_review_and_assign_but_not_conclude_or_reopen(client, editor):
    assert action_names(logged_in(client, editor)) & WORKFLOW_ACTIONS == {
        "send_to_review",
        "assign",
    }


def test_factcheckers_see_every_workflow_action(client, factchecker):
    assert action_names(logged_in(client, factchecker)) >= WORKFLOW_ACTIONS


def test_staff_without_workflow_permissions_see_no_workflow_action(client):
    assert action_names(logged_in(client, staff_with("view_claim"))) & WORKFLOW_ACTIONS == set()


def start_action(client, action, claims):
    """Choose an action on the changelist; return its intermediate form page."""
    response = client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [claim.pk for claim in claims], "index": 0},
    )
    assert response.status_code == 200, response.status_code
    return response


def submit_action(client, action, page, **fields):
    """Submit an action's intermediate form as rendered on `page`, plus `fields`."""
    form = page.context["form"]
    data = {
        "action": action,
        "_selected_action": [claim.pk for claim in form.claims],
        "apply": "yes",
        **{
            name: field.initial
            for name, field in form.fields.items()
            if name.startswith(("version_", "revision_"))
        },
        **fields,
    }
    return client.post(CHANGELIST, data)


def test_send_to_review_offers_only_factcheckers_and_assigns_through_the_service(
    client, editor, factchecker, factchecker2
):
    claims = [ClaimFactory(created_by=editor), ClaimFactory(created_by=editor)]
    logged_in(client, editor)
    page = start_action(client, "send_to_review", claims)
    assert set(page.context["form"].fields["assignee"].queryset) == {factchecker, factchecker2}
    due = today() + datetime.timedelta(days=3)

    response = submit_action(
        client,
        "send_to_review",
        page,
        assignee=factchecker.pk,
        due_date=due.isoformat(),
        rationale="Two outlets disagree.",
    )

    assert response.status_code == 302
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.status, claim.assignee, claim.due_date) == (S.IN_REVIEW, factchecker, due)
        event = VerificationEvent.objects.get(claim=claim)
        assert (event.actor, event.to_status, event.rationale) == (
            editor,
            S.IN_REVIEW,
            "Two outlets disagree.",
        )
    assert all("Unverified → In review" in message for message in messages_of(response))


def test_conclude_records_the_rationale_and_every_kind_of_evidence(
    client, factchecker, factchecker2
):
    claim = in_review(created_by=factchecker)
    check = ExternalCheckFactory(claim=claim)
    document = DocumentFactory()
    logged_in(client, factchecker2)
    page = start_action(client, "conclude", [claim])
    assert list(page.context["form"].fields["external_check"].queryset) == [check]

    response = submit_action(
        client,
        "conclude",
        page,
        to=S.VERIFIED,
        rationale="Confirmed by the FT's own report.",
        url_1=FT_URL,
        document=document.pk,
        external_check=check.pk,
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == S.VERIFIED
    event = claim.events.get(to_status=S.VERIFIED)
    assert (event.actor, event.rationale) == (factchecker2, "Confirmed by the FT's own report.")
    assert [item["kind"] for item in event.evidence] == ["url", "document", "external_check"]
    assert event.evidence[0]["url"] == FT_URL
    assert event.evidence[1]["document"] == document.pk
    assert event.evidence[2]["external_check"] == check.pk
    assert messages_of(response) == [
        f'<a href="{change_url(claim)}">{claim}</a>: In review → Verified.'
    ]


def test_conclude_reports_each_claims_outcome_and_the_four_eyes_refusal(
    client, factchecker, factchecker2
):
    own = in_review(created_by=factchecker, summary="Recorded by me")
    other = in_review(created_by=factchecker2, summary="Recorded by someone else")
    logged_in(client, factchecker)
    page = start_action(client, "conclude", [own, other])

    response = submit_action(
        client, "conclude", page, to=S.DISPUTED, rationale="Article B says otherwise."
    )

    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.status, other.status) == (S.IN_REVIEW, S.DISPUTED)
    assert not own.events.filter(to_status=S.DISPUTED).exists()
    reported = " ".join(messages_of(response))
    assert "Recorded by me</a>: Four-eyes rule: you recorded or reworded this claim" in reported
    assert "Recorded by someone else</a>: In review → Disputed." in reported


def test_conclude_refuses_a_claim_changed_since_the_form_was_shown(
    client, factchecker, factchecker2
):
    claim = in_review()
    logged_in(client, factchecker)
    page = start_action(client, "conclude", [claim])
    # Someone else drops and re-queues the claim while the form is open.
    for to in (S.UNVERIFIED, S.IN_REVIEW):
        claim_transition(
            claim=claim,
            to=to,
            actor=factchecker2,
            expected_version=Claim.objects.get(pk=claim.pk).version,
            rationale="Requeued.",
        )

    response = submit_action(client, "conclude", page, to=S.DISPUTED, rationale="Disputed.")

    assert "The claim changed since you loaded it (you had version 2, it is now version 4)" in (
        " ".join(messages_of(response))
    )
    claim.refresh_from_db()
    assert (claim.status, claim.version) == (S.IN_REVIEW, 4)
    assert not claim.events.filter(to_status=S.DISPUTED).exists()


def test_concluding_as_verified_without_evidence_is_refused_with_the_reason(client, factchecker):
    claim = in_review()
    logged_in(client, factchecker)
    page = start_action(client, "conclude", [claim])

    response = submit_action(client, "conclude", page, to=S.VERIFIED, rationale="Looks right.")

    assert "Concluding a claim as verified needs at least one piece of evidence" in " ".join(
        messages_of(response)
    )
    claim.refresh_from_db()
    assert claim.status == S.IN_REVIEW
    assert claim.events.count() == 1


def test_the_conclude_form_asks_for_a_rationale_before_calling_the_service(client, factchecker):
    claim = in_review()
    logged_in(client, factchecker)
    page = start_action(client, "conclude", [claim])

    response = submit_action(client, "conclude", page, to=S.DISPUTED, rationale="")

    assert response.status_code == 200
    assert response.context["form"].errors["rationale"] == ["This field is required."]
    assert claim.events.count() == 1


def test_reopen_and_drop_from_review_go_through_the_service(client, factchecker, factchecker2):
    concluded = in_review()
    claim_transition(
        claim=concluded, to=S.DISPUTED, actor=factchecker2, expected_version=2, rationale="No."
    )
    queued = in_review(assignee=factchecker2)
    logged_in(client, factchecker)

    reopened = submit_action(
        client,
        "reopen",
        start_action(client, "reopen", [concluded]),
        rationale="A new source came forward.",
    )
    dropped = submit_action(
        client,
        "drop_from_review",
        start_action(client, "drop_from_review", [queued]),
        rationale="Not checkable this week.",
    )

    assert (reopened.status_code, dropped.status_code) == (302, 302)
    concluded.refresh_from_db()
    queued.refresh_from_db()
    assert concluded.status == S.IN_REVIEW
    assert concluded.events.last().rationale == "A new source came forward."
    assert (queued.status, queued.assignee) == (S.UNVERIFIED, None)
    assert queued.events.last().rationale == "Not checkable this week."


def test_reopen_without_a_rationale_is_not_sent(client, factchecker):
    claim = ClaimFactory(status=S.FALSE)
    logged_in(client, factchecker)

    response = submit_action(
        client, "reopen", start_action(client, "reopen", [claim]), rationale=" "
    )

    assert response.status_code == 200
    assert "rationale" in response.context["form"].errors
    assert not claim.events.exists()


def test_assign_calls_claim_assign_and_reports_its_refusals(
    client, editor, factchecker, factchecker2
):
    queued = in_review(assignee=factchecker)
    unverified = ClaimFactory(summary="Not in review")
    logged_in(client, editor)
    page = start_action(client, "assign", [queued, unverified])

    response = submit_action(client, "assign", page, assignee=factchecker2.pk)

    queued.refresh_from_db()
    unverified.refresh_from_db()
    assert (queued.assignee, unverified.assignee) == (factchecker2, None)
    reported = " ".join(messages_of(response))
    assert f"assigned to {factchecker2}" in reported
    assert (
        "Not in review</a>: Only a claim in review can be assigned; send it to review first."
        in reported
    )


def test_a_workflow_action_is_refused_to_a_user_without_its_permission(client, editor):
    claim = in_review()
    logged_in(client, editor)

    response = client.post(
        CHANGELIST,
        {"action": "conclude", "_selected_action": [claim.pk], "apply": "yes", "to": "disputed"},
    )

    assert response.status_code == 302
    assert messages_of(response) == ["No action selected."]
    assert claim.events.count() == 1


# --- Buttons and the single-claim move page ------------------------------------------------------


def moves_shown(client, claim) -> list[str]:
    response = client.get(change_url(claim))
    assert response.status_code == 200
    return [move["label"] for move in response.context["workflow_moves"]]


def test_the_claim_page_offers_only_the_moves_the_user_may_make(
    client, editor, factchecker, factchecker2
):
    unverified = ClaimFactory(created_by=factchecker)
    queued = in_review(created_by=factchecker)
    concluded = ClaimFactory(status=S.VERIFIED)
    conclusions = [
        "Conclude as verified",
        "Conclude as false",
        "Conclude as disputed",
        "Conclude as unverifiable",
    ]

    logged_in(client, editor)
    assert moves_shown(client, unverified) == ["Send to review"]
    assert moves_shown(client, queued) == []
    assert moves_shown(client, concluded) == []

    logged_in(client, factchecker)  # recorded `queued`: may drop it, not conclude it
    assert moves_shown(client, queued) == ["Drop from review"]
    assert moves_shown(client, concluded) == ["Reopen"]

    logged_in(client, factchecker2)
    assert moves_shown(client, queued) == [*conclusions, "Drop from review"]
    html = client.get(change_url(queued)).content.decode()
    assert f'href="{transition_url(queued, S.VERIFIED)}"' in html


def test_the_move_page_makes_the_move_through_the_service(client, factchecker, factchecker2):
    claim = in_review(created_by=factchecker)
    logged_in(client, factchecker2)
    page = client.get(transition_url(claim, S.FALSE))
    assert page.status_code == 200
    assert "to" not in page.context["form"].fields  # the target is the page's

    response = client.post(
        transition_url(claim, S.FALSE),
        {**seen(claim), "rationale": "The FT denied it.", "url_1": FT_URL},
    )

    assert response.status_code == 302
    assert response.url == change_url(claim)
    claim.refresh_from_db()
    assert claim.status == S.FALSE
    event = claim.events.last()
    assert (event.actor, event.rationale, event.evidence[0]["url"]) == (
        factchecker2,
        "The FT denied it.",
        FT_URL,
    )


def test_the_move_page_sends_to_review_with_an_assignee(client, editor, factchecker):
    claim = ClaimFactory()
    logged_in(client, editor)

    response = client.post(
        transition_url(claim, S.IN_REVIEW),
        {**seen(claim, 1), "assignee": factchecker.pk},
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.assignee) == (S.IN_REVIEW, factchecker)


@pytest.mark.parametrize(
    ("recorded_by_me", "data", "reason"),
    [
        (
            False,
            {"rationale": "Seems right."},
            "Concluding a claim as verified needs at least one piece of evidence",
        ),
        # Four-eyes is refused before the form is shown: tests/claims/test_admin_review.py.
    ],
)
def test_a_refused_move_shows_the_form_again_with_the_reason(
    client, factchecker, recorded_by_me, data, reason
):
    claim = in_review(created_by=factchecker if recorded_by_me else None)
    logged_in(client, factchecker)

    response = client.post(transition_url(claim, S.VERIFIED), {**seen(claim), **data})

    assert response.status_code == 200
    assert reason in " ".join(response.context["form"].non_field_errors())
    assert reason in response.content.decode()
    assert response.context["form"]["rationale"].value() == "Seems right."
    claim.refresh_from_db()
    assert claim.status == S.IN_REVIEW
    assert claim.events.count() == 1


def test_the_move_page_refuses_a_stale_version(client, factchecker):
    claim = in_review()
    logged_in(client, factchecker)

    response = client.post(
        transition_url(claim, S.DISPUTED),
        {**seen(claim, claim.version - 1), "rationale": "Disputed."},
    )

    assert response.status_code == 200
    assert "The claim changed since you loaded it" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == S.IN_REVIEW


def test_the_move_page_is_forbidden_without_the_moves_permission(client, editor):
    claim = in_review()
    logged_in(client, editor)

    assert client.get(transition_url(claim, S.DISPUTED)).status_code == 403
    response = client.post(
        transition_url(claim, S.DISPUTED), {**seen(claim, 2), "rationale": "No."}
    )

    assert response.status_code == 403
    assert claim.events.count() == 1


def test_a_move_the_table_does_not_allow_is_refused_with_the_reason(client, factchecker):
    claim = ClaimFactory()
    logged_in(client, factchecker)

    response = client.get(transition_url(claim, S.VERIFIED))

    assert response.status_code == 302
    assert (
        "Unverified → Verified is not allowed: a claim cannot move straight there; send it "
        "to review first."
    ) in " ".join(messages_of(response))


# --- The audit trail -----------------------------------------------------------------------------


@pytest.fixture
def concluded_claim(editor, factchecker):
    claim = ClaimFactory(created_by=editor)
    document = DocumentFactory(headline="Reuters could not verify")
    claim_transition(
        claim=claim,
        to=S.IN_REVIEW,
        actor=editor,
        expected_version=1,
        assignee=factchecker,
        due_date=datetime.date(2025, 11, 20),
    )
    claim_transition(
        claim=claim,
        to=S.FALSE,
        actor=factchecker,
        expected_version=2,
        rationale="Article B reports the opposite.",
        evidence=[Evidence(url=FT_URL, note="FT report"), Evidence(document_id=document.pk)],
    )
    claim.refresh_from_db()
    return claim


def test_the_claim_page_shows_the_verification_history_and_assignment(
    client, factchecker, concluded_claim
):
    response = logged_in(client, factchecker).get(change_url(concluded_claim))

    # A concluded claim's words are frozen until it is reopened (only the hidden revision
    # the page was loaded at is on the form).
    assert set(response.context["adminform"].form.fields) == {"expected_revision"}
    html = response.content.decode()
    assert 'id="verification-history"' in html
    assert "Unverified &rarr; In review" in html
    assert "In review &rarr; False" in html
    assert "t-factchecker (fact-checker)" in html
    assert "Article B reports the opposite." in html
    assert f'<a href="{FT_URL}" rel="noopener noreferrer">{FT_URL}</a> — FT report' in html
    document = Document.objects.get(headline="Reuters could not verify")
    document_url = reverse("admin:sources_document_change", args=[document.pk])
    assert f'href="{document_url}"' in html
    assignment = html[
        html.index('class="form-row field-assigned_to"') : html.index("field-concluded_at")
    ]
    # A name, not a link to a user page the fact-checker may not open.
    assert '<div class="readonly">t-factchecker</div>' in assignment
    assert '<div class="readonly">20 Nov 2025</div>' in assignment


def event_urls(event):
    return {
        "add": reverse("admin:claims_verificationevent_add"),
        "change": reverse("admin:claims_verificationevent_change", args=[event.pk]),
        "delete": reverse("admin:claims_verificationevent_delete", args=[event.pk]),
    }


def test_no_one_may_add_change_or_delete_verification_events(admin_client, concluded_claim):
    event = concluded_claim.events.last()
    urls = event_urls(event)

    assert admin_client.get(urls["add"]).status_code == 403
    assert admin_client.post(urls["add"], {"rationale": "forged"}).status_code == 403
    changed = admin_client.post(
        urls["change"], {"rationale": "Rewritten.", "to_status": "verified"}
    )
    assert changed.status_code == 403
    assert admin_client.get(urls["delete"]).status_code == 403
    assert admin_client.post(urls["delete"], {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert (event.rationale, event.to_status) == ("Article B reports the opposite.", S.FALSE)

    changelist = admin_client.get(EVENTS)
    assert changelist.context["action_form"] is None
    assert changelist.context["has_add_permission"] is False
    page = admin_client.get(urls["change"])
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["has_delete_permission"] is False
    assert urls["delete"] not in page.content.decode()


def test_factcheckers_can_list_filter_and_read_the_log(client, factchecker, concluded_claim):
    logged_in(client, factchecker)
    event = concluded_claim.events.get(to_status=S.FALSE)

    response = client.get(EVENTS, {"to_status__exact": S.FALSE})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [event]
    assert len(client.get(EVENTS).context["cl"].result_list) == 2
    by_actor = client.get(EVENTS, {"actor__id__exact": factchecker.pk})
    assert list(by_actor.context["cl"].result_list) == [event]

    detail = client.get(reverse("admin:claims_verificationevent_change", args=[event.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Article B reports the opposite." in html
    assert f'<a href="{FT_URL}" rel="noopener noreferrer">' in html
    assert 'name="_save"' not in html


def test_the_log_needs_the_view_permission(client, concluded_claim):
    logged_in(client, staff_with("view_claim"))

    assert client.get(EVENTS).status_code == 403


def test_the_log_changelist_runs_a_fixed_number_of_queries(
    admin_client, editor, factchecker, django_assert_num_queries
):
    def conclude_claims(n):
        for _ in range(n):
            claim = in_review()
            claim_transition(
                claim=claim, to=S.DISPUTED, actor=factchecker, expected_version=2, rationale="No."
            )

    conclude_claims(1)
    baseline = queries_for_get(admin_client, EVENTS)

    conclude_claims(20)

    with django_assert_num_queries(baseline):
        response = admin_client.get(EVENTS)
    assert len(response.context["cl"].result_list) == 42


# --- Edit history (django-simple-history) --------------------------------------------------------


def test_the_history_page_shows_an_admin_edit_and_who_made_it(client, editor):
    claim = ClaimFactory(text="Sanctions are on hold.", created_by=editor)
    logged_in(client, editor)
    page = client.get(change_url(claim))
    history_url = reverse("admin:claims_claim_history", args=[claim.pk])
    assert history_url in page.content.decode()

    saved = client.post(change_url(claim), form_data(page, text="Sanctions were put on hold."))
    assert saved.status_code == 302

    response = client.get(history_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="change-history"' in html  # simple-history's records, not admin log entries
    record = claim.history.latest()
    assert (record.history_user, record.text) == (editor, "Sanctions were put on hold.")
    before_link = html[: html.index(f"/history/{record.pk}/")]
    row = before_link[before_link.rindex("<tr>") :]
    assert "t-editor" in row
    assert "Sanctions are on hold.&nbsp;&rarr;&nbsp;Sanctions were put on hold." in " ".join(
        row.split()
    )


def test_a_past_version_is_shown_but_not_restored(client, editor):
    claim = ClaimFactory(text="First words.")
    logged_in(client, editor)
    page = client.get(change_url(claim))
    client.post(change_url(claim), form_data(page, text="Second words."))
    first = claim.history.earliest()
    version_url = reverse("admin:claims_claim_simple_history", args=[claim.pk, first.pk])

    assert client.get(version_url).status_code == 200
    assert client.post(version_url, {"text": "First words."}).status_code == 403
    claim.refresh_from_db()
    assert claim.text == "Second words."


def test_the_appearance_history_page_works(admin_client):
    appearance = AppearanceFactory()

    response = admin_client.get(reverse("admin:claims_appearance_history", args=[appearance.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="change-history"' in html
    assert "Created" in html
