"""A claim's move racing a publication never slips between the guard and the publication."""

import threading
import time

import pytest
from django.db import connections

from claims.models import ClaimStatus
from newsroom.stories import workflow
from newsroom.stories.models import NeedsCorrection, StoryStatus
from tests.claims.factories import ClaimFactory
from tests.stories.conftest import move
from tests.stories.factories import CitationFactory
from tests.stories.test_corrections import claim_move


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_claim_reopened_while_its_story_is_being_published_flags_the_story(
    editor, factchecker, monkeypatch
):
    citation = CitationFactory(claim=ClaimFactory(status=ClaimStatus.VERIFIED))
    story = citation.story
    move(story, StoryStatus.IN_REVIEW, story.created_by)
    guarded, outcomes = threading.Event(), {}
    append = workflow.story_event_append

    def append_after_the_reopen_waits(**kwargs):
        # The guard has passed; hold the publication open until the reopen is waiting on it
        # (or a second has gone by, which is what happens when nothing makes it wait).
        guarded.set()
        deadline = time.monotonic() + 1
        with connections["default"].cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.02)
        return append(**kwargs)

    monkeypatch.setattr(workflow, "story_event_append", append_after_the_reopen_waits)

    def run(name, action):
        try:
            action()
            outcomes[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            outcomes[name] = repr(exc)
        finally:
            connections.close_all()

    publisher = threading.Thread(
        target=run, args=("publish", lambda: move(story, StoryStatus.PUBLISHED, editor))
    )
    publisher.start()
    assert guarded.wait(10)
    reopener = threading.Thread(
        target=run,
        args=("reopen", lambda: claim_move(citation.claim, ClaimStatus.IN_REVIEW, factchecker)),
    )
    reopener.start()
    publisher.join(30)
    reopener.join(30)

    assert outcomes == {"publish": "ok", "reopen": "ok"}
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    assert NeedsCorrection.objects.filter(story=story, new_status=ClaimStatus.IN_REVIEW).exists()
