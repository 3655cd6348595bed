"""Refuse UPDATE, DELETE and TRUNCATE of the story log on PostgreSQL, like the verification log.

Row triggers refuse UPDATE and DELETE; TRUNCATE fires no row triggers, so a statement-level
BEFORE TRUNCATE trigger refuses it (also through TRUNCATE ... CASCADE). There is no switch in
the functions: the test suite, which flushes between transactional tests, disables the TRUNCATE
trigger with ALTER TABLE, which needs the table's owner (tests/conftest.py).
"""

from django.db import migrations

TABLE = "stories_storyevent"

APPEND_ONLY_SQL = f"""
CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{TABLE} is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TABLE}_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
CREATE OR REPLACE FUNCTION {TABLE}_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{TABLE} is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TABLE}_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_no_truncate();
"""

DROP_SQL = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
DROP FUNCTION IF EXISTS {TABLE}_no_truncate();
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
DROP FUNCTION IF EXISTS {TABLE}_append_only();
"""


def add_triggers(apps, schema_editor):
    # PostgreSQL is the production database; SQLite relies on the model layer alone.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_triggers, drop_triggers),
    ]
