"""The stories admin: it routes every write into the services and shows the log and queue."""

import pytest
from django.urls import reverse

from claims.models import ClaimStatus
from newsroom.stories.models import (
    Citation,
    CitationUse,
    Correction,
    NeedsCorrection,
    Story,
    StoryEvent,
    StoryStatus,
)
from newsroom.stories.services import story_update
from tests.claims.factories import ClaimFactory
from tests.stories.conftest import move, publish
from tests.stories.factories import BODY, DEAL, CitationFactory, StoryFactory
from tests.stories.test_corrections import claim_move

pytestmark = pytest.mark.django_db


def change_url(story):
    return reverse("admin:stories_story_change", args=[story.pk])


def story_post(story, *, new_citations=(), delete=(), **changes):
    """The change form as a browser submits it, with citation rows as citation_select.js fills."""
    story.refresh_from_db()
    existing = list(story.citations.order_by("start", "pk"))
    data = {
        "headline": story.headline,
        "slug": story.slug,
        "standfirst": story.standfirst,
        "body": story.body.replace("\n", "\r\n"),  # as browsers send a textarea
        "language": story.language,
        "expected_version": story.version,
        "citations-TOTAL_FORMS": len(existing),
        "citations-INITIAL_FORMS": len(existing),
        "citations-MIN_NUM_FORMS": 0,
        "citations-MAX_NUM_FORMS": 1000,
        "citations-2-TOTAL_FORMS": len(new_citations),
        "citations-2-INITIAL_FORMS": 0,
        "citations-2-MIN_NUM_FORMS": 0,
        "citations-2-MAX_NUM_FORMS": 1000,
        **changes,
    }
    for index, citation in enumerate(existing):
        data[f"citations-{index}-id"] = citation.pk
        data[f"citations-{index}-story"] = story.pk
        if citation in delete:
            data[f"citations-{index}-DELETE"] = "on"
    body = data["body"].replace("\r\n", "\n")
    for index, (claim, use, exact) in enumerate(new_citations):
        start = body.index(exact)
        data.update(
            {
                f"citations-2-{index}-claim": claim.pk,
                f"citations-2-{index}-use": use,
                f"citations-2-{index}-exact": exact,
                f"citations-2-{index}-prefix": body[max(0, start - 32) : start],
                f"citations-2-{index}-suffix": body[start + len(exact) : start + len(exact) + 32],
                f"citations-2-{index}-start": start,
            }
        )
    return data


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_the_admin_writes_a_draft_through_the_service(editor_client, editor):
    response = editor_client.post(
        reverse("admin:stories_story_add"),
        {
            "headline": "Sanctions shelved",
            "slug": "sanctions-shelved",
            "body": BODY,
            "language": "en",
        },
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    story = Story.objects.get()
    assert (story.created_by, story.status) == (editor, StoryStatus.DRAFT)


def test_the_change_page_carries_the_selection_script_and_marks_the_body(editor_client):
    story = StoryFactory()

    page = editor_client.get(change_url(story)).content.decode()

    assert "stories/citation_select.js" in page
    assert "data-story-body" in page
    assert 'data-citation="exact"' in page and 'data-citation="start"' in page
    assert "readonly" in page  # the passage is selected, not typed


def test_citations_added_from_selections_are_anchored_by_the_service(editor_client):
    story = StoryFactory()
    verified = ClaimFactory(status=ClaimStatus.VERIFIED)

    response = editor_client.post(
        change_url(story),
        story_post(
            story,
            new_citations=[(verified, CitationUse.ASSERTS, DEAL)],
            body=("Update. " + BODY).replace("\n", "\r\n"),  # edited and selected in one go
        ),
    )

    assert response.status_code == 302, response.context["errors"]
    citation = Citation.objects.get()
    story.refresh_from_db()
    assert story.body[citation.start : citation.end] == DEAL
    assert citation.created_by is not None
    assert "\r" not in story.body


def test_a_selection_that_is_not_in_the_body_is_a_form_error(editor_client):
    story = StoryFactory()
    data = story_post(story, new_citations=[(ClaimFactory(), CitationUse.ASSERTS, DEAL)])
    data["citations-2-0-exact"] = "words the body does not have"

    response = editor_client.post(change_url(story), data)

    assert response.status_code == 200
    assert "is not in the document" in response.content.decode()
    assert not Citation.objects.exists()


def test_removing_a_citation_goes_through_the_service(editor_client):
    citation = CitationFactory()

    response = editor_client.post(
        change_url(citation.story), story_post(citation.story, delete=[citation])
    )

    assert response.status_code == 302
    assert not Citation.objects.exists()


def test_a_stale_change_form_is_refused(editor_client, editor):
    story = StoryFactory()
    data = story_post(story, headline="Mine")
    move(story, StoryStatus.IN_REVIEW, story.created_by)

    response = editor_client.post(change_url(story), data)

    assert response.status_code == 200
    assert "Reload it and try again" in response.content.decode()
    story.refresh_from_db()
    assert story.headline != "Mine"


def test_publishing_shows_the_guards_reasons_then_an_override_publishes(editor_client):
    citation = CitationFactory(claim=ClaimFactory(status=ClaimStatus.IN_REVIEW))
    story = citation.story
    move(story, StoryStatus.IN_REVIEW, story.created_by)
    story.refresh_from_db()
    url = reverse("admin:stories_story_move", args=[story.pk, StoryStatus.PUBLISHED])

    page = editor_client.get(url).content.decode()
    assert "guard-refusals" in page and f"Citation {citation.pk}" in page
    refused = editor_client.post(url, {"expected_version": story.version})
    assert "The guard refuses publication" in refused.content.decode()
    story.refresh_from_db()
    assert story.status == StoryStatus.IN_REVIEW

    done = editor_client.post(
        url, {"expected_version": story.version, "override_reason": "Confirmed on record."}
    )

    assert done.status_code == 302
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    change_page = editor_client.get(change_url(story)).content.decode()
    assert "Guard overridden" in change_page and "Confirmed on record." in change_page


def test_the_needs_correction_queue_and_publishing_a_correction(editor_client, editor, factchecker):
    citation = CitationFactory(claim=ClaimFactory(status=ClaimStatus.VERIFIED))
    publish(citation.story, editor)
    StoryFactory()  # not flagged
    claim_move(citation.claim, ClaimStatus.IN_REVIEW, factchecker)
    changelist = reverse("admin:stories_story_changelist")

    queue = editor_client.get(changelist, {"needs_correction": "yes"})

    assert [s.pk for s in queue.context["cl"].result_list] == [citation.story_id]
    story = citation.story
    story.refresh_from_db()
    correct = reverse("admin:stories_story_correct", args=[story.pk])
    assert "open-flags" in editor_client.get(correct).content.decode()
    response = editor_client.post(
        correct, {"expected_version": story.version, "text": "We stated it as fact too early."}
    )

    assert response.status_code == 302
    assert Correction.objects.get().published_by == editor
    assert not NeedsCorrection.objects.open().exists()
    assert not editor_client.get(changelist, {"needs_correction": "yes"}).context["cl"].result_list
    assert StoryEvent.objects.filter(story=story, kind="corrected").exists()


def test_a_fact_checker_may_read_stories_but_not_publish_them(client, factchecker):
    story = StoryFactory()
    move(story, StoryStatus.IN_REVIEW, story.created_by)
    client.force_login(factchecker)

    assert client.get(change_url(story)).status_code == 200
    url = reverse("admin:stories_story_move", args=[story.pk, StoryStatus.PUBLISHED])
    assert client.post(url, {"expected_version": 2}).status_code == 403
    story.refresh_from_db()
    assert story.status == StoryStatus.IN_REVIEW


def test_the_story_log_is_read_only_in_the_admin(admin_client, editor):
    publish(StoryFactory(), editor)
    event = StoryEvent.objects.last()

    url = reverse("admin:stories_storyevent_change", args=[event.pk])
    assert admin_client.post(url, {"reason": "forged"}).status_code == 403
    delete = reverse("admin:stories_storyevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert StoryEvent.objects.get(pk=event.pk).reason == ""


def test_unknown_story_pages_are_404(editor_client):
    assert editor_client.get("/admin/stories/story/abc/move/published/").status_code == 404
    assert editor_client.get("/admin/stories/story/999/correct/").status_code == 404


def test_the_story_history_page_shows_edits_and_restores_none(editor_client, editor):
    story = StoryFactory()
    story_update(story=story, actor=editor, expected_version=1, headline="Sharper")
    story.bylines.add(editor)

    history = reverse("admin:stories_story_history", args=[story.pk])
    assert editor_client.get(history).status_code == 200
    record = story.history.earliest()
    past = reverse("admin:stories_story_simple_history", args=[story.pk, record.history_id])
    assert editor_client.post(past, {}).status_code == 403
