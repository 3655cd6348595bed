"""The story log is append-only: in the model, on PostgreSQL in the database too, and chained."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from newsroom.stories.audit import GENESIS_HASH, digest_of
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


def test_flush_on_sqlite_is_refused_and_the_story_log_remains(event, sqlite_append_only):
    with pytest.raises(CommandError, match="couldn't be flushed") as refused:
        call_command("flush", interactive=False, verbosity=0)

    assert "append-only: DELETE refused" in str(refused.value.__cause__)
    assert StoryEvent.objects.filter(pk=event.pk).exists()


# --- the hash chain ------------------------------------------------------------------------------


@pytest.fixture
def log(editor):
    """Three events over two stories."""
    publish(StoryFactory(), editor)
    publish(StoryFactory(), editor, override_reason="Nothing to override.")
    return list(StoryEvent.objects.order_by("pk"))


def verify() -> str:
    out = StringIO()
    call_command("verify_story_events", stdout=out)
    return out.getvalue()


def test_each_event_carries_the_hash_of_the_one_before(log):
    assert log[0].previous_hash == GENESIS_HASH
    assert [e.previous_hash for e in log[1:]] == [e.hash for e in log[:-1]]
    assert all(e.hash == digest_of(e, previous_hash=e.previous_hash) for e in log)
    assert f"{len(log)} events verified" in verify()


def test_an_empty_log_verifies(db):
    assert "empty" in verify()


def past_the_app(sql, params):
    """Change the log as someone with the database's owner could (triggers off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending checks
            cursor.execute("ALTER TABLE stories_storyevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE stories_storyevent ENABLE TRIGGER USER")


def test_an_event_edited_past_the_app_is_detected(log):
    past_the_app("UPDATE stories_storyevent SET reason = %s WHERE id = %s", ["forged", log[1].pk])

    with pytest.raises(CommandError, match=f"Event {log[1].pk} .*changed after writing"):
        verify()


def test_a_removed_event_is_detected_at_the_one_after_it(log):
    past_the_app("DELETE FROM stories_storyevent WHERE id = %s", [log[1].pk])

    with pytest.raises(CommandError, match=f"Event {log[2].pk} .*removed, inserted or reordered"):
        verify()


def test_two_events_can_never_follow_the_same_predecessor(log):
    from django.db import IntegrityError

    forked = StoryEvent(
        story=log[2].story,
        kind=log[2].kind,
        from_status=log[2].from_status,
        to_status=log[2].to_status,
        actor=log[2].actor,
        version=99,
        previous_hash=log[2].previous_hash,
        hash="f" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forked.save()
