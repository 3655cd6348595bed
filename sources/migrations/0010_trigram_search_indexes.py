"""Trigram indexes for the documents changelist's substring search (PostgreSQL only).

The admin searches with UPPER(column) LIKE UPPER('%term%'): a GIN gin_trgm_ops index on the
same UPPER() expression serves it, where a B-tree cannot. SQLite keeps its plain scan.
"""

from django.db import migrations

INDEXES = {
    "document_headline_trgm": ("sources_document", "headline"),
    "document_url_trgm": ("sources_document", "url"),
    "organization_name_trgm": ("sources_organization", "name"),
}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Not TrigramExtension(): its backwards step queries pg_extension on SQLite too. Unapplying
    # drops the indexes and leaves the extension, which other things may use.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0009_site_policies"),
    ]

    operations = [
        migrations.RunPython(add_indexes, drop_indexes),
    ]
