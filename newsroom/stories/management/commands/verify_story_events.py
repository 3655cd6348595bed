"""Walk the story log's hash chain and report the first event that breaks it."""

from django.core.management.base import BaseCommand, CommandError

from newsroom.stories.audit import walk_chain
from newsroom.stories.models import StoryEvent


class Command(BaseCommand):
    help = (
        "Verify the story log's hash chain: exit 0 with a summary when every event holds, "
        "non-zero naming the first event that was changed, removed or inserted."
    )

    def handle(self, *args, **options):
        report = walk_chain(StoryEvent.objects.order_by("pk").iterator(chunk_size=2000))
        if not report.intact:
            raise CommandError(f"The chain is broken: {report.reason}")
        if report.head_id is None:
            self.stdout.write("The story log is empty: nothing to verify.")
            return
        self.stdout.write(
            f"{report.verified} events verified: the chain is intact; its head is event "
            f"{report.head_id} with hash {report.head_hash} (keep it to notice a cut tail)."
        )
