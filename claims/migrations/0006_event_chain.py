"""Chain the verification log: every event carries its predecessor's hash (claims/audit.py).

Existing events are chained in pk order, the order the log was written in. Events refuse
UPDATE on PostgreSQL (0002), so the fill disables that trigger for its own transaction and
enables it again before committing; a failure rolls back both with the fill. No other
connection can write events meanwhile: ALTER TABLE holds the table exclusively until commit.
"""

from django.db import migrations, models

APPEND_ONLY_TRIGGER = "claims_verificationevent_append_only"


def fill_chain(apps, schema_editor):
    # The digest is a stored format that never changes, so the live function is the right one.
    from claims.audit import GENESIS_HASH, digest_of

    VerificationEvent = apps.get_model("claims", "VerificationEvent")
    table = VerificationEvent._meta.db_table
    db = schema_editor.connection.alias
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {APPEND_ONLY_TRIGGER}")
    previous_hash = GENESIS_HASH
    events = VerificationEvent._base_manager.using(db)
    for event in events.order_by("pk").iterator():
        digest = digest_of(event, previous_hash=previous_hash)
        events.filter(pk=event.pk).update(
            previous_hash=previous_hash, hash=digest
        )
        previous_hash = digest
    if postgres:
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {APPEND_ONLY_TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_event_audit"),
    ]

    operations = [
        migrations.AddField(
            model_name="verificationevent",
            name="previous_hash",
            field=models.CharField(
                default="",
                editable=False,
                help_text="The hash of the event before this one in the log (zeros for the first).",
                max_length=64,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="verificationevent",
            name="hash",
            field=models.CharField(
                default="",
                editable=False,
                help_text="sha256 over previous_hash and this event's fields (claims/audit.py).",
                max_length=64,
            ),
            preserve_default=False,
        ),
        # Removing the fields on the way back is the whole of undoing the fill.
        migrations.RunPython(fill_chain, migrations.RunPython.noop),
    ]
