"""The story admin's pages as people meet them: four-eyes said up front, bylines choosable."""

import pytest
from django.urls import reverse

from claims.models import ClaimStatus
from newsroom.stories.models import StoryStatus
from tests.claims.factories import ClaimFactory
from tests.factories import StaffFactory, UserFactory
from tests.stories.conftest import move
from tests.stories.factories import CitationFactory, StoryFactory
from tests.stories.test_admin import story_post

pytestmark = pytest.mark.django_db


def publish_page(client, story):
    url = reverse("admin:stories_story_move", args=[story.pk, StoryStatus.PUBLISHED])
    return client.get(url).content.decode()


def test_the_author_is_told_four_eyes_before_filling_in_anything(client):
    citation = CitationFactory(claim=ClaimFactory(status=ClaimStatus.IN_REVIEW))
    story = citation.story
    move(story, StoryStatus.IN_REVIEW, story.created_by)
    client.force_login(story.created_by)

    page = publish_page(client, story)

    assert 'id="four-eyes"' in page and "another editor must publish it" in page
    assert 'id="guard-refusals"' in page  # she still sees what the guard refuses
    assert 'id="story-action-form"' not in page and "override_reason" not in page


def test_another_editor_gets_the_publish_form_with_the_override(client, editor):
    citation = CitationFactory(claim=ClaimFactory(status=ClaimStatus.IN_REVIEW))
    move(citation.story, StoryStatus.IN_REVIEW, citation.story.created_by)
    client.force_login(editor)

    page = publish_page(client, citation.story)

    assert 'id="four-eyes"' not in page
    assert 'id="story-action-form"' in page and 'name="override_reason"' in page


def test_bylines_offer_active_staff_and_keep_a_leavers_byline(client, editor):
    story = StoryFactory()
    leaver = StaffFactory(username="leaver", first_name="Lee", last_name="Leaver")
    story.bylines.add(leaver)
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    reader = UserFactory(username="reader")  # not staff: never a byline
    client.force_login(editor)
    change_url = reverse("admin:stories_story_change", args=[story.pk])

    offered = client.get(change_url).context["adminform"].form.fields["bylines"].queryset

    assert editor in offered and leaver in offered and reader not in offered
    response = client.post(
        change_url, story_post(story, bylines=[leaver.pk, editor.pk], standfirst="Now with.")
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert set(story.bylines.all()) == {leaver, editor}


def test_editors_choose_bylines_without_the_user_autocomplete(client, editor):
    # The autocomplete needs permission to view users, which editors do not have.
    client.force_login(editor)

    page = client.get(reverse("admin:stories_story_add")).content.decode()

    assert 'name="bylines"' in page and "selectfilter" in page
    assert 'data-model-name="user"' not in page
