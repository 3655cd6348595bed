"""The story log is append-only: in the model, and on PostgreSQL in the database too."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from newsroom.stories.models import AppendOnlyError, StoryEvent
from tests.stories.conftest import publish
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(editor):
    publish(StoryFactory(), editor)
    return StoryEvent.objects.order_by("pk").last()


def test_an_event_cannot_be_changed(event):
    event.reason = "Rewritten history."
    with pytest.raises(AppendOnlyError):
        event.save()


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        StoryEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        StoryEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        StoryEvent.objects.bulk_update([event], ["reason"])


def test_loaddata_cannot_overwrite_an_event(event, tmp_path):
    dump = tmp_path / "events.json"
    call_command("dumpdata", "stories.storyevent", output=str(dump))
    dump.write_text(dump.read_text().replace('"reason": ""', '"reason": "forged"'))

    with pytest.raises(AppendOnlyError):
        call_command("loaddata", str(dump), verbosity=0)

    assert StoryEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE stories_storyevent SET reason = 'forged'",
        "DELETE FROM stories_storyevent",
    ],
)
def test_the_database_refuses_update_and_delete(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)

    assert StoryEvent.objects.filter(pk=event.pk, reason="").exists()


@pytest.mark.postgres
@pytest.mark.parametrize("sql", ["TRUNCATE stories_storyevent", "TRUNCATE stories_story CASCADE"])
def test_the_database_refuses_truncate(event, story_truncate_refused, sql):
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)

    assert StoryEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_flush_is_refused_and_the_story_log_remains(event, story_truncate_refused):
    with pytest.raises(CommandError, match="couldn't be flushed"):
        call_command("flush", interactive=False, verbosity=0)

    assert StoryEvent.objects.filter(pk=event.pk).exists()
