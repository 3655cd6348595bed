"""Store whether a claim's origins are all anonymous, so the review queue reads an index.

Backfilled in one UPDATE from the chains, as ClaimQuerySet.anonymous_only() used to compute it;
from here on claims.origins.refresh_independent_origins() keeps it.
"""

from django.db import migrations, models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q


def backfill(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    Attribution = apps.get_model("claims", "Attribution")
    origins = Attribution.objects.using(schema_editor.connection.alias).filter(
        appearance__claim=OuterRef("pk"), role="origin"
    )
    only_anonymous = Q(Exists(origins.filter(anonymous_source__isnull=False))) & ~Q(
        Exists(origins.filter(anonymous_source__isnull=True))
    )
    Claim.objects.using(schema_editor.connection.alias).update(
        only_anonymous_origins=ExpressionWrapper(only_anonymous, output_field=BooleanField())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0009_search_vector_and_order_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="only_anonymous_origins",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text=(
                    "Whether the claim has origins and every one of them is an anonymous source."
                ),
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("only_anonymous_origins", True)),
                fields=["created_at", "id"],
                name="claim_anonymous_only_idx",
            ),
        ),
    ]
