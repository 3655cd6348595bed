"""Refuse TRUNCATE of the verification log on PostgreSQL.

Row triggers (0002) refuse UPDATE and DELETE, but TRUNCATE fires no row triggers, so
`TRUNCATE claims_verificationevent` and `manage.py flush` emptied the log. A statement-level
BEFORE TRUNCATE trigger refuses it, also when the table is reached through TRUNCATE ... CASCADE.

There is deliberately no switch inside the function: whoever must empty the table (the test
suite, which flushes between transactional tests) has to disable the trigger with
ALTER TABLE ... DISABLE TRIGGER, which needs the table's owner, not merely a session setting
any connection could make. See tests/conftest.py.
"""

from django.db import migrations

NO_TRUNCATE_SQL = """
CREATE OR REPLACE FUNCTION claims_verificationevent_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'claims_verificationevent is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER claims_verificationevent_no_truncate
    BEFORE TRUNCATE ON claims_verificationevent
    FOR EACH STATEMENT EXECUTE FUNCTION claims_verificationevent_no_truncate();
"""

DROP_NO_TRUNCATE_SQL = """
DROP TRIGGER IF EXISTS claims_verificationevent_no_truncate ON claims_verificationevent;
DROP FUNCTION IF EXISTS claims_verificationevent_no_truncate();
"""


def add_no_truncate_trigger(apps, schema_editor):
    # PostgreSQL is the production database; SQLite has no TRUNCATE.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NO_TRUNCATE_SQL, params=None)


def drop_no_truncate_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_NO_TRUNCATE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_two_counters"),
    ]

    operations = [
        migrations.RunPython(add_no_truncate_trigger, drop_no_truncate_trigger),
    ]
