"""One chain, no forks: two events can never follow the same predecessor.

Its own migration, so the constraint is added after 0006's fill has committed.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_event_chain"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="verificationevent",
            constraint=models.UniqueConstraint(
                fields=("previous_hash",), name="event_unique_predecessor"
            ),
        ),
    ]
