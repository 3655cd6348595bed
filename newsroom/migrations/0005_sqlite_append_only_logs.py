"""Refuse UPDATE and DELETE of both append-only logs on SQLite, as PostgreSQL's triggers do.

On PostgreSQL row triggers refuse UPDATE and DELETE and a statement trigger refuses TRUNCATE
(claims 0002/0005, stories 0002), so `manage.py flush`, and `sqlflush` piped into a database
shell, fail there and the logs remain. SQLite's flush is `DELETE FROM` each table, which the
model layer never sees: it emptied both logs. These triggers make SQLite refuse it the same
way (the whole flush rolls back). One migration for both logs, in the project package that
holds both apps. The test suite, which flushes between transactional tests, drops them from
its own database only (tests/conftest.py), as it disables the TRUNCATE triggers on PostgreSQL.
"""

from django.db import migrations

LOGS = ("claims_verificationevent", "stories_storyevent")


def trigger_sql(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for op in ("UPDATE", "DELETE")
    ]


def drop_sql(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]


CREATE_SQL = [sql for table in LOGS for sql in trigger_sql(table)]
DROP_SQL = [sql for table in LOGS for sql in drop_sql(table)]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in CREATE_SQL:
            schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in DROP_SQL:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0004_system_user"),
        ("claims", "0008_external_check_anchor_state"),
        ("stories", "0002_storyevent_append_only"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
