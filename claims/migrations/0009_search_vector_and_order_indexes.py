"""A stored tsvector for full-text search, and the indexes the admin's and API's orders read.

The stored column replaces 0003's expression index: matching and ranking read the stored
vector instead of recomputing to_tsvector for every candidate row.
"""

import django.contrib.postgres.search
from django.db import migrations, models

import claims.models

OLD_SEARCH_INDEX = "claims_claim_search_gin"
SEARCH_INDEX = "claim_search_vector_gin"


def add_search_index(apps, schema_editor):
    # Full-text search is a PostgreSQL feature; SQLite searches by substring without an index.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_SEARCH_INDEX}")
    schema_editor.execute(f"CREATE INDEX {SEARCH_INDEX} ON claims_claim USING gin (search_vector)")


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    from django.contrib.postgres.indexes import GinIndex

    Claim = apps.get_model("claims", "Claim")
    schema_editor.add_index(
        Claim, GinIndex(claims.models.claim_search_vector(), name=OLD_SEARCH_INDEX)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0008_external_check_anchor_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=claims.models.OnPostgresql(
                    django.contrib.postgres.search.SearchVector("text", "summary", config="english")
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(null=True),
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["created_at", "id"], name="claim_created_id_idx"),
        ),
        # (updated_at, id) below serves everything the single-column index did, and the
        # tie-break as well.
        migrations.AlterField(
            model_name="claim",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AlterField(
            model_name="historicalclaim",
            name="updated_at",
            field=models.DateTimeField(blank=True, editable=False),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["updated_at", "id"], name="claim_updated_id_idx"),
        ),
        migrations.RunPython(add_search_index, drop_search_index),
    ]
